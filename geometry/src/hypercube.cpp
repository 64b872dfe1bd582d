#include "pinnxde/geometry/hypercube.hpp"

#include <cmath>
#include <limits>

#include "detail.hpp"
#include "pinnxde/geometry/random.hpp"
#include "pinnxde/geometry/sampler.hpp"

namespace pinnxde::geometry {
namespace {

int checked_dim(const std::vector<double>& xmin, const std::vector<double>& xmax, const char* who,
                int expected_dim) {
  if (expected_dim > 0 && static_cast<int>(xmin.size()) != expected_dim)
    pinnxde::detail::fail(who, ": xmin has ", xmin.size(), " entries (expected ", expected_dim, ")");
  if (xmin.empty()) pinnxde::detail::fail(who, ": xmin is empty (expected at least 1 entry)");
  if (xmin.size() != xmax.size())
    pinnxde::detail::fail(who, ": xmin has ", xmin.size(), " entries but xmax has ", xmax.size());
  for (std::size_t i = 0; i < xmin.size(); ++i) {
    if (!std::isfinite(xmin[i]) || !std::isfinite(xmax[i]))
      pinnxde::detail::fail(who, ": xmin[", i, "] = ", xmin[i], " and xmax[", i, "] = ", xmax[i],
                            " must be finite");
    if (!(xmin[i] < xmax[i]))
      pinnxde::detail::fail(who, ": xmin[", i, "] = ", xmin[i], " must be < xmax[", i, "] = ", xmax[i]);
    if (!std::isfinite(xmax[i] - xmin[i]))
      pinnxde::detail::fail(who, ": the width xmax[", i, "] - xmin[", i, "] = ", xmax[i], " - ", xmin[i],
                            " overflows to ", xmax[i] - xmin[i], " (expected a finite width)");
  }
  return static_cast<int>(xmin.size());
}

double box_diam(const std::vector<double>& xmin, const std::vector<double>& xmax) {
  double s = 0;
  for (std::size_t i = 0; i < std::min(xmin.size(), xmax.size()); ++i) s += (xmax[i] - xmin[i]) * (xmax[i] - xmin[i]);
  return std::sqrt(s);
}

// Point at arc length s (0 <= s < perimeter) on the rectangle's boundary, counter-clockwise from lo.
void perimeter_point(double s, const Eigen::VectorXd& lo, const Eigen::VectorXd& hi, double* out) {
  const double lx = hi(0) - lo(0), ly = hi(1) - lo(1);
  if (s < lx) {
    out[0] = lo(0) + s, out[1] = lo(1);
  } else if (s < lx + ly) {
    out[0] = hi(0), out[1] = lo(1) + (s - lx);
  } else if (s < 2 * lx + ly) {
    out[0] = hi(0) - (s - lx - ly), out[1] = hi(1);
  } else {
    out[0] = lo(0), out[1] = std::max(lo(1), hi(1) - (s - 2 * lx - ly));
  }
}

}  // namespace

Hypercube::Hypercube(const std::vector<double>& xmin, const std::vector<double>& xmax)
    : Hypercube(xmin, xmax, "Hypercube", 0) {}

Hypercube::Hypercube(const std::vector<double>& xmin, const std::vector<double>& xmax, const char* who,
                     int expected_dim)
    : Cloneable(checked_dim(xmin, xmax, who, expected_dim), detail::to_eigen(xmin), detail::to_eigen(xmax),
                box_diam(xmin, xmax)),
      xmin_(detail::to_eigen(xmin)),
      xmax_(detail::to_eigen(xmax)) {}

double Hypercube::volume() const { return (xmax_ - xmin_).prod(); }

double Hypercube::boundary_measure() const {
  if (dim_ == 1) return 2;
  double s = 0;
  for (int d = 0; d < dim_; ++d) s += 2 * volume() / (xmax_(d) - xmin_(d));
  return s;
}

Mask Hypercube::inside(const Points& x) const {
  check_points(x, "inside");
  const double tol = boundary_tol();
  const Eigen::RowVectorXd lo = (xmin_.array() - tol).transpose(), hi = (xmax_.array() + tol).transpose();
  return (((x.rowwise() - lo).array() >= 0) && ((x.rowwise() - hi).array() <= 0)).rowwise().all();
}

Mask Hypercube::on_boundary(const Points& x) const {
  check_points(x, "on_boundary");
  const Mask in = inside(x);
  const double tol = boundary_tol();
  const Eigen::RowVectorXd lo = xmin_.transpose(), hi = xmax_.transpose();
  const Mask near = (((x.rowwise() - lo).array().abs() <= tol) || ((x.rowwise() - hi).array().abs() <= tol))
                        .rowwise()
                        .any();
  return in && near;
}

Points Hypercube::boundary_normal(const Points& x) const {
  check_points(x, "boundary_normal");
  const Mask in = inside(x);
  const double tol = boundary_tol();
  const Eigen::RowVectorXd lo = xmin_.transpose(), hi = xmax_.transpose();
  Points n = ((x.rowwise() - hi).array().abs() <= tol).cast<double>() -
             ((x.rowwise() - lo).array().abs() <= tol).cast<double>();
  const Eigen::VectorXd norm = n.rowwise().norm();
  for (Eigen::Index i = 0; i < n.rows(); ++i) {
    if (!in(i) || norm(i) == 0) n.row(i).setZero();
    else n.row(i) /= norm(i);
  }
  return n;
}

Points Hypercube::uniform_points(std::int64_t n, bool boundary) const {
  check_n(n, "uniform_points");
  if (n == 0) return Points(0, dim_);
  const double dx = std::pow(volume() / static_cast<double>(n), 1.0 / dim_);
  std::vector<Eigen::VectorXd> axes;
  Eigen::Index total = 1;
  double product = 1;  // the grid size in floating point, checked before the integer product can overflow
  for (int d = 0; d < dim_; ++d) {
    const double len = xmax_(d) - xmin_(d);
    const double count = std::max(1.0, std::ceil(len / dx - 1e-9));
    product *= count;
    if (!(product <= static_cast<double>(kMaxPoints)))
      pinnxde::detail::fail(name(), ".uniform_points: n = ", n, " in ", dim_, " dimensions needs a grid of ",
                            count, " points per axis, more than kMaxPoints = ", kMaxPoints,
                            " in all (expected a smaller n or dimension; use random_points(n, \"Halton\") in high dimension)");
    const auto ni = static_cast<Eigen::Index>(count);
    Eigen::VectorXd a(ni);
    if (boundary) {
      a = Eigen::VectorXd::LinSpaced(a.size(), xmin_(d), xmax_(d));
    } else {
      for (Eigen::Index k = 0; k < a.size(); ++k) a(k) = xmin_(d) + len * static_cast<double>(k + 1) / static_cast<double>(a.size() + 1);
    }
    total *= a.size();
    axes.push_back(std::move(a));
  }
  Points x(total, dim_);
  for (Eigen::Index i = 0; i < total; ++i) {
    Eigen::Index rest = i;
    for (int d = dim_ - 1; d >= 0; --d) {  // last coordinate fastest
      const auto sz = axes[static_cast<std::size_t>(d)].size();
      x(i, d) = axes[static_cast<std::size_t>(d)](rest % sz);
      rest /= sz;
    }
  }
  return x;
}

Points Hypercube::random_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_points");
  Points x = sample(n, dim_, random);
  detail::scale_to_box(x, xmin_, xmax_);
  return x;
}

Points Hypercube::uniform_boundary_points(std::int64_t n) const {
  check_n(n, "uniform_boundary_points");
  if (n == 0) return Points(0, dim_);
  if (dim_ == 1) {
    Points x(n, 1);
    x.topRows(n / 2).setConstant(xmin_(0));
    x.bottomRows(n - n / 2).setConstant(xmax_(0));
    if (n == 1) x(0, 0) = xmin_(0);
    return x;
  }
  if (dim_ == 2) {
    const double p = 2 * ((xmax_ - xmin_).sum());
    Points x(n, 2);
    for (std::int64_t k = 0; k < n; ++k)
      perimeter_point(p * static_cast<double>(k) / static_cast<double>(n), xmin_, xmax_, &x(k, 0));
    return x;
  }
  // Cell-centred grid on every face, spacing h with total face area / h^(dim-1) ~ n.
  const Eigen::VectorXd len = xmax_ - xmin_;
  double area = 0;
  for (int d = 0; d < dim_; ++d) area += 2 * volume() / len(d);
  const double h = std::pow(area / static_cast<double>(n), 1.0 / (dim_ - 1));
  Eigen::VectorXi m(dim_);
  for (int d = 0; d < dim_; ++d) m(d) = std::max(1, static_cast<int>(std::lround(len(d) / h)));
  std::vector<Eigen::RowVectorXd> rows;
  for (int d = 0; d < dim_; ++d) {
    Eigen::Index count = 1;
    for (int j = 0; j < dim_; ++j)
      if (j != d) count *= m(j);
    for (int side = 0; side < 2; ++side)
      for (Eigen::Index i = 0; i < count; ++i) {
        Eigen::RowVectorXd p(dim_);
        Eigen::Index rest = i;
        for (int j = dim_ - 1; j >= 0; --j) {
          if (j == d) continue;
          p(j) = xmin_(j) + len(j) * (static_cast<double>(rest % m(j)) + 0.5) / m(j);
          rest /= m(j);
        }
        p(d) = side ? xmax_(d) : xmin_(d);
        rows.push_back(std::move(p));
      }
  }
  Points x(static_cast<Eigen::Index>(rows.size()), dim_);
  for (std::size_t i = 0; i < rows.size(); ++i) x.row(static_cast<Eigen::Index>(i)) = rows[i];
  return x;
}

Points Hypercube::random_boundary_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_boundary_points");
  if (dim_ == 1) {
    check_sampler(random);
    Points x(n, 1);
    for (std::int64_t i = 0; i < n; ++i) x(i, 0) = (rng()() >> 63) ? xmax_(0) : xmin_(0);
    return x;
  }
  if (dim_ == 2) {
    const double p = 2 * ((xmax_ - xmin_).sum());
    const Points u = sample(n, 1, random);
    Points x(n, 2);
    for (std::int64_t k = 0; k < n; ++k) perimeter_point(p * u(k, 0), xmin_, xmax_, &x(k, 0));
    return x;
  }
  Points x = sample(n, dim_, random);
  const Eigen::VectorXd len = xmax_ - xmin_;
  Eigen::VectorXd cum(dim_);
  double acc = 0;
  for (int d = 0; d < dim_; ++d) cum(d) = (acc += volume() / len(d));
  for (std::int64_t i = 0; i < n; ++i) {
    const double u = detail::uniform01() * acc;
    int d = 0;
    while (d < dim_ - 1 && u >= cum(d)) ++d;
    x(i, d) = x(i, d) < 0.5 ? 0.0 : 1.0;
  }
  detail::scale_to_box(x, xmin_, xmax_);
  return x;
}

Eigen::VectorXd Hypercube::distance2boundary(const Points& x, const Eigen::VectorXd& dirn) const {
  check_points(x, "distance2boundary");
  if (dirn.size() != dim_ || !(dirn.norm() > 0) || !dirn.allFinite())
    pinnxde::detail::fail(name(), ".distance2boundary: dirn = ", detail::format_vector(dirn),
                          " (expected a finite non-zero vector of size ", dim_, ")");
  const Eigen::VectorXd u = dirn / dirn.norm();
  Eigen::VectorXd dist = Eigen::VectorXd::Constant(x.rows(), std::numeric_limits<double>::infinity());
  for (int d = 0; d < dim_; ++d) {
    if (u(d) > 0) dist = dist.cwiseMin(((xmax_(d) - x.col(d).array()) / u(d)).matrix());
    if (u(d) < 0) dist = dist.cwiseMin(((xmin_(d) - x.col(d).array()) / u(d)).matrix());
  }
  return dist;
}

Eigen::VectorXd Hypercube::mindist2boundary(const Points& x) const {
  check_points(x, "mindist2boundary");
  const Eigen::RowVectorXd lo = xmin_.transpose(), hi = xmax_.transpose();
  return (x.rowwise() - lo).array().min((-(x.rowwise() - hi)).array()).rowwise().minCoeff();
}

Eigen::VectorXd Hypercube::boundary_constraint_factor(const Points& x, const std::string& smoothness) const {
  check_points(x, "boundary_constraint_factor");
  check_smoothness(smoothness);
  const Eigen::RowVectorXd len = (xmax_ - xmin_).transpose();
  Eigen::ArrayXXd dl = (x.rowwise() - xmin_.transpose()).array().abs(), dr = (x.rowwise() - xmax_.transpose()).array().abs();
  dl.rowwise() /= len.array() / 2;
  dr.rowwise() /= len.array() / 2;
  if (smoothness == "C0") return dl.min(dr).rowwise().minCoeff().matrix();
  return (dl.rowwise().prod() * dr.rowwise().prod()).matrix();
}

Points Hypercube::periodic_point(const Points& x, int component) const {
  check_points(x, "periodic_point");
  if (component < 0 || component >= dim_)
    pinnxde::detail::fail(name(), ".periodic_point: component = ", component, " (expected 0 <= component < ",
                          dim_, ")");
  const double tol = boundary_tol();
  Points y = x;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    if (std::abs(x(i, component) - xmin_(component)) <= tol) y(i, component) = xmax_(component);
    else if (std::abs(x(i, component) - xmax_(component)) <= tol) y(i, component) = xmin_(component);
  }
  return y;
}

}  // namespace pinnxde::geometry
