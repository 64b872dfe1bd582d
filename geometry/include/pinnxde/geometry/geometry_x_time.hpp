#pragma once
// A spatial geometry times a time interval; points are (x_1, ..., x_d, t). Port of
// deepxde.geometry.GeometryXTime.
//
//   dde::geometry::GeometryXTime geomtime(dde::geometry::Interval(-1, 1), dde::geometry::TimeDomain(0, 1));
//   auto x = geomtime.random_points(3000, "Hammersley");   // (3000, 2), columns x, t
//   auto ic = geomtime.random_initial_points(300);          // t == 0
#include <memory>

#include "pinnxde/geometry/geometry.hpp"
#include "pinnxde/geometry/time_domain.hpp"

namespace pinnxde::geometry {

class GeometryXTime : public Cloneable<GeometryXTime> {
 public:
  /// Copies (clones) both parts, so temporaries are fine. dim() = geometry.dim() + 1.
  GeometryXTime(const Geometry& geometry, const TimeDomain& timedomain);

  const Geometry& geometry() const { return *geometry_; }
  const TimeDomain& timedomain() const { return timedomain_; }

  /// Spatially inside and t0 <= t <= t1 (within tolerances).
  Mask inside(const Points& x) const override;
  /// On the spatial boundary, any t (as DeepXDE).
  Mask on_boundary(const Points& x) const override;
  /// t within the time domain's boundary_tol() of t0.
  Mask on_initial(const Points& x) const override;
  /// The spatial normal with 0 in the time column.
  Points boundary_normal(const Points& x) const override;
  /// Space grid (geometry.uniform_points) times a time grid with about the same spacing; about n points.
  /// boundary = false: interior space points and t in (t0, t1] (as DeepXDE).
  Points uniform_points(std::int64_t n, bool boundary = true) const override;
  /// Interval / Rectangle / Hypercube space: the sampler on the joint space-time box. Otherwise space
  /// and time are sampled separately and the times shuffled with rng(), as DeepXDE.
  Points random_points(std::int64_t n, const std::string& random = "pseudo") const override;
  /// geometry.uniform_boundary_points times t in (t0, t1] (excluding t0, covered by the initial
  /// condition, as DeepXDE); about n points.
  Points uniform_boundary_points(std::int64_t n) const override;
  /// Spatial boundary points from the sampler, times from the sampler shuffled with rng().
  Points random_boundary_points(std::int64_t n, const std::string& random = "pseudo") const override;
  /// geometry.uniform_points(n, true) at t = t0.
  Points uniform_initial_points(std::int64_t n) const override;
  /// geometry.random_points(n, random) at t = t0.
  Points random_initial_points(std::int64_t n, const std::string& random = "pseudo") const override;
  /// The spatial geometry's periodic_point; t unchanged. component < geometry.dim().
  Points periodic_point(const Points& x, int component) const override;

  std::string name() const override { return "GeometryXTime"; }

 private:
  Points space(const Points& x) const { return x.leftCols(dim_ - 1); }
  Points with_time(const Points& space, const Eigen::VectorXd& t) const;

  std::shared_ptr<const Geometry> geometry_;
  TimeDomain timedomain_;
};

}  // namespace pinnxde::geometry
