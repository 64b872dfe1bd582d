#include "test_util.hpp"

namespace pinnxde::geometry {
namespace {
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(GeometryXTime, BuildsFromTemporaries) {
  const GeometryXTime geomtime(Interval(-1, 1), TimeDomain(0, 1));
  EXPECT_EQ(geomtime.dim(), 2);
  EXPECT_EQ(geomtime.geometry().name(), "Interval");
  EXPECT_EQ(geomtime.timedomain().t1(), 1);
  EXPECT_TRUE(geomtime.bbox_min().isApprox(Eigen::Vector2d(-1, 0)));
  EXPECT_NEAR(geomtime.diam(), std::sqrt(5.0), 1e-15);
  EXPECT_EQ(geomtime.clone()->name(), "GeometryXTime");
}

void expect_space_time_contract(const GeometryXTime& g) {
  const double t0 = g.timedomain().t0(), t1 = g.timedomain().t1();
  for (auto s : test::kSeeds)
    for (const auto& sampler : test::kSamplers) {
      SCOPED_TRACE(g.geometry().name() + " " + sampler);
      seed(s);
      const Points x = g.random_points(400, sampler);
      ASSERT_EQ(x.cols(), g.dim());
      EXPECT_TRUE(g.inside(x).all());
      EXPECT_TRUE(g.geometry().inside(x.leftCols(g.dim() - 1)).all());
      EXPECT_TRUE((x.col(g.dim() - 1).array() >= t0).all() && (x.col(g.dim() - 1).array() <= t1).all());

      const Points b = g.random_boundary_points(400, sampler);
      EXPECT_TRUE(g.on_boundary(b).all());
      const Points n = g.boundary_normal(b);
      EXPECT_TRUE(n.col(g.dim() - 1).isZero());
      EXPECT_LT((n.rowwise().norm().array() - 1).abs().maxCoeff(), 1e-12);

      const Points ic = g.random_initial_points(300, sampler);
      EXPECT_TRUE((ic.col(g.dim() - 1).array() == t0).all());
      EXPECT_TRUE(g.on_initial(ic).all());
      EXPECT_TRUE(g.inside(ic).all());
    }
  const Points u = g.uniform_points(1000);
  EXPECT_NEAR(static_cast<double>(u.rows()), 1000, 300);
  EXPECT_TRUE(g.inside(u).all());
  EXPECT_TRUE(g.on_initial(u).any());
  const Points ui = g.uniform_points(1000, false);
  EXPECT_FALSE(g.on_initial(ui).any());
  EXPECT_FALSE(g.on_boundary(ui).any());
  const Points ub = g.uniform_boundary_points(500);
  EXPECT_TRUE(g.on_boundary(ub).all());
  EXPECT_FALSE(g.on_initial(ub).any());
  EXPECT_NEAR(static_cast<double>(ub.rows()), 500, 150);
  const Points uic = g.uniform_initial_points(100);
  EXPECT_TRUE(g.on_initial(uic).all());
}

TEST(GeometryXTime, ContractForSeveralSpatialGeometries) {
  expect_space_time_contract(GeometryXTime(Interval(-1, 1), TimeDomain(0, 1)));
  expect_space_time_contract(GeometryXTime(Rectangle({0, 0}, {2, 1}), TimeDomain(0.5, 3)));
  expect_space_time_contract(GeometryXTime(Disk({0, 0}, 1), TimeDomain(0, 1)));
  expect_space_time_contract(GeometryXTime(Polygon({{0, 0}, {1, 0}, {1, -1}, {-1, -1}, {-1, 1}, {0, 1}}),
                                           TimeDomain(0, 2)));
  expect_space_time_contract(GeometryXTime(Ellipse({0, 0}, 2, 1, 0.4), TimeDomain(0, 1)));
  expect_space_time_contract(GeometryXTime(StarShaped({1, 0}, 1, {0.2, 0.1}, {0, 0.1}), TimeDomain(0, 1)));
  expect_space_time_contract(GeometryXTime(Sphere({0, 0, 0}, 1), TimeDomain(0, 1)));
}

TEST(GeometryXTime, OnInitialAndOnBoundary) {
  const GeometryXTime g(Interval(-1, 1), TimeDomain(0, 1));
  Points x(4, 2);
  x << 0, 0, -1, 0.5, 0.3, 1e-10, 1, 1;
  EXPECT_EQ(test::flags(g.on_initial(x)), (std::vector<int>{1, 0, 1, 0}));
  EXPECT_EQ(test::flags(g.on_boundary(x)), (std::vector<int>{0, 1, 0, 1}));
  const Points n = g.boundary_normal(x);
  EXPECT_EQ(n(1, 0), -1);
  EXPECT_EQ(n(3, 0), 1);
  EXPECT_TRUE(n.col(1).isZero());
}

TEST(GeometryXTime, QuasiRandomSamplesTheJointBox) {
  // For an Interval the sampler runs on the space-time rectangle: Hammersley's first column is a grid.
  const GeometryXTime g(Interval(0, 1), TimeDomain(0, 1));
  const Points x = g.random_points(10, "Hammersley");
  for (int i = 0; i < 10; ++i) EXPECT_DOUBLE_EQ(x(i, 0), (i + 0.5) / 10);
}

TEST(GeometryXTime, RandomTimesAreUniformAndDecorrelated) {
  const GeometryXTime g(Disk({0, 0}, 1), TimeDomain(0, 2));
  seed(12);
  const Points x = g.random_points(20000, "Halton");
  const Eigen::ArrayXd t = x.col(2).array();
  EXPECT_NEAR(t.mean(), 1, 0.02);
  const Eigen::ArrayXd r2 = x.leftCols(2).rowwise().squaredNorm().array();
  const double cov = ((t - t.mean()) * (r2 - r2.mean())).mean();
  EXPECT_NEAR(cov, 0, 0.01);
}

TEST(GeometryXTime, SameSeedSamePoints) {
  const GeometryXTime g(Disk({0, 0}, 1), TimeDomain(0, 1));
  seed(5);
  const Points a = g.random_boundary_points(50, "Sobol");
  seed(5);
  const Points b = g.random_boundary_points(50, "Sobol");
  seed(6);
  const Points c = g.random_boundary_points(50, "Sobol");
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a == c);  // the time column is shuffled with rng()
}

TEST(GeometryXTime, Periodic) {
  const GeometryXTime g(Rectangle({0, 0}, {1, 1}), TimeDomain(0, 1));
  Points x(1, 3);
  x << 0, 0.5, 0.25;
  const Points p = g.periodic_point(x, 0);
  EXPECT_EQ(p(0, 0), 1);
  EXPECT_EQ(p(0, 2), 0.25);
}

TEST(GeometryXTime, Errors) {
  const GeometryXTime g(Interval(-1, 1), TimeDomain(0, 1));
  EXPECT_THAT([&] { g.random_initial_points(-4); },
              ThrowsMessage<ValueError>(HasSubstr("GeometryXTime.random_initial_points: n = -4 (expected n >= 0)")));
  EXPECT_THAT([&] { g.on_initial(Points::Zero(3, 1)); },
              ThrowsMessage<ValueError>(HasSubstr("GeometryXTime.on_initial: x has 1 columns (expected dim = 2)")));
}

}  // namespace
}  // namespace pinnxde::geometry
