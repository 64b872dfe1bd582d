// Each condition's collocation points and misfit on hand-made cases with closed forms.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <pinnxde/conditions/convert.hpp>
#include <pinnxde/conditions/dirichlet_bc.hpp>
#include <pinnxde/conditions/ic.hpp>
#include <pinnxde/conditions/neumann_bc.hpp>
#include <pinnxde/conditions/point_set_bc.hpp>
#include <pinnxde/geometry.hpp>
#include <pinnxde/grad.hpp>

namespace icbc = pinnxde::icbc;
namespace geo = pinnxde::geometry;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);

geo::Points column(std::initializer_list<double> v) {
  geo::Points p(static_cast<Eigen::Index>(v.size()), 1);
  Eigen::Index i = 0;
  for (double x : v) p(i++, 0) = x;
  return p;
}

torch::Tensor ones(const torch::Tensor& x) { return torch::ones({x.size(0), 1}, x.options()); }

TEST(DirichletBC, PicksBoundaryPointsAndMeasuresTheMisfit) {
  geo::Interval geom(0, 1);
  icbc::DirichletBC bc(geom, ones, icbc::on_boundary);
  auto pts = bc.collocation_points(column({0.0, 0.5, 1.0, 0.25}));
  ASSERT_EQ(pts.rows(), 2);
  EXPECT_EQ(pts(0, 0), 0.0);
  EXPECT_EQ(pts(1, 0), 1.0);
  auto prep = bc.prepare(pts, f64);
  auto x = pinnxde::to_tensor(pts, f64);
  auto y = x * x * 3 + 1;  // y(0) = 1, y(1) = 4
  auto err = bc.error(x, y, 0, 2, prep);
  EXPECT_TRUE(torch::allclose(err, torch::tensor({{0.0}, {3.0}}, f64)));
}

TEST(DirichletBC, PredicateSelectsOneSideAndComponent) {
  geo::Interval geom(0, 1);
  icbc::DirichletBC right(geom, ones, [](const auto& x, bool on) { return on && geo::isclose(x[0], 1); }, 1);
  auto pts = right.collocation_points(column({0.0, 1.0}));
  ASSERT_EQ(pts.rows(), 1);
  EXPECT_EQ(pts(0, 0), 1.0);
  auto x = pinnxde::to_tensor(pts, f64);
  auto y = torch::cat({x * 0 + 7, x * 0 + 5}, 1);
  EXPECT_DOUBLE_EQ(right.error(x, y, 0, 1, right.prepare(pts, f64)).item<double>(), 4.0);
}

TEST(NeumannBC, OutwardNormalDerivativeOnAnInterval) {
  geo::Interval geom(0, 2);
  icbc::NeumannBC bc(geom, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                     icbc::on_boundary);
  auto pts = bc.collocation_points(column({0.0, 2.0}));
  auto prep = bc.prepare(pts, f64);
  auto x = pinnxde::to_tensor(pts, f64).requires_grad_(true);
  auto y = x * x * x;  // dy/dn = -3x^2 at 0 (= 0), +3x^2 at 2 (= 12)
  auto err = bc.error(x, y, 0, 2, prep);
  pinnxde::grad::clear();
  EXPECT_TRUE(torch::allclose(err.detach(), torch::tensor({{0.0}, {12.0}}, f64)));
}

TEST(NeumannBC, NormalDerivativeOnADiskBoundary) {
  geo::Disk disk({0.0, 0.0}, 2.0);
  icbc::NeumannBC bc(disk, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                     icbc::on_boundary);
  auto pts = bc.collocation_points(disk.uniform_boundary_points(16));
  ASSERT_EQ(pts.rows(), 16);
  auto prep = bc.prepare(pts, f64);
  auto x = pinnxde::to_tensor(pts, f64).requires_grad_(true);
  auto y = (x * x).sum(1, true);  // r^2: du/dn = 2r = 4 everywhere on the circle
  auto err = bc.error(x, y, 0, 16, prep);
  pinnxde::grad::clear();
  EXPECT_LT((err.detach() - 4).abs().max().item<double>(), 1e-10);
}

TEST(IC, PicksInitialSliceOfSpaceTime) {
  geo::GeometryXTime gt(geo::Interval(-1, 1), geo::TimeDomain(0, 1));
  icbc::IC ic(gt, [](const torch::Tensor& x) { return torch::sin(M_PI * x.slice(1, 0, 1)); }, icbc::on_initial);
  geo::Points X(4, 2);
  X << 0.5, 0.0, 0.5, 0.5, -0.5, 0.0, 1.0, 1.0;
  auto pts = ic.collocation_points(X);
  ASSERT_EQ(pts.rows(), 2);
  auto prep = ic.prepare(pts, f64);
  auto x = pinnxde::to_tensor(pts, f64);
  auto err = ic.error(x, torch::zeros({2, 1}, f64), 0, 2, prep);
  EXPECT_TRUE(torch::allclose(err, torch::tensor({{-1.0}, {1.0}}, f64)));
  EXPECT_THAT([] { icbc::IC(geo::Interval(0, 1), ones, icbc::on_initial); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("expected a GeometryXTime")));
}

TEST(PointSetBC, UsesItsOwnPointsAndValues) {
  icbc::PointSetBC bc(column({0.0, 1.0, 2.0}), column({1.0, 2.0, 3.0}));
  auto pts = bc.collocation_points(column({5.0}));
  ASSERT_EQ(pts.rows(), 3);
  auto x = pinnxde::to_tensor(pts, f64);
  auto err = bc.error(x, x, 0, 3, bc.prepare(pts, f64));
  EXPECT_TRUE(torch::allclose(err, torch::full({3, 1}, -1.0, f64)));
}

TEST(Conditions, BadInputIsRejectedWithTheValue) {
  EXPECT_THAT([] { icbc::PointSetBC(column({0.0, 1.0, 2.0}), column({1.0, 2.0})); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("points has 3 rows but values has 2")));
  geo::Interval geom(0, 1);
  EXPECT_THAT([&] { icbc::DirichletBC(geom, ones, icbc::on_boundary, -1); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("component = -1")));
  icbc::DirichletBC wrong(geom, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 2}); }, icbc::on_boundary);
  EXPECT_THAT([&] { wrong.prepare(column({0.0, 1.0}), f64); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("value function returned shape [2, 2] for 2 points")));
  icbc::DirichletBC c2(geom, ones, icbc::on_boundary, 2);
  auto x = pinnxde::to_tensor(column({0.0}), f64);
  EXPECT_THAT([&] { c2.error(x, x, 0, 1, c2.prepare(column({0.0}), f64)); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("component = 2 out of range for a network with 1 outputs")));
}

}  // namespace
