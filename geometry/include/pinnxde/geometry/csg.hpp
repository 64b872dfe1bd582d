#pragma once
// Constructive solid geometry: union, difference and intersection of two geometries of the same
// dimension. Port of deepxde.geometry.csg (CSGUnion, CSGDifference, CSGIntersection) and of the
// Python operators |, - and &.
//
//   auto domain = dde::geometry::Rectangle({0, 0}, {1, 1}) - dde::geometry::Disk({0.5, 0.5}, 0.2);
//   auto two = dde::geometry::Disk({0, 0}, 1) | dde::geometry::Disk({1.5, 0}, 1);
//
// Operands are copied (cloned), so temporaries are fine and the result is an ordinary value.
// Boundary points are sampled from both operands' boundaries in proportion to their boundary_measure()
// (equal shares when one is unknown, e.g. a nested CSG), filtered, shuffled with rng() and cut to n.
// Interior points: rejection from the bounding box with the sampler.
#include <functional>
#include <memory>

#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::geometry {

namespace detail {
/// Shared state of the three CSG classes.
class CSGBase : public Geometry {
 public:
  const Geometry& geom1() const { return *geom1_; }
  const Geometry& geom2() const { return *geom2_; }
  Points random_points(std::int64_t n, const std::string& random = "pseudo") const override;

 protected:
  CSGBase(const Geometry& geom1, const Geometry& geom2, const char* who, Eigen::VectorXd lo, Eigen::VectorXd hi);
  // n boundary points: candidates from each operand's boundary, kept where keep1 / keep2 hold.
  Points sample_boundary(std::int64_t n, const std::string& random, const std::function<Mask(const Points&)>& keep1,
                         const std::function<Mask(const Points&)>& keep2) const;
  // Strict interior: inside and not on the boundary.
  static Mask interior(const Geometry& g, const Points& x) { return g.inside(x) && !g.on_boundary(x); }
  // Sum of the selected operand normals, normalised; zero rows where the sum vanishes.
  static Points combine_normals(const Points& n1, const Mask& use1, const Points& n2, const Mask& use2);

  std::shared_ptr<const Geometry> geom1_, geom2_;
};
}  // namespace detail

/// Points in geom1 or geom2. on_boundary: on one operand's boundary and not inside the other (as
/// DeepXDE, so a shared edge of two touching pieces is not boundary).
class CSGUnion : public Cloneable<CSGUnion, detail::CSGBase> {
 public:
  /// Throws ValueError when the dimensions differ: "CSGUnion: geom1 has dim 2 but geom2 has dim 3".
  CSGUnion(const Geometry& geom1, const Geometry& geom2);
  Mask inside(const Points& x) const override;
  Mask on_boundary(const Points& x) const override;
  Points boundary_normal(const Points& x) const override;
  Points random_boundary_points(std::int64_t n, const std::string& random = "pseudo") const override;
  std::string name() const override { return "CSGUnion"; }
};

/// Points in geom1 and not in geom2's interior (a closed set: geom2's boundary inside geom1 belongs to
/// it; DeepXDE's inside() excludes it). Normals on geom2's part point into geom2.
class CSGDifference : public Cloneable<CSGDifference, detail::CSGBase> {
 public:
  CSGDifference(const Geometry& geom1, const Geometry& geom2);
  Mask inside(const Points& x) const override;
  Mask on_boundary(const Points& x) const override;
  Points boundary_normal(const Points& x) const override;
  Points random_boundary_points(std::int64_t n, const std::string& random = "pseudo") const override;
  std::string name() const override { return "CSGDifference"; }
};

/// Points in both geom1 and geom2.
class CSGIntersection : public Cloneable<CSGIntersection, detail::CSGBase> {
 public:
  CSGIntersection(const Geometry& geom1, const Geometry& geom2);
  Mask inside(const Points& x) const override;
  Mask on_boundary(const Points& x) const override;
  Points boundary_normal(const Points& x) const override;
  Points random_boundary_points(std::int64_t n, const std::string& random = "pseudo") const override;
  std::string name() const override { return "CSGIntersection"; }
};

/// geom1 | geom2: CSGUnion (Python's geom1 | geom2).
CSGUnion operator|(const Geometry& geom1, const Geometry& geom2);
/// geom1 - geom2: CSGDifference.
CSGDifference operator-(const Geometry& geom1, const Geometry& geom2);
/// geom1 & geom2: CSGIntersection.
CSGIntersection operator&(const Geometry& geom1, const Geometry& geom2);

}  // namespace pinnxde::geometry
