#include "pinnxde/geometry/geometry.hpp"

#include <cmath>
#include <limits>

namespace pinnxde::geometry {

Points take_rows(const Points& x, const std::vector<Eigen::Index>& idx) {
  Points out(static_cast<Eigen::Index>(idx.size()), x.cols());
  for (std::size_t k = 0; k < idx.size(); ++k) out.row(static_cast<Eigen::Index>(k)) = x.row(idx[k]);
  return out;
}

Points select_rows(const Points& x, const Mask& keep) {
  Points out(keep.count(), x.cols());
  Eigen::Index k = 0;
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    if (keep(i)) out.row(k++) = x.row(i);
  return out;
}


Geometry::Geometry(int dim, Eigen::VectorXd bbox_min, Eigen::VectorXd bbox_max, double diam)
    : dim_(dim), bbox_min_(std::move(bbox_min)), bbox_max_(std::move(bbox_max)), diam_(diam) {
  if (dim_ < 1) detail::fail("Geometry: dim = ", dim_, " (expected dim >= 1)");
  if (bbox_min_.size() != dim_ || bbox_max_.size() != dim_)
    detail::fail("Geometry: bbox has sizes ", bbox_min_.size(), " and ", bbox_max_.size(),
                 " (expected dim = ", dim_, ")");
  // A backstop for every shape (each also checks its own arguments by name): widths that overflow to
  // inf would sample inf and make every tolerance meaningless.
  for (int j = 0; j < dim_; ++j)
    if (!std::isfinite(bbox_min_(j)) || !std::isfinite(bbox_max_(j)) || !std::isfinite(bbox_max_(j) - bbox_min_(j)))
      detail::fail("Geometry: bounding box [", bbox_min_(j), ", ", bbox_max_(j), "] on axis ", j,
                   " has a non-finite corner or width (expected a finite box whose width does not overflow)");
  if (std::isnan(diam_) || diam_ < 0)
    detail::fail("Geometry: diam = ", diam_, " (expected a finite diameter >= 0)");
}

double Geometry::boundary_tol() const {
  double tol = 1e-8 * std::max(1.0, std::isfinite(diam_) ? diam_ : 1.0);
  for (int j = 0; j < dim_; ++j) {
    const double width = bbox_max_(j) - bbox_min_(j);
    if (width > 0) tol = std::min(tol, 1e-4 * width);
  }
  return tol;
}

void Geometry::check_points(const Points& x, const char* where) const {
  if (x.cols() != dim_)
    detail::fail(name(), ".", where, ": x has ", x.cols(), " columns (expected dim = ", dim_, ")");
}

void Geometry::check_n(std::int64_t n, const char* where) const {
  if (n < 0) detail::fail(name(), ".", where, ": n = ", n, " (expected n >= 0)");
  if (n > kMaxPoints)
    detail::fail(name(), ".", where, ": n = ", n, " points (expected n <= ", kMaxPoints,
                 ", pinnxde's limit on one sampling call)");
}

double Geometry::boundary_measure() const { return std::numeric_limits<double>::quiet_NaN(); }

Points Geometry::boundary_normal(const Points&) const {
  detail::fail<NotImplementedError>(name(), ".boundary_normal is not implemented");
}

namespace {
Points one_row(const Geometry& g, const Eigen::Ref<const Eigen::RowVectorXd>& x, const char* where) {
  if (x.size() != g.dim())
    detail::fail(g.name(), ".", where, ": x has ", x.size(), " entries (expected one point of dimension ", g.dim(),
                 ")");
  return Points(x);
}
}  // namespace

bool Geometry::on_boundary_at(const Eigen::Ref<const Eigen::RowVectorXd>& x) const {
  return on_boundary(one_row(*this, x, "on_boundary_at"))(0);
}
bool Geometry::inside_at(const Eigen::Ref<const Eigen::RowVectorXd>& x) const {
  return inside(one_row(*this, x, "inside_at"))(0);
}
bool Geometry::on_initial_at(const Eigen::Ref<const Eigen::RowVectorXd>& x) const {
  return on_initial(one_row(*this, x, "on_initial_at"))(0);
}
Eigen::RowVectorXd Geometry::boundary_normal_at(const Eigen::Ref<const Eigen::RowVectorXd>& x) const {
  return boundary_normal(one_row(*this, x, "boundary_normal_at")).row(0);
}

Points Geometry::uniform_points(std::int64_t n, bool) const { return random_points(n, "pseudo"); }

Points Geometry::uniform_boundary_points(std::int64_t n) const { return random_boundary_points(n, "pseudo"); }

Eigen::VectorXd Geometry::distance2boundary(const Points&, const Eigen::VectorXd&) const {
  detail::fail<NotImplementedError>(name(), ".distance2boundary is not implemented");
}

Eigen::VectorXd Geometry::mindist2boundary(const Points&) const {
  detail::fail<NotImplementedError>(name(), ".mindist2boundary is not implemented");
}

void Geometry::check_smoothness(const std::string& smoothness) const {
  if (smoothness != "C0" && smoothness != "C0+" && smoothness != "Cinf")
    detail::fail(name(), ".boundary_constraint_factor: smoothness = '", smoothness,
                 "' (expected one of C0, C0+, Cinf)");
}

Eigen::VectorXd Geometry::boundary_constraint_factor(const Points& x, const std::string& smoothness) const {
  check_points(x, "boundary_constraint_factor");
  check_smoothness(smoothness);
  detail::fail<NotImplementedError>(name(), ".boundary_constraint_factor is not implemented");
}

Points Geometry::background_points(const Eigen::VectorXd&, const Eigen::VectorXd&, const Dist2Npt&, int) const {
  detail::fail<NotImplementedError>(name(), ".background_points is not implemented");
}

Points Geometry::periodic_point(const Points&, int) const {
  detail::fail<NotImplementedError>(name(), ".periodic_point is not implemented");
}

Mask Geometry::on_initial(const Points&) const {
  detail::fail<NotImplementedError>(name(), ".on_initial: ", name(),
                                    " has no time axis (use GeometryXTime)");
}

Points Geometry::uniform_initial_points(std::int64_t) const {
  detail::fail<NotImplementedError>(name(), ".uniform_initial_points: ", name(),
                                    " has no time axis (use GeometryXTime)");
}

Points Geometry::random_initial_points(std::int64_t, const std::string&) const {
  detail::fail<NotImplementedError>(name(), ".random_initial_points: ", name(),
                                    " has no time axis (use GeometryXTime)");
}

}  // namespace pinnxde::geometry
