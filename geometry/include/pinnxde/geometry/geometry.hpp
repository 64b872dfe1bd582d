#pragma once
// Base class of every geometry. Port of deepxde.geometry.Geometry.
//
// Points are float64 row-major Eigen matrices of shape (N, dim). Geometries are immutable values;
// whatever keeps one (a condition, a data object) holds a std::shared_ptr<const Geometry> from clone().
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pinnxde/error.hpp"

namespace pinnxde::geometry {

/// (N, dim) points, one per row.
using Points = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
/// (N,) one flag per point.
using Mask = Eigen::Array<bool, Eigen::Dynamic, 1>;

/// Port of dde.utils.isclose (numpy.isclose semantics): |a - b| <= atol + rtol * |b|.
/// For user predicates, e.g. `[](auto x, bool on_b) { return on_b && isclose(x[0], 1); }`.
inline bool isclose(double a, double b, double atol = 1e-8, double rtol = 1e-5) {
  return std::abs(a - b) <= atol + rtol * std::abs(b);
}

/// The most points one sampling call (random_points, uniform_points, the boundary and initial ones,
/// sample()) returns: 10^9. A larger n throws ValueError before anything is allocated, instead of
/// std::bad_alloc or an overflowing size.
inline constexpr std::int64_t kMaxPoints = 1'000'000'000;

/// Rows of x in the order given by idx.
Points take_rows(const Points& x, const std::vector<Eigen::Index>& idx);
/// Rows of x where keep is true (order preserved).
Points select_rows(const Points& x, const Mask& keep);

class Geometry {
 public:
  /// Throws ValueError when a bounding-box corner, a width or diam is not finite (e.g. an overflow).
  Geometry(int dim, Eigen::VectorXd bbox_min, Eigen::VectorXd bbox_max, double diam);
  virtual ~Geometry() = default;

  int dim() const { return dim_; }
  /// Axis-aligned bounding box (min corner, max corner).
  const Eigen::VectorXd& bbox_min() const { return bbox_min_; }
  const Eigen::VectorXd& bbox_max() const { return bbox_max_; }
  /// Both corners at once, as DeepXDE's geom.bbox.
  std::pair<Eigen::VectorXd, Eigen::VectorXd> bbox() const { return {bbox_min_, bbox_max_}; }
  double diam() const { return diam_; }
  /// Measure of the boundary: number of end points (1-D), perimeter (2-D), surface area (3-D), ...;
  /// NaN where not known in closed form (CSG). CSG uses it to sample boundaries uniformly.
  virtual double boundary_measure() const;
  /// Absolute tolerance of on_boundary / boundary_normal / on_initial: 1e-8 * max(1, diam()), but at
  /// most 1e-4 times the narrowest positive width of the bounding box. (DeepXDE uses a fixed atol = 1e-8;
  /// scaling with the size keeps large domains usable, and the cap keeps a domain thinner than 1e-4 from
  /// being "all boundary": an Interval(0, 1e-10) has tol 1e-14.)
  double boundary_tol() const;

  /// Closed domain membership: true for interior and boundary points. x: (N, dim).
  virtual Mask inside(const Points& x) const = 0;
  /// True for points on the boundary (within boundary_tol()). x: (N, dim).
  virtual Mask on_boundary(const Points& x) const = 0;
  /// Outward unit normals at boundary points, zero rows elsewhere. x: (N, dim) -> (N, dim).
  /// At a corner where several faces meet: the normalised sum of their normals (as DeepXDE).
  /// Default: throws NotImplementedError.
  virtual Points boundary_normal(const Points& x) const;

  /// One point, as a predicate gets it (or a row of Points, `X.row(i)`): DeepXDE's `outer.on_boundary(x)`,
  /// `outer.inside(x)`, `inner.boundary_normal(x)` and `geomtime.on_initial(x)` on a single x, as one-liners:
  ///
  ///   auto on_outer = [&](const auto& x, bool on) { return on && outer.on_boundary_at(x); };
  ///
  /// (The batch methods above take (N, dim) Points; in a value function, which gets a tensor, convert with
  /// dde::to_points(x) and back with dde::to_tensor(points, x.options()).) Throws ValueError unless x has
  /// dim() entries.
  bool on_boundary_at(const Eigen::Ref<const Eigen::RowVectorXd>& x) const;
  bool inside_at(const Eigen::Ref<const Eigen::RowVectorXd>& x) const;
  bool on_initial_at(const Eigen::Ref<const Eigen::RowVectorXd>& x) const;
  Eigen::RowVectorXd boundary_normal_at(const Eigen::Ref<const Eigen::RowVectorXd>& x) const;

  /// About n points spread evenly over the domain (grids may round the count, as in DeepXDE);
  /// boundary = false excludes the boundary. Default: random_points(n, "pseudo"), as DeepXDE.
  virtual Points uniform_points(std::int64_t n, bool boundary = true) const;
  /// n points drawn with a sampler: "pseudo", "LHS", "Halton", "Hammersley", "Sobol".
  virtual Points random_points(std::int64_t n, const std::string& random = "pseudo") const = 0;
  /// About n points spread evenly over the boundary. Default: random_boundary_points(n, "pseudo").
  virtual Points uniform_boundary_points(std::int64_t n) const;
  /// n boundary points drawn with a sampler (uniform in arc length / area).
  virtual Points random_boundary_points(std::int64_t n, const std::string& random = "pseudo") const = 0;

  /// Distance from each point to the boundary along the unit ray x + s * dirn/|dirn| (s >= 0),
  /// for points inside. x: (N, dim), dirn: (dim,) -> (N,). Default: throws NotImplementedError.
  virtual Eigen::VectorXd distance2boundary(const Points& x, const Eigen::VectorXd& dirn) const;
  /// Shortest distance from each point to the boundary. x: (N, dim) -> (N,).
  /// Default: throws NotImplementedError.
  virtual Eigen::VectorXd mindist2boundary(const Points& x) const;
  /// Hard-constraint factor (port of DeepXDE's boundary_constraint_factor): zero on the boundary,
  /// positive elsewhere in the domain, for the ansatz u = factor(x) * NN(x) + g(x). x: (N, dim) -> (N,).
  /// smoothness: "C0" (continuous; a distance-like min), "C0+" (smooth except on the boundary; a
  /// product), "Cinf" (smooth everywhere; squares). Each geometry documents its formula.
  /// Throws ValueError for another smoothness ("... smoothness = 'C1' (expected one of C0, C0+, Cinf)");
  /// default: throws NotImplementedError.
  virtual Eigen::VectorXd boundary_constraint_factor(const Points& x, const std::string& smoothness = "C0+") const;
  /// Turns a distance into a number of extra points, for background_points.
  using Dist2Npt = std::function<std::int64_t(double)>;
  /// Points on the segment from the point x (dim,) to the boundary against dirn (dim,), for fractional
  /// PDEs (port of DeepXDE's background_points): with dx the distance from x to the boundary along
  /// -dirn, m = max(dist2npt(dx), 1) and h = dx / m, the m + 1 points x - k h dirn / |dirn|,
  /// k = -shift .. m - shift. -> (m + 1, dim). Default: throws NotImplementedError.
  virtual Points background_points(const Eigen::VectorXd& x, const Eigen::VectorXd& dirn, const Dist2Npt& dist2npt,
                                   int shift) const;
  /// Maps points on the min / max face of coordinate `component` to the opposite face, others
  /// unchanged (for PeriodicBC). x: (N, dim) -> (N, dim). Default: throws NotImplementedError.
  virtual Points periodic_point(const Points& x, int component) const;

  /// Time-dependent geometries (GeometryXTime) only; the defaults throw NotImplementedError so
  /// that conditions and data objects can hold any Geometry.
  /// True where t is t0 (within the time domain's tolerance). x: (N, dim).
  virtual Mask on_initial(const Points& x) const;
  /// Spatial uniform points at t = t0.
  virtual Points uniform_initial_points(std::int64_t n) const;
  /// Spatial random points at t = t0.
  virtual Points random_initial_points(std::int64_t n, const std::string& random = "pseudo") const;

  /// A shared immutable copy, for objects that keep the geometry.
  virtual std::shared_ptr<const Geometry> clone() const = 0;
  /// Human-readable name for messages, e.g. "Interval".
  virtual std::string name() const = 0;

 protected:
  /// Throws ValueError unless x has dim() columns: "<name>.<where>: x has 3 columns (expected dim = 2)".
  void check_points(const Points& x, const char* where) const;
  /// Throws ValueError if n < 0 or n > kMaxPoints: "<name>.<where>: n = -1 (expected 0 <= n <= 1000000000)".
  void check_n(std::int64_t n, const char* where) const;
  /// Throws ValueError unless smoothness is "C0", "C0+" or "Cinf" (for boundary_constraint_factor).
  void check_smoothness(const std::string& smoothness) const;

 protected:
  int dim_;
  Eigen::VectorXd bbox_min_, bbox_max_;
  double diam_;
};

/// CRTP helper implementing clone() for a concrete geometry.
template <class Derived, class Base = Geometry>
class Cloneable : public Base {
 public:
  using Base::Base;
  std::shared_ptr<const Geometry> clone() const override {
    return std::make_shared<Derived>(static_cast<const Derived&>(*this));
  }
};

}  // namespace pinnxde::geometry
