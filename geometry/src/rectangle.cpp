#include "pinnxde/geometry/rectangle.hpp"

namespace pinnxde::geometry {

Rectangle::Rectangle(const std::vector<double>& xmin, const std::vector<double>& xmax)
    : Cloneable(xmin, xmax, "Rectangle", 2) {}

double Rectangle::perimeter() const { return 2 * (xmax() - xmin()).sum(); }

}  // namespace pinnxde::geometry

#include "pinnxde/geometry/cuboid.hpp"

namespace pinnxde::geometry {

Cuboid::Cuboid(const std::vector<double>& xmin, const std::vector<double>& xmax) : Cloneable(xmin, xmax, "Cuboid", 3) {}

}  // namespace pinnxde::geometry
