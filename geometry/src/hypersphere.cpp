#include "pinnxde/geometry/hypersphere.hpp"

#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <numbers>

#include "detail.hpp"
#include "pinnxde/geometry/disk.hpp"
#include "pinnxde/geometry/sampler.hpp"
#include "pinnxde/geometry/sphere.hpp"

namespace pinnxde::geometry {
namespace {

int checked_dim(const std::vector<double>& center, double radius, const char* who, int expected_dim) {
  if (expected_dim > 0 && static_cast<int>(center.size()) != expected_dim)
    pinnxde::detail::fail(who, ": center has ", center.size(), " entries (expected ", expected_dim, ")");
  if (center.empty()) pinnxde::detail::fail(who, ": center is empty (expected at least 1 entry)");
  for (std::size_t i = 0; i < center.size(); ++i)
    if (!std::isfinite(center[i])) pinnxde::detail::fail(who, ": center[", i, "] = ", center[i], " must be finite");
  if (!(radius > 0) || !std::isfinite(radius))
    pinnxde::detail::fail(who, ": radius = ", radius, " (expected radius > 0)");
  for (std::size_t i = 0; i < center.size(); ++i)
    if (!std::isfinite(center[i] - radius) || !std::isfinite(center[i] + radius) || !std::isfinite(2 * radius))
      pinnxde::detail::fail(who, ": center[", i, "] = ", center[i], " +- radius = ", radius,
                            " overflows (expected a bounding box with finite corners and width)");
  return static_cast<int>(center.size());
}

// Standard normal quantile of u in (0, 1); u is clamped away from 0 and 1 so the result is finite.
double normal_ppf(double u) {
  u = std::clamp(u, 1e-16, 1 - 1e-16);
  return std::numbers::sqrt2 * boost::math::erf_inv(2 * u - 1);
}

// n Gaussian vectors of dimension dim from the sampler (inverse CDF), starting at column `first` of u.
Points gaussian_rows(const Points& u, int first, int dim) {
  Points g(u.rows(), dim);
  for (Eigen::Index i = 0; i < u.rows(); ++i)
    for (int d = 0; d < dim; ++d) g(i, d) = normal_ppf(u(i, first + d));
  return g;
}

void normalise_rows(Points& g) {
  for (Eigen::Index i = 0; i < g.rows(); ++i) {
    double nrm = g.row(i).norm();
    if (nrm == 0) {  // measure zero; pick a fixed direction rather than divide by zero
      g.row(i).setZero();
      g(i, 0) = 1;
      nrm = 1;
    }
    g.row(i) /= nrm;
  }
}

}  // namespace

Hypersphere::Hypersphere(const std::vector<double>& center, double radius)
    : Hypersphere(center, radius, "Hypersphere", 0) {}

Hypersphere::Hypersphere(const std::vector<double>& center, double radius, const char* who, int expected_dim)
    : Cloneable(checked_dim(center, radius, who, expected_dim), (detail::to_eigen(center).array() - radius).matrix(),
                (detail::to_eigen(center).array() + radius).matrix(), 2 * radius),
      center_(detail::to_eigen(center)),
      radius_(radius) {}

double Hypersphere::boundary_measure() const {
  return 2 * std::pow(std::numbers::pi, dim_ / 2.0) * std::pow(radius_, dim_ - 1) / std::tgamma(dim_ / 2.0);
}

Mask Hypersphere::inside(const Points& x) const {
  check_points(x, "inside");
  return (x.rowwise() - center_.transpose()).rowwise().norm().array() <= radius_ + boundary_tol();
}

Mask Hypersphere::on_boundary(const Points& x) const {
  check_points(x, "on_boundary");
  return ((x.rowwise() - center_.transpose()).rowwise().norm().array() - radius_).abs() <= boundary_tol();
}

Points Hypersphere::boundary_normal(const Points& x) const {
  check_points(x, "boundary_normal");
  Points n = x.rowwise() - center_.transpose();
  const Eigen::ArrayXd r = n.rowwise().norm().array();
  const Mask on = (r - radius_).abs() <= boundary_tol();
  for (Eigen::Index i = 0; i < n.rows(); ++i) {
    if (on(i)) n.row(i) /= r(i);
    else n.row(i).setZero();
  }
  return n;
}

Points Hypersphere::random_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_points");
  Points x(n, dim_);
  if (dim_ == 2) {
    const Points u = sample(n, 2, random);
    const Eigen::ArrayXd r = radius_ * u.col(0).array().sqrt();
    const Eigen::ArrayXd theta = 2 * std::numbers::pi * u.col(1).array();
    x.col(0) = (r * theta.cos() + center_(0)).matrix();
    x.col(1) = (r * theta.sin() + center_(1)).matrix();
    return x;
  }
  const Points u = sample(n, dim_ + 1, random);
  x = gaussian_rows(u, 1, dim_);
  normalise_rows(x);
  const Eigen::ArrayXd scale = radius_ * u.col(0).array().pow(1.0 / dim_);
  x.array().colwise() *= scale;
  x.rowwise() += center_.transpose();
  return x;
}

Points Hypersphere::uniform_boundary_points(std::int64_t n) const {
  check_n(n, "uniform_boundary_points");
  Points x(n, dim_);
  if (dim_ == 2) {
    for (std::int64_t k = 0; k < n; ++k) {
      const double theta = 2 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n);
      x(k, 0) = center_(0) + radius_ * std::cos(theta);
      x(k, 1) = center_(1) + radius_ * std::sin(theta);
    }
    return x;
  }
  if (dim_ == 3) {
    const double golden = std::numbers::pi * (3 - std::sqrt(5.0));
    for (std::int64_t k = 0; k < n; ++k) {
      const double z = 1 - 2 * (static_cast<double>(k) + 0.5) / static_cast<double>(n);
      const double rho = std::sqrt(std::max(0.0, 1 - z * z));
      const double phi = golden * static_cast<double>(k);
      x(k, 0) = center_(0) + radius_ * rho * std::cos(phi);
      x(k, 1) = center_(1) + radius_ * rho * std::sin(phi);
      x(k, 2) = center_(2) + radius_ * z;
    }
    return x;
  }
  return random_boundary_points(n, "Halton");
}

Points Hypersphere::random_boundary_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_boundary_points");
  Points x(n, dim_);
  if (dim_ == 2) {
    const Points u = sample(n, 1, random);
    const Eigen::ArrayXd theta = 2 * std::numbers::pi * u.col(0).array();
    x.col(0) = (radius_ * theta.cos() + center_(0)).matrix();
    x.col(1) = (radius_ * theta.sin() + center_(1)).matrix();
    return x;
  }
  x = gaussian_rows(sample(n, dim_, random), 0, dim_);
  normalise_rows(x);
  x *= radius_;
  x.rowwise() += center_.transpose();
  return x;
}

Eigen::VectorXd Hypersphere::distance2boundary(const Points& x, const Eigen::VectorXd& dirn) const {
  check_points(x, "distance2boundary");
  if (dirn.size() != dim_ || !(dirn.norm() > 0) || !dirn.allFinite())
    pinnxde::detail::fail(name(), ".distance2boundary: dirn = ", detail::format_vector(dirn),
                          " (expected a finite non-zero vector of size ", dim_, ")");
  const Eigen::VectorXd u = dirn / dirn.norm();
  const Points xc = x.rowwise() - center_.transpose();
  const Eigen::ArrayXd ad = (xc * u).array();
  const Eigen::ArrayXd disc = (ad.square() - xc.rowwise().squaredNorm().array() + radius_ * radius_).max(0.0);
  return (-ad + disc.sqrt()).matrix();
}

Eigen::VectorXd Hypersphere::mindist2boundary(const Points& x) const {
  check_points(x, "mindist2boundary");
  return ((x.rowwise() - center_.transpose()).rowwise().norm().array() - radius_).abs().matrix();
}

Eigen::VectorXd Hypersphere::boundary_constraint_factor(const Points& x, const std::string& smoothness) const {
  check_points(x, "boundary_constraint_factor");
  check_smoothness(smoothness);
  const Eigen::ArrayXd r2 = (x.rowwise() - center_.transpose()).rowwise().squaredNorm().array();
  if (smoothness == "C0") return (r2.sqrt() - radius_).abs().matrix();
  const Eigen::ArrayXd f = (radius_ * radius_ - r2) / (2 * radius_);
  return smoothness == "C0+" ? Eigen::VectorXd(f.abs().matrix()) : Eigen::VectorXd(f.square().matrix());
}

Points Hypersphere::background_points(const Eigen::VectorXd& x, const Eigen::VectorXd& dirn, const Dist2Npt& dist2npt,
                                      int shift) const {
  if (x.size() != dim_ || dirn.size() != dim_ || !(dirn.norm() > 0) || !dirn.allFinite() || !x.allFinite())
    pinnxde::detail::fail(name(), ".background_points: x = ", detail::format_vector(x), ", dirn = ",
                          detail::format_vector(dirn), " (expected ", dim_, " finite entries each, dirn non-zero)");
  const Eigen::VectorXd unit = dirn / dirn.norm();
  const double dx = distance2boundary(x.transpose(), -unit)(0);
  const std::int64_t m = std::max<std::int64_t>(dist2npt(dx), 1);
  if (m >= kMaxPoints)
    pinnxde::detail::fail(name(), ".background_points: dist2npt(", dx, ") = ", m, " (expected < ", kMaxPoints, ")");
  const double h = dx / static_cast<double>(m);
  Points pts(m + 1, dim_);
  for (std::int64_t k = 0; k <= m; ++k) pts.row(k) = (x - static_cast<double>(k - shift) * h * unit).transpose();
  return pts;
}

Points Hypersphere::uniform_points(std::int64_t n, bool boundary) const {
  check_n(n, "uniform_points");
  const double volume = std::pow(std::numbers::pi, dim_ / 2.0) * std::pow(radius_, dim_) / std::tgamma(dim_ / 2.0 + 1);
  return detail::uniform_grid_points(*this, n, boundary, volume);
}

Disk::Disk(const std::vector<double>& center, double radius) : Cloneable(center, radius, "Disk", 2) {}

Sphere::Sphere(const std::vector<double>& center, double radius) : Cloneable(center, radius, "Sphere", 3) {}

}  // namespace pinnxde::geometry
