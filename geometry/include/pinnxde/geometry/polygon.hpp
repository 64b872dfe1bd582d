#pragma once
// A simple polygon (convex or not, no holes). Port of deepxde.geometry.Polygon.
//
//   // DeepXDE's Poisson_Lshape domain:
//   dde::geometry::Polygon geom({{0, 0}, {1, 0}, {1, -1}, {-1, -1}, {-1, 1}, {0, 1}});
#include <array>
#include <vector>

#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::geometry {

class Polygon : public Cloneable<Polygon> {
 public:
  /// Vertices in order, either orientation, without repeating the first at the end. Throws ValueError
  /// for fewer than 3 vertices, non-finite or repeated vertices, a spike (two consecutive edges folding
  /// back onto each other), two edges that intersect (not simple: "... intersect (the polygon must be
  /// simple, not self-intersecting)") or zero area. A vertex in the middle of a straight edge is allowed.
  explicit Polygon(const std::vector<std::array<double, 2>>& vertices);

  /// The vertices, counter-clockwise (reversed if given clockwise). (k, 2).
  const Points& vertices() const { return vertices_; }
  double area() const { return area_; }
  double perimeter() const { return perimeter_; }
  double boundary_measure() const override { return perimeter_; }

  /// Even-odd (crossing number) test, or on the boundary.
  Mask inside(const Points& x) const override;
  /// Within boundary_tol() of some edge.
  Mask on_boundary(const Points& x) const override;
  /// Outward normal of the edge the point lies on (outward whatever the input orientation); at a vertex
  /// the normalised sum of both edges' normals. Zero rows off the boundary.
  Points boundary_normal(const Points& x) const override;
  /// A cell-centred grid of the bounding box restricted to the polygon's interior, plus (boundary = true)
  /// uniform_boundary_points with the same spacing; about n points in all.
  Points uniform_points(std::int64_t n, bool boundary = true) const override;
  /// Rejection from the bounding box with the given sampler (all candidates tested at once); bounded, see
  /// docs/geometry.md (a polygon that fills too little of its box throws ValueError with the acceptance
  /// rate). A triangle of area below 1e-3 of its box maps the sampler's unit square onto itself instead.
  Points random_points(std::int64_t n, const std::string& random = "pseudo") const override;
  /// Exactly n points equally spaced in arc length, starting at vertices()[0].
  Points uniform_boundary_points(std::int64_t n) const override;
  /// The 1-D sampler mapped to arc length along the boundary (uniform per unit length).
  Points random_boundary_points(std::int64_t n, const std::string& random = "pseudo") const override;
  /// Distance to the nearest edge.
  Eigen::VectorXd mindist2boundary(const Points& x) const override;

  /// Per edge (a, b): e = |x - a| + |x - b| - |b - a|, zero exactly on the edge (DeepXDE's Triangle
  /// formula, extended to any polygon). "C0": min over edges; "C0+": product over edges; "Cinf": product
  /// of the squares.
  Eigen::VectorXd boundary_constraint_factor(const Points& x, const std::string& smoothness = "C0+") const override;

  std::string name() const override { return "Polygon"; }

 protected:
  /// For subclasses (Triangle): `who` names the class in messages.
  Polygon(const std::vector<std::array<double, 2>>& vertices, const char* who);

 private:
  // Point at arc length s (0 <= s <= perimeter) into out[0..1].
  void arc_point(double s, double* out) const;

  Points vertices_;                // (k, 2), counter-clockwise
  Points edges_;                   // (k, 2), vertices_[i+1] - vertices_[i]
  Points normals_;                 // (k, 2), outward unit normals
  Eigen::VectorXd cum_length_;     // (k+1,), arc length at each vertex; back() = perimeter
  double area_ = 0, perimeter_ = 0;
};

}  // namespace pinnxde::geometry
