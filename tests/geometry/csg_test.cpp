#include "test_util.hpp"

namespace pinnxde::geometry {
namespace {
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

double box_dist(const Eigen::RowVectorXd& x, double x0, double y0, double x1, double y1) {
  // Distance to the rectangle's boundary, for points in its closure or on its outline.
  const double dx = std::min(std::abs(x(0) - x0), std::abs(x(0) - x1));
  const double dy = std::min(std::abs(x(1) - y0), std::abs(x(1) - y1));
  const bool in_x = x(0) >= x0 - 1e-12 && x(0) <= x1 + 1e-12, in_y = x(1) >= y0 - 1e-12 && x(1) <= y1 + 1e-12;
  return std::min(in_y ? dx : 1.0, in_x ? dy : 1.0);
}
double circle_dist(const Eigen::RowVectorXd& x, double cx, double cy, double r) {
  return std::abs(std::hypot(x(0) - cx, x(1) - cy) - r);
}

TEST(CSG, RectangleMinusDiskContract) {
  const auto domain = Rectangle({0, 0}, {1, 1}) - Disk({0.5, 0.5}, 0.2);
  EXPECT_EQ(domain.name(), "CSGDifference");
  test::expect_geometry_contract(domain, [](const Eigen::RowVectorXd& x) {
    return std::min(box_dist(x, 0, 0, 1, 1), circle_dist(x, 0.5, 0.5, 0.2));
  });
  // Inside / outside / the hole's rim.
  Points p(4, 2);
  p << 0.1, 0.1, 0.5, 0.5, 0.5, 0.7, 1.2, 0.5;
  EXPECT_EQ(test::flags(domain.inside(p)), (std::vector<int>{1, 0, 1, 0}));
  EXPECT_EQ(test::flags(domain.on_boundary(p)), (std::vector<int>{0, 0, 1, 0}));
  // On the hole's rim the normal points into the hole.
  EXPECT_TRUE(domain.boundary_normal(p).row(2).isApprox(Eigen::RowVector2d(0, -1)));
}

TEST(CSG, DifferenceBoundaryIsUniformInArcLength) {
  const auto domain = Rectangle({0, 0}, {1, 1}) - Disk({0.5, 0.5}, 0.2);
  seed(3);
  const Points b = domain.random_boundary_points(20000);
  const double on_circle = (((b.rowwise() - Eigen::RowVector2d(0.5, 0.5)).rowwise().norm().array() - 0.2).abs() < 1e-9)
                               .cast<double>()
                               .mean();
  const double circle = 2 * M_PI * 0.2;
  EXPECT_NEAR(on_circle, circle / (circle + 4), 0.01);
}

TEST(CSG, UnionOfTwoDisksContract) {
  const auto two = Disk({0, 0}, 1) | Disk({1.5, 0}, 1);
  test::expect_geometry_contract(two, [](const Eigen::RowVectorXd& x) {
    return std::min(circle_dist(x, 0, 0, 1), circle_dist(x, 1.5, 0, 1));
  });
  EXPECT_TRUE(two.bbox_min().isApprox(Eigen::Vector2d(-1, -1)));
  EXPECT_TRUE(two.bbox_max().isApprox(Eigen::Vector2d(2.5, 1)));
  Points p(3, 2);
  p << 0.75, 0, -0.9, 0, 0.75, 0.9;
  EXPECT_EQ(test::flags(two.inside(p)), (std::vector<int>{1, 1, 0}));
  // (1, 0) is on the first disk's circle but inside the second: not boundary of the union.
  Points q(2, 2);
  q << 1, 0, -1, 0;
  EXPECT_EQ(test::flags(two.on_boundary(q)), (std::vector<int>{0, 1}));
}

TEST(CSG, UnionOfTouchingRectanglesHasNoInnerEdge) {
  const auto u = Rectangle({0, 0}, {1, 1}) | Rectangle({1, 0}, {2, 1});
  Points p(2, 2);
  p << 1, 0.5, 2, 0.5;
  EXPECT_EQ(test::flags(u.on_boundary(p)), (std::vector<int>{0, 1}));
  seed(1);
  const Points b = u.random_boundary_points(2000);
  EXPECT_FALSE(((b.col(0).array() - 1).abs() < 1e-12 && b.col(1).array() > 1e-9 && b.col(1).array() < 1 - 1e-9).any());
}

TEST(CSG, IntersectionContractAndCornerNormal) {
  const auto lens = Disk({0, 0}, 1) & Rectangle({0, -2}, {2, 2});  // the right half-disk
  test::expect_geometry_contract(lens, [](const Eigen::RowVectorXd& x) {
    return std::min(circle_dist(x, 0, 0, 1), std::abs(x(0)));
  });
  Points corner(1, 2);
  corner << 0, 1;  // where the diameter meets the arc: normalised (0, 1) + (-1, 0)
  const double s = 1 / std::sqrt(2.0);
  EXPECT_TRUE(lens.boundary_normal(corner).row(0).isApprox(Eigen::RowVector2d(-s, s)));
  // Boundary fractions: arc pi, diameter 2.
  seed(2);
  const Points b = lens.random_boundary_points(20000, "Hammersley");
  EXPECT_NEAR((b.col(0).array().abs() < 1e-12).cast<double>().mean(), 2 / (2 + M_PI), 0.01);
}

TEST(CSG, NestedAndInGeometryXTime) {
  const auto domain = (Rectangle({-1, -1}, {1, 1}) - Disk({0, 0}, 0.3)) | Disk({1, 0}, 0.5);
  test::expect_geometry_contract(domain, [](const Eigen::RowVectorXd& x) {
    return std::min({box_dist(x, -1, -1, 1, 1), circle_dist(x, 0, 0, 0.3), circle_dist(x, 1, 0, 0.5)});
  }, 300);
  const GeometryXTime gt(domain, TimeDomain(0, 1));
  seed(4);
  const Points x = gt.random_points(500, "Sobol");
  EXPECT_TRUE(domain.inside(x.leftCols(2)).all());
}

TEST(CSG, Errors) {
  EXPECT_THAT([] { (void)(Rectangle({0, 0}, {1, 1}) | Cuboid({0, 0, 0}, {1, 1, 1})); },
              ThrowsMessage<ValueError>(HasSubstr("CSGUnion: geom1 has dim 2 but geom2 has dim 3")));
  EXPECT_THAT([] { (void)(Interval(0, 1) - Disk({0, 0}, 1)); },
              ThrowsMessage<ValueError>(HasSubstr("CSGDifference: geom1 has dim 1 but geom2 has dim 2")));
  const auto d = Rectangle({0, 0}, {1, 1}) & Disk({0, 0}, 1);
  EXPECT_THAT([&] { d.random_boundary_points(-1); },
              ThrowsMessage<ValueError>(HasSubstr("CSGIntersection.random_boundary_points: n = -1")));
}

TEST(Cuboid, ContractAndErrors) {
  const Cuboid g({0, 0, 0}, {1, 2, 0.5});
  test::expect_geometry_contract(g, [&](const Eigen::RowVectorXd& x) {
    double d = 1e300;
    for (int i = 0; i < 3; ++i) d = std::min({d, std::abs(x(i) - g.xmin()(i)), std::abs(x(i) - g.xmax()(i))});
    return d;
  });
  EXPECT_NEAR(g.boundary_measure(), 2 * (2 + 0.5 + 1), 1e-14);
  EXPECT_THAT([] { Cuboid({0, 0}, {1, 1}); }, ThrowsMessage<ValueError>(HasSubstr("Cuboid: xmin has 2 entries (expected 3)")));
}

TEST(Triangle, ContractAndErrors) {
  const Triangle t({0, 0}, {0, 1}, {2, 0});  // clockwise
  test::expect_geometry_contract(t, [](const Eigen::RowVectorXd& x) {
    // Edges x = 0, y = 0 and x + 2 y = 2.
    return std::min({std::abs(x(0)), std::abs(x(1)), std::abs(x(0) + 2 * x(1) - 2) / std::sqrt(5.0)});
  });
  EXPECT_NEAR(t.area(), 1, 1e-15);
  EXPECT_THAT([] { Triangle({0, 0}, {1, 1}, {2, 2}); }, ThrowsMessage<ValueError>(HasSubstr("Triangle:")));
  EXPECT_THAT([] { Triangle({0, 0}, {1, 1}, {0, 0}); }, ThrowsMessage<ValueError>(HasSubstr("repeats")));
}

}  // namespace
}  // namespace pinnxde::geometry
