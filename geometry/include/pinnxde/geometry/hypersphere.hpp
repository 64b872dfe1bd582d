#pragma once
// The closed ball |x - center| <= radius in any dimension. Port of deepxde.geometry.Hypersphere.
//
//   dde::geometry::Hypersphere ball({0, 0, 0, 0}, 1);
#include <vector>

#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::geometry {

class Hypersphere : public Cloneable<Hypersphere> {
 public:
  /// Throws ValueError for an empty or non-finite center or radius <= 0:
  /// "Hypersphere: radius = -1 (expected radius > 0)".
  Hypersphere(const std::vector<double>& center, double radius);

  const Eigen::VectorXd& center() const { return center_; }
  double radius() const { return radius_; }
  /// Surface measure 2 pi^(d/2) r^(d-1) / Gamma(d/2) (2 pi r in 2-D, 4 pi r^2 in 3-D).
  double boundary_measure() const override;

  /// |x - center| <= radius + tol, tol = boundary_tol().
  Mask inside(const Points& x) const override;
  /// ||x - center| - radius| <= tol.
  Mask on_boundary(const Points& x) const override;
  /// (x - center) / |x - center| on the boundary, 0 elsewhere.
  Points boundary_normal(const Points& x) const override;
  /// 2-D: r = radius sqrt(u0), theta = 2 pi u1 from the sampler (as DeepXDE's Disk). Otherwise a
  /// Gaussian direction (inverse normal CDF of the sampler's coordinates; i.i.d. normals for "pseudo")
  /// scaled by radius u^(1/dim), as DeepXDE.
  Points random_points(std::int64_t n, const std::string& random = "pseudo") const override;
  /// Cell-centred grid of the bounding box kept strictly inside, plus (boundary = true)
  /// uniform_boundary_points at the same spacing; about n points. (DeepXDE: random points.) Where that
  /// grid would be huge (high dimension: > max(1e7, 100 n) nodes), random_points(n, "Halton") instead.
  Points uniform_points(std::int64_t n, bool boundary = true) const override;
  /// 2-D: n equally spaced angles. 3-D: the Fibonacci (golden spiral) lattice. Otherwise
  /// random_boundary_points(n, "Halton").
  Points uniform_boundary_points(std::int64_t n) const override;
  /// 2-D: angle 2 pi u from the 1-D sampler; otherwise a normalised Gaussian vector, as DeepXDE.
  Points random_boundary_points(std::int64_t n, const std::string& random = "pseudo") const override;

  /// Distance along the ray x + s dirn / |dirn| to the sphere, for x inside.
  Eigen::VectorXd distance2boundary(const Points& x, const Eigen::VectorXd& dirn) const override;
  /// ||x - center| - radius|.
  Eigen::VectorXd mindist2boundary(const Points& x) const override;

  /// "C0": ||x - c| - R| (DeepXDE's). "C0+": |R^2 - |x - c|^2| / (2 R), smooth inside (DeepXDE's |r - R| is
  /// not differentiable at the center). "Cinf": its square.
  Eigen::VectorXd boundary_constraint_factor(const Points& x, const std::string& smoothness = "C0+") const override;

  /// The segment from x to the sphere against dirn (see Geometry::background_points), as DeepXDE.
  Points background_points(const Eigen::VectorXd& x, const Eigen::VectorXd& dirn, const Dist2Npt& dist2npt,
                           int shift) const override;

  std::string name() const override { return "Hypersphere"; }

 protected:
  /// For subclasses: `who` names the class in messages, `expected_dim` (> 0) enforces a dimension.
  Hypersphere(const std::vector<double>& center, double radius, const char* who, int expected_dim);

 private:
  Eigen::VectorXd center_;
  double radius_;
};

}  // namespace pinnxde::geometry
