#include <numbers>

#include "test_util.hpp"

namespace pinnxde::geometry {
namespace {
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

Points pts(std::initializer_list<std::initializer_list<double>> rows) { return Points(rows); }

double box_boundary_distance(const Eigen::RowVectorXd& x, const Eigen::VectorXd& lo, const Eigen::VectorXd& hi) {
  double d = std::numeric_limits<double>::infinity();
  for (Eigen::Index i = 0; i < x.size(); ++i) d = std::min({d, std::abs(x(i) - lo(i)), std::abs(x(i) - hi(i))});
  return d;
}

// ---------------------------------------------------------------- Interval / TimeDomain

TEST(Interval, Contract) {
  const Interval g(-1, 3);
  test::expect_geometry_contract(g, [](const Eigen::RowVectorXd& x) {
    return std::min(std::abs(x(0) + 1), std::abs(x(0) - 3));
  });
}

TEST(Interval, InsideBoundaryNormal) {
  const Interval g(-1, 1);
  const Points x = pts({{-1.5}, {-1}, {0}, {1}, {1 + 1e-9}, {1.1}});
  EXPECT_EQ(test::flags(g.inside(x)), (std::vector<int>{0, 1, 1, 1, 1, 0}));
  EXPECT_EQ(test::flags(g.on_boundary(x)), (std::vector<int>{0, 1, 0, 1, 1, 0}));
  const Points n = g.boundary_normal(x);
  EXPECT_EQ(n(1, 0), -1);
  EXPECT_EQ(n(2, 0), 0);
  EXPECT_EQ(n(3, 0), 1);
}

TEST(Interval, UniformPoints) {
  const Interval g(0, 1);
  const Points a = g.uniform_points(5, true);
  for (int i = 0; i < 5; ++i) EXPECT_DOUBLE_EQ(a(i, 0), i / 4.0);
  const Points b = g.uniform_points(3, false);
  for (int i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(b(i, 0), (i + 1) / 4.0);
}

TEST(Interval, BoundaryPoints) {
  const Interval g(-2, 5);
  const Points u = g.uniform_boundary_points(5);
  EXPECT_EQ((u.array() == -2).count(), 2);
  EXPECT_EQ((u.array() == 5).count(), 3);
  EXPECT_EQ(g.random_boundary_points(2)(0, 0), -2);
  EXPECT_EQ(g.random_boundary_points(2)(1, 0), 5);
  seed(1);
  const Points r = g.random_boundary_points(1000);
  const auto left = (r.array() == -2).count();
  EXPECT_EQ(left + (r.array() == 5).count(), 1000);
  EXPECT_NEAR(left, 500, 100);
}

TEST(Interval, RandomPointsAreUniform) {
  seed(5);
  const Interval g(2, 6);
  const Points x = g.random_points(100000);
  EXPECT_NEAR(x.mean(), 4, 0.02);
  EXPECT_NEAR((x.array() - 4).square().mean(), 16.0 / 12, 0.02);
}

TEST(Interval, DistancesAndPeriodic) {
  const Interval g(-1, 3);
  const Points x = pts({{0}, {2.5}});
  EXPECT_TRUE(g.distance2boundary(x, -1).isApprox(Eigen::Vector2d(1, 3.5)));
  EXPECT_TRUE(g.distance2boundary(x, 1).isApprox(Eigen::Vector2d(3, 0.5)));
  EXPECT_TRUE(g.mindist2boundary(x).isApprox(Eigen::Vector2d(1, 0.5)));
  const Points p = g.periodic_point(pts({{-1}, {3}, {1}}), 0);
  EXPECT_EQ(p(0, 0), 3);
  EXPECT_EQ(p(1, 0), -1);
  EXPECT_EQ(p(2, 0), 1);
}

TEST(Interval, Errors) {
  EXPECT_THAT([] { Interval(1, 0); }, ThrowsMessage<ValueError>(HasSubstr("Interval: l = 1 must be < r = 0")));
  EXPECT_THAT([] { Interval(1, 1); }, ThrowsMessage<ValueError>(HasSubstr("l = 1 must be < r = 1")));
  EXPECT_THAT([] { TimeDomain(2, 1); }, ThrowsMessage<ValueError>(HasSubstr("TimeDomain: t0 = 2 must be < t1 = 1")));
  const Interval g(0, 1);
  EXPECT_THAT([&] { g.random_points(-3); },
              ThrowsMessage<ValueError>(HasSubstr("Interval.random_points: n = -3 (expected n >= 0)")));
  EXPECT_THAT([&] { g.uniform_boundary_points(-1); }, ThrowsMessage<ValueError>(HasSubstr("n = -1")));
  EXPECT_THAT([&] { g.inside(Points::Zero(2, 2)); },
              ThrowsMessage<ValueError>(HasSubstr("Interval.inside: x has 2 columns (expected dim = 1)")));
  EXPECT_THAT([&] { g.random_points(3, "Sobolev"); }, ThrowsMessage<ValueError>(HasSubstr("unknown sampler 'Sobolev'")));
  EXPECT_THAT([&] { g.on_initial(Points::Zero(1, 1)); },
              ThrowsMessage<NotImplementedError>(HasSubstr("use GeometryXTime")));
}

TEST(TimeDomain, IsAnIntervalWithOnInitial) {
  const TimeDomain t(0, 2);
  EXPECT_EQ(t.t0(), 0);
  EXPECT_EQ(t.t1(), 2);
  EXPECT_EQ(t.name(), "TimeDomain");
  EXPECT_EQ(t.clone()->name(), "TimeDomain");
  EXPECT_EQ(test::flags(t.on_initial(pts({{0}, {1e-10}, {1e-3}, {2}}))), (std::vector<int>{1, 1, 0, 0}));
}

TEST(Isclose, NumpySemantics) {
  EXPECT_TRUE(isclose(1.0, 1.0 + 5e-9));
  EXPECT_TRUE(isclose(1.0, 1.0 + 5e-6));  // rtol = 1e-5, as np.isclose
  EXPECT_FALSE(isclose(1.0, 1.0 + 1e-4));
  EXPECT_FALSE(isclose(0.0, 1e-7));
  EXPECT_TRUE(isclose(0.0, 1e-7, 1e-6));
  EXPECT_FALSE(isclose(1.0, 1.0 + 5e-6, 1e-8, 0.0));
}

// ---------------------------------------------------------------- Hypercube / Rectangle

TEST(Rectangle, Contract) {
  const Rectangle g({-1, 0}, {2, 0.5});
  test::expect_geometry_contract(g, [&](const Eigen::RowVectorXd& x) {
    return box_boundary_distance(x, g.xmin(), g.xmax());
  });
}

TEST(Hypercube, Contract3DAnd5D) {
  const Hypercube c3({0, 0, 0}, {1, 2, 3});
  test::expect_geometry_contract(c3, [&](const Eigen::RowVectorXd& x) {
    return box_boundary_distance(x, c3.xmin(), c3.xmax());
  });
  const Hypercube c5({-1, -1, -1, -1, -1}, {1, 1, 1, 1, 1});
  test::expect_geometry_contract(c5, [&](const Eigen::RowVectorXd& x) {
    return box_boundary_distance(x, c5.xmin(), c5.xmax());
  });
}

TEST(Rectangle, CornerNormalsAreNormalisedSums) {
  const Rectangle g({0, 0}, {2, 1});
  const Points x = pts({{0, 0}, {2, 1}, {1, 0}, {2, 0.5}, {1, 0.5}});
  const Points n = g.boundary_normal(x);
  const double s = 1 / std::sqrt(2.0);
  EXPECT_TRUE(n.row(0).isApprox(Eigen::RowVector2d(-s, -s)));
  EXPECT_TRUE(n.row(1).isApprox(Eigen::RowVector2d(s, s)));
  EXPECT_TRUE(n.row(2).isApprox(Eigen::RowVector2d(0, -1)));
  EXPECT_TRUE(n.row(3).isApprox(Eigen::RowVector2d(1, 0)));
  EXPECT_TRUE(n.row(4).isZero());
  EXPECT_EQ(test::flags(g.on_boundary(x)), (std::vector<int>{1, 1, 1, 1, 0}));
  EXPECT_FALSE(g.on_boundary(pts({{3, 0}}))(0));  // on the line y = 0 but outside
}

TEST(Rectangle, BoundaryPointsUniformInArcLength) {
  const Rectangle g({0, 0}, {3, 1});  // perimeter 8: bottom/top 3/8 each, left/right 1/8 each
  for (const auto& sampler : test::kSamplers) {
    seed(11);
    const Points b = g.random_boundary_points(8000, sampler);
    const double bottom = (b.col(1).array() == 0).cast<double>().mean();
    const double right = (b.col(0).array() == 3).cast<double>().mean();
    EXPECT_NEAR(bottom, 3.0 / 8, 0.02) << sampler;
    EXPECT_NEAR(right, 1.0 / 8, 0.02) << sampler;
  }
  const Points u = g.uniform_boundary_points(80);
  EXPECT_EQ(u.rows(), 80);
  // Arc lengths 0, 0.1, ..., 3 lie on the bottom edge (3 is the corner (3, 0)): 31 points.
  EXPECT_EQ((u.col(1).array() == 0).count(), 31);
  EXPECT_EQ((u.col(0).array() == 3).count(), 11);
}

TEST(Hypercube, BoundaryAreaWeighting) {
  const Hypercube g({0, 0, 0}, {4, 1, 1});  // faces x=const: area 1 each; y, z faces: area 4 each. total 18
  seed(3);
  const Points b = g.random_boundary_points(36000, "Halton");
  const double xfaces = ((b.col(0).array() == 0) || (b.col(0).array() == 4)).cast<double>().mean();
  EXPECT_NEAR(xfaces, 2.0 / 18, 0.01);
}

TEST(Hypercube, UniformPointsGrid) {
  const Rectangle g({0, 0}, {2, 1});
  const Points x = g.uniform_points(200, true);  // dx = 0.1: 20 x 10 nodes
  EXPECT_EQ(x.rows(), 200);
  EXPECT_EQ(x(0, 0), 0);
  EXPECT_EQ(x(x.rows() - 1, 0), 2);
  const Points y = g.uniform_points(200, false);
  EXPECT_FALSE(g.on_boundary(y).any());
}

TEST(Hypercube, DistancesAndPeriodic) {
  const Rectangle g({0, 0}, {2, 1});
  const Points x = pts({{0.5, 0.25}});
  EXPECT_NEAR(g.mindist2boundary(x)(0), 0.25, 1e-15);
  EXPECT_NEAR(g.distance2boundary(x, Eigen::Vector2d(1, 0))(0), 1.5, 1e-15);
  EXPECT_NEAR(g.distance2boundary(x, Eigen::Vector2d(-1, -1))(0), 0.25 * std::sqrt(2.0), 1e-15);
  const Points p = g.periodic_point(pts({{0, 0.3}, {2, 0.7}, {1, 1}}), 0);
  EXPECT_TRUE(p.isApprox(pts({{2, 0.3}, {0, 0.7}, {1, 1}})));
}

TEST(Hypercube, Errors) {
  EXPECT_THAT([] { Rectangle({0, 0}, {1}); }, ThrowsMessage<ValueError>(HasSubstr("xmax has 1")));
  EXPECT_THAT([] { Rectangle({0, 0, 0}, {1, 1, 1}); },
              ThrowsMessage<ValueError>(HasSubstr("Rectangle: xmin has 3 entries (expected 2)")));
  EXPECT_THAT([] { Rectangle({0, 2}, {1, 1}); },
              ThrowsMessage<ValueError>(HasSubstr("Rectangle: xmin[1] = 2 must be < xmax[1] = 1")));
  EXPECT_THAT([] { Hypercube({}, {}); }, ThrowsMessage<ValueError>(HasSubstr("Hypercube: xmin is empty")));
  const Rectangle g({0, 0}, {1, 1});
  EXPECT_THAT([&] { g.on_boundary(Points::Zero(1, 3)); },
              ThrowsMessage<ValueError>(HasSubstr("Rectangle.on_boundary: x has 3 columns (expected dim = 2)")));
  EXPECT_THAT([&] { g.random_boundary_points(-2); },
              ThrowsMessage<ValueError>(HasSubstr("Rectangle.random_boundary_points: n = -2 (expected n >= 0)")));
  EXPECT_THAT([&] { g.periodic_point(Points::Zero(1, 2), 2); },
              ThrowsMessage<ValueError>(HasSubstr("component = 2")));
}

// ---------------------------------------------------------------- Disk / Hypersphere / Sphere

TEST(Disk, Contract) {
  const Disk g({0.5, -1}, 2);
  test::expect_geometry_contract(g, [](const Eigen::RowVectorXd& x) {
    return std::abs(std::hypot(x(0) - 0.5, x(1) + 1) - 2);
  });
}

TEST(Sphere, Contract) {
  const Sphere g({0, 1, 2}, 0.5);
  test::expect_geometry_contract(g, [](const Eigen::RowVectorXd& x) {
    return std::abs((x - Eigen::RowVector3d(0, 1, 2)).norm() - 0.5);
  });
}

TEST(Hypersphere, Contract4D) {
  const Hypersphere g({0, 0, 0, 0}, 1.5);
  test::expect_geometry_contract(g, [](const Eigen::RowVectorXd& x) { return std::abs(x.norm() - 1.5); });
}

TEST(Disk, RandomPointsAreUniformInArea) {
  const Disk g({0, 0}, 1);
  for (const auto& sampler : test::kSamplers) {
    seed(9);
    const Points x = g.random_points(20000, sampler);
    const Eigen::ArrayXd r = x.rowwise().norm().array();
    // Uniform in area: P(r < 1/2) = 1/4, E[r^2] = 1/2.
    EXPECT_NEAR((r < 0.5).cast<double>().mean(), 0.25, 0.015) << sampler;
    EXPECT_NEAR(r.square().mean(), 0.5, 0.01) << sampler;
    EXPECT_NEAR(x.col(0).mean(), 0, 0.02) << sampler;
  }
}

TEST(Hypersphere, RandomPointsAreUniformInVolume) {
  const Hypersphere g({0, 0, 0}, 1);
  for (const auto& sampler : test::kSamplers) {
    seed(4);
    const Points x = g.random_points(20000, sampler);
    // Uniform in the unit ball: E[r^2] = 3/5, P(r < 1/2) = 1/8.
    const Eigen::ArrayXd r = x.rowwise().norm().array();
    EXPECT_NEAR(r.square().mean(), 0.6, 0.01) << sampler;
    EXPECT_NEAR((r < 0.5).cast<double>().mean(), 0.125, 0.01) << sampler;
  }
}

TEST(Disk, NormalsDistancesAndErrors) {
  const Disk g({1, 1}, 2);
  const Points n = g.boundary_normal(pts({{3, 1}, {1, -1}, {1, 1}}));
  EXPECT_TRUE(n.row(0).isApprox(Eigen::RowVector2d(1, 0)));
  EXPECT_TRUE(n.row(1).isApprox(Eigen::RowVector2d(0, -1)));
  EXPECT_TRUE(n.row(2).isZero());
  EXPECT_NEAR(g.distance2boundary(pts({{1, 1}, {2, 1}}), Eigen::Vector2d(3, 0))(1), 1, 1e-14);
  EXPECT_NEAR(g.mindist2boundary(pts({{1.5, 1}}))(0), 1.5, 1e-14);
  EXPECT_THAT([] { Disk({0, 0}, 0); }, ThrowsMessage<ValueError>(HasSubstr("Disk: radius = 0 (expected radius > 0)")));
  EXPECT_THAT([] { Disk({0, 0}, -1); }, ThrowsMessage<ValueError>(HasSubstr("radius = -1")));
  EXPECT_THAT([] { Disk({0, 0, 0}, 1); }, ThrowsMessage<ValueError>(HasSubstr("Disk: center has 3 entries (expected 2)")));
  EXPECT_THAT([] { Sphere({0, 0}, 1); }, ThrowsMessage<ValueError>(HasSubstr("Sphere: center has 2 entries (expected 3)")));
}

TEST(Geometry, CloneKeepsTypeAndValue) {
  const std::shared_ptr<const Geometry> g = Disk({0, 0}, 1).clone();
  EXPECT_EQ(g->name(), "Disk");
  EXPECT_EQ(g->dim(), 2);
  EXPECT_NEAR(g->diam(), 2, 0);
  EXPECT_TRUE(g->bbox_min().isApprox(Eigen::Vector2d(-1, -1)));
  EXPECT_NEAR(g->boundary_tol(), 2e-8, 1e-20);
}

TEST(Geometry, SameSeedSamePointsDifferentSeedDifferent) {
  const Rectangle g({0, 0}, {1, 1});
  for (const std::string sampler : {"pseudo", "LHS"}) {
    seed(77);
    const Points a = g.random_points(100, sampler), ab = g.random_boundary_points(100, sampler);
    seed(77);
    const Points b = g.random_points(100, sampler), bb = g.random_boundary_points(100, sampler);
    seed(78);
    const Points c = g.random_points(100, sampler);
    EXPECT_TRUE(a == b) << sampler;
    EXPECT_TRUE(ab == bb) << sampler;
    EXPECT_FALSE(a == c) << sampler;
  }
}

}  // namespace
}  // namespace pinnxde::geometry
