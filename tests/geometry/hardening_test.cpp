// Issue 10 regressions in geometry: memory safety, overflow, bounded rejection sampling, point-count
// limits, tolerances relative to the domain size, non-finite arguments.
#include <functional>
#include <limits>
#include <regex>
#include <string>

#include "test_util.hpp"

namespace pinnxde::geometry {
namespace {
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// The work a failed rejection sampling did, read from its message ("... of D points ... (limit: M points per
// draw, R draws)"): the last draw is within the per-draw limit, one draw holds at most 2^28 coordinates
// (2 GiB), and there are at most 30 draws. A bound on work, not on time: tests assert no timings.
void expect_bounded_rejection(const std::function<void()>& sample, int dim, const std::string& who) {
  std::string message;
  try {
    sample();
  } catch (const ValueError& e) {
    message = e.what();
  }
  ASSERT_THAT(message, AllOf(HasSubstr(who), HasSubstr("acceptance rate")));
  std::smatch drawn, limit;
  ASSERT_TRUE(std::regex_search(message, drawn, std::regex(" of ([0-9]+) points"))) << message;
  ASSERT_TRUE(std::regex_search(message, limit, std::regex("limit: ([0-9]+) points per draw, ([0-9]+) draws"))) << message;
  const double d = std::stod(drawn[1]), per_draw = std::stod(limit[1]), draws = std::stod(limit[2]);
  EXPECT_LE(d, per_draw) << message;
  EXPECT_LE(per_draw * dim, 0x1.0p28) << message;
  EXPECT_LE(draws, 30) << message;
}

// The constructor's base initialiser used to compute the bounding box from boundary_points of another
// width before checking it: a heap over-read (AddressSanitizer; here wide enough to leave the heap).
TEST(HardeningGeometry, PointCloudWithMismatchedWidthsThrowsBeforeReading) {
  const Points points = Points::Zero(1, 4'000'000);
  const Points boundary = Points::Ones(1, 1);
  EXPECT_THAT([&] { PointCloud(points, boundary); },
              ThrowsMessage<ValueError>(AllOf(HasSubstr("boundary_points has 1 columns"), HasSubstr("4000000"))));
  EXPECT_THAT([&] { PointCloud(Points::Ones(1, 1), Points::Ones(1, 3)); },
              ThrowsMessage<ValueError>(HasSubstr("boundary_points has 3 columns")));
  EXPECT_THAT([&] { PointCloud(Points(0, 2)); }, ThrowsMessage<ValueError>(HasSubstr("points has shape (0, 2)")));
}

// 2 points per axis in 63 (64) dimensions: 2^63 (2^64) overflowed a signed count (negative rows, or 0).
TEST(HardeningGeometry, HypercubeUniformPointsGridOverflowIsAValueError) {
  for (int d : {40, 63, 64}) {
    const Hypercube box(std::vector<double>(d, 0.0), std::vector<double>(d, 1.0));
    EXPECT_THAT([&] { box.uniform_points(1000); },
                ThrowsMessage<ValueError>(AllOf(HasSubstr("uniform_points: n = 1000"), HasSubstr("kMaxPoints"))))
        << d;
  }
  const Hypercube box(std::vector<double>(3, 0.0), std::vector<double>(3, 1.0));
  EXPECT_EQ(box.uniform_points(1000).rows(), 1000);  // small grids unchanged
}

TEST(HardeningGeometry, HugePointCountsThrowBeforeAllocating) {
  const Interval line(0, 1);
  const Rectangle rect({0, 0}, {1, 1});
  const auto huge = std::int64_t{1'000'000'000'000};
  EXPECT_THAT([&] { line.random_points(huge); },
              ThrowsMessage<ValueError>(AllOf(HasSubstr("n = 1000000000000"), HasSubstr("1000000000"))));
  EXPECT_THAT([&] { line.uniform_points(huge); }, ThrowsMessage<ValueError>(HasSubstr("uniform_points")));
  EXPECT_THAT([&] { rect.random_boundary_points(huge); }, ThrowsMessage<ValueError>(HasSubstr("random_boundary_points")));
  EXPECT_THAT([&] { (rect - Disk({0.5, 0.5}, 0.1)).random_points(huge); }, ThrowsMessage<ValueError>(HasSubstr("n = ")));
  EXPECT_THAT([&] { sample(huge, 2, "Halton"); }, ThrowsMessage<ValueError>(HasSubstr("sample: n = 1000000000000")));
  const GeometryXTime gt(line, TimeDomain(0, 1));
  EXPECT_THAT([&] { gt.random_initial_points(huge); }, ThrowsMessage<ValueError>(HasSubstr("n = 1000000000000")));
}

// Empty CSG domains quadrupled their draw until std::bad_alloc; now a bounded draw and a ValueError
// that names the geometry and the acceptance rate, quickly.
TEST(HardeningGeometry, RejectionSamplingOnAnEmptyDomainIsBounded) {
  const auto disjoint = Disk({0, 0}, 1) & Disk({5, 0}, 1);
  const auto covered = Disk({0, 0}, 1) - Rectangle({-2, -2}, {2, 2});
  for (const Geometry* g : {static_cast<const Geometry*>(&disjoint), static_cast<const Geometry*>(&covered)}) {
    for (const char* s : {"pseudo", "Hammersley", "Sobol"})
      EXPECT_THAT([&] { g->random_points(10, s); },
                  ThrowsMessage<ValueError>(AllOf(HasSubstr(g->name() + ".random_points"),
                                                  HasSubstr("acceptance rate 0"), HasSubstr("n = 10"))))
          << s;
    EXPECT_THAT([&] { g->random_boundary_points(10); },
                ThrowsMessage<ValueError>(AllOf(HasSubstr("random_boundary_points"), HasSubstr("acceptance rate"))));
    expect_bounded_rejection([&] { g->random_points(10); }, 2, g->name() + ".random_points");
    expect_bounded_rejection([&] { g->random_boundary_points(10); }, 2, g->name() + ".random_boundary_points");
  }
}

// A valid sliver triangle (area 5e-10 in a unit box) took minutes and 4.5 GB for 10 points: now it is
// sampled exactly (the unit square folded onto it); other slivers fail fast with the acceptance rate.
TEST(HardeningGeometry, SliverTriangleIsSampledAndOtherSliversFailFast) {
  const Triangle sliver({0, 0}, {1, 1}, {1 + 1e-9, 1});
  for (const auto& s : test::kSamplers) {
    const Points x = sliver.random_points(10, s);
    ASSERT_EQ(x.rows(), 10) << s;
    EXPECT_TRUE(sliver.inside(x).all()) << s;
  }
  const Points u = sliver.uniform_points(10);
  EXPECT_GT(u.rows(), 0);
  EXPECT_TRUE(sliver.inside(u).all());
  const Polygon quad({{0, 0}, {1e-9, 0}, {1 + 1e-9, 1}, {1, 1}});
  expect_bounded_rejection([&] { quad.random_points(10); }, 2, "Polygon.random_points");
  // A thin but samplable triangle still uses rejection (its points are unchanged by this fix).
  const Triangle thin({0, 0}, {1, 1}, {1.1, 1});
  const Points x = thin.random_points(50);
  EXPECT_EQ(x.rows(), 50);
  EXPECT_TRUE(thin.inside(x).all());
}

TEST(HardeningGeometry, WidthsThatOverflowAreRefused) {
  const double big = 1e308;
  EXPECT_THAT([&] { Interval(-big, big); }, ThrowsMessage<ValueError>(AllOf(HasSubstr("Interval"), HasSubstr("overflows"))));
  EXPECT_THAT([&] { Rectangle({-big, 0}, {big, 1}); },
              ThrowsMessage<ValueError>(AllOf(HasSubstr("Rectangle"), HasSubstr("xmax[0] - xmin[0]"))));
  EXPECT_THAT([&] { TimeDomain(-big, big); }, ThrowsMessage<ValueError>(HasSubstr("overflows")));
  EXPECT_THAT([&] { Disk({0, 0}, big * 1.5); }, ThrowsMessage<ValueError>(AllOf(HasSubstr("Disk"), HasSubstr("overflows"))));
  EXPECT_THAT([&] { Hypercube({-1e308, 0, 0}, {0, 1, 1}) | Hypercube({0, 0, 0}, {1e308, 1, 1}); },
              ThrowsMessage<ValueError>(HasSubstr("non-finite corner or width")));
}

// boundary_tol was never below 1e-8, so on a domain narrower than that every point was on the boundary.
TEST(HardeningGeometry, BoundaryToleranceFollowsTheDomainSize) {
  const Interval tiny(0, 1e-10);
  EXPECT_LE(tiny.boundary_tol(), 1.01e-14);
  Points mid(1, 1);
  mid << 0.5e-10;
  EXPECT_FALSE(tiny.on_boundary(mid)(0));
  EXPECT_TRUE(tiny.inside(mid)(0));
  const Points inner = tiny.uniform_points(5, false);
  EXPECT_FALSE(tiny.on_boundary(inner).any());
  const Rectangle strip({0, 0}, {1, 1e-9});
  Points p(1, 2);
  p << 0.5, 0.5e-9;
  EXPECT_FALSE(strip.on_boundary(p)(0));
  EXPECT_DOUBLE_EQ(Interval(0, 1).boundary_tol(), 1e-8);  // unchanged for ordinary domains
  EXPECT_DOUBLE_EQ(Interval(0, 100).boundary_tol(), 1e-6);
}

TEST(HardeningGeometry, NonFiniteSearchDirectionsAreRefused) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Points x(1, 2);
  x << 0.5, 0.5;
  EXPECT_THAT([&] { Rectangle({0, 0}, {1, 1}).distance2boundary(x, Eigen::Vector2d(nan, 1)); },
              ThrowsMessage<ValueError>(AllOf(HasSubstr("distance2boundary: dirn = (nan, 1)"), HasSubstr("finite"))));
  EXPECT_THAT([&] { Disk({0, 0}, 1).distance2boundary(x, Eigen::Vector2d(1, nan)); },
              ThrowsMessage<ValueError>(HasSubstr("dirn = (1, nan)")));
  EXPECT_THAT([&] { Ellipse({0, 0}, 2, 1).distance2boundary(x, Eigen::Vector2d(nan, nan)); },
              ThrowsMessage<ValueError>(HasSubstr("dirn")));
  Points t(1, 1);
  t << 0.5;
  EXPECT_THAT([&] { Interval(0, 1).distance2boundary(t, Eigen::VectorXd::Constant(1, nan)); },
              ThrowsMessage<ValueError>(HasSubstr("dirn = nan")));
  EXPECT_THAT([&] {
    Interval(0, 1).background_points(Eigen::VectorXd::Constant(1, 0.5), Eigen::VectorXd::Constant(1, nan),
                                     [](double) { return std::int64_t{4}; }, 0);
  }, ThrowsMessage<ValueError>(HasSubstr("background_points")));
}

// The grid spacing for uniform_points(n, boundary = true) was bracketed in [h, 100 h]: for a thin domain
// the boundary term alone exceeded n at 100 h and an ellipse of semiminor 1e-12 got 107047 points for n = 10.
TEST(HardeningGeometry, UniformPointsOfAThinDomainStayNearN) {
  const Ellipse thin({0, 0}, 1, 1e-12);
  const Points x = thin.uniform_points(10);
  EXPECT_GE(x.rows(), 5);
  EXPECT_LE(x.rows(), 20);
  EXPECT_TRUE(thin.inside(x).all());
  const Disk disk({0, 0}, 1);  // ordinary domains: unchanged, about n points
  const Points y = disk.uniform_points(400);
  EXPECT_NEAR(static_cast<double>(y.rows()), 400.0, 60.0);
}

}  // namespace
}  // namespace pinnxde::geometry
