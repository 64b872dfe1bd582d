#pragma once
// The closed ellipse with semi-axes semimajor >= semiminor, rotated by angle. Port of
// deepxde.geometry.Ellipse (same angle convention: a positive angle rotates the ellipse clockwise).
//
//   dde::geometry::Ellipse geom({0, 0}, 2, 1, std::numbers::pi / 6);
#include <vector>

#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::geometry {

namespace detail {
class ArcLengthTable;
}

class Ellipse : public Cloneable<Ellipse> {
 public:
  /// Throws ValueError unless center has 2 finite entries, 0 < semiminor <= semimajor (finite) and angle
  /// is finite: "Ellipse: semiminor = 3 must be <= semimajor = 2".
  Ellipse(const std::vector<double>& center, double semimajor, double semiminor, double angle = 0);

  const Eigen::VectorXd& center() const { return center_; }
  double semimajor() const { return a_; }
  double semiminor() const { return b_; }
  double angle() const { return angle_; }
  /// The two foci, center -/+ sqrt(a^2 - b^2) along the major axis.
  Eigen::Vector2d focus1() const;
  Eigen::Vector2d focus2() const;
  /// pi a b.
  double area() const;
  /// Perimeter from the arc-length table (accurate to round-off).
  double perimeter() const;
  double boundary_measure() const override { return perimeter(); }

  /// F(x) / |grad F(x)| <= tol with F = (u/a)^2 + (v/b)^2 - 1 in the ellipse's own axes (u, v): a
  /// first-order distance to the boundary, so the tolerance band is boundary_tol() wide everywhere
  /// (DeepXDE's focal test |d1 + d2 - 2a| widens by a/b at the ends of the minor axis).
  Mask inside(const Points& x) const override;
  /// |F(x)| / |grad F(x)| <= tol.
  Mask on_boundary(const Points& x) const override;
  /// grad F / |grad F| on the boundary (outward, unit), zero rows elsewhere.
  Points boundary_normal(const Points& x) const override;
  /// Cell-centred grid restricted to the interior, plus (boundary = true) uniform_boundary_points at the
  /// same spacing; about n points.
  Points uniform_points(std::int64_t n, bool boundary = true) const override;
  /// The unit disk's r = sqrt(u0), theta = 2 pi u1 from the sampler, stretched by (a, b) and rotated
  /// (uniform in area, as DeepXDE).
  Points random_points(std::int64_t n, const std::string& random = "pseudo") const override;
  /// n points equally spaced in arc length.
  Points uniform_boundary_points(std::int64_t n) const override;
  /// The 1-D sampler mapped to arc length by inverting the cumulative arc-length table.
  Points random_boundary_points(std::int64_t n, const std::string& random = "pseudo") const override;
  /// Distance along the ray x + s dirn / |dirn| to the ellipse, for x inside.
  Eigen::VectorXd distance2boundary(const Points& x, const Eigen::VectorXd& dirn) const override;
  /// Exact distance to the ellipse, for points inside or outside (Eberly's robust root bisection per
  /// point; DeepXDE has no Ellipse.mindist2boundary).
  Eigen::VectorXd mindist2boundary(const Points& x) const override;
  /// "C0": |d1 + d2 - 2a| (d1, d2 the distances to the foci; DeepXDE's formula). "C0+": |1 - (u/a)^2 -
  /// (v/b)^2|, a polynomial inside (DeepXDE's focal form is not differentiable at the foci, which lie
  /// inside). "Cinf": its square.
  Eigen::VectorXd boundary_constraint_factor(const Points& x, const std::string& smoothness = "C0+") const override;

  std::string name() const override { return "Ellipse"; }

 private:
  // x in the ellipse's own axes: (N, 2), major axis first.
  Points local(const Points& x) const;
  // Points at parameters t (local (a cos t, b sin t), rotated and shifted).
  Points at_params(const Eigen::ArrayXd& t) const;
  // Signed first-order distance F / |grad F| per point.
  Eigen::ArrayXd level(const Points& x) const;

  Eigen::VectorXd center_;
  double a_, b_, angle_;
  std::shared_ptr<const detail::ArcLengthTable> arc_;
};

}  // namespace pinnxde::geometry
