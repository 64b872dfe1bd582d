// Ellipse, StarShaped, PointCloud; boundary_constraint_factor, periodic_point, uniform_points of balls
// and Monte-Carlo volumes for every geometry with a closed-form measure.
#include <numbers>
#include <set>

#include "test_util.hpp"

namespace pinnxde::geometry {
namespace {
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
constexpr double kPi = std::numbers::pi;

// Independent upper bound on the distance from x to the ellipse: the point x / rho, rho the ellipse
// "radius" of x in its own axes, lies on the ellipse.
double ellipse_distance(const Eigen::RowVectorXd& x, const std::vector<double>& c, double a, double b, double phi) {
  const double dx = x(0) - c[0], dy = x(1) - c[1];
  const double u = std::cos(phi) * dx - std::sin(phi) * dy, v = std::sin(phi) * dx + std::cos(phi) * dy;
  const double rho = std::hypot(u / a, v / b);
  return std::abs(rho - 1) / rho * std::hypot(u, v);
}

// ------------------------------------------------------------------------------------------- Ellipse

TEST(Ellipse, ContractForSeveralShapesAndAngles) {
  for (const auto& [a, b, phi] : std::vector<std::array<double, 3>>{{2, 1, 0}, {3, 0.5, 0.7}, {1, 1, -1.2}, {5, 4, 2.5}}) {
    const std::vector<double> c{0.3, -1.2};
    const Ellipse g(c, a, b, phi);
    test::expect_geometry_contract(g, [&](const Eigen::RowVectorXd& x) { return ellipse_distance(x, c, a, b, phi); });
  }
}

TEST(Ellipse, PerimeterAreaBboxAndFoci) {
  EXPECT_NEAR(Ellipse({0, 0}, 1.5, 1.5).perimeter(), 3 * kPi, 1e-12);
  EXPECT_NEAR(Ellipse({0, 0}, 2, 1).perimeter(), 9.688448220547676, 1e-11);  // 8 E(sqrt(3)/2)
  const Ellipse g({1, 2}, 2, 1, kPi / 2);  // major axis vertical
  EXPECT_NEAR(g.area(), 2 * kPi, 1e-14);
  EXPECT_TRUE(g.bbox_min().isApprox(Eigen::Vector2d(0, 0), 1e-12));
  EXPECT_TRUE(g.bbox_max().isApprox(Eigen::Vector2d(2, 4), 1e-12));
  EXPECT_EQ(g.diam(), 4);
  // A positive angle rotates clockwise (DeepXDE): the major axis (1, 0) turns to (0, -1).
  EXPECT_NEAR(g.focus1()(1), 2 + std::sqrt(3.0), 1e-12);
  EXPECT_NEAR(g.focus2()(1), 2 - std::sqrt(3.0), 1e-12);
  // The bounding box is tight: boundary points reach it.
  const Ellipse r({0, 0}, 3, 1, 0.4);
  const Points b = r.uniform_boundary_points(20000);
  EXPECT_NEAR(b.col(0).maxCoeff(), r.bbox_max()(0), 1e-6);
  EXPECT_NEAR(b.col(1).minCoeff(), r.bbox_min()(1), 1e-6);
}

TEST(Ellipse, BoundaryPointsAreUniformInArcLength) {
  const double a = 3, b = 0.5;
  const Ellipse g({0, 0}, a, b, 0.3);
  // Equally spaced: consecutive chords are equal (up to the chord-arc difference s^3 / (24 R^2), R >= b^2 / a;
  // spacing equal in the parameter instead would make them differ by a factor a / b = 6).
  const Points u = g.uniform_boundary_points(4000);
  Eigen::ArrayXd chord(4000);
  for (int k = 0; k < 4000; ++k) chord(k) = (u.row((k + 1) % 4000) - u.row(k)).norm();
  EXPECT_LT(chord.maxCoeff() / chord.minCoeff() - 1, 1e-4);
  EXPECT_NEAR(chord.sum(), g.perimeter(), 1e-4);
  // Random: counts per parameter bin match the bin's arc length (computed here by Simpson's rule).
  const int bins = 16;
  std::vector<double> arc(bins, 0);
  for (int k = 0; k < bins; ++k) {
    const int m = 2000;
    const double t0 = 2 * kPi * k / bins, h = 2 * kPi / bins / m;
    for (int j = 0; j <= m; ++j) {
      const double t = t0 + j * h, w = (j == 0 || j == m) ? 1 : (j % 2 ? 4 : 2);
      arc[k] += w * std::hypot(a * std::sin(t), b * std::cos(t)) * h / 3;
    }
  }
  for (const auto& sampler : test::kSamplers) {
    seed(3);
    const int n = 64000;
    const Points x = g.random_boundary_points(n, sampler);
    std::vector<int> count(bins, 0);
    for (int i = 0; i < n; ++i) {
      const double dx = x(i, 0), dy = x(i, 1), c = std::cos(0.3), s = std::sin(0.3);
      double t = std::atan2((s * dx + c * dy) / b, (c * dx - s * dy) / a);
      if (t < 0) t += 2 * kPi;
      ++count[std::min(bins - 1, static_cast<int>(t / (2 * kPi) * bins))];
    }
    for (int k = 0; k < bins; ++k) {
      const double p = arc[k] / g.perimeter();
      EXPECT_NEAR(count[k], n * p, 5 * std::sqrt(n * p * (1 - p)) + 1) << sampler << " bin " << k;
    }
  }
}

TEST(Ellipse, DistanceNormalsAndConstraintFactor) {
  const Ellipse g({1, 1}, 2, 1, kPi / 2);
  const Points c{{1, 1}};
  EXPECT_NEAR(g.distance2boundary(c, Eigen::Vector2d(0, 1))(0), 2, 1e-12);
  EXPECT_NEAR(g.distance2boundary(c, Eigen::Vector2d(-3, 0))(0), 1, 1e-12);
  const Points top{{1, 3}, {2, 1}, {1, 1}};
  const Points n = g.boundary_normal(top);
  EXPECT_TRUE(n.row(0).isApprox(Eigen::RowVector2d(0, 1)));
  EXPECT_TRUE(n.row(1).isApprox(Eigen::RowVector2d(1, 0)));
  EXPECT_TRUE(n.row(2).isZero());
  for (const std::string s : {"C0", "C0+", "Cinf"}) {
    SCOPED_TRACE(s);
    seed(9);
    EXPECT_LT(g.boundary_constraint_factor(g.random_boundary_points(200), s).cwiseAbs().maxCoeff(), 1e-12);
    const Points x = g.random_points(200);
    const Eigen::VectorXd f = g.boundary_constraint_factor(x, s);
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      if (!g.on_boundary(x.row(i))(0)) {
        EXPECT_GT(f(i), 0);
      }
  }
  // At the center: C0 = 2a - 2c, C0+ = 1.
  EXPECT_NEAR(g.boundary_constraint_factor(c, "C0")(0), 4 - 2 * std::sqrt(3.0), 1e-12);
  EXPECT_NEAR(g.boundary_constraint_factor(c, "C0+")(0), 1, 1e-15);
}

TEST(Ellipse, MindistMatchesBruteForce) {
  for (const auto& [a, b, phi] : std::vector<std::array<double, 3>>{{2, 1, 0.3}, {3, 0.4, -1}, {1, 1, 0}}) {
    const Ellipse g({0.5, -0.5}, a, b, phi);
    // Dense boundary polyline, 400k points: distance error <= h^2 / (8 R_min) ~ 1e-9.
    const Points poly = g.uniform_boundary_points(400000);
    seed(2);
    Points x = Rectangle({-4, -4}, {4, 4}).random_points(200);
    x.row(0) << 0.5, -0.5;  // the center: distance b
    const Eigen::VectorXd d = g.mindist2boundary(x);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const double brute = std::sqrt((poly.rowwise() - x.row(i)).rowwise().squaredNorm().minCoeff());
      EXPECT_NEAR(d(i), brute, 1e-7) << "a " << a << " b " << b << " point " << x.row(i);
    }
    EXPECT_NEAR(d(0), b, 1e-14);
    EXPECT_LT(g.mindist2boundary(g.random_boundary_points(100)).maxCoeff(), 1e-12);
  }
}

TEST(Ellipse, Errors) {
  EXPECT_THAT([] { Ellipse({0, 0}, 1, 2); },
              ThrowsMessage<ValueError>(HasSubstr("Ellipse: semiminor = 2 must be <= semimajor = 1")));
  EXPECT_THAT([] { Ellipse({0, 0}, -1, -2); },
              ThrowsMessage<ValueError>(HasSubstr("Ellipse: semimajor = -1 (expected semimajor > 0)")));
  EXPECT_THAT([] { Ellipse({0, 0}, 1, 0); },
              ThrowsMessage<ValueError>(HasSubstr("Ellipse: semiminor = 0 (expected semiminor > 0)")));
  EXPECT_THAT([] { Ellipse({0, 0, 0}, 2, 1); },
              ThrowsMessage<ValueError>(HasSubstr("Ellipse: center has 3 entries (expected 2)")));
  const Ellipse g({0, 0}, 2, 1);
  EXPECT_THAT([&] { g.boundary_constraint_factor(Points{{0, 0}}, "C1"); },
              ThrowsMessage<ValueError>(HasSubstr(
                  "Ellipse.boundary_constraint_factor: smoothness = 'C1' (expected one of C0, C0+, Cinf)")));
  EXPECT_THAT([&] { g.random_points(10, "sobol"); }, ThrowsMessage<ValueError>(HasSubstr("unknown sampler 'sobol'")));
}

// ---------------------------------------------------------------------------------------- StarShaped

const std::vector<double> kStarCos{0.2, 0, 0.15}, kStarSin{0.1, -0.1, 0};

double star_r(double t) {
  double r = 1;
  for (std::size_t i = 0; i < kStarCos.size(); ++i)
    r += kStarCos[i] * std::cos((i + 1.0) * t) + kStarSin[i] * std::sin((i + 1.0) * t);
  return r;
}

TEST(StarShaped, Contract) {
  const StarShaped g({0.5, -0.5}, 1, kStarCos, kStarSin);
  test::expect_geometry_contract(g, [](const Eigen::RowVectorXd& x) {
    const double dx = x(0) - 0.5, dy = x(1) + 0.5;  // the point at the same angle lies on the boundary
    return std::abs(std::hypot(dx, dy) - star_r(std::atan2(dy, dx)));
  });
}

TEST(StarShaped, CircleLimitAndBoundaryUniformInArcLength) {
  const StarShaped circle({0, 0}, 2, {}, {});
  EXPECT_NEAR(circle.perimeter(), 4 * kPi, 1e-12);
  EXPECT_NEAR(circle.area(), 4 * kPi, 1e-12);
  const StarShaped g({0, 0}, 1, kStarCos, kStarSin);
  const Points u = g.uniform_boundary_points(2000);
  Eigen::ArrayXd chord(2000);
  for (int k = 0; k < 2000; ++k) chord(k) = (u.row((k + 1) % 2000) - u.row(k)).norm();
  EXPECT_LT(chord.maxCoeff() / chord.minCoeff() - 1, 1e-3);
  EXPECT_NEAR(chord.sum(), g.perimeter(), 1e-4);
  // The bounding box holds every boundary point and is tight to 1e-5.
  const Points b = g.uniform_boundary_points(100000);
  EXPECT_TRUE(((b.rowwise() - g.bbox_min().transpose()).array() >= 0).all());
  EXPECT_TRUE(((b.rowwise() - g.bbox_max().transpose()).array() <= 0).all());
  EXPECT_NEAR(b.col(0).maxCoeff(), g.bbox_max()(0), 1e-5);
  EXPECT_NEAR(b.col(1).minCoeff(), g.bbox_min()(1), 1e-5);
}

TEST(StarShaped, Errors) {
  EXPECT_THAT([] { StarShaped({0, 0}, 1, {1.5}, {0}); },
              ThrowsMessage<ValueError>(HasSubstr("expected r(theta) > 0 for every theta")));
  EXPECT_THAT([] { StarShaped({0, 0}, 1, {0.1, 0.2}, {0.1}); },
              ThrowsMessage<ValueError>(HasSubstr("StarShaped: coeffs_cos has 2 entries but coeffs_sin has 1")));
  EXPECT_THAT([] { StarShaped({0, 0}, 0, {}, {}); },
              ThrowsMessage<ValueError>(HasSubstr("StarShaped: radius = 0 (expected radius > 0)")));
}

// ---------------------------------------------------------------------------------------- PointCloud

struct Cloud {
  Points interior, boundary, normals;
};

Cloud disk_cloud() {
  const Disk d({1, 2}, 0.5);
  seed(11);
  Cloud c;
  c.interior = d.random_points(300, "Halton") * 0.99 + Points::Ones(300, 2) * Eigen::DiagonalMatrix<double, 2>(0.01, 0.02);
  c.boundary = d.uniform_boundary_points(64);
  c.normals = 3 * d.boundary_normal(c.boundary);  // not unit: the cloud normalises them
  return c;
}

TEST(PointCloud, MembershipNormalsAndBbox) {
  const Cloud c = disk_cloud();
  const PointCloud g(c.interior, c.boundary, c.normals);
  EXPECT_EQ(g.dim(), 2);
  EXPECT_EQ(g.num_points(), 300);
  EXPECT_EQ(g.num_boundary_points(), 64);
  EXPECT_TRUE(g.inside(c.interior).all());
  EXPECT_TRUE(g.inside(c.boundary).all());
  EXPECT_FALSE(g.on_boundary(c.interior).any());
  EXPECT_TRUE(g.on_boundary(c.boundary).all());
  EXPECT_FALSE(g.inside(Points{{1.0001, 2.0001}, {5, 5}}).any());
  const Points n = g.boundary_normal(c.boundary);
  EXPECT_TRUE(n.isApprox(c.normals / 3, 1e-14));
  EXPECT_TRUE(g.boundary_normal(c.interior).isZero());
  EXPECT_TRUE(g.bbox_min().isApprox(Eigen::Vector2d(0.5, 1.5), 1e-12));
  EXPECT_TRUE(g.bbox_max().isApprox(Eigen::Vector2d(1.5, 2.5), 1e-12));
  EXPECT_NEAR(g.diam(), std::sqrt(2.0), 1e-12);
}

TEST(PointCloud, SamplesDistinctRowsOfTheCloud) {
  const Cloud c = disk_cloud();
  const PointCloud g(c.interior, c.boundary, c.normals);
  for (auto s : test::kSeeds) {
    seed(s);
    const Points x = g.random_points(300, "Hammersley");
    std::set<std::pair<double, double>> rows;
    for (Eigen::Index i = 0; i < x.rows(); ++i) rows.insert({x(i, 0), x(i, 1)});
    EXPECT_EQ(rows.size(), 300u);  // a permutation of the cloud
    EXPECT_TRUE(g.inside(x).all());
    EXPECT_FALSE(g.on_boundary(x).any());
    const Points b = g.random_boundary_points(40);
    EXPECT_EQ(b.rows(), 40);
    EXPECT_TRUE(g.on_boundary(b).all());
  }
  seed(1);
  const Points a = g.random_points(50);
  seed(1);
  EXPECT_TRUE(g.random_points(50) == a);
}

TEST(PointCloud, Errors) {
  const Cloud c = disk_cloud();
  const PointCloud g(c.interior, c.boundary, c.normals);
  EXPECT_THAT([&] { g.random_boundary_points(65); },
              ThrowsMessage<ValueError>(HasSubstr(
                  "PointCloud.random_boundary_points: n = 65 but the cloud holds 64 boundary points (expected n <= 64)")));
  EXPECT_THAT([&] { g.random_points(301); },
              ThrowsMessage<ValueError>(HasSubstr("PointCloud.random_points: n = 301 but the cloud holds 300 points")));
  EXPECT_THAT([&] { g.random_points(3, "Sobel"); }, ThrowsMessage<ValueError>(HasSubstr("unknown sampler 'Sobel'")));
  const PointCloud bare(c.interior);
  EXPECT_THAT([&] { bare.on_boundary(c.interior); },
              ThrowsMessage<ValueError>(HasSubstr("PointCloud.on_boundary: the cloud has no boundary_points")));
  EXPECT_THAT([&] { bare.random_boundary_points(1); },
              ThrowsMessage<ValueError>(HasSubstr("n = 1 but the cloud holds 0 boundary points")));
  EXPECT_THAT([&] { PointCloud(c.interior, c.boundary, c.normals.topRows(10)); },
              ThrowsMessage<ValueError>(HasSubstr("PointCloud: boundary_normals has shape (10, 2)")));
  EXPECT_THAT([&] { PointCloud(c.interior, Points::Zero(3, 3)); },
              ThrowsMessage<ValueError>(HasSubstr("PointCloud: boundary_points has 3 columns but points has 2")));
  EXPECT_THAT([&] { PointCloud(Points(0, 2)); }, ThrowsMessage<ValueError>(HasSubstr("PointCloud: points has shape (0, 2)")));
  EXPECT_THAT([&] { PointCloud(c.interior, c.boundary, Points::Zero(64, 2)); },
              ThrowsMessage<ValueError>(HasSubstr("PointCloud: boundary_normals[0] = (0, 0)")));
}

// -------------------------------------------------------------------------- boundary_constraint_factor

// Zero on the boundary, positive strictly inside, for every smoothness and many seeds.
void expect_constraint_factor(const Geometry& g) {
  for (auto s : test::kSeeds) {
    seed(s);
    for (const std::string sm : {"C0", "C0+", "Cinf"}) {
      SCOPED_TRACE(g.name() + " " + sm + " seed " + std::to_string(s));
      EXPECT_LT(g.boundary_constraint_factor(g.random_boundary_points(300), sm).cwiseAbs().maxCoeff(), 1e-10);
      const Points x = g.random_points(300, "pseudo");
      const Mask in = !g.on_boundary(x);
      const Eigen::VectorXd f = g.boundary_constraint_factor(x, sm);
      for (Eigen::Index i = 0; i < x.rows(); ++i)
        if (in(i)) {
          EXPECT_GT(f(i), 0);
        }
    }
  }
  EXPECT_THAT([&] { g.boundary_constraint_factor(g.random_points(1), "smooth"); },
              ThrowsMessage<ValueError>(HasSubstr("smoothness = 'smooth' (expected one of C0, C0+, Cinf)")));
}

TEST(BoundaryConstraintFactor, ZeroOnBoundaryPositiveInside) {
  expect_constraint_factor(Interval(-1, 3));
  expect_constraint_factor(Rectangle({0, 0}, {2, 1}));
  expect_constraint_factor(Cuboid({0, 0, 0}, {1, 2, 3}));
  expect_constraint_factor(Hypercube({0, 0, 0, 0}, {1, 1, 1, 1}));
  expect_constraint_factor(Disk({0, 0}, 2));
  expect_constraint_factor(Sphere({1, 1, 1}, 0.5));
  expect_constraint_factor(Ellipse({0, 0}, 2, 0.5, 1));
  expect_constraint_factor(Triangle({0, 0}, {1, 0}, {0.2, 1}));
  expect_constraint_factor(Polygon({{0, 0}, {1, 0}, {1, -1}, {-1, -1}, {-1, 1}, {0, 1}}));
}

TEST(BoundaryConstraintFactor, ClosedFormValues) {
  const Interval i(0, 4);
  const Points x1{{1}, {2}};
  EXPECT_TRUE(i.boundary_constraint_factor(x1, "C0").isApprox(Eigen::Vector2d(0.5, 1)));
  EXPECT_TRUE(i.boundary_constraint_factor(x1, "C0+").isApprox(Eigen::Vector2d(0.75, 1)));
  EXPECT_TRUE(i.boundary_constraint_factor(x1, "Cinf").isApprox(Eigen::Vector2d(0.5625, 1)));
  const Rectangle r({0, 0}, {2, 4});
  const Points x2{{1, 2}, {0.5, 1}};
  EXPECT_TRUE(r.boundary_constraint_factor(x2, "C0").isApprox(Eigen::Vector2d(1, 0.5)));
  EXPECT_TRUE(r.boundary_constraint_factor(x2, "C0+").isApprox(Eigen::Vector2d(1, 0.75 * 0.75)));
  const Disk d({0, 0}, 2);
  const Points x3{{0, 0}, {1, 0}};
  EXPECT_TRUE(d.boundary_constraint_factor(x3, "C0").isApprox(Eigen::Vector2d(2, 1)));
  EXPECT_TRUE(d.boundary_constraint_factor(x3, "C0+").isApprox(Eigen::Vector2d(1, 0.75)));
  EXPECT_TRUE(d.boundary_constraint_factor(x3, "Cinf").isApprox(Eigen::Vector2d(1, 0.5625)));
  const Triangle t({0, 0}, {1, 0}, {0, 1});
  const Points x4{{0.5, -1}};  // below the bottom edge: e_bottom = 2 sqrt(1.25) - 1
  EXPECT_NEAR(t.boundary_constraint_factor(x4, "C0")(0), 2 * std::sqrt(1.25) - 1, 1e-14);
  EXPECT_THAT([] { StarShaped({0, 0}, 1, {}, {}).boundary_constraint_factor(Points{{0, 0}}); },
              ThrowsMessage<NotImplementedError>(HasSubstr("StarShaped.boundary_constraint_factor is not implemented")));
}

// ---------------------------------------------------------------------------------- periodic_point

TEST(PeriodicPoint, FacesMapToOppositeFaces) {
  const std::vector<std::shared_ptr<const Geometry>> geoms{
      Interval(-1, 2).clone(), Rectangle({0, -1}, {2, 3}).clone(), Cuboid({0, 0, 0}, {1, 2, 3}).clone(),
      Hypercube({0, 0, 0, 0}, {1, 1, 2, 1}).clone()};
  for (const auto& g : geoms)
    for (auto s : test::kSeeds) {
      seed(s);
      const Points b = g->random_boundary_points(400);
      for (int c = 0; c < g->dim(); ++c) {
        SCOPED_TRACE(g->name() + " component " + std::to_string(c));
        const Points y = g->periodic_point(b, c);
        const double lo = g->bbox_min()(c), hi = g->bbox_max()(c);
        for (Eigen::Index i = 0; i < b.rows(); ++i) {
          for (int j = 0; j < g->dim(); ++j)
            if (j != c) {
              EXPECT_EQ(y(i, j), b(i, j));
            }
          if (b(i, c) == lo) {
            EXPECT_EQ(y(i, c), hi);
          } else if (b(i, c) == hi) {
            EXPECT_EQ(y(i, c), lo);
          } else {
            EXPECT_EQ(y(i, c), b(i, c));
          }
        }
        EXPECT_TRUE(g->on_boundary(y).all());
        EXPECT_TRUE(g->periodic_point(y, c) == b);  // an involution on the faces
      }
    }
}

// ------------------------------------------------------------------------------------ uniform_points

TEST(UniformPoints, BallsAndEllipsesAreGridsOfAboutN) {
  const std::vector<std::shared_ptr<const Geometry>> geoms{Disk({0, 1}, 2).clone(), Sphere({0, 0, 0}, 1).clone(),
                                                           Ellipse({0, 0}, 2, 1, 0.3).clone(),
                                                           StarShaped({0, 0}, 1, kStarCos, kStarSin).clone()};
  for (const auto& g : geoms) {
    SCOPED_TRACE(g->name());
    for (const std::int64_t n : {500, 4000}) {
      const Points all = g->uniform_points(n, true), interior = g->uniform_points(n, false);
      EXPECT_NEAR(static_cast<double>(all.rows()), static_cast<double>(n), 0.2 * static_cast<double>(n));
      EXPECT_NEAR(static_cast<double>(interior.rows()), static_cast<double>(n), 0.2 * static_cast<double>(n));
      EXPECT_TRUE(g->inside(all).all());
      EXPECT_GT(g->on_boundary(all).count(), 0);
      EXPECT_FALSE(g->on_boundary(interior).any());
    }
  }
}

TEST(UniformPoints, HighDimensionalBallFallsBackToHalton) {
  const Hypersphere ball(std::vector<double>(20, 0.0), 1);
  const Points x = ball.uniform_points(500);
  EXPECT_EQ(x.rows(), 500);
  EXPECT_TRUE(ball.inside(x).all());
  EXPECT_FALSE(ball.on_boundary(ball.uniform_points(500, false)).any());
}

// ---------------------------------------------------------------------------------- Monte-Carlo volume

TEST(MonteCarloVolume, MatchesClosedForms) {
  test::expect_monte_carlo_volume(Disk({0, 0}, 1), kPi);
  test::expect_monte_carlo_volume(Sphere({0, 0, 0}, 2), 4.0 / 3 * kPi * 8);
  test::expect_monte_carlo_volume(Hypersphere({0, 0, 0, 0}, 1), kPi * kPi / 2);
  test::expect_monte_carlo_volume(Ellipse({1, 1}, 3, 1, 0.6), 3 * kPi);
  test::expect_monte_carlo_volume(StarShaped({0, 0}, 1, kStarCos, kStarSin),
                                  kPi * (1 + (0.04 + 0.0225 + 0.01 + 0.01) / 2));
  test::expect_monte_carlo_volume(Triangle({0, 0}, {2, 0}, {0.5, 3}), 3);
  test::expect_monte_carlo_volume(Polygon({{0, 0}, {1, 0}, {1, -1}, {-1, -1}, {-1, 1}, {0, 1}}), 3);
  test::expect_monte_carlo_volume(Cuboid({0, 0, 0}, {1, 1, 1}) - Sphere({0.5, 0.5, 0.5}, 0.3),
                                  1 - 4.0 / 3 * kPi * 0.027);
  test::expect_monte_carlo_volume(Disk({0, 0}, 1) & Rectangle({0, 0}, {2, 2}), kPi / 4);
  test::expect_monte_carlo_volume(Rectangle({0, 0}, {2, 1}) | Rectangle({1, 0}, {3, 2}), 5);
}

// Rejection sampling must not thin quasi-random points regularly: keeping every ~1.8th accepted Hammersley
// point once left empty horizontal bands (the index pattern fixes the top bits of the radical inverse).
TEST(RejectionSampling, NoStripesInAnySampler) {
  const auto g = Rectangle({0, 0}, {1, 1}) - Disk({0.5, 0.5}, 0.25);
  const double r = 0.25, area = 1 - kPi * r * r;
  auto chord_area = [&](double u) {  // integral of 2 sqrt(r^2 - v^2) dv from 0 to u, |u| <= r
    u = std::clamp(u, -r, r);
    return u * std::sqrt(r * r - u * u) + r * r * std::asin(u / r);
  };
  const int bins = 64;
  for (const auto& sampler : test::kSamplers)
    for (const std::int64_t n : {1500, 20000}) {
      SCOPED_TRACE(sampler + " n = " + std::to_string(n));
      seed(4);
      const Points x = g.random_points(n, sampler);
      std::vector<int> count(bins, 0);
      for (Eigen::Index i = 0; i < x.rows(); ++i) ++count[std::min(bins - 1, static_cast<int>(x(i, 1) * bins))];
      // Chi-square over 64 bins (63 degrees of freedom: mean 63, sd 11); the striped sampler scored 260.
      double chi2 = 0;
      for (int k = 0; k < bins; ++k) {
        const double y0 = static_cast<double>(k) / bins, y1 = static_cast<double>(k + 1) / bins;
        const double p = ((y1 - y0) - (chord_area(y1 - 0.5) - chord_area(y0 - 0.5))) / area;
        const double expected = static_cast<double>(n) * p;
        chi2 += (count[k] - expected) * (count[k] - expected) / expected;
      }
      EXPECT_LT(chi2, 130);
    }
}

TEST(BackgroundPoints, IntervalAndBallsAsDeepXDE) {
  const Interval i(0, 1);
  const auto per_tenth = [](double d) { return static_cast<std::int64_t>(std::lround(d * 10)); };
  const Points left = i.background_points(Eigen::VectorXd::Constant(1, 0.5), Eigen::VectorXd::Constant(1, -1), per_tenth, 1);
  ASSERT_EQ(left.rows(), 6);
  for (int k = 0; k < 6; ++k) EXPECT_NEAR(left(k, 0), 0.6 - 0.1 * k, 1e-15);
  const Points right = i.background_points(Eigen::VectorXd::Constant(1, 0.8), Eigen::VectorXd::Constant(1, 1), per_tenth, 0);
  ASSERT_EQ(right.rows(), 3);
  EXPECT_NEAR(right(2, 0), 1, 1e-15);
  EXPECT_EQ(i.background_points(Eigen::VectorXd::Constant(1, 0.5), Eigen::VectorXd::Zero(1), per_tenth, 0).rows(), 12);
  const Disk d({0, 0}, 1);
  const Points seg = d.background_points(Eigen::Vector2d(0.5, 0), Eigen::Vector2d(2, 0),
                                         [](double dist) { return static_cast<std::int64_t>(std::lround(dist * 4)); }, 0);
  ASSERT_EQ(seg.rows(), 7);  // dx = 1.5 against dirn, 6 steps of 0.25
  for (int k = 0; k < 7; ++k) EXPECT_TRUE(seg.row(k).isApprox(Eigen::RowVector2d(0.5 - 0.25 * k, 0)));
  EXPECT_TRUE(d.on_boundary(seg.bottomRows(1))(0));
  EXPECT_THAT([] { Rectangle({0, 0}, {1, 1}).background_points(Eigen::Vector2d(0.5, 0.5), Eigen::Vector2d(1, 0), nullptr, 0); },
              ThrowsMessage<NotImplementedError>(HasSubstr("Rectangle.background_points is not implemented")));
}

TEST(Interval, LogUniformPoints) {
  const Points x = Interval(1, 100).log_uniform_points(3);
  EXPECT_EQ(x(0, 0), 1);
  EXPECT_NEAR(x(1, 0), 10, 1e-12);
  EXPECT_EQ(x(2, 0), 100);
  const Points y = Interval(1, 1000).log_uniform_points(2, false);
  EXPECT_NEAR(y(0, 0), 10, 1e-12);
  EXPECT_NEAR(y(1, 0), 100, 1e-12);
  const Points z = Interval(0, 1).log_uniform_points(5);
  EXPECT_EQ(z(0, 0), 0);
  EXPECT_TRUE((z.col(0).array().segment(1, 4) > z.col(0).array().segment(0, 4)).all());
  EXPECT_THAT([] { Interval(-1, 1).log_uniform_points(3); },
              ThrowsMessage<ValueError>(HasSubstr("Interval.log_uniform_points: l = -1 (expected l >= 0)")));
}

TEST(Geometry, BboxAndDiamOfTheNewShapes) {
  const Ellipse e({0, 0}, 2, 1, 0);
  EXPECT_EQ(e.bbox().first, Eigen::Vector2d(-2, -1));
  EXPECT_EQ(e.bbox().second, Eigen::Vector2d(2, 1));
  EXPECT_EQ(e.diam(), 4);
  const StarShaped s({0, 0}, 1, {}, {});
  EXPECT_NEAR(s.diam(), 2, 1e-6);
  EXPECT_TRUE(s.bbox_max().isApprox(Eigen::Vector2d(1, 1), 1e-6));
  const auto u = Disk({0, 0}, 1) | Disk({3, 0}, 1);
  EXPECT_TRUE(u.bbox_min().isApprox(Eigen::Vector2d(-1, -1)));
  EXPECT_TRUE(u.bbox_max().isApprox(Eigen::Vector2d(4, 1)));
  EXPECT_NEAR(u.diam(), std::sqrt(29.0), 1e-12);
}

}  // namespace
}  // namespace pinnxde::geometry
