#pragma once
// The axis-aligned box [xmin, xmax] in 3-D. Port of deepxde.geometry.Cuboid.
#include "pinnxde/geometry/hypercube.hpp"

namespace pinnxde::geometry {

class Cuboid : public Cloneable<Cuboid, Hypercube> {
 public:
  /// Throws ValueError unless xmin and xmax have 3 entries with xmin[i] < xmax[i].
  Cuboid(const std::vector<double>& xmin, const std::vector<double>& xmax);
  std::string name() const override { return "Cuboid"; }
};

}  // namespace pinnxde::geometry
