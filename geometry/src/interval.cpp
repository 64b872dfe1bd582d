#include "pinnxde/geometry/interval.hpp"

#include <cmath>
#include <limits>

#include "detail.hpp"
#include "pinnxde/geometry/random.hpp"
#include "pinnxde/geometry/sampler.hpp"

namespace pinnxde::geometry {
namespace {
double checked_l(double l, double r) {
  if (!std::isfinite(l) || !std::isfinite(r))
    pinnxde::detail::fail("Interval: l = ", l, " and r = ", r, " must be finite");
  if (!(l < r)) pinnxde::detail::fail("Interval: l = ", l, " must be < r = ", r);
  if (!std::isfinite(r - l))
    pinnxde::detail::fail("Interval: the width r - l = ", r, " - ", l, " overflows to ", r - l,
                          " (expected a finite width, |r - l| < 1.8e308)");
  return l;
}
}  // namespace

Interval::Interval(double l, double r)
    : Cloneable(1, Eigen::VectorXd::Constant(1, checked_l(l, r)), Eigen::VectorXd::Constant(1, r), r - l),
      l_(l),
      r_(r) {}

Mask Interval::inside(const Points& x) const {
  check_points(x, "inside");
  const double tol = boundary_tol();
  return (x.col(0).array() >= l_ - tol) && (x.col(0).array() <= r_ + tol);
}

Mask Interval::on_boundary(const Points& x) const {
  check_points(x, "on_boundary");
  const double tol = boundary_tol();
  return ((x.col(0).array() - l_).abs() <= tol) || ((x.col(0).array() - r_).abs() <= tol);
}

Points Interval::boundary_normal(const Points& x) const {
  check_points(x, "boundary_normal");
  const double tol = boundary_tol();
  Points n(x.rows(), 1);
  n.col(0) = ((x.col(0).array() - r_).abs() <= tol).cast<double>() -
             ((x.col(0).array() - l_).abs() <= tol).cast<double>();
  return n;
}

Points Interval::uniform_points(std::int64_t n, bool boundary) const {
  check_n(n, "uniform_points");
  Points x(n, 1);
  if (boundary) {
    x.col(0) = Eigen::VectorXd::LinSpaced(n, l_, r_);
  } else {
    const double h = (r_ - l_) / static_cast<double>(n + 1);
    for (std::int64_t i = 0; i < n; ++i) x(i, 0) = l_ + h * static_cast<double>(i + 1);
  }
  return x;
}

Points Interval::random_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_points");
  Points x = sample(n, 1, random);
  return (x.array() * (r_ - l_) + l_).matrix();
}

Points Interval::uniform_boundary_points(std::int64_t n) const {
  check_n(n, "uniform_boundary_points");
  if (n == 1) return Points::Constant(1, 1, l_);
  Points x(n, 1);
  x.topRows(n / 2).setConstant(l_);
  x.bottomRows(n - n / 2).setConstant(r_);
  return x;
}

Points Interval::random_boundary_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_boundary_points");
  check_sampler(random);
  Points x(n, 1);
  if (n == 2) {
    x << l_, r_;
    return x;
  }
  for (std::int64_t i = 0; i < n; ++i) x(i, 0) = (rng()() >> 63) ? r_ : l_;
  return x;
}

Eigen::VectorXd Interval::distance2boundary(const Points& x, const Eigen::VectorXd& dirn) const {
  if (dirn.size() != 1)
    pinnxde::detail::fail(name(), ".distance2boundary: dirn has size ", dirn.size(), " (expected 1)");
  if (!std::isfinite(dirn(0)) || dirn(0) == 0)
    pinnxde::detail::fail(name(), ".distance2boundary: dirn = ", dirn(0), " (expected a finite non-zero direction)");
  return distance2boundary(x, dirn(0) < 0 ? -1 : 1);
}

Eigen::VectorXd Interval::distance2boundary(const Points& x, int dirn) const {
  check_points(x, "distance2boundary");
  if (dirn < 0) return x.col(0).array() - l_;
  return r_ - x.col(0).array();
}

Eigen::VectorXd Interval::mindist2boundary(const Points& x) const {
  check_points(x, "mindist2boundary");
  return (x.col(0).array() - l_).min(r_ - x.col(0).array());
}

Points Interval::periodic_point(const Points& x, int component) const {
  check_points(x, "periodic_point");
  if (component != 0)
    pinnxde::detail::fail(name(), ".periodic_point: component = ", component, " (expected 0)");
  const double tol = boundary_tol();
  Points y = x;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    if (std::abs(x(i, 0) - l_) <= tol) y(i, 0) = r_;
    else if (std::abs(x(i, 0) - r_) <= tol) y(i, 0) = l_;
  }
  return y;
}

Points Interval::log_uniform_points(std::int64_t n, bool boundary) const {
  check_n(n, "log_uniform_points");
  if (l_ < 0) pinnxde::detail::fail(name(), ".log_uniform_points: l = ", l_, " (expected l >= 0)");
  const double eps = l_ > 0 ? 0 : std::numeric_limits<double>::epsilon();
  const double a = std::log(l_ + eps), b = std::log(r_ + eps);
  Points x(n, 1);
  for (std::int64_t i = 0; i < n; ++i) {
    const double f = boundary ? (n == 1 ? 0 : static_cast<double>(i) / static_cast<double>(n - 1))
                              : static_cast<double>(i + 1) / static_cast<double>(n + 1);
    x(i, 0) = std::exp(a + f * (b - a)) - eps;
  }
  if (boundary && n > 1) x(0, 0) = l_, x(n - 1, 0) = r_;  // exact ends despite exp(log(.))
  return x;
}

namespace {
// x - k h sign, k = -shift .. m - shift, with m = max(dist2npt(dx), 1), h = dx / m.
Points segment_points(const Eigen::VectorXd& x, const Eigen::VectorXd& unit, double dx,
                      const Geometry::Dist2Npt& dist2npt, int shift) {
  const std::int64_t m = std::max<std::int64_t>(dist2npt(dx), 1);
  if (m >= kMaxPoints)
    pinnxde::detail::fail("Interval.background_points: dist2npt(", dx, ") = ", m, " (expected < ", kMaxPoints, ")");
  const double h = dx / static_cast<double>(m);
  Points pts(m + 1, x.size());
  for (std::int64_t k = 0; k <= m; ++k)
    pts.row(k) = (x - static_cast<double>(k - shift) * h * unit).transpose();
  return pts;
}
}  // namespace

Points Interval::background_points(const Eigen::VectorXd& x, const Eigen::VectorXd& dirn, const Dist2Npt& dist2npt,
                                   int shift) const {
  if (x.size() != 1 || dirn.size() != 1)
    pinnxde::detail::fail(name(), ".background_points: x has ", x.size(), " and dirn ", dirn.size(),
                          " entries (expected 1 each)");
  if (!std::isfinite(x(0)) || !std::isfinite(dirn(0)))
    pinnxde::detail::fail(name(), ".background_points: x = ", x(0), ", dirn = ", dirn(0), " (expected finite values)");
  const Eigen::VectorXd left = Eigen::VectorXd::Constant(1, 1.0), right = Eigen::VectorXd::Constant(1, -1.0);
  if (dirn(0) < 0) return segment_points(x, left, x(0) - l_, dist2npt, shift);
  if (dirn(0) > 0) return segment_points(x, right, r_ - x(0), dist2npt, shift);
  return detail::vstack(segment_points(x, left, x(0) - l_, dist2npt, shift),
                        segment_points(x, right, r_ - x(0), dist2npt, shift));
}

Eigen::VectorXd Interval::boundary_constraint_factor(const Points& x, const std::string& smoothness) const {
  check_points(x, "boundary_constraint_factor");
  check_smoothness(smoothness);
  const Eigen::ArrayXd dl = 2 * (x.col(0).array() - l_).abs() / (r_ - l_);
  const Eigen::ArrayXd dr = 2 * (x.col(0).array() - r_).abs() / (r_ - l_);
  if (smoothness == "C0") return dl.min(dr).matrix();
  if (smoothness == "C0+") return (dl * dr).matrix();
  return (dl * dr).square().matrix();
}

}  // namespace pinnxde::geometry
