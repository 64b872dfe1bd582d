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
/// Rows of x in the order given by idx.
Points take_rows(const Points& x, const std::vector<Eigen::Index>& idx);
/// Rows of x where keep is true (order preserved).
Points select_rows(const Points& x, const Mask& keep);
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

/// n points of the box [lo, hi] that satisfy keep, by rejection: draws m >= n points with `sampler`,
/// keeps the accepted ones and grows m until at least n are accepted. accept_guess (0, 1] is the
/// expected acceptance ratio (volume fraction) used for the first m. With quasi-random samplers the
/// accepted points of one draw are used (a prefix for Halton/Sobol, an evenly strided subset for
/// Hammersley, whose first coordinate is sorted), so no point repeats. Throws Error after the draw
/// size passes 2^31 without n accepted points (an empty or measure-zero region).
Points rejection_sample(std::int64_t n, const Eigen::VectorXd& lo, const Eigen::VectorXd& hi,
                        const std::string& sampler, const std::function<Mask(const Points&)>& keep,
                        double accept_guess, const std::string& who);

}  // namespace pinnxde::geometry::detail
