#include "pinnxde/geometry/csg.hpp"

#include <cmath>

#include "detail.hpp"
#include "pinnxde/geometry/sampler.hpp"

namespace pinnxde::geometry {
namespace detail {
namespace {
int checked_dim(const Geometry& a, const Geometry& b, const char* who) {
  if (a.dim() != b.dim())
    pinnxde::detail::fail(who, ": geom1 has dim ", a.dim(), " but geom2 has dim ", b.dim(), " (expected equal)");
  return a.dim();
}
}  // namespace

CSGBase::CSGBase(const Geometry& geom1, const Geometry& geom2, const char* who, Eigen::VectorXd lo,
                 Eigen::VectorXd hi)
    : Geometry(checked_dim(geom1, geom2, who), lo, hi, (hi - lo).norm()), geom1_(geom1.clone()), geom2_(geom2.clone()) {}

Points CSGBase::random_points(std::int64_t n, const std::string& random) const {
  check_n(n, "random_points");
  return rejection_sample(
      n, bbox_min_, bbox_max_, random, [this](const Points& p) -> Mask { return inside(p); }, 0.5, name());
}

Points CSGBase::sample_boundary(std::int64_t n, const std::string& random,
                                const std::function<Mask(const Points&)>& keep1,
                                const std::function<Mask(const Points&)>& keep2) const {
  check_n(n, "random_boundary_points");
  check_sampler(random);
  if (n == 0) return Points(0, dim_);
  double w1 = geom1_->boundary_measure(), w2 = geom2_->boundary_measure();
  if (!std::isfinite(w1) || !std::isfinite(w2) || w1 + w2 <= 0) w1 = w2 = 1;
  const double share1 = w1 / (w1 + w2);
  // Both boundaries are drawn at the same density (draws per unit measure), so the kept points are
  // uniform on the combined boundary; grow the draw until n survive.
  // Bounded like rejection_sample: at most kMaxRejectionRounds draws of at most max_rejection_draw points.
  const std::int64_t max_draw = max_rejection_draw(n, dim_);
  auto m = std::min(n, max_draw);
  std::int64_t drawn = 0, kept_count = 0;
  for (int round = 0; round < kMaxRejectionRounds; ++round) {
    const auto m1 = static_cast<std::int64_t>(std::ceil(static_cast<double>(m) * share1));
    // Both shares round up; at the per-draw limit the second gives way, so a draw never exceeds it.
    const auto m2 = std::min(static_cast<std::int64_t>(std::ceil(static_cast<double>(m) * (1 - share1))),
                             std::max<std::int64_t>(max_draw - m1, 0));
    const Points b1 = geom1_->random_boundary_points(m1, random);
    const Points b2 = geom2_->random_boundary_points(m2, random);
    const Points kept = vstack(select_rows(b1, keep1(b1)), select_rows(b2, keep2(b2)));
    if (kept.rows() >= n) return shuffle_rows(kept).topRows(n);
    drawn = m1 + m2, kept_count = kept.rows();
    if (m >= max_draw) break;
    const double next = kept.rows() == 0 ? 4.0 * static_cast<double>(m)
                                         : 1.25 * static_cast<double>(m) * static_cast<double>(n) / static_cast<double>(kept.rows()) + 16;
    if (kept.rows() > 0 && next > 2.0 * static_cast<double>(max_draw)) break;
    m = static_cast<std::int64_t>(std::min(next, static_cast<double>(max_draw)));
  }
  pinnxde::detail::fail(name(), ".random_boundary_points: of ", drawn, " points drawn on the operands' boundaries ",
                        kept_count, " lie on this boundary (acceptance rate ",
                        static_cast<double>(kept_count) / static_cast<double>(std::max<std::int64_t>(drawn, 1)),
                        ") but n = ", n, " are needed (limit: ", max_draw, " points per draw, ", kMaxRejectionRounds,
                        " draws). Is the boundary empty?");
}

Points CSGBase::combine_normals(const Points& n1, const Mask& use1, const Points& n2, const Mask& use2) {
  Points n = Points::Zero(n1.rows(), n1.cols());
  for (Eigen::Index i = 0; i < n.rows(); ++i) {
    if (use1(i)) n.row(i) += n1.row(i);
    if (use2(i)) n.row(i) += n2.row(i);
    const double norm = n.row(i).norm();
    if (norm > 1e-12) n.row(i) /= norm;
    else n.row(i).setZero();
  }
  return n;
}
}  // namespace detail

// ------------------------------------------------------------------------------------------ union

CSGUnion::CSGUnion(const Geometry& geom1, const Geometry& geom2)
    : Cloneable(geom1, geom2, "CSGUnion", geom1.bbox_min().cwiseMin(geom2.bbox_min().size() == geom1.dim() ? geom2.bbox_min() : geom1.bbox_min()),
                geom1.bbox_max().cwiseMax(geom2.bbox_max().size() == geom1.dim() ? geom2.bbox_max() : geom1.bbox_max())) {}

Mask CSGUnion::inside(const Points& x) const {
  check_points(x, "inside");
  return geom1_->inside(x) || geom2_->inside(x);
}

Mask CSGUnion::on_boundary(const Points& x) const {
  check_points(x, "on_boundary");
  return (geom1_->on_boundary(x) && !geom2_->inside(x)) || (geom2_->on_boundary(x) && !geom1_->inside(x));
}

Points CSGUnion::boundary_normal(const Points& x) const {
  check_points(x, "boundary_normal");
  const Mask on = on_boundary(x);
  return combine_normals(geom1_->boundary_normal(x), on && geom1_->on_boundary(x) && !interior(*geom2_, x),
                         geom2_->boundary_normal(x), on && geom2_->on_boundary(x) && !interior(*geom1_, x));
}

Points CSGUnion::random_boundary_points(std::int64_t n, const std::string& random) const {
  return sample_boundary(
      n, random, [this](const Points& p) -> Mask { return !geom2_->inside(p); },
      [this](const Points& p) -> Mask { return !geom1_->inside(p); });
}

// ------------------------------------------------------------------------------------- difference

CSGDifference::CSGDifference(const Geometry& geom1, const Geometry& geom2)
    : Cloneable(geom1, geom2, "CSGDifference", geom1.bbox_min(), geom1.bbox_max()) {}

Mask CSGDifference::inside(const Points& x) const {
  check_points(x, "inside");
  return geom1_->inside(x) && !interior(*geom2_, x);
}

Mask CSGDifference::on_boundary(const Points& x) const {
  check_points(x, "on_boundary");
  return (geom1_->on_boundary(x) && !geom2_->inside(x)) || (geom1_->inside(x) && geom2_->on_boundary(x));
}

Points CSGDifference::boundary_normal(const Points& x) const {
  check_points(x, "boundary_normal");
  const Mask on = on_boundary(x);
  return combine_normals(geom1_->boundary_normal(x), on && geom1_->on_boundary(x) && !interior(*geom2_, x),
                         -geom2_->boundary_normal(x), on && geom2_->on_boundary(x) && geom1_->inside(x));
}

Points CSGDifference::random_boundary_points(std::int64_t n, const std::string& random) const {
  return sample_boundary(
      n, random, [this](const Points& p) -> Mask { return !geom2_->inside(p); },
      [this](const Points& p) -> Mask { return geom1_->inside(p); });
}

// ----------------------------------------------------------------------------------- intersection

CSGIntersection::CSGIntersection(const Geometry& geom1, const Geometry& geom2)
    : Cloneable(geom1, geom2, "CSGIntersection", geom1.bbox_min().cwiseMax(geom2.bbox_min().size() == geom1.dim() ? geom2.bbox_min() : geom1.bbox_min()),
                geom1.bbox_max().cwiseMin(geom2.bbox_max().size() == geom1.dim() ? geom2.bbox_max() : geom1.bbox_max())) {}

Mask CSGIntersection::inside(const Points& x) const {
  check_points(x, "inside");
  return geom1_->inside(x) && geom2_->inside(x);
}

Mask CSGIntersection::on_boundary(const Points& x) const {
  check_points(x, "on_boundary");
  return (geom1_->on_boundary(x) && geom2_->inside(x)) || (geom2_->on_boundary(x) && geom1_->inside(x));
}

Points CSGIntersection::boundary_normal(const Points& x) const {
  check_points(x, "boundary_normal");
  return combine_normals(geom1_->boundary_normal(x), geom1_->on_boundary(x) && geom2_->inside(x),
                         geom2_->boundary_normal(x), geom2_->on_boundary(x) && geom1_->inside(x));
}

Points CSGIntersection::random_boundary_points(std::int64_t n, const std::string& random) const {
  return sample_boundary(
      n, random, [this](const Points& p) -> Mask { return geom2_->inside(p); },
      [this](const Points& p) -> Mask { return geom1_->inside(p); });
}

CSGUnion operator|(const Geometry& geom1, const Geometry& geom2) { return CSGUnion(geom1, geom2); }
CSGDifference operator-(const Geometry& geom1, const Geometry& geom2) { return CSGDifference(geom1, geom2); }
CSGIntersection operator&(const Geometry& geom1, const Geometry& geom2) { return CSGIntersection(geom1, geom2); }

}  // namespace pinnxde::geometry
