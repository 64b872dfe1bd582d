// Each condition's collocation points and misfit on hand-made cases with closed forms.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/types.h>

#include <pinnxde/conditions/convert.hpp>
#include <pinnxde/conditions/dirichlet_bc.hpp>
#include <pinnxde/conditions/ic.hpp>
#include <pinnxde/conditions/interface_2d_bc.hpp>
#include <pinnxde/conditions/neumann_bc.hpp>
#include <pinnxde/conditions/operator_bc.hpp>
#include <pinnxde/conditions/periodic_bc.hpp>
#include <pinnxde/conditions/point_set_bc.hpp>
#include <pinnxde/conditions/point_set_operator_bc.hpp>
#include <pinnxde/conditions/robin_bc.hpp>
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

// ---------------------------------------------------------------- issue 4: the rest of DeepXDE's conditions

geo::Points rows2(std::initializer_list<std::pair<double, double>> v) {
  geo::Points p(static_cast<Eigen::Index>(v.size()), 2);
  Eigen::Index i = 0;
  for (auto [a, b] : v) {
    p(i, 0) = a;
    p(i++, 1) = b;
  }
  return p;
}

bool on_x_faces(const Eigen::Ref<const Eigen::RowVectorXd>& x, bool on) {
  return on && (geo::isclose(x[0], 0) || geo::isclose(x[0], 1));
}

TEST(RobinBC, NormalDerivativeEqualsAFunctionOfTheSolution) {
  geo::Interval geom(0, 2);
  // du/dn = 2u with u = x^2: at 0, du/dn = -0 and 2u = 0; at 2, du/dn = +4 and 2u = 8.
  icbc::RobinBC bc(geom, [](const torch::Tensor&, const torch::Tensor& y) { return 2 * y; }, icbc::on_boundary);
  auto pts = bc.collocation_points(column({0.0, 1.0, 2.0}));
  ASSERT_EQ(pts.rows(), 2);
  auto prep = bc.prepare(pts, f64);
  auto x = pinnxde::to_tensor(pts, f64).requires_grad_(true);
  auto y = x * x;
  auto m = bc.misfit(x, y, 0, 2, prep);
  auto err = bc.error(x, y, 0, 2, prep);
  pinnxde::grad::clear();
  EXPECT_TRUE(torch::allclose(m.prediction.detach(), torch::tensor({{0.0}, {4.0}}, f64)));
  EXPECT_TRUE(torch::allclose(m.target.detach(), torch::tensor({{0.0}, {8.0}}, f64)));
  EXPECT_TRUE(torch::allclose(err.detach(), torch::tensor({{0.0}, {-4.0}}, f64)));
  // The target depends on the network: its gradient reaches y.
  EXPECT_TRUE(m.target.requires_grad());
}

TEST(RobinBC, OnADiskBoundary) {
  geo::Disk disk({0.0, 0.0}, 2.0);
  // u = r^2: du/dn = 2r = 4 and u = 4 on r = 2, so du/dn = u holds exactly and du/dn = u + 1 misses by -1.
  icbc::RobinBC exact(disk, [](const torch::Tensor&, const torch::Tensor& y) { return y; }, icbc::on_boundary);
  icbc::RobinBC off(disk, [](const torch::Tensor&, const torch::Tensor& y) { return y + 1; }, icbc::on_boundary);
  auto pts = exact.collocation_points(disk.uniform_boundary_points(12));
  ASSERT_EQ(pts.rows(), 12);
  auto x = pinnxde::to_tensor(pts, f64).requires_grad_(true);
  auto y = (x * x).sum(1, true);
  auto e0 = exact.error(x, y, 0, 12, exact.prepare(pts, f64)).detach();
  auto e1 = off.error(x, y, 0, 12, off.prepare(pts, f64)).detach();
  pinnxde::grad::clear();
  EXPECT_LT(e0.abs().max().item<double>(), 1e-10);
  EXPECT_LT((e1 + 1).abs().max().item<double>(), 1e-10);
}

TEST(PeriodicBC, ValuesOnOppositeFacesOfA2DBox) {
  geo::Rectangle box({0.0, 0.0}, {1.0, 2.0});
  icbc::PeriodicBC bc(box, 0, on_x_faces);
  // Two face points and one interior point; the interior one is not selected.
  auto pts = bc.collocation_points(rows2({{0.0, 0.5}, {0.5, 0.5}, {1.0, 1.5}}));
  ASSERT_EQ(pts.rows(), 4);
  EXPECT_TRUE(pts.isApprox(rows2({{0.0, 0.5}, {1.0, 1.5}, {1.0, 0.5}, {0.0, 1.5}})));
  auto x = pinnxde::to_tensor(pts, f64);
  auto y = x.slice(1, 0, 1) + x.slice(1, 1, 2).square();  // u = x + y^2
  auto m = bc.misfit(x, y, 0, 4, bc.prepare(pts, f64));
  EXPECT_TRUE(torch::allclose(m.prediction, torch::tensor({{0.25}, {3.25}}, f64)));
  EXPECT_TRUE(torch::allclose(m.target, torch::tensor({{1.25}, {2.25}}, f64)));
  EXPECT_TRUE(torch::allclose(bc.error(x, y, 0, 4, {}), torch::tensor({{-1.0}, {1.0}}, f64)));
  // A function periodic in x (period 1) has zero misfit.
  auto periodic = torch::cos(2 * M_PI * x.slice(1, 0, 1)) * x.slice(1, 1, 2);
  EXPECT_LT(bc.error(x, periodic, 0, 4, {}).abs().max().item<double>(), 1e-12);
}

TEST(PeriodicBC, FirstDerivativeAlongEitherCoordinateAndAComponent) {
  geo::Rectangle box({0.0, 0.0}, {1.0, 2.0});
  icbc::PeriodicBC dx(box, 0, on_x_faces, 1, 1);
  auto pts = dx.collocation_points(rows2({{0.0, 0.5}, {1.0, 1.5}}));
  auto x = pinnxde::to_tensor(pts, f64).requires_grad_(true);
  auto x0 = x.slice(1, 0, 1), x1 = x.slice(1, 1, 2);
  auto y = torch::cat({x0 * 0, x0 * x0 * x1}, 1);  // component 1: u = x^2 y, du/dx = 2xy
  auto e = dx.error(x, y, 0, 4, dx.prepare(pts, f64)).detach();
  pinnxde::grad::clear();
  // pairs: (0, .5) with (1, .5): 0 - 1 = -1; (1, 1.5) with (0, 1.5): 3 - 0 = 3
  EXPECT_TRUE(torch::allclose(e, torch::tensor({{-1.0}, {3.0}}, f64)));

  auto on_y_faces = [](const Eigen::Ref<const Eigen::RowVectorXd>& p, bool on) {
    return on && (geo::isclose(p[1], 0) || geo::isclose(p[1], 2));
  };
  icbc::PeriodicBC dy(box, 1, on_y_faces, 1);
  auto pts2 = dy.collocation_points(rows2({{0.3, 0.0}, {0.7, 2.0}}));
  EXPECT_TRUE(pts2.isApprox(rows2({{0.3, 0.0}, {0.7, 2.0}, {0.3, 2.0}, {0.7, 0.0}})));
  auto z = pinnxde::to_tensor(pts2, f64).requires_grad_(true);
  auto u = z.slice(1, 0, 1) * z.slice(1, 1, 2).square();  // du/dy = 2xy
  auto e2 = dy.error(z, u, 0, 4, {}).detach();
  pinnxde::grad::clear();
  EXPECT_TRUE(torch::allclose(e2, torch::tensor({{-1.2}, {2.8}}, f64)));
}

TEST(PeriodicBC, OnAnIntervalAndInSpaceTime) {
  geo::Interval line(-1, 1);
  icbc::PeriodicBC bc(line, 0, icbc::on_boundary);
  auto pts = bc.collocation_points(column({-1.0, 0.0, 1.0}));
  ASSERT_EQ(pts.rows(), 4);
  auto x = pinnxde::to_tensor(pts, f64);
  EXPECT_TRUE(torch::allclose(bc.error(x, x, 0, 4, {}), torch::tensor({{-2.0}, {2.0}}, f64)));

  geo::GeometryXTime gt(geo::Interval(0, 1), geo::TimeDomain(0, 1));
  icbc::PeriodicBC st(gt, 0, icbc::on_boundary);
  auto p2 = st.collocation_points(rows2({{0.0, 0.25}, {0.5, 0.5}}));
  EXPECT_TRUE(p2.isApprox(rows2({{0.0, 0.25}, {1.0, 0.25}})));
}

TEST(PeriodicBC, RejectsBadArguments) {
  geo::Rectangle box({0.0, 0.0}, {1.0, 1.0});
  EXPECT_THAT([&] { icbc::PeriodicBC(box, 0, on_x_faces, 2); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("derivative_order = 2 (expected 0 or 1")));
  EXPECT_THAT([&] { icbc::PeriodicBC(box, 2, on_x_faces); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("component_x = 2 out of range for a Rectangle")));
  EXPECT_THAT([&] { icbc::PeriodicBC(geo::Disk({0.0, 0.0}, 1.0), 0, icbc::on_boundary); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("no periodic_point")));
  icbc::PeriodicBC c3(box, 0, on_x_faces, 0, 3);
  auto x = torch::zeros({2, 2}, f64);
  EXPECT_THAT([&] { c3.error(x, x, 0, 2, {}); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("component = 3 out of range for a network with 2 outputs")));
}

TEST(OperatorBC, ResidualOfAnOperatorAtTheSelectedRows) {
  geo::Interval geom(0, 1);
  auto right = [](const Eigen::Ref<const Eigen::RowVectorXd>& x, bool on) { return on && geo::isclose(x[0], 1); };
  // u = x^3: u'' = 6x, so u''(1) = 6.
  icbc::OperatorBC bc(geom,
                      [](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& X) {
                        EXPECT_FALSE(X.requires_grad());
                        return pinnxde::grad::hessian(y, x, 0, 0);
                      },
                      right);
  auto pts = bc.collocation_points(column({0.0, 0.5, 1.0}));
  ASSERT_EQ(pts.rows(), 1);
  // The network input: [condition rows | other training rows].
  auto x = torch::tensor({{1.0}, {0.5}, {0.0}}, f64).requires_grad_(true);
  auto m = bc.misfit(x, x.pow(3), 0, 1, bc.prepare(pts, f64));
  pinnxde::grad::clear();
  EXPECT_FALSE(m.target.defined());
  EXPECT_NEAR(m.prediction.item<double>(), 6.0, 1e-12);
  icbc::OperatorBC wrong(geom, [](const torch::Tensor& x, const torch::Tensor&, const torch::Tensor&) {
    return torch::zeros({x.size(0), 2}, x.options()); }, right);
  EXPECT_THAT([&] { wrong.error(x, x, 0, 1, {}); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("the operator returned shape [3, 2] for 3 points")));
}

TEST(PointSetOperatorBC, MeasuredDerivative) {
  // u = x^2 measured through u' = 2x at x = 0.5, 1: values 1, 3 give misfits 0, -1.
  icbc::PointSetOperatorBC bc(column({0.5, 1.0}), column({1.0, 3.0}),
                              [](const torch::Tensor& x, const torch::Tensor& y) { return pinnxde::grad::jacobian(y, x); });
  auto pts = bc.collocation_points(column({7.0}));
  ASSERT_EQ(pts.rows(), 2);
  auto x = torch::cat({pinnxde::to_tensor(pts, f64), torch::zeros({1, 1}, f64)}).requires_grad_(true);
  auto e = bc.error(x, x * x, 0, 2, bc.prepare(pts, f64)).detach();
  pinnxde::grad::clear();
  EXPECT_TRUE(torch::allclose(e, torch::tensor({{0.0}, {-1.0}}, f64)));
  EXPECT_THAT([] { icbc::PointSetOperatorBC(column({0.0, 1.0}), column({1.0}), [](const auto& x, const auto&) { return x; }); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("points has 2 rows but values has 1")));
}

TEST(PointSetBC, SeveralComponents) {
  geo::Points vals(3, 2);
  vals << 1, 0, 2, 0, 3, 0;
  icbc::PointSetBC bc(column({1.0, 2.0, 3.0}), vals, {2, 0});
  EXPECT_EQ(bc.component(), 2);  // the highest, for Model's range check
  auto pts = bc.collocation_points(column({0.0}));
  auto x = pinnxde::to_tensor(pts, f64);
  auto y = torch::cat({x * 10, x * 0, x}, 1);  // column 2 = x (matches), column 0 = 10x (misses by 10x)
  auto m = bc.misfit(x, y, 0, 3, bc.prepare(pts, f64));
  EXPECT_TRUE(torch::allclose(bc.error(x, y, 0, 3, bc.prepare(pts, f64)),
                              torch::cat({x * 0, x * 10}, 1)));
  EXPECT_EQ(m.prediction.size(1), 2);
  EXPECT_THAT([] { icbc::PointSetBC(column({0.0, 1.0}), column({0.0, 1.0}), {0, 1}); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("values has 1 columns (expected 2")));
}

TEST(PointSetBC, MiniBatchesWalkEpochs) {
  auto pts = column({0.0, 1.0, 2.0, 3.0, 4.0});
  auto vals = column({0.0, 10.0, 20.0, 30.0, 40.0});
  icbc::PointSetBC ordered(pts, vals, 0, 2, /*shuffle=*/false);
  std::vector<double> seen;
  for (int b = 0; b < 3; ++b) {
    auto p = ordered.collocation_points(column({9.0}));
    ASSERT_EQ(p.rows(), 2);
    auto prep = ordered.prepare(p, f64);
    for (int r = 0; r < 2; ++r) {
      seen.push_back(p(r, 0));
      EXPECT_DOUBLE_EQ(prep.values[r][0].item<double>(), 10 * p(r, 0));  // values follow their points
    }
  }
  EXPECT_EQ(seen, (std::vector<double>{0, 1, 2, 3, 4, 0}));

  torch::manual_seed(3);
  icbc::PointSetBC shuffled(pts, vals, 0, 5);
  auto p = shuffled.collocation_points(column({9.0}));
  std::vector<double> all(p.data(), p.data() + 5);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<double>{0, 1, 2, 3, 4}));  // an epoch visits every point once
  auto prep = shuffled.prepare(p, f64);
  EXPECT_TRUE(torch::allclose(prep.values, 10 * pinnxde::to_tensor(p, f64)));
  EXPECT_THAT([&] { icbc::PointSetBC(pts, vals, 0, 6); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("batch_size = 6 (expected 1 <= batch_size <= 5")));
}

TEST(Conditions, UserFunctionsOfTheWrongShapeAreNamed) {
  geo::Interval geom(0, 1);
  icbc::RobinBC robin(geom, [](const torch::Tensor& x, const torch::Tensor&) { return torch::zeros({x.size(0), 3}); },
                      icbc::on_boundary);
  auto pts = robin.collocation_points(column({0.0, 1.0}));
  auto x = pinnxde::to_tensor(pts, f64).requires_grad_(true);
  EXPECT_THAT([&] { robin.error(x, x * 2, 0, 2, robin.prepare(pts, f64)); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("RobinBC: the Robin function returned shape [2, 3] for 2 points")));
  pinnxde::grad::clear();
  icbc::RobinBC r1(geom, [](const torch::Tensor&, const torch::Tensor& y) { return y; }, icbc::on_boundary, 1);
  EXPECT_THAT([&] { r1.error(x, x * 2, 0, 2, r1.prepare(pts, f64)); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("RobinBC: component = 1 out of range for a network with 1 outputs")));
  icbc::NeumannBC n(geom, [](const torch::Tensor& x) { return torch::zeros({x.size(0) + 1, 1}); }, icbc::on_boundary);
  EXPECT_THAT([&] { n.prepare(pts, f64); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("value function returned shape [3, 1] for 2 points")));
}

TEST(Interface2DBC, NormalAndTangentialJumpsAcrossTwoEdges) {
  geo::Rectangle box({0.0, 0.0}, {1.0, 1.0});
  auto left = [](const Eigen::Ref<const Eigen::RowVectorXd>& x, bool on) { return on && geo::isclose(x[0], 0); };
  auto right = [](const Eigen::Ref<const Eigen::RowVectorXd>& x, bool on) { return on && geo::isclose(x[0], 1); };
  auto zero = [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); };
  icbc::Interface2DBC normal(box, zero, left, right);
  auto pts = normal.collocation_points(rows2({{0.0, 0.25}, {1.0, 0.25}, {0.5, 0.5}, {0.0, 0.75}, {1.0, 0.75}}));
  ASSERT_TRUE(pts.isApprox(rows2({{0.0, 0.25}, {0.0, 0.75}, {1.0, 0.25}, {1.0, 0.75}})));
  auto x = pinnxde::to_tensor(pts, f64);
  // y = (x + 2, y): normals (-1, 0) and (1, 0): <y, n> sums to y1(right) - y1(left) = 3 - 2 = 1.
  auto y = torch::cat({x.slice(1, 0, 1) + 2, x.slice(1, 1, 2)}, 1);
  auto m = normal.misfit(x, y, 0, 4, normal.prepare(pts, f64));
  EXPECT_TRUE(torch::allclose(m.prediction, torch::ones({2, 1}, f64)));
  EXPECT_TRUE(torch::allclose(m.target, torch::zeros({2, 1}, f64)));
  // Tangents [n_y, -n_x] = (0, 1) on the left and (0, -1) on the right: y2(left) - y2(right) = 0.
  icbc::Interface2DBC tangent(box, [](const torch::Tensor& p) { return p.slice(1, 1, 2); }, left, right, "tangent");
  auto e = tangent.error(x, y, 0, 4, tangent.prepare(pts, f64));
  EXPECT_TRUE(torch::allclose(e, -x.slice(0, 0, 2).slice(1, 1, 2)));  // target: func = y on edge 1
  EXPECT_THAT([&] { icbc::Interface2DBC(box, zero, left, right, "diagonal"); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("direction = 'diagonal'; valid: normal, tangent")));
  EXPECT_THAT([&] { normal.collocation_points(rows2({{0.0, 0.25}})); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("1 points on the first edge but 0 on the second")));
  EXPECT_THAT([&] { normal.error(x, x.slice(1, 0, 1), 0, 4, normal.prepare(pts, f64)); },
              ThrowsMessage<pinnxde::ValueError>(HasSubstr("the network has 1 outputs (expected 2")));
}

}  // namespace
