#pragma once
// The axis-aligned rectangle [xmin, xmax] in 2-D. Port of deepxde.geometry.Rectangle.
//
//   dde::geometry::Rectangle rect({0, 0}, {1, 2});
#include "pinnxde/geometry/hypercube.hpp"

namespace pinnxde::geometry {

/// A 2-D Hypercube: boundary points are parametrised by arc length along the perimeter.
class Rectangle : public Cloneable<Rectangle, Hypercube> {
 public:
  /// Throws ValueError unless xmin and xmax have 2 entries with xmin[i] < xmax[i]:
  /// "Rectangle: xmin has 3 entries (expected 2)".
  Rectangle(const std::vector<double>& xmin, const std::vector<double>& xmax);
  /// Perimeter 2 (Lx + Ly).
  double perimeter() const;
  std::string name() const override { return "Rectangle"; }
};

}  // namespace pinnxde::geometry
