#pragma once
// The closed ball |x - center| <= radius in 3-D. Port of deepxde.geometry.Sphere.
#include "pinnxde/geometry/hypersphere.hpp"

namespace pinnxde::geometry {

class Sphere : public Cloneable<Sphere, Hypersphere> {
 public:
  /// Throws ValueError unless center has 3 entries and radius > 0.
  Sphere(const std::vector<double>& center, double radius);
  std::string name() const override { return "Sphere"; }
};

}  // namespace pinnxde::geometry
