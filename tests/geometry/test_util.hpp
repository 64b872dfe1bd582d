#pragma once
// Shared helpers for the geometry tests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "pinnxde/geometry.hpp"

namespace pinnxde::geometry::test {

inline const std::vector<std::string> kSamplers{"pseudo", "LHS", "Halton", "Hammersley", "Sobol"};
inline const std::vector<std::uint64_t> kSeeds{0, 1, 42, 2024};

/// A mask as 0/1 integers, for readable EXPECT_EQ.
inline std::vector<int> flags(const Mask& m) {
  std::vector<int> out;
  for (Eigen::Index i = 0; i < m.size(); ++i) out.push_back(m(i) ? 1 : 0);
  return out;
}

/// Exact distance from a point to the true boundary, written independently of the library.
using BoundaryDistance = std::function<double(const Eigen::RowVectorXd&)>;

/// Asserts the contract every geometry must meet: random / quasi-random points lie inside for all samplers
/// and seeds; boundary points satisfy on_boundary and lie within 1e-12 of the true boundary; normals are
/// unit and outward (x + h n leaves the closed domain, x - h n enters it).
inline void expect_geometry_contract(const Geometry& g, const BoundaryDistance& dist, std::int64_t n = 500) {
  // Step off the boundary by 100 x its tolerance: far enough to leave the tolerance band, close enough
  // that a point near a sharp corner does not cross the neighbouring edge.
  const double h = 100 * g.boundary_tol();
  for (auto s : kSeeds) {
    seed(s);
    for (const auto& sampler : kSamplers) {
      SCOPED_TRACE(g.name() + " sampler " + sampler + " seed " + std::to_string(s));
      const Points x = g.random_points(n, sampler);
      ASSERT_EQ(x.rows(), n);
      ASSERT_EQ(x.cols(), g.dim());
      EXPECT_TRUE(g.inside(x).all());
      EXPECT_TRUE(((x.rowwise() - g.bbox_min().transpose()).array() >= -1e-12).all());
      EXPECT_TRUE(((x.rowwise() - g.bbox_max().transpose()).array() <= 1e-12).all());

      const Points b = g.random_boundary_points(n, sampler);
      ASSERT_EQ(b.rows(), n);
      EXPECT_TRUE(g.on_boundary(b).all());
      EXPECT_TRUE(g.inside(b).all());
      double worst = 0;
      for (Eigen::Index i = 0; i < b.rows(); ++i) worst = std::max(worst, dist(b.row(i)));
      EXPECT_LE(worst, 1e-12 * std::max(1.0, g.diam()));

      const Points nrm = g.boundary_normal(b);
      EXPECT_LT((nrm.rowwise().norm().array() - 1).abs().maxCoeff(), 1e-12);
      const Points out = b + h * nrm, in = b - h * nrm;
      EXPECT_FALSE(g.inside(out).any());
      EXPECT_TRUE(g.inside(in).all());
      EXPECT_FALSE(g.on_boundary(in).any());
    }
  }
  const Points u = g.uniform_boundary_points(n);
  EXPECT_TRUE(g.on_boundary(u).all());
  double worst = 0;
  for (Eigen::Index i = 0; i < u.rows(); ++i) worst = std::max(worst, dist(u.row(i)));
  EXPECT_LE(worst, 1e-12 * std::max(1.0, g.diam()));
  EXPECT_TRUE(g.inside(g.uniform_points(n, true)).all());
  const Points interior = g.uniform_points(n, false);
  EXPECT_GT(interior.rows(), 0);
  EXPECT_TRUE(g.inside(interior).all());
  EXPECT_FALSE(g.on_boundary(interior).any());
}

/// Monte-Carlo volume: n points of the bounding box from every sampler (and several seeds for the random
/// ones), fraction inside times the box volume, against the closed form. The tolerance follows from n: five
/// standard deviations of the pseudo-random estimate, sigma = V_box sqrt(p (1 - p) / n); the quasi-random
/// samplers must do at least as well.
inline void expect_monte_carlo_volume(const Geometry& g, double exact, std::int64_t n = 100000) {
  const Eigen::VectorXd lo = g.bbox_min(), hi = g.bbox_max();
  const double box = (hi - lo).prod(), p = exact / box;
  ASSERT_GT(p, 0);
  ASSERT_LE(p, 1 + 1e-12);
  const double tol = 5 * box * std::sqrt(p * (1 - std::min(p, 1.0)) / static_cast<double>(n)) + 1e-12 * box;
  for (auto s : kSeeds) {
    seed(s);
    for (const auto& sampler : kSamplers) {
      SCOPED_TRACE(g.name() + " volume, sampler " + sampler + " seed " + std::to_string(s));
      Points x = sample(n, g.dim(), sampler);
      x.array().rowwise() *= (hi - lo).transpose().array();
      x.rowwise() += lo.transpose();
      const double estimate = box * static_cast<double>(g.inside(x).count()) / static_cast<double>(n);
      EXPECT_NEAR(estimate, exact, tol);
    }
  }
}

}  // namespace pinnxde::geometry::test
