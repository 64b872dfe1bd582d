#pragma once
// Quadrature rules: points and weights with sum_i w_i f(x_i) ~ integral of f over a domain. They feed the
// global loss terms of data::PDE (PDE::add_global_term), e.g. a normalisation int psi^2 dx = 1, and any
// integral a user wants of a trained network (`(w * model.predict(x)).sum()`).
//
//   auto q = dde::quadrature::gauss_legendre(64, -5, 5);                   // exact for degree <= 127
//   auto q2 = dde::quadrature::tensor_product({q, dde::quadrature::gauss_legendre(32, 0, 1)});  // 2-D box
//   auto qb = dde::quadrature::gauss_legendre(geom, 16);                    // any box geometry, 16 per axis
//   auto qm = dde::quadrature::monte_carlo(disk, 4096);                     // any geometry (quasi-Monte Carlo)
//
// Which rule: Gauss-Legendre converges spectrally for smooth integrands on an interval or a box (a
// Gaussian on [-5, 5] to 1e-12 with 60 nodes); the trapezoid rule is the choice for periodic integrands
// over a period (spectral too) and for sampled data on a grid; monte_carlo is the fallback for any other
// geometry (disk, polygon, CSG): error ~ 1/n (quasi-random) to 1/sqrt(n) ("pseudo").
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::quadrature {

/// A quadrature rule: points (M, dim) and weights (M).
struct Rule {
  geometry::Points points;
  Eigen::VectorXd weights;
  std::int64_t size() const { return points.rows(); }
  int dim() const { return static_cast<int>(points.cols()); }
};

/// n-point Gauss-Legendre rule on [a, b]: exact for polynomials of degree <= 2n - 1. n >= 1, a < b finite.
Rule gauss_legendre(std::int64_t n, double a, double b);
/// Composite trapezoid rule on [a, b] with n >= 2 equispaced nodes including both ends.
Rule trapezoid(std::int64_t n, double a, double b);
/// Tensor product of 1-D (or lower-dimensional) rules: points in the product space, weights multiplied.
/// The first rule's coordinate varies slowest. At most 10^8 points.
Rule tensor_product(const std::vector<Rule>& rules);
/// Gauss-Legendre on a box geometry (Interval, Rectangle, Cuboid, Hypercube, TimeDomain, or a
/// GeometryXTime of one of them): n nodes per axis, or one count per axis. Other geometries: ValueError
/// (use monte_carlo).
Rule gauss_legendre(const geometry::Geometry& box, std::int64_t n);
Rule gauss_legendre(const geometry::Geometry& box, const std::vector<std::int64_t>& n);
/// (Quasi-)Monte Carlo on any geometry: n points of `sampler` in the bounding box, those inside the
/// geometry kept, each with weight volume(bbox) / n (so the weights sum to an estimate of the volume).
Rule monte_carlo(const geometry::Geometry& geom, std::int64_t n, const std::string& sampler = "Hammersley");

}  // namespace pinnxde::quadrature
