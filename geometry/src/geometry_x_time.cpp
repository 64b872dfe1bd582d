#include "pinnxde/geometry/geometry_x_time.hpp"

#include <cmath>

#include "detail.hpp"
#include "pinnxde/geometry/hypercube.hpp"
#include "pinnxde/geometry/interval.hpp"
#include "pinnxde/geometry/sampler.hpp"

namespace pinnxde::geometry {
namespace {

Eigen::VectorXd append(const Eigen::VectorXd& v, double t) {
  Eigen::VectorXd out(v.size() + 1);
  out << v, t;
  return out;
}

// Product of the positive bounding-box side lengths, a stand-in for the spatial measure.
double box_measure(const Eigen::VectorXd& lo, const Eigen::VectorXd& hi) { return (hi - lo).prod(); }

}  // namespace

GeometryXTime::GeometryXTime(const Geometry& geometry, const TimeDomain& timedomain)
    : Cloneable(geometry.dim() + 1, append(geometry.bbox_min(), timedomain.t0()),
                append(geometry.bbox_max(), timedomain.t1()), std::hypot(geometry.diam(), timedomain.diam())),
      geometry_(geometry.clone()),
      timedomain_(timedomain) {}

Points GeometryXTime::with_time(const Points& sp, const Eigen::VectorXd& t) const {
  Points out(sp.rows(), dim_);
  out.leftCols(dim_ - 1) = sp;
  out.col(dim_ - 1) = t;
  return out;
}

Mask GeometryXTime::inside(const Points& x) const {
  check_points(x, "inside");
  return geometry_->inside(space(x)) && timedomain_.inside(x.rightCols(1));
}

Mask GeometryXTime::on_boundary(const Points& x) const {
  check_points(x, "on_boundary");
  return geometry_->on_boundary(space(x));
}

Mask GeometryXTime::on_initial(const Points& x) const {
  check_points(x, "on_initial");
  return timedomain_.on_initial(x.rightCols(1));
}

Points GeometryXTime::boundary_normal(const Points& x) const {
  check_points(x, "boundary_normal");
  return with_time(geometry_->boundary_normal(space(x)), Eigen::VectorXd::Zero(x.rows()));
}

Points GeometryXTime::uniform_points(std::int64_t n, bool boundary) const {
  check_n(n, "uniform_points");
  if (n == 0) return Points(0, dim_);
  const int d = dim_ - 1;
  const double T = timedomain_.diam();
  const double h = std::pow(box_measure(geometry_->bbox_min(), geometry_->bbox_max()) * T / static_cast<double>(n),
                            1.0 / (d + 1));
  std::int64_t nt = std::max<std::int64_t>(boundary ? 2 : 1, std::llround(T / h));
  nt = std::min(nt, n);
  const std::int64_t nx = std::max<std::int64_t>(1, (n + nt - 1) / nt);
  const Points sp = geometry_->uniform_points(nx, boundary);
  Eigen::VectorXd t(nt);
  if (boundary) t = Eigen::VectorXd::LinSpaced(nt, timedomain_.t0(), timedomain_.t1());
  else
    for (std::int64_t k = 0; k < nt; ++k) t(k) = timedomain_.t1() - T * static_cast<double>(k) / static_cast<double>(nt);
  Points out(sp.rows() * nt, dim_);
  for (std::int64_t k = 0; k < nt; ++k)
    out.middleRows(k * sp.rows(), sp.rows()) = with_time(sp, Eigen::VectorXd::Constant(sp.rows(), t(k)));
  return out;
}

Points GeometryXTime::random_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_points");
  if (dynamic_cast<const Interval*>(geometry_.get()) || dynamic_cast<const Hypercube*>(geometry_.get())) {
    Points x = sample(n, dim_, random);
    detail::scale_to_box(x, bbox_min_, bbox_max_);
    return x;
  }
  const Points sp = geometry_->random_points(n, random);
  const Points t = detail::shuffle_rows(timedomain_.random_points(n, random));
  return with_time(sp, t.col(0));
}

Points GeometryXTime::uniform_boundary_points(std::int64_t n) const {
  check_n(n, "uniform_boundary_points");
  if (n == 0) return Points(0, dim_);
  const int d = dim_ - 1;
  const double T = timedomain_.diam();
  std::int64_t nx;
  if (d == 1) {
    nx = 2;
  } else {
    // Surface measure of the spatial bounding box (its perimeter in 2-D).
    const Eigen::VectorXd len = geometry_->bbox_max() - geometry_->bbox_min();
    double s = 0;
    for (int i = 0; i < d; ++i) s += 2 * len.prod() / len(i);
    const double h = std::pow(s * T / static_cast<double>(n), 1.0 / d);
    nx = std::max<std::int64_t>(1, std::llround(s / std::pow(h, d - 1)));
  }
  const std::int64_t nt = std::max<std::int64_t>(1, (n + nx - 1) / nx);
  const Points sp = geometry_->uniform_boundary_points(nx);
  Points out(sp.rows() * nt, dim_);
  for (std::int64_t k = 0; k < nt; ++k) {
    const double t = timedomain_.t1() - T * static_cast<double>(k) / static_cast<double>(nt);
    out.middleRows(k * sp.rows(), sp.rows()) = with_time(sp, Eigen::VectorXd::Constant(sp.rows(), t));
  }
  return out;
}

Points GeometryXTime::random_boundary_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_boundary_points");
  const Points sp = geometry_->random_boundary_points(n, random);
  const Points t = detail::shuffle_rows(timedomain_.random_points(n, random));
  return with_time(sp, t.col(0));
}

Points GeometryXTime::uniform_initial_points(std::int64_t n) const {
  check_n(n, "uniform_initial_points");
  const Points sp = geometry_->uniform_points(n, true);
  return with_time(sp, Eigen::VectorXd::Constant(sp.rows(), timedomain_.t0()));
}

Points GeometryXTime::random_initial_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_initial_points");
  const Points sp = geometry_->random_points(n, random);
  return with_time(sp, Eigen::VectorXd::Constant(sp.rows(), timedomain_.t0()));
}

Points GeometryXTime::periodic_point(const Points& x, int component) const {
  check_points(x, "periodic_point");
  return with_time(geometry_->periodic_point(space(x), component), x.col(dim_ - 1));
}

}  // namespace pinnxde::geometry
