#pragma once
// A triangle. Port of deepxde.geometry.Triangle (a Polygon with three vertices here).
//
//   dde::geometry::Triangle tri({0, 0}, {1, 0}, {0, 1});
#include "pinnxde/geometry/polygon.hpp"

namespace pinnxde::geometry {

class Triangle : public Cloneable<Triangle, Polygon> {
 public:
  /// Either orientation. Throws ValueError for repeated or collinear vertices.
  Triangle(const std::array<double, 2>& x1, const std::array<double, 2>& x2, const std::array<double, 2>& x3);
  std::string name() const override { return "Triangle"; }
};

}  // namespace pinnxde::geometry
