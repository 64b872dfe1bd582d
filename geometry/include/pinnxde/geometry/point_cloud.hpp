#pragma once
// A geometry given only by points: domain points, optional boundary points and their normals. Port of
// deepxde.geometry.PointCloud.
//
//   dde::geometry::PointCloud cloud(interior, boundary, normals);   // (N, d), (M, d), (M, d)
//   auto x = cloud.random_points(100);            // 100 distinct rows of interior
//
// Membership is exact up to boundary_tol(): inside() is true for rows of points or boundary_points,
// on_boundary() for rows of boundary_points. Sampling draws distinct rows at random from rng(); asking
// for more than the cloud holds throws (DeepXDE silently repeats points).
#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::geometry {

class PointCloud : public Cloneable<PointCloud> {
 public:
  /// points: (N, d), N >= 1. boundary_points: (M, d) or empty. boundary_normals: (M, d) or empty; they are
  /// normalised. Throws ValueError for an empty or non-finite cloud, column counts that differ, normals
  /// without boundary points or with another row count, or a zero normal.
  explicit PointCloud(const Points& points, const Points& boundary_points = Points(),
                      const Points& boundary_normals = Points());

  const Points& points() const { return points_; }
  const Points& boundary_points() const { return boundary_points_; }
  const Points& boundary_normals() const { return boundary_normals_; }
  std::int64_t num_points() const { return points_.rows(); }
  std::int64_t num_boundary_points() const { return boundary_points_.rows(); }

  /// A row of points or boundary_points lies within boundary_tol() (in every coordinate).
  Mask inside(const Points& x) const override;
  /// A row of boundary_points lies within boundary_tol(). Throws ValueError without boundary points.
  Mask on_boundary(const Points& x) const override;
  /// The normal of the matching boundary point; zero rows elsewhere. Throws ValueError without normals.
  Points boundary_normal(const Points& x) const override;
  /// n distinct rows of points, in random order (rng()); the sampler name is checked and otherwise
  /// ignored. Throws ValueError for n > num_points().
  Points random_points(std::int64_t n, const std::string& random = "pseudo") const override;
  /// n distinct rows of boundary_points. Throws ValueError for n > num_boundary_points():
  /// "PointCloud.random_boundary_points: n = 50 but the cloud holds 40 boundary points (expected n <= 40)".
  Points random_boundary_points(std::int64_t n, const std::string& random = "pseudo") const override;

  std::string name() const override { return "PointCloud"; }

 private:
  // For each row of x, the index of a matching row of `sorted` (rows sorted by the first coordinate), or -1.
  Eigen::VectorXi match(const Points& x, const Points& sorted) const;
  Points points_, boundary_points_, boundary_normals_;
  Points all_sorted_, boundary_sorted_;     // rows sorted by the first coordinate
  Eigen::VectorXi boundary_order_;          // boundary_sorted_.row(k) = boundary_points_.row(boundary_order_(k))
};

}  // namespace pinnxde::geometry
