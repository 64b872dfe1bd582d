#pragma once
// Internal helpers shared by the geometry sources (not installed).
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::geometry::detail {

/// Uniform double in [0, 1) from the global rng(), 53 random bits (portable, never returns 1).
double uniform01();
/// Random permutation of 0..n-1 drawn from rng().
std::vector<Eigen::Index> permutation(Eigen::Index n);
/// Rows of x shuffled with rng().
Points shuffle_rows(const Points& x);
/// Maps unit-cube points u in place to the box [lo, hi].
void scale_to_box(Points& u, const Eigen::VectorXd& lo, const Eigen::VectorXd& hi);
/// Stacks a and b vertically (same number of columns).
Points vstack(const Points& a, const Points& b);
/// std::vector<double> -> Eigen vector.
Eigen::VectorXd to_eigen(const std::vector<double>& v);
/// "(a, b, c)" for messages.
std::string format_vector(const Eigen::VectorXd& v);

/// Bounds of rejection sampling: at most kMaxRejectionRounds draws, each of at most
/// max_rejection_draw(n, dim) points (2^24 coordinates, i.e. 128 MiB, or up to 100 n points for large n,
/// but never more than 2^28 coordinates, 2 GiB).
inline constexpr int kMaxRejectionRounds = 30;
std::int64_t max_rejection_draw(std::int64_t n, int dim);

/// n points of the box [lo, hi] that satisfy keep, by rejection: draws m >= n points with `sampler`,
/// keeps the accepted ones and grows m until at least n are accepted. accept_guess (0, 1] is the
/// expected acceptance ratio (volume fraction) used for the first m. With Halton/Sobol (and the random
/// samplers) the first n accepted points are used. With Hammersley (whose first coordinate is a grid, so
/// regular thinning makes stripes) m is re-aimed until only ~2% too many are accepted and the excess is
/// dropped by a hash of the point's index; deterministic, no point repeats. Throws ValueError naming
/// `who`, the points drawn and accepted and the acceptance rate when n points cannot be found within the
/// bounds above (an empty, measure-zero or tiny region of its box), before allocating more.
Points rejection_sample(std::int64_t n, const Eigen::VectorXd& lo, const Eigen::VectorXd& hi,
                        const std::string& sampler, const std::function<Mask(const Points&)>& keep,
                        double accept_guess, const std::string& who);

/// Arc length of a closed parametric curve t in [0, 2 pi) with speed |c'(t)| = speed(t), tabulated at
/// construction (Gauss-Legendre per cell, so the table is accurate to round-off for smooth curves) and
/// inverted for sampling uniform in arc length.
class ArcLengthTable {
 public:
  ArcLengthTable() = default;
  ArcLengthTable(std::function<double(double)> speed, int cells = 2048);
  double total() const { return cum_.empty() ? 0 : cum_.back(); }
  /// The parameter t in [0, 2 pi] at which the arc length from t = 0 is s (0 <= s <= total()).
  double param_at(double s) const;
  /// Parameters of n points equally spaced in arc length (at fractions k / n of it).
  Eigen::ArrayXd even_params(std::int64_t n) const;
  /// Parameters of n points whose arc-length fractions come from the 1-D sampler.
  Eigen::ArrayXd sampled_params(std::int64_t n, const std::string& sampler) const;

 private:
  // Integral of speed over [a, b] (5-point Gauss-Legendre).
  double integrate(double a, double b) const;
  std::function<double(double)> speed_;
  double h_ = 0;
  std::vector<double> cum_;    // cum_[k] = arc length at t = k h
  std::vector<double> speed_at_;  // speed at t = k h (dt/ds = 1 / speed, for Hermite interpolation)
};

/// About n grid points over a geometry of known volume: a cell-centred grid of the bounding box with
/// spacing h, kept strictly inside, plus (boundary = true) g.uniform_boundary_points(~ boundary_measure
/// / h^(dim-1)); h solves volume / h^dim (+ boundary_measure / h^(dim-1)) = n. When that grid would exceed
/// max(1e7, 100 n) nodes (high dimension), g.random_points(n, "Halton") instead.
Points uniform_grid_points(const Geometry& g, std::int64_t n, bool boundary, double volume);

}  // namespace pinnxde::geometry::detail
