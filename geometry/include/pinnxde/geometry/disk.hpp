#pragma once
// The closed disk |x - center| <= radius in 2-D. Port of deepxde.geometry.Disk.
//
//   auto domain = dde::geometry::Rectangle({0, 0}, {1, 1}) - dde::geometry::Disk({0.5, 0.5}, 0.2);
#include "pinnxde/geometry/hypersphere.hpp"

namespace pinnxde::geometry {

class Disk : public Cloneable<Disk, Hypersphere> {
 public:
  /// Throws ValueError unless center has 2 entries and radius > 0: "Disk: radius = 0 (expected radius > 0)".
  Disk(const std::vector<double>& center, double radius);
  std::string name() const override { return "Disk"; }
};

}  // namespace pinnxde::geometry
