#pragma once
// The 1-D interval [l, r]. Port of deepxde.geometry.Interval.
//
//   dde::geometry::Interval geom(-1, 1);
//   auto x = geom.random_points(100, "Hammersley");   // (100, 1)
#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::geometry {

class Interval : public Cloneable<Interval> {
 public:
  /// Throws ValueError unless l < r (both finite): "Interval: l = 1 must be < r = 0".
  Interval(double l, double r);

  double l() const { return l_; }
  double r() const { return r_; }

  /// 2 (two end points).
  double boundary_measure() const override { return 2; }
  /// l - tol <= x <= r + tol, tol = boundary_tol().
  Mask inside(const Points& x) const override;
  /// |x - l| <= tol or |x - r| <= tol.
  Mask on_boundary(const Points& x) const override;
  /// -1 at l, +1 at r, 0 elsewhere.
  Points boundary_normal(const Points& x) const override;
  /// n evenly spaced points: linspace(l, r, n) with the ends, l + k (r - l) / (n + 1), k = 1..n, without.
  Points uniform_points(std::int64_t n, bool boundary = true) const override;
  Points random_points(std::int64_t n, const std::string& random = "pseudo") const override;
  /// floor(n / 2) copies of l, then the rest r (n = 1: just l).
  Points uniform_boundary_points(std::int64_t n) const override;
  /// n == 2: exactly [l, r]; otherwise each point is l or r with probability 1/2 (from rng(),
  /// whatever the sampler, as DeepXDE).
  Points random_boundary_points(std::int64_t n, const std::string& random = "pseudo") const override;

  /// dirn (1,): negative -> x - l, otherwise r - x.
  Eigen::VectorXd distance2boundary(const Points& x, const Eigen::VectorXd& dirn) const override;
  /// DeepXDE's form: dirn < 0 -> x - l, otherwise r - x.
  Eigen::VectorXd distance2boundary(const Points& x, int dirn) const;
  /// min(x - l, r - x).
  Eigen::VectorXd mindist2boundary(const Points& x) const override;
  /// Swaps l and r; component must be 0.
  Points periodic_point(const Points& x, int component) const override;

  /// With dl = 2 |x - l| / (r - l), dr = 2 |x - r| / (r - l): "C0" min(dl, dr), "C0+" dl dr, "Cinf"
  /// (dl dr)^2 (DeepXDE's formulas).
  Eigen::VectorXd boundary_constraint_factor(const Points& x, const std::string& smoothness = "C0+") const override;

  /// n points evenly spaced in log(x + eps) (eps = 0 if l > 0, else the float64 machine epsilon), as
  /// DeepXDE; boundary = false drops both ends. Throws ValueError for l < 0.
  Points log_uniform_points(std::int64_t n, bool boundary = true) const;
  /// dirn (1,): -1 towards l, +1 towards r, 0 both (the left points, then the right ones), as DeepXDE.
  Points background_points(const Eigen::VectorXd& x, const Eigen::VectorXd& dirn, const Dist2Npt& dist2npt,
                           int shift) const override;

  std::string name() const override { return "Interval"; }

 private:
  double l_, r_;
};

}  // namespace pinnxde::geometry
