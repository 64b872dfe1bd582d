#include "test_util.hpp"

namespace pinnxde::geometry {
namespace {
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// DeepXDE's Poisson_Lshape domain (clockwise as given there? no: counter-clockwise with a reflex vertex at 0).
const std::vector<std::array<double, 2>> kLshape{{0, 0}, {1, 0}, {1, -1}, {-1, -1}, {-1, 1}, {0, 1}};

// Distance from p to the polygon's boundary, computed from the raw vertex list.
double polygon_boundary_distance(const std::vector<std::array<double, 2>>& v, const Eigen::RowVectorXd& p) {
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto& a = v[i];
    const auto& b = v[(i + 1) % v.size()];
    const double dx = b[0] - a[0], dy = b[1] - a[1];
    const double t = std::clamp(((p(0) - a[0]) * dx + (p(1) - a[1]) * dy) / (dx * dx + dy * dy), 0.0, 1.0);
    best = std::min(best, std::hypot(p(0) - a[0] - t * dx, p(1) - a[1] - t * dy));
  }
  return best;
}

TEST(Polygon, LshapeContract) {
  const Polygon g(kLshape);
  test::expect_geometry_contract(g, [](const Eigen::RowVectorXd& x) { return polygon_boundary_distance(kLshape, x); });
}

TEST(Polygon, NonConvexStarContract) {
  // A 5-pointed star (10 vertices, alternating radii), given clockwise.
  std::vector<std::array<double, 2>> star;
  for (int k = 0; k < 10; ++k) {
    const double a = -2 * M_PI * k / 10, r = k % 2 ? 0.4 : 1.0;
    star.push_back({r * std::cos(a), r * std::sin(a)});
  }
  const Polygon g(star);
  test::expect_geometry_contract(g, [&](const Eigen::RowVectorXd& x) { return polygon_boundary_distance(star, x); });
  const double area = 10 * 0.5 * 1.0 * 0.4 * std::sin(2 * M_PI / 10);
  EXPECT_NEAR(g.area(), area, 1e-12);
}

TEST(Polygon, LshapeInsideOutside) {
  const Polygon g(kLshape);
  Points x(9, 2);
  x << 0.5, -0.5,  // inside (lower right)
      -0.5, 0.5,   // inside (upper left)
      -0.5, -0.5,  // inside
      0.5, 0.5,    // the cut-out quadrant: outside
      0.1, 0.9,    // outside
      1.5, 0, -1, 0,  // outside / on the left edge
      0, 0,           // the reflex vertex (boundary)
      0, 0.5;         // on the edge (0,1)-(0,0)
  EXPECT_EQ(test::flags(g.inside(x)), (std::vector<int>{1, 1, 1, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(test::flags(g.on_boundary(x)), (std::vector<int>{0, 0, 0, 0, 0, 0, 1, 1, 1}));
  EXPECT_NEAR(g.area(), 3, 1e-15);
  EXPECT_NEAR(g.perimeter(), 8, 1e-15);
  EXPECT_NEAR(g.diam(), std::sqrt(8.0), 1e-15);
  EXPECT_TRUE(g.bbox_min().isApprox(Eigen::Vector2d(-1, -1)));
}

TEST(Polygon, LshapeNormals) {
  const Polygon g(kLshape);
  Points x(4, 2);
  x << 0.5, 0,  // edge (0,0)-(1,0): region below, normal +y
      0, 0.5,   // edge (0,1)-(0,0): region left, normal +x
      0, 0,     // reflex corner: (1, 1)/sqrt 2
      -1, -1;   // convex corner: (-1, -1)/sqrt 2
  const Points n = g.boundary_normal(x);
  const double s = 1 / std::sqrt(2.0);
  EXPECT_TRUE(n.row(0).isApprox(Eigen::RowVector2d(0, 1)));
  EXPECT_TRUE(n.row(1).isApprox(Eigen::RowVector2d(1, 0)));
  EXPECT_TRUE(n.row(2).isApprox(Eigen::RowVector2d(s, s)));
  EXPECT_TRUE(n.row(3).isApprox(Eigen::RowVector2d(-s, -s)));
  // Same normals when the vertices are given clockwise.
  const Polygon cw(std::vector<std::array<double, 2>>(kLshape.rbegin(), kLshape.rend()));
  EXPECT_TRUE(cw.boundary_normal(x).isApprox(n));
  EXPECT_NEAR(cw.area(), 3, 1e-15);
}

TEST(Polygon, BoundaryPointsUniformInArcLength) {
  const std::vector<std::array<double, 2>> v{{0, 0}, {4, 0}, {4, 1}, {2, 3}, {0, 1}};
  const Polygon g(v);
  const double perim = g.perimeter();
  for (const auto& sampler : test::kSamplers) {
    seed(21);
    const Points b = g.random_boundary_points(20000, sampler);
    // Fraction of points on each edge ~ edge length / perimeter.
    for (std::size_t i = 0; i < v.size(); ++i) {
      const auto& a = v[i];
      const auto& c = v[(i + 1) % v.size()];
      const double len = std::hypot(c[0] - a[0], c[1] - a[1]);
      int count = 0;
      for (Eigen::Index k = 0; k < b.rows(); ++k) {
        const double cross = (c[0] - a[0]) * (b(k, 1) - a[1]) - (c[1] - a[1]) * (b(k, 0) - a[0]);
        const double t = ((b(k, 0) - a[0]) * (c[0] - a[0]) + (b(k, 1) - a[1]) * (c[1] - a[1])) / (len * len);
        if (std::abs(cross) <= 1e-9 && t >= 0 && t < 1) ++count;
      }
      EXPECT_NEAR(count / 20000.0, len / perim, 0.01) << sampler << " edge " << i;
    }
  }
  const Points u = g.uniform_boundary_points(100);
  EXPECT_EQ(u.rows(), 100);
  // Consecutive uniform points are perimeter/n apart along the boundary (straight-line distance <= that).
  for (Eigen::Index k = 1; k < u.rows(); ++k) EXPECT_LE((u.row(k) - u.row(k - 1)).norm(), perim / 100 + 1e-12);
}

TEST(Polygon, RandomPointsCoverTheDomainUniformly) {
  const Polygon g(kLshape);
  for (const auto& sampler : test::kSamplers) {
    seed(8);
    const Points x = g.random_points(30000, sampler);
    // Each of the three unit squares holds 1/3 of the points.
    const double ul = ((x.col(0).array() < 0) && (x.col(1).array() > 0)).cast<double>().mean();
    const double lr = ((x.col(0).array() > 0) && (x.col(1).array() < 0)).cast<double>().mean();
    EXPECT_NEAR(ul, 1.0 / 3, 0.01) << sampler;
    EXPECT_NEAR(lr, 1.0 / 3, 0.01) << sampler;
    // Quasi-random rejection must not repeat points.
    Points sorted = x;
    std::vector<std::pair<double, double>> rows;
    for (Eigen::Index i = 0; i < x.rows(); ++i) rows.emplace_back(x(i, 0), x(i, 1));
    std::sort(rows.begin(), rows.end());
    EXPECT_EQ(std::adjacent_find(rows.begin(), rows.end()), rows.end()) << sampler;
  }
}

TEST(Polygon, UniformPointsAndMindist) {
  const Polygon g(kLshape);
  const Points x = g.uniform_points(300);
  EXPECT_NEAR(static_cast<double>(x.rows()), 300, 60);
  EXPECT_TRUE(g.inside(x).all());
  EXPECT_FALSE(g.on_boundary(g.uniform_points(300, false)).any());
  Points p(2, 2);
  p << -0.5, -0.5, -0.9, 0.5;
  EXPECT_TRUE(g.mindist2boundary(p).isApprox(Eigen::Vector2d(0.5, 0.1)));
}

TEST(Polygon, Errors) {
  EXPECT_THAT([] { Polygon({{0, 0}, {1, 0}}); },
              ThrowsMessage<ValueError>(HasSubstr("Polygon: got 2 vertices (expected at least 3)")));
  EXPECT_THAT([] { Polygon({{0, 0}, {1, 1}, {1, 0}, {0, 1}}); },  // bow-tie
              ThrowsMessage<ValueError>(HasSubstr("self-intersecting")));
  EXPECT_THAT([] { Polygon({{0, 0}, {1, 0}, {1, 1}, {0, 0}}); },
              ThrowsMessage<ValueError>(HasSubstr("vertices[3] = (0, 0) repeats vertices[0]")));
  EXPECT_THAT([] { Polygon({{0, 0}, {1, 0}, {2, 0}}); }, ThrowsMessage<ValueError>(HasSubstr("spike")));
  EXPECT_THAT([] { Polygon({{0, 0}, {2, 0}, {1, 0}, {1, 1}}); }, ThrowsMessage<ValueError>(HasSubstr("Polygon")));
  EXPECT_THAT([] { Polygon({{0, 0}, {1, 0}, {NAN, 1}}); }, ThrowsMessage<ValueError>(HasSubstr("not finite")));
  const Polygon g(kLshape);
  EXPECT_THAT([&] { g.random_points(-1, "Halton"); },
              ThrowsMessage<ValueError>(HasSubstr("Polygon.random_points: n = -1 (expected n >= 0)")));
  EXPECT_THAT([&] { g.random_points(10, "halton"); },
              ThrowsMessage<ValueError>(HasSubstr("valid: pseudo, LHS, Halton, Hammersley, Sobol")));
  // A straight-through vertex is fine.
  EXPECT_NO_THROW(Polygon({{0, 0}, {1, 0}, {2, 0}, {2, 1}}));
}

}  // namespace
}  // namespace pinnxde::geometry
