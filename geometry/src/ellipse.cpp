#include "pinnxde/geometry/ellipse.hpp"

#include <cmath>
#include <numbers>

#include "detail.hpp"
#include "pinnxde/geometry/sampler.hpp"

namespace pinnxde::geometry {
namespace {

Eigen::VectorXd checked_center(const std::vector<double>& center, double a, double b, double angle) {
  if (center.size() != 2) pinnxde::detail::fail("Ellipse: center has ", center.size(), " entries (expected 2)");
  for (std::size_t i = 0; i < 2; ++i)
    if (!std::isfinite(center[i])) pinnxde::detail::fail("Ellipse: center[", i, "] = ", center[i], " must be finite");
  if (!(a > 0) || !std::isfinite(a)) pinnxde::detail::fail("Ellipse: semimajor = ", a, " (expected semimajor > 0)");
  if (!(b > 0) || !std::isfinite(b)) pinnxde::detail::fail("Ellipse: semiminor = ", b, " (expected semiminor > 0)");
  if (b > a) pinnxde::detail::fail("Ellipse: semiminor = ", b, " must be <= semimajor = ", a);
  if (!std::isfinite(angle)) pinnxde::detail::fail("Ellipse: angle = ", angle, " must be finite");
  return detail::to_eigen(center);
}

// Half widths of the rotated ellipse's bounding box.
Eigen::VectorXd half_box(double a, double b, double angle) {
  const double c = std::cos(angle), s = std::sin(angle);
  return Eigen::Vector2d(std::sqrt(a * a * c * c + b * b * s * s), std::sqrt(a * a * s * s + b * b * c * c));
}

// A bounding-box corner (sign -1: min, +1: max), after validating every argument.
Eigen::VectorXd corner(const std::vector<double>& center, double a, double b, double angle, double sign) {
  return checked_center(center, a, b, angle) + sign * half_box(a, b, angle);
}

}  // namespace

Ellipse::Ellipse(const std::vector<double>& center, double semimajor, double semiminor, double angle)
    : Cloneable(2, corner(center, semimajor, semiminor, angle, -1), corner(center, semimajor, semiminor, angle, 1),
                2 * semimajor),
      center_(detail::to_eigen(center)),
      a_(semimajor),
      b_(semiminor),
      angle_(angle) {
  const double a = a_, b = b_;
  arc_ = std::make_shared<const detail::ArcLengthTable>([a, b](double t) {
    return std::hypot(a * std::sin(t), b * std::cos(t));
  });
}

Eigen::Vector2d Ellipse::focus1() const {
  const double c = std::sqrt(a_ * a_ - b_ * b_);
  return center_ - c * Eigen::Vector2d(std::cos(angle_), -std::sin(angle_));
}

Eigen::Vector2d Ellipse::focus2() const {
  const double c = std::sqrt(a_ * a_ - b_ * b_);
  return center_ + c * Eigen::Vector2d(std::cos(angle_), -std::sin(angle_));
}

double Ellipse::area() const { return std::numbers::pi * a_ * b_; }

double Ellipse::perimeter() const { return arc_->total(); }

Points Ellipse::local(const Points& x) const {
  // World = c + R(-angle) (u, v); so (u, v) = R(angle) (x - c).
  const double c = std::cos(angle_), s = std::sin(angle_);
  const Eigen::ArrayXd dx = x.col(0).array() - center_(0), dy = x.col(1).array() - center_(1);
  Points uv(x.rows(), 2);
  uv.col(0) = (c * dx - s * dy).matrix();
  uv.col(1) = (s * dx + c * dy).matrix();
  return uv;
}

Points Ellipse::at_params(const Eigen::ArrayXd& t) const {
  const double c = std::cos(angle_), s = std::sin(angle_);
  const Eigen::ArrayXd u = a_ * t.cos(), v = b_ * t.sin();
  Points x(t.size(), 2);
  x.col(0) = (c * u + s * v + center_(0)).matrix();
  x.col(1) = (-s * u + c * v + center_(1)).matrix();
  return x;
}

Eigen::ArrayXd Ellipse::level(const Points& x) const {
  const Points uv = local(x);
  const Eigen::ArrayXd p = uv.col(0).array() / a_, q = uv.col(1).array() / b_;
  const Eigen::ArrayXd f = p.square() + q.square() - 1;
  const Eigen::ArrayXd g = 2 * ((p / a_).square() + (q / b_).square()).sqrt();
  return f / g;  // -inf at the center, where g = 0 and f = -1
}

Mask Ellipse::inside(const Points& x) const {
  check_points(x, "inside");
  return level(x) <= boundary_tol();
}

Mask Ellipse::on_boundary(const Points& x) const {
  check_points(x, "on_boundary");
  return level(x).abs() <= boundary_tol();
}

Points Ellipse::boundary_normal(const Points& x) const {
  check_points(x, "boundary_normal");
  const Points uv = local(x);
  const Mask on = level(x).abs() <= boundary_tol();
  const Eigen::ArrayXd gu = uv.col(0).array() / (a_ * a_), gv = uv.col(1).array() / (b_ * b_);
  const Eigen::ArrayXd len = (gu.square() + gv.square()).sqrt();
  const double c = std::cos(angle_), s = std::sin(angle_);
  Points n(x.rows(), 2);
  n.col(0) = ((c * gu + s * gv) / len).matrix();
  n.col(1) = ((-s * gu + c * gv) / len).matrix();
  for (Eigen::Index i = 0; i < n.rows(); ++i)
    if (!on(i)) n.row(i).setZero();
  return n;
}

Points Ellipse::uniform_points(std::int64_t n, bool boundary) const {
  check_n(n, "uniform_points");
  return detail::uniform_grid_points(*this, n, boundary, area());
}

Points Ellipse::random_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_points");
  const Points u = sample(n, 2, random);
  const Eigen::ArrayXd r = u.col(0).array().sqrt(), t = 2 * std::numbers::pi * u.col(1).array();
  const double c = std::cos(angle_), s = std::sin(angle_);
  const Eigen::ArrayXd lu = a_ * r * t.cos(), lv = b_ * r * t.sin();
  Points x(n, 2);
  x.col(0) = (c * lu + s * lv + center_(0)).matrix();
  x.col(1) = (-s * lu + c * lv + center_(1)).matrix();
  return x;
}

Points Ellipse::uniform_boundary_points(std::int64_t n) const {
  check_n(n, "uniform_boundary_points");
  return at_params(arc_->even_params(n));
}

Points Ellipse::random_boundary_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_boundary_points");
  return at_params(arc_->sampled_params(n, random));
}

Eigen::VectorXd Ellipse::distance2boundary(const Points& x, const Eigen::VectorXd& dirn) const {
  check_points(x, "distance2boundary");
  if (dirn.size() != 2 || !(dirn.norm() > 0) || !dirn.allFinite())
    pinnxde::detail::fail(name(), ".distance2boundary: dirn = ", detail::format_vector(dirn),
                          " (expected a finite non-zero vector of size 2)");
  const Eigen::Vector2d d = dirn / dirn.norm();
  const double c = std::cos(angle_), s = std::sin(angle_);
  const double du = (c * d(0) - s * d(1)) / a_, dv = (s * d(0) + c * d(1)) / b_;
  const Points uv = local(x);
  const Eigen::ArrayXd pu = uv.col(0).array() / a_, pv = uv.col(1).array() / b_;
  // |p + s q|^2 = 1 in scaled coordinates: A s^2 + B s + C = 0, take the larger root.
  const double A = du * du + dv * dv;
  const Eigen::ArrayXd B = 2 * (pu * du + pv * dv), C = pu.square() + pv.square() - 1;
  const Eigen::ArrayXd disc = (B.square() - 4 * A * C).max(0.0);
  return ((-B + disc.sqrt()) / (2 * A)).matrix();
}

namespace {
// Distance from (y0, y1), y0, y1 >= 0, to the ellipse (x0 / e0)^2 + (x1 / e1)^2 = 1 with e0 >= e1 > 0:
// D. Eberly, "Distance from a point to an ellipse, an ellipsoid, or a hyperellipsoid" (bisection on the
// monotone secular function, in scaled variables so nothing overflows).
double ellipse_distance(double e0, double e1, double y0, double y1) {
  if (y1 > 0) {
    if (y0 > 0) {
      const double z0 = y0 / e0, z1 = y1 / e1, g = z0 * z0 + z1 * z1 - 1;
      if (g == 0) return 0;
      const double r0 = (e0 / e1) * (e0 / e1), n0 = r0 * z0;
      double s0 = z1 - 1, s1 = g < 0 ? 0 : std::hypot(n0, z1) - 1, s = 0;
      for (int i = 0; i < 200; ++i) {
        s = (s0 + s1) / 2;
        if (s == s0 || s == s1) break;
        const double q0 = n0 / (s + r0), q1 = z1 / (s + 1), f = q0 * q0 + q1 * q1 - 1;
        if (f > 0) s0 = s;
        else if (f < 0) s1 = s;
        else break;
      }
      const double x0 = r0 * y0 / (s + r0), x1 = y1 / (s + 1);
      return std::hypot(x0 - y0, x1 - y1);
    }
    return std::abs(y1 - e1);  // on the minor axis
  }
  const double numer = e0 * y0, denom = e0 * e0 - e1 * e1;
  if (numer < denom) {  // on the major axis, inside the evolute: the nearest point is off the axis
    const double x0 = e0 * numer / denom, x1 = e1 * std::sqrt(std::max(0.0, 1 - (x0 / e0) * (x0 / e0)));
    return std::hypot(x0 - y0, x1);
  }
  return std::abs(y0 - e0);
}
}  // namespace

Eigen::VectorXd Ellipse::mindist2boundary(const Points& x) const {
  check_points(x, "mindist2boundary");
  const Points uv = local(x);
  Eigen::VectorXd d(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) d(i) = ellipse_distance(a_, b_, std::abs(uv(i, 0)), std::abs(uv(i, 1)));
  return d;
}

Eigen::VectorXd Ellipse::boundary_constraint_factor(const Points& x, const std::string& smoothness) const {
  check_points(x, "boundary_constraint_factor");
  check_smoothness(smoothness);
  if (smoothness == "C0") {
    const Eigen::Vector2d f1 = focus1(), f2 = focus2();
    return ((x.rowwise() - f1.transpose()).rowwise().norm() + (x.rowwise() - f2.transpose()).rowwise().norm())
               .array()
               .unaryExpr([this](double d) { return std::abs(d - 2 * a_); })
               .matrix();
  }
  const Points uv = local(x);
  const Eigen::ArrayXd f = 1 - (uv.col(0).array() / a_).square() - (uv.col(1).array() / b_).square();
  return smoothness == "C0+" ? Eigen::VectorXd(f.abs().matrix()) : Eigen::VectorXd(f.square().matrix());
}

}  // namespace pinnxde::geometry
