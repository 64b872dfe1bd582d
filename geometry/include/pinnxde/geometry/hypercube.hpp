#pragma once
// The axis-aligned box [xmin, xmax] in any dimension. Port of deepxde.geometry.Hypercube.
//
//   dde::geometry::Hypercube cube({0, 0, 0, 0}, {1, 1, 1, 1});
#include <vector>

#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::geometry {

class Hypercube : public Cloneable<Hypercube> {
 public:
  /// Throws ValueError for empty or different-length corners, or xmin[i] >= xmax[i]:
  /// "Hypercube: xmin[1] = 2 must be < xmax[1] = 1".
  Hypercube(const std::vector<double>& xmin, const std::vector<double>& xmax);

  const Eigen::VectorXd& xmin() const { return xmin_; }
  const Eigen::VectorXd& xmax() const { return xmax_; }
  /// Product of the side lengths.
  double volume() const;
  /// Total face area (2 end points in 1-D, the perimeter in 2-D).
  double boundary_measure() const override;

  /// xmin - tol <= x <= xmax + tol in every coordinate, tol = boundary_tol().
  Mask inside(const Points& x) const override;
  /// Inside and within tol of some face.
  Mask on_boundary(const Points& x) const override;
  /// Face normal; at edges and corners the normalised sum of the face normals (as DeepXDE).
  Points boundary_normal(const Points& x) const override;
  /// Tensor grid with spacing ~ (volume / n)^(1/dim), first coordinate slowest (as DeepXDE; the count
  /// is rounded per side). boundary = false: the grid nodes strictly inside.
  Points uniform_points(std::int64_t n, bool boundary = true) const override;
  Points random_points(std::int64_t n, const std::string& random = "pseudo") const override;
  /// 1-D: floor(n/2) at xmin, the rest at xmax. 2-D: exactly n points equally spaced in arc length
  /// counter-clockwise from xmin. >= 3-D: a cell-centred grid on every face (about n in total).
  Points uniform_boundary_points(std::int64_t n) const override;
  /// Uniform in boundary area. 2-D: the 1-D sampler along the perimeter. >= 3-D: the face is drawn
  /// with probability proportional to its area from rng(), the other coordinates from the sampler
  /// (DeepXDE picks faces with equal probability, which is not uniform for non-cubes).
  Points random_boundary_points(std::int64_t n, const std::string& random = "pseudo") const override;

  /// Distance along the ray x + s dirn / |dirn| to the box's boundary (points inside).
  Eigen::VectorXd distance2boundary(const Points& x, const Eigen::VectorXd& dirn) const override;
  /// Distance to the nearest face (points inside).
  Eigen::VectorXd mindist2boundary(const Points& x) const override;
  /// Points on face xmin[component] move to xmax[component] and vice versa.
  Points periodic_point(const Points& x, int component) const override;

  /// With dl_i = 2 |x_i - xmin_i| / (xmax_i - xmin_i) and dr_i likewise: "C0" min over i of min(dl_i,
  /// dr_i); "C0+" and "Cinf" prod_i dl_i dr_i, a polynomial inside (DeepXDE's formulas; it underflows in
  /// high dimension near the boundary).
  Eigen::VectorXd boundary_constraint_factor(const Points& x, const std::string& smoothness = "C0+") const override;

  std::string name() const override { return "Hypercube"; }

 protected:
  /// For subclasses: `who` names the class in messages, `expected_dim` (> 0) enforces a dimension.
  Hypercube(const std::vector<double>& xmin, const std::vector<double>& xmax, const char* who,
            int expected_dim);

 private:
  Eigen::VectorXd xmin_, xmax_;
};

}  // namespace pinnxde::geometry
