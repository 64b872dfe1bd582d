#include "pinnxde/geometry/point_cloud.hpp"

#include <algorithm>
#include <numeric>

#include "detail.hpp"
#include "pinnxde/geometry/sampler.hpp"

namespace pinnxde::geometry {
namespace {

int checked_dim(const Points& points, const Points& bpoints, const Points& normals) {
  const char* who = "PointCloud";
  if (points.rows() == 0 || points.cols() == 0)
    pinnxde::detail::fail(who, ": points has shape (", points.rows(), ", ", points.cols(),
                          ") (expected at least one point and one column)");
  if (!points.allFinite()) pinnxde::detail::fail(who, ": points has non-finite entries");
  if (bpoints.size() > 0) {
    if (bpoints.cols() != points.cols())
      pinnxde::detail::fail(who, ": boundary_points has ", bpoints.cols(), " columns but points has ",
                            points.cols(), " (expected equal)");
    if (!bpoints.allFinite()) pinnxde::detail::fail(who, ": boundary_points has non-finite entries");
  }
  if (normals.size() > 0) {
    if (bpoints.size() == 0)
      pinnxde::detail::fail(who, ": boundary_normals given without boundary_points (expected both or neither)");
    if (normals.rows() != bpoints.rows() || normals.cols() != bpoints.cols())
      pinnxde::detail::fail(who, ": boundary_normals has shape (", normals.rows(), ", ", normals.cols(),
                            ") (expected the shape of boundary_points, (", bpoints.rows(), ", ", bpoints.cols(), "))");
    for (Eigen::Index i = 0; i < normals.rows(); ++i)
      if (!(normals.row(i).norm() > 0) || !normals.row(i).allFinite())
        pinnxde::detail::fail(who, ": boundary_normals[", i, "] = ", detail::format_vector(normals.row(i).transpose()),
                              " (expected a finite non-zero vector)");
  }
  return static_cast<int>(points.cols());
}

// Checks the arguments itself: the base-class initialiser evaluates its arguments in an unspecified
// order, so corner() may run before checked_dim() and must not read boundary points of another width.
Eigen::VectorXd corner(const Points& p, const Points& b, const Points& normals, bool max) {
  checked_dim(p, b, normals);
  Eigen::VectorXd c = max ? Eigen::VectorXd(p.colwise().maxCoeff().transpose())
                          : Eigen::VectorXd(p.colwise().minCoeff().transpose());
  if (b.size() > 0)
    c = max ? Eigen::VectorXd(c.cwiseMax(b.colwise().maxCoeff().transpose()))
            : Eigen::VectorXd(c.cwiseMin(b.colwise().minCoeff().transpose()));
  return c;
}

// Row order that sorts x by its first coordinate.
std::vector<Eigen::Index> sort_order(const Points& x) {
  std::vector<Eigen::Index> idx(static_cast<std::size_t>(x.rows()));
  std::iota(idx.begin(), idx.end(), Eigen::Index{0});
  std::stable_sort(idx.begin(), idx.end(), [&](Eigen::Index i, Eigen::Index j) { return x(i, 0) < x(j, 0); });
  return idx;
}

}  // namespace

PointCloud::PointCloud(const Points& points, const Points& boundary_points, const Points& boundary_normals)
    : Cloneable(checked_dim(points, boundary_points, boundary_normals), corner(points, boundary_points, boundary_normals, false),
                corner(points, boundary_points, boundary_normals, true), 0),
      points_(points),
      boundary_points_(boundary_points.size() > 0 ? boundary_points : Points(0, points.cols())),
      boundary_normals_(boundary_normals.size() > 0 ? boundary_normals : Points(0, points.cols())) {
  diam_ = (bbox_max_ - bbox_min_).norm();  // as DeepXDE: min(inf, bbox diagonal)
  boundary_normals_.rowwise().normalize();
  all_sorted_ = take_rows(detail::vstack(points_, boundary_points_),
                                  sort_order(detail::vstack(points_, boundary_points_)));
  const auto order = sort_order(boundary_points_);
  boundary_sorted_ = take_rows(boundary_points_, order);
  boundary_order_.resize(static_cast<Eigen::Index>(order.size()));
  for (std::size_t k = 0; k < order.size(); ++k) boundary_order_(static_cast<Eigen::Index>(k)) = static_cast<int>(order[k]);
}

Eigen::VectorXi PointCloud::match(const Points& x, const Points& sorted) const {
  const double tol = boundary_tol();
  Eigen::VectorXi out = Eigen::VectorXi::Constant(x.rows(), -1);
  const double* first = sorted.data();  // row-major: column 0 has stride cols()
  const Eigen::Index m = sorted.rows(), d = sorted.cols();
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    // Binary search on the first coordinate for the rows within tol, then compare them fully.
    Eigen::Index lo = 0, hi = m;
    while (lo < hi) {
      const Eigen::Index mid = (lo + hi) / 2;
      if (first[mid * d] < x(i, 0) - tol) lo = mid + 1;
      else hi = mid;
    }
    for (Eigen::Index k = lo; k < m && first[k * d] <= x(i, 0) + tol; ++k)
      if (((sorted.row(k) - x.row(i)).array().abs() <= tol).all()) {
        out(i) = static_cast<int>(k);
        break;
      }
  }
  return out;
}

Mask PointCloud::inside(const Points& x) const {
  check_points(x, "inside");
  return match(x, all_sorted_).array() >= 0;
}

Mask PointCloud::on_boundary(const Points& x) const {
  check_points(x, "on_boundary");
  if (boundary_points_.rows() == 0)
    pinnxde::detail::fail(name(), ".on_boundary: the cloud has no boundary_points (pass them to the constructor)");
  return match(x, boundary_sorted_).array() >= 0;
}

Points PointCloud::boundary_normal(const Points& x) const {
  check_points(x, "boundary_normal");
  if (boundary_normals_.rows() == 0)
    pinnxde::detail::fail(name(), ".boundary_normal: the cloud has no boundary_normals (pass them to the constructor)");
  const Eigen::VectorXi k = match(x, boundary_sorted_);
  Points n = Points::Zero(x.rows(), dim_);
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    if (k(i) >= 0) n.row(i) = boundary_normals_.row(boundary_order_(k(i)));
  return n;
}

Points PointCloud::random_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_points");
  check_sampler(random);
  if (n > points_.rows())
    pinnxde::detail::fail(name(), ".random_points: n = ", n, " but the cloud holds ", points_.rows(),
                          " points (expected n <= ", points_.rows(), ")");
  auto idx = detail::permutation(points_.rows());
  idx.resize(static_cast<std::size_t>(n));
  return take_rows(points_, idx);
}

Points PointCloud::random_boundary_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_boundary_points");
  check_sampler(random);
  if (n > boundary_points_.rows())
    pinnxde::detail::fail(name(), ".random_boundary_points: n = ", n, " but the cloud holds ", boundary_points_.rows(),
                          " boundary points (expected n <= ", boundary_points_.rows(), ")");
  auto idx = detail::permutation(boundary_points_.rows());
  idx.resize(static_cast<std::size_t>(n));
  return take_rows(boundary_points_, idx);
}

}  // namespace pinnxde::geometry
