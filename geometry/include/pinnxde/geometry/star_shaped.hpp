#pragma once
// A 2-D domain star-shaped about its center, with boundary r(theta) = radius + sum_i (coeffs_cos[i-1]
// cos(i theta) + coeffs_sin[i-1] sin(i theta)), i = 1..K, in polar coordinates about the center. Port of
// deepxde.geometry.StarShaped.
//
//   dde::geometry::StarShaped flower({0, 0}, 1, {0.2, 0.1}, {0.1, -0.05});
#include <vector>

#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::geometry {

namespace detail {
class ArcLengthTable;
}

class StarShaped : public Cloneable<StarShaped> {
 public:
  /// Throws ValueError unless center has 2 finite entries, radius > 0, coeffs_cos and coeffs_sin have the
  /// same length and finite entries, and r(theta) > 0 for every theta ("StarShaped: r(theta) = -0.2 at
  /// theta = 3.1416 (expected r(theta) > 0 ...)").
  StarShaped(const std::vector<double>& center, double radius, const std::vector<double>& coeffs_cos,
             const std::vector<double>& coeffs_sin);

  const Eigen::VectorXd& center() const { return center_; }
  double radius() const { return radius_; }
  /// r(theta) and r'(theta) at angles theta (N,).
  Eigen::ArrayXd r_theta(const Eigen::ArrayXd& theta) const;
  Eigen::ArrayXd dr_theta(const Eigen::ArrayXd& theta) const;
  /// pi (radius^2 + (sum coeffs_cos^2 + sum coeffs_sin^2) / 2), in closed form.
  double area() const;
  /// Perimeter from the arc-length table.
  double perimeter() const;
  double boundary_measure() const override { return perimeter(); }

  /// (|x - c| - r(theta)) r / sqrt(r^2 + r'^2) <= tol: the radial gap turned into a first-order normal
  /// distance, so the band is boundary_tol() wide whatever the slope.
  Mask inside(const Points& x) const override;
  Mask on_boundary(const Points& x) const override;
  /// The curve's tangent turned clockwise, normalised (outward, unit); zero rows off the boundary.
  Points boundary_normal(const Points& x) const override;
  /// Cell-centred grid restricted to the interior (+ boundary points at the same spacing).
  Points uniform_points(std::int64_t n, bool boundary = true) const override;
  /// Rejection from the bounding box with the sampler (DeepXDE always uses "pseudo").
  Points random_points(std::int64_t n, const std::string& random = "pseudo") const override;
  /// n points equally spaced in arc length (DeepXDE spaces them equally in theta, which crowds them
  /// where r is small).
  Points uniform_boundary_points(std::int64_t n) const override;
  /// The 1-D sampler mapped to arc length (DeepXDE: to theta).
  Points random_boundary_points(std::int64_t n, const std::string& random = "pseudo") const override;

  std::string name() const override { return "StarShaped"; }

 private:
  Points at_params(const Eigen::ArrayXd& t) const;
  // (signed first-order normal distance, theta) per point.
  Eigen::ArrayXd level(const Points& x, Eigen::ArrayXd* theta = nullptr) const;

  Eigen::VectorXd center_;
  double radius_;
  Eigen::ArrayXd cos_, sin_;
  std::shared_ptr<const detail::ArcLengthTable> arc_;
};

}  // namespace pinnxde::geometry
