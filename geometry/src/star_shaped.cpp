#include "pinnxde/geometry/star_shaped.hpp"

#include <cmath>
#include <numbers>

#include "detail.hpp"

namespace pinnxde::geometry {
namespace {

struct Checked {
  Eigen::VectorXd lo, hi;
  double diam;
};

double fourier(double r0, const std::vector<double>& a, const std::vector<double>& b, double t) {
  double r = r0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double k = static_cast<double>(i + 1);
    r += a[i] * std::cos(k * t) + b[i] * std::sin(k * t);
  }
  return r;
}

// Validates the arguments and returns the bounding box and diameter of the domain.
Checked check(const std::vector<double>& center, double radius, const std::vector<double>& a,
              const std::vector<double>& b) {
  const char* who = "StarShaped";
  if (center.size() != 2) pinnxde::detail::fail(who, ": center has ", center.size(), " entries (expected 2)");
  for (std::size_t i = 0; i < 2; ++i)
    if (!std::isfinite(center[i])) pinnxde::detail::fail(who, ": center[", i, "] = ", center[i], " must be finite");
  if (!(radius > 0) || !std::isfinite(radius))
    pinnxde::detail::fail(who, ": radius = ", radius, " (expected radius > 0)");
  if (a.size() != b.size())
    pinnxde::detail::fail(who, ": coeffs_cos has ", a.size(), " entries but coeffs_sin has ", b.size(),
                          " (expected the same length; pad with zeros)");
  double bound = radius, curv = radius;  // max r and a bound on |c''(t)| <= |r| + 2|r'| + |r''|
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i])) pinnxde::detail::fail(who, ": coeffs_cos[", i, "] = ", a[i], " must be finite");
    if (!std::isfinite(b[i])) pinnxde::detail::fail(who, ": coeffs_sin[", i, "] = ", b[i], " must be finite");
    const double k = static_cast<double>(i + 1);
    bound += std::abs(a[i]) + std::abs(b[i]);
    curv += (1 + k) * (1 + k) * (std::abs(a[i]) + std::abs(b[i]));
  }
  const int m = std::max(4096, 64 * static_cast<int>(a.size()));
  const double h = 2 * std::numbers::pi / m;
  Eigen::Matrix2Xd pts(2, m);
  for (int k = 0; k < m; ++k) {
    const double t = k * h, r = fourier(radius, a, b, t);
    if (!(r > 0))
      pinnxde::detail::fail(who, ": r(theta) = ", r, " at theta = ", t,
                            " (expected r(theta) > 0 for every theta: the coefficients are too large for radius = ",
                            radius, ")");
    pts(0, k) = r * std::cos(t);
    pts(1, k) = r * std::sin(t);
  }
  // The curve between two samples strays at most h^2 / 8 max|c''| from their chord.
  const double pad = h * h / 8 * curv;
  const Eigen::Vector2d c = detail::to_eigen(center);
  Eigen::Vector2d lo = pts.rowwise().minCoeff().array() - pad, hi = pts.rowwise().maxCoeff().array() + pad;
  lo = lo.cwiseMax(Eigen::Vector2d::Constant(-bound));
  hi = hi.cwiseMin(Eigen::Vector2d::Constant(bound));
  double diam = 0;
  for (int i = 0; i < m; i += 4)
    for (int j = i + 4; j < m; j += 4) diam = std::max(diam, (pts.col(i) - pts.col(j)).norm());
  return {c + lo, c + hi, std::min(diam + 2 * pad + 2 * (4 * h) * bound, 2 * bound)};
}

}  // namespace

StarShaped::StarShaped(const std::vector<double>& center, double radius, const std::vector<double>& coeffs_cos,
                       const std::vector<double>& coeffs_sin)
    : Cloneable(2, Eigen::VectorXd::Zero(2), Eigen::VectorXd::Zero(2), 0), radius_(radius) {
  const Checked c = check(center, radius, coeffs_cos, coeffs_sin);
  bbox_min_ = c.lo;
  bbox_max_ = c.hi;
  diam_ = c.diam;
  center_ = detail::to_eigen(center);
  cos_ = detail::to_eigen(coeffs_cos).array();
  sin_ = detail::to_eigen(coeffs_sin).array();
  // The table keeps its own copies of the coefficients (the geometry may be copied or moved).
  const double r0 = radius_;
  const Eigen::ArrayXd ca = cos_, sb = sin_;
  arc_ = std::make_shared<const detail::ArcLengthTable>([r0, ca, sb](double t) {
    double r = r0, dr = 0;
    for (Eigen::Index i = 0; i < ca.size(); ++i) {
      const double k = static_cast<double>(i + 1), ck = std::cos(k * t), sk = std::sin(k * t);
      r += ca(i) * ck + sb(i) * sk;
      dr += k * (sb(i) * ck - ca(i) * sk);
    }
    return std::hypot(r, dr);
  });
}

Eigen::ArrayXd StarShaped::r_theta(const Eigen::ArrayXd& theta) const {
  Eigen::ArrayXd r = Eigen::ArrayXd::Constant(theta.size(), radius_);
  for (Eigen::Index i = 0; i < cos_.size(); ++i) {
    const double k = static_cast<double>(i + 1);
    r += cos_(i) * (k * theta).cos() + sin_(i) * (k * theta).sin();
  }
  return r;
}

Eigen::ArrayXd StarShaped::dr_theta(const Eigen::ArrayXd& theta) const {
  Eigen::ArrayXd dr = Eigen::ArrayXd::Zero(theta.size());
  for (Eigen::Index i = 0; i < cos_.size(); ++i) {
    const double k = static_cast<double>(i + 1);
    dr += k * (sin_(i) * (k * theta).cos() - cos_(i) * (k * theta).sin());
  }
  return dr;
}

double StarShaped::area() const {
  return std::numbers::pi * (radius_ * radius_ + (cos_.square().sum() + sin_.square().sum()) / 2);
}

double StarShaped::perimeter() const { return arc_->total(); }

Points StarShaped::at_params(const Eigen::ArrayXd& t) const {
  const Eigen::ArrayXd r = r_theta(t);
  Points x(t.size(), 2);
  x.col(0) = (r * t.cos() + center_(0)).matrix();
  x.col(1) = (r * t.sin() + center_(1)).matrix();
  return x;
}

Eigen::ArrayXd StarShaped::level(const Points& x, Eigen::ArrayXd* theta_out) const {
  const Eigen::ArrayXd dx = x.col(0).array() - center_(0), dy = x.col(1).array() - center_(1);
  const Eigen::ArrayXd rho = (dx.square() + dy.square()).sqrt();
  const Eigen::ArrayXd theta = dy.binaryExpr(dx, [](double y, double xx) { return std::atan2(y, xx); });
  const Eigen::ArrayXd r = r_theta(theta), dr = dr_theta(theta);
  if (theta_out) *theta_out = theta;
  return (rho - r) * r / (r.square() + dr.square()).sqrt();
}

Mask StarShaped::inside(const Points& x) const {
  check_points(x, "inside");
  return level(x) <= boundary_tol();
}

Mask StarShaped::on_boundary(const Points& x) const {
  check_points(x, "on_boundary");
  return level(x).abs() <= boundary_tol();
}

Points StarShaped::boundary_normal(const Points& x) const {
  check_points(x, "boundary_normal");
  Eigen::ArrayXd theta;
  const Mask on = level(x, &theta).abs() <= boundary_tol();
  const Eigen::ArrayXd r = r_theta(theta), dr = dr_theta(theta);
  const Eigen::ArrayXd tx = dr * theta.cos() - r * theta.sin(), ty = dr * theta.sin() + r * theta.cos();
  const Eigen::ArrayXd len = (tx.square() + ty.square()).sqrt();
  Points n(x.rows(), 2);
  n.col(0) = (ty / len).matrix();
  n.col(1) = (-tx / len).matrix();
  for (Eigen::Index i = 0; i < n.rows(); ++i)
    if (!on(i)) n.row(i).setZero();
  return n;
}

Points StarShaped::uniform_points(std::int64_t n, bool boundary) const {
  check_n(n, "uniform_points");
  return detail::uniform_grid_points(*this, n, boundary, area());
}

Points StarShaped::random_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_points");
  const double box = (bbox_max_ - bbox_min_).prod();
  return detail::rejection_sample(
      n, bbox_min_, bbox_max_, random, [this](const Points& p) -> Mask { return inside(p); }, area() / box, name());
}

Points StarShaped::uniform_boundary_points(std::int64_t n) const {
  check_n(n, "uniform_boundary_points");
  return at_params(arc_->even_params(n));
}

Points StarShaped::random_boundary_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_boundary_points");
  return at_params(arc_->sampled_params(n, random));
}

}  // namespace pinnxde::geometry
