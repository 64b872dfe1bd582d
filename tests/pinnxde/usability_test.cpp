// Issue 13's "what new users hit": the progress table's names, std::cout left as found, train's own time
// limit, constant condition values, predict(x, operator) for Points and systems, every output in
// solution.png, condition test losses on a CSG geometry, dde::on_initial in any condition, one-point
// geometry queries; and from issue 10 the Robin function's finiteness and the load-average warning.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <functional>
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>
#include <sstream>

#include "test_util.hpp"

namespace dde = pinnxde;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::ThrowsMessage;

namespace {

using UsabilityTest = dde::testing::Float64Test;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// u'' = -sin(pi x) as a system of two outputs (u, v = u'): two residuals, four conditions, one Variable.
struct SystemProblem {
  torch::Tensor k = dde::Variable(0.5);
  dde::geometry::Interval geom{0, 1};
  dde::DirichletBC left{geom, 0.0, [](const auto& x, bool on) { return on && dde::utils::isclose(x(0), 0.0); }};
  dde::DirichletBC right{geom, 0.0, [](const auto& x, bool on) { return on && dde::utils::isclose(x(0), 1.0); }, 0};
  dde::NeumannBC flux{geom, 0.0, dde::on_boundary, 1};
  dde::DirichletBC v_left{geom, M_PI, [](const auto& x, bool on) { return on && dde::utils::isclose(x(0), 0.0); }, 1};
  std::unique_ptr<dde::data::PDE> data;
  dde::nn::FNN net{{1, 8, 2}, "tanh", "Glorot normal"};
  std::unique_ptr<dde::Model> model;

  static std::vector<torch::Tensor> residual(const torch::Tensor& x, const torch::Tensor& y) {
    return {dde::grad::jacobian(y, x, 0, 0) - y.narrow(1, 1, 1),
            dde::grad::jacobian(y, x, 1, 0) + M_PI * M_PI * torch::sin(M_PI * x)};
  }

  SystemProblem() {
    flux.set_label("flux");
    data = std::make_unique<dde::data::PDE>(
        geom, [this](const torch::Tensor& x, const torch::Tensor& y) {
          auto r = residual(x, y);
          r[0] = r[0] * (k / k.detach());  // the Variable takes part in the graph, value unchanged
          return r;
        },
        std::vector<dde::icbc::BCPtr>{left, right, flux, v_left}, dde::data::PDEOptions{.num_domain = 12, .num_boundary = 2});
    model = std::make_unique<dde::Model>(*data, net);
    model->compile("adam", {.lr = 1e-3, .external_trainable_variables = {k}});
  }
};

// ------------------------------------------------------------------------------------- progress table

// Before: a header "Step Train loss Test loss Test metric" over bare numbers; no Variables; VariableValue
// printed "2 [5.00e-01]" between the rows.
TEST_F(UsabilityTest, ProgressTableNamesEveryColumnAndShowsVariables) {
  SystemProblem p;
  dde::callbacks::VariableValue vv({p.k}, {.period = 2});
  ::testing::internal::CaptureStdout();
  p.model->train({.iterations = 4, .display_every = 2, .callbacks = {vv}});
  const auto out = lines_of(::testing::internal::GetCapturedStdout());
  std::size_t title = out.size();
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i].rfind("Step", 0) == 0) title = i;
  ASSERT_LT(title + 2, out.size());
  EXPECT_THAT(out[title], HasSubstr("Train loss"));
  EXPECT_THAT(out[title], HasSubstr("Variables"));
  const std::string& names = out[title + 1];
  const std::string& row = out[title + 2];
  ASSERT_EQ(row.rfind("0 ", 0), 0u) << row;
  // The six loss terms and the Variable, each name above the first character of its value.
  const std::vector<std::string> expected{"pde0", "pde1", "D0", "D1", "flux", "D3"};
  std::size_t from = 0;
  for (const auto& name : expected) {
    const auto at = names.find(" " + name + " ", from);
    ASSERT_NE(at, std::string::npos) << name << " in: " << names;
    EXPECT_TRUE(row[at + 1] >= '0' && row[at + 1] <= '9') << name << " at " << at + 1 << " in\n" << names << "\n" << row;
    from = at + 1;
  }
  const auto v0 = names.find("v0");
  ASSERT_NE(v0, std::string::npos) << names;
  // The Variable's value (0.5, printed after a sign column) under its name.
  EXPECT_EQ(row.substr(v0 - 1, 9), " 5.00e-01") << names << "\n" << row;
  // Every other line between the table's rows is labelled.
  for (std::size_t i = title + 2; i < out.size() && !out[i].empty(); ++i)
    if (out[i].rfind("Variable", 0) == 0) EXPECT_EQ(out[i].rfind("VariableValue: step ", 0), 0u) << out[i];
    else EXPECT_TRUE(out[i][0] >= '0' && out[i][0] <= '9') << "unlabelled line: " << out[i];
  const auto loss_names = p.data->loss_names();
  EXPECT_EQ(loss_names, (std::vector<std::string>{"pde0", "pde1", "D0", "D1", "flux", "D3"}));
}

// Before: train() left std::cout in std::left, defaultfloat and precision 3.
TEST_F(UsabilityTest, TrainLeavesCoutFormatAsFound) {
  SystemProblem p;
  std::cout << std::fixed << std::setprecision(9) << std::right;
  const auto flags = std::cout.flags();
  ::testing::internal::CaptureStdout();
  p.model->train({.iterations = 2, .display_every = 1});
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(std::cout.flags(), flags);
  EXPECT_EQ(std::cout.precision(), 9);
  std::cout.flags(std::ios::fmtflags{});
  std::cout << std::setprecision(6) << std::defaultfloat << std::left;
  const auto flags2 = std::cout.flags();
  ::testing::internal::CaptureStdout();
  p.model->train({.iterations = 1});
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(std::cout.flags(), flags2);
  EXPECT_EQ(std::cout.precision(), 6);
  std::cout.flags(std::ios::fmtflags{});
  std::cout << std::setprecision(6) << std::right;
}

// ------------------------------------------------------------------------------------------ time limit

struct SlowProblem {
  dde::geometry::Rectangle geom{{0, 0}, {1, 1}};
  dde::DirichletBC bc{geom, 0.0, dde::on_boundary};
  dde::data::PDE data{geom,
                      [](const torch::Tensor& x, const torch::Tensor& y) {
                        return dde::grad::hessian(y, x, 0, 0, 0) + dde::grad::hessian(y, x, 0, 1, 1) + 1.0;
                      },
                      {bc},
                      {.num_domain = 1500, .num_boundary = 200}};
  dde::nn::FNN net{{2, 32, 32, 32, 1}, "tanh", "Glorot normal"};
  dde::Model model{data, net};
};

TEST_F(UsabilityTest, TimeLimitStopsFirstOrderTrainingWithinAStep) {
  SlowProblem p;
  p.model.compile("adam", {.lr = 1e-3});
  auto [h, st] = p.model.train({.iterations = 1000000, .verbose = false, .time_limit = 2.0});
  EXPECT_EQ(st.stop_reason, dde::StopReason::TimeLimit);
  EXPECT_THAT(st.message, HasSubstr("time_limit"));
  EXPECT_GT(st.step, 0);
  EXPECT_LT(st.step, 1000000);
  EXPECT_GE(st.seconds, 2.0);
  EXPECT_LT(st.seconds, 2.0 + 2.0);  // one step and one record past the limit; the machine is shared
  EXPECT_EQ(h.steps.back(), st.step);  // the state reached is recorded
  EXPECT_TRUE(std::isfinite(st.loss_train));
}

// The Timer callback is checked once per L-BFGS chunk (display_every iterations); time_limit inside it.
TEST_F(UsabilityTest, TimeLimitStopsLbfgsInsideAChunk) {
  SlowProblem p;
  p.model.compile("L-BFGS");
  auto [h, st] = p.model.train({.iterations = 100000, .display_every = 100000, .verbose = false, .time_limit = 2.0});
  EXPECT_EQ(st.stop_reason, dde::StopReason::TimeLimit) << st.message;
  EXPECT_GT(st.step, 0);
  EXPECT_GE(st.seconds, 2.0);
  EXPECT_LT(st.seconds, 2.0 + 2.0);
  EXPECT_EQ(h.steps.back(), st.step);
  EXPECT_LE(st.best_loss_train, h.loss_train.front()[0] + h.loss_train.front()[1]);
  // A later train() continues, with a fresh curvature history and no time limit.
  auto [h2, st2] = p.model.train({.iterations = 10, .verbose = false});
  EXPECT_NE(st2.stop_reason, dde::StopReason::TimeLimit) << st2.message;
  EXPECT_GT(st2.step, st.step) << st2.message;
}

TEST_F(UsabilityTest, TimeLimitMustBeFiniteAndNonNegative) {
  SystemProblem p;
  EXPECT_THAT([&] { p.model->train({.iterations = 1, .time_limit = -1}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("time_limit = -1 seconds (expected finite >= 0")));
}

// ------------------------------------------------------------------------------------ constant values

TEST_F(UsabilityTest, ConditionsAcceptAConstantValue) {
  dde::geometry::Interval geom(0, 1);
  dde::geometry::GeometryXTime geomtime(geom, dde::geometry::TimeDomain(0, 1));
  dde::DirichletBC d(geom, 2.5, dde::on_boundary);
  dde::DirichletBC d0(geom, 0, dde::on_boundary);  // DeepXDE's `lambda x: 0`, an int literal
  dde::NeumannBC n(geom, -1.0, dde::on_boundary);
  dde::IC ic(geomtime, 0.25, dde::on_initial);
  dde::geometry::Points x(3, 1);
  x << 0, 1, 0;
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  EXPECT_TRUE(torch::equal(d.prepare(x, opts).values, torch::full({3, 1}, 2.5, opts)));
  EXPECT_TRUE(torch::equal(d0.prepare(x, opts).values, torch::zeros({3, 1}, opts)));
  EXPECT_TRUE(torch::equal(n.prepare(x, opts).values, torch::full({3, 1}, -1.0, opts)));
  dde::geometry::Points xt(2, 2);
  xt << 0.5, 0, 0.25, 0;
  const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
  const auto v = ic.prepare(xt, f32).values;
  EXPECT_EQ(v.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(v, torch::full({2, 1}, 0.25, f32)));
  EXPECT_THAT([&] { dde::DirichletBC(geom, std::nan(""), dde::on_boundary); },
              ThrowsMessage<dde::ValueError>(HasSubstr("DirichletBC: value = nan (expected a finite constant)")));
}

// --------------------------------------------------------------------------------- predict(x, operator)

TEST_F(UsabilityTest, PredictOperatorTakesPointsAndSystems) {
  SystemProblem p;
  dde::geometry::Points x(5, 1);
  x << 0.1, 0.3, 0.5, 0.7, 0.9;
  const auto xt = dde::to_tensor(x, torch::TensorOptions().dtype(torch::kFloat64));
  // One equation, on Points and on a tensor: dy0/dx against central differences of predict(x).
  auto du = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::jacobian(y, x, 0, 0); };
  const torch::Tensor a = p.model->predict(x, du);
  const torch::Tensor b = p.model->predict(xt, du);
  const double h = 1e-5;
  const auto fd = (p.model->predict(xt + h) - p.model->predict(xt - h)).narrow(1, 0, 1) / (2 * h);
  EXPECT_TRUE(torch::allclose(a, fd, 1e-7, 1e-8)) << a << fd;
  EXPECT_TRUE(torch::equal(a, b));
  // A system: one (N, 1) tensor per equation, each the same as that equation alone.
  const std::vector<torch::Tensor> r = p.model->predict(x, &SystemProblem::residual);
  ASSERT_EQ(r.size(), 2u);
  auto second = [](const torch::Tensor& x, const torch::Tensor& y) { return SystemProblem::residual(x, y)[1]; };
  EXPECT_TRUE(torch::equal(r[1], p.model->predict(xt, second)));
  EXPECT_EQ(r[0].sizes(), (std::vector<std::int64_t>{5, 1}));
  EXPECT_FALSE(r[0].requires_grad());
  // A residual written for a PDE that returns dde::data::Residuals, and one in a std::function.
  auto as_residuals = [](const torch::Tensor& x, const torch::Tensor& y) -> dde::data::Residuals {
    return SystemProblem::residual(x, y);
  };
  const auto r2 = p.model->predict(xt, as_residuals);
  ASSERT_EQ(r2.size(), 2u);
  EXPECT_TRUE(torch::equal(r2[0], r[0]));
  dde::data::PDEFunction f = as_residuals;
  EXPECT_TRUE(torch::equal(p.model->predict(x, f)[1], r[1]));
}

// ------------------------------------------------------------------------------- saveplot: every output

TEST_F(UsabilityTest, SaveplotPlotsEveryOutputComponent) {
  if (!dde::gnuplot_available()) GTEST_SKIP() << "gnuplot not installed";
  const dde::testing::ScratchDir dir;
  dde::geometry::Interval geom(0, 1);
  dde::DirichletBC bc(geom, 0.0, dde::on_boundary);
  dde::data::PDE data(geom, nullptr, {bc},
                      {.num_domain = 8, .num_boundary = 2, .solution = [](const torch::Tensor& x) {
                         return torch::cat({x, 2 * x, 3 * x}, 1);
                       }, .num_test = 10});
  dde::nn::FNN net({1, 4, 3}, "tanh", "Glorot normal");
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-3});
  model.train({.iterations = 1, .verbose = false});
  ::testing::internal::CaptureStdout();
  const int written = dde::saveplot(model, {.output_dir = dir.string()});
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(written, 2);
  std::ifstream in(dir.file("solution_plot.dat"));
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  std::istringstream cols(first);
  std::vector<double> v;
  for (double d; cols >> d;) v.push_back(d);
  ASSERT_EQ(v.size(), 1u + 3 * 3);  // x, then prediction, reference and |error| of each of 3 outputs
  EXPECT_DOUBLE_EQ(v[1 + 3 * 2 + 1], 3 * v[0]);  // output 2's reference
  EXPECT_NEAR(v[1 + 3 * 1 + 2], std::abs(v[1 + 3 * 1] - 2 * v[0]), 1e-8);
  // Rows in order of x (the test set ends with its boundary points), each row's values its own.
  double last = v[0];
  int rows = 1;
  for (std::string line; std::getline(in, line); ++rows) {
    std::istringstream r(line);
    std::vector<double> w;
    for (double d; r >> d;) w.push_back(d);
    ASSERT_EQ(w.size(), v.size());
    EXPECT_LE(last, w[0]) << "row " << rows;
    EXPECT_NEAR(w[1 + 3 * 2 + 1], 3 * w[0], 1e-8);  // the file holds 10 significant digits
    last = w[0];
  }
  EXPECT_EQ(rows, 12);  // 10 test points and the 2 boundary points
  std::ifstream gp(dir.file("solution.gp"));
  const std::string script((std::istreambuf_iterator<char>(gp)), std::istreambuf_iterator<char>());
  EXPECT_THAT(script, HasSubstr("prediction (output 2)"));
  EXPECT_THAT(script, HasSubstr("using 1:8 with points"));
  EXPECT_TRUE(std::filesystem::file_size(dir.path() / "solution.png") > 0);
}

// A 2-D solution plot keeps the domain's shape when its sides are comparable, and fills the panel for a
// space-time strip ([0, 2 pi] x [0, 1] drawn to scale was an unreadable band). Every file is written
// through a temporary next to it: none is left behind.
TEST_F(UsabilityTest, SaveplotKeepsShapeOnlyForComparableSides) {
  if (!dde::gnuplot_available()) GTEST_SKIP() << "gnuplot not installed";
  auto script_for = [](const dde::geometry::Geometry& geom, const std::string& tag) {
    const dde::testing::ScratchDir dir(tag);
    dde::DirichletBC bc(geom, 0.0, dde::on_boundary);
    dde::data::PDE data(geom, nullptr, {bc}, {.num_domain = 16, .num_boundary = 8, .solution = [](const torch::Tensor& x) {
                                                return x.slice(1, 0, 1);
                                              }, .num_test = 25});
    dde::nn::FNN net({2, 4, 1}, "tanh", "Glorot normal");
    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3});
    model.train({.iterations = 1, .verbose = false});
    ::testing::internal::CaptureStdout();
    dde::saveplot(model, {.output_dir = dir.string()});
    ::testing::internal::GetCapturedStdout();
    std::ifstream gp(dir.file("solution.gp"));
    const std::string script((std::istreambuf_iterator<char>(gp)), std::istreambuf_iterator<char>());
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
      EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
    return script;
  };
  const std::string square = script_for(dde::geometry::Rectangle({0, 0}, {1, 1}), "square");
  const std::string strip = script_for(dde::geometry::Rectangle({0, 0}, {2 * M_PI, 1}), "strip");
  EXPECT_THAT(square, HasSubstr("set size ratio -1"));
  EXPECT_THAT(strip, Not(HasSubstr("set size ratio -1")));
  EXPECT_THAT(strip, HasSubstr("prediction (output 0)"));
}

// -------------------------------------------------------------------------- CSG: condition test losses

// A CSG geometry's uniform test points hold no boundary points: the boundary condition's test loss read
// 0.00e+00 at every step. It is now taken on the condition's training points, as DeepXDE does.
TEST_F(UsabilityTest, ConditionTestLossOnCsgIsNotAFakeZero) {
  const auto geom = dde::geometry::Rectangle({0, 0}, {1, 1}) - dde::geometry::Disk({0.5, 0.5}, 0.2);
  dde::DirichletBC bc(geom, 1.0, dde::on_boundary);
  dde::data::PDE data(geom,
                      [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0, 0); },
                      {bc}, {.num_domain = 50, .num_boundary = 40, .num_test = 60});
  ASSERT_EQ(bc.collocation_points(geom.uniform_points(60, true)).rows(), 0) << "the premise of this test";
  dde::nn::FNN net({2, 8, 1}, "tanh", "Glorot normal");
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-3});
  auto [h, st] = model.train({.iterations = 0, .verbose = false});
  ASSERT_EQ(h.loss_test.back().size(), 2u);
  EXPECT_GT(h.loss_test.back()[1], 0.0);
  EXPECT_DOUBLE_EQ(h.loss_test.back()[1], h.loss_train.back()[1]);  // the same points
  const auto& test = data.test_batch();
  EXPECT_EQ(test.bcs_start[1], data.train_batch().bcs_start[1]);
}

// ----------------------------------------------------------------------- dde::on_initial in any condition

// OperatorBC handed every predicate the on-boundary flag: dde::on_initial selected the spatial boundary
// (DeepXDE's Klein-Gordon script has this bug). It now selects the initial slice.
TEST_F(UsabilityTest, OnInitialSelectsTheInitialSliceInAnOperatorBC) {
  dde::geometry::GeometryXTime geomtime(dde::geometry::Interval(0, 1), dde::geometry::TimeDomain(0, 1));
  auto ut = [](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor&) {
    return dde::grad::jacobian(y, x, 0, 1);
  };
  dde::OperatorBC bc(geomtime, ut, dde::on_initial);
  dde::geometry::Points X(6, 2);
  X << 0.5, 0.0,   // initial, interior
      0.0, 0.5,    // spatial boundary
      1.0, 0.3,    // spatial boundary
      0.2, 0.0,    // initial
      0.4, 0.6,    // inside
      0.0, 0.0;    // both
  const auto pts = bc.collocation_points(X);
  ASSERT_EQ(pts.rows(), 3);
  for (Eigen::Index i = 0; i < pts.rows(); ++i) EXPECT_EQ(pts(i, 1), 0.0) << pts;
  // on_boundary still means the spatial boundary there; a Dirichlet condition with on_initial the slice.
  EXPECT_EQ(dde::OperatorBC(geomtime, ut, dde::on_boundary).collocation_points(X).rows(), 3);
  EXPECT_EQ(dde::DirichletBC(geomtime, 0.0, dde::on_initial).collocation_points(X).rows(), 3);
  EXPECT_EQ(dde::IC(geomtime, 0.0, dde::on_initial).collocation_points(X).rows(), 3);
  // Without time it is an error, not every boundary point.
  dde::geometry::Interval line(0, 1);
  dde::DirichletBC wrong(line, 0.0, dde::on_initial);
  dde::geometry::Points x(2, 1);
  x << 0, 1;
  EXPECT_THAT([&] { wrong.collocation_points(x); },
              ThrowsMessage<dde::ValueError>(HasSubstr(
                  "DirichletBC: the predicate is dde::on_initial but the geometry (Interval) has no initial slice")));
}

// ------------------------------------------------------------------------------ one-point geometry queries

TEST_F(UsabilityTest, GeometryQueriesOnOnePointAreOneLiners) {
  const dde::geometry::Disk inner({0, 0}, 1);
  const dde::geometry::Rectangle outer({-2, -2}, {2, 2});
  // DeepXDE's `on_boundary and outer.on_boundary(x)` in a predicate.
  auto on_outer = [&](const Eigen::Ref<const Eigen::RowVectorXd>& x, bool on) { return on && outer.on_boundary_at(x); };
  Eigen::RowVectorXd a(2), b(2);
  a << 2, 0.5;
  b << 1, 0;
  EXPECT_TRUE(on_outer(a, true));
  EXPECT_FALSE(on_outer(b, true));
  EXPECT_TRUE(inner.on_boundary_at(b));
  EXPECT_TRUE(outer.inside_at(b));
  Eigen::RowVectorXd c(2);
  c << 0, -1;
  EXPECT_TRUE(inner.boundary_normal_at(c).isApprox(Eigen::RowVector2d(0, -1)));
  // A row of Points, and a tensor row through to_points.
  dde::geometry::Points X(2, 2);
  X << 2, 0.5, 1, 0;
  EXPECT_TRUE(outer.on_boundary_at(X.row(0)));
  const auto t = dde::to_tensor(X, torch::TensorOptions().dtype(torch::kFloat32));
  EXPECT_TRUE(inner.on_boundary_at(dde::to_points(t).row(1)));
  Eigen::RowVectorXd wrong(3);
  wrong << 0, 0, 0;
  EXPECT_THAT([&] { inner.on_boundary_at(wrong); },
              ThrowsMessage<dde::ValueError>(HasSubstr("Disk.on_boundary_at: x has 3 entries (expected one point of "
                                                       "dimension 2)")));
  dde::geometry::GeometryXTime gt(dde::geometry::Interval(0, 1), dde::geometry::TimeDomain(0, 1));
  Eigen::RowVectorXd xt(2);
  xt << 0.5, 0;
  EXPECT_TRUE(gt.on_initial_at(xt));
}

// ---------------------------------------------------------------------------------- issue 10: RobinBC

TEST_F(UsabilityTest, RobinFunctionMustBeFinite) {
  dde::geometry::Interval geom(0, 1);
  const double T = std::numeric_limits<double>::quiet_NaN();
  dde::RobinBC bc(geom, [T](const torch::Tensor&, const torch::Tensor& y) { return y - T; }, dde::on_boundary);
  dde::data::PDE data(geom, nullptr, {bc}, {.num_domain = 4, .num_boundary = 2});
  dde::nn::FNN net({1, 4, 1}, "tanh", "Glorot normal");
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-3});
  EXPECT_THAT([&] { model.train({.iterations = 1, .verbose = false}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("RobinBC: the Robin function returned nan at point 0")));
}

// -------------------------------------------------------------------- issue 10: oversubscribed machine

TEST(RuntimeLoad, AdvisedThreadsLeaveTheBusyCoresFree) {
  EXPECT_EQ(dde::runtime::threads_for_load(2, 0.05), 2);
  EXPECT_EQ(dde::runtime::threads_for_load(2, 1.0), 1);
  EXPECT_EQ(dde::runtime::threads_for_load(2, 3.2), 1);
  EXPECT_EQ(dde::runtime::threads_for_load(16, 4.4), 12);
  EXPECT_EQ(dde::runtime::threads_for_load(16, 4.6), 11);
  EXPECT_EQ(dde::runtime::threads_for_load(8, -1), 8);  // load unknown
}

TEST(RuntimeLoad, BannerWarnsWhenLoadPlusThreadsExceedTheCores) {
  EXPECT_EQ(dde::runtime::load_warning(0.2, 2, 2, 0, false), "");  // an idle machine
  EXPECT_EQ(dde::runtime::load_warning(1.0, 1, 2, 0, false), "");
  EXPECT_EQ(dde::runtime::load_warning(-1, 4, 2, 0, true), "");  // load unknown
  // Two other trainings on 2 cores, pinnxde's default of 2 threads: the advice is 1 thread.
  const auto w = dde::runtime::load_warning(2.0, 2, 2, 0, false);
  EXPECT_THAT(w, HasSubstr("the machine is busy: load 2.0 + this process's 2 threads > 2 cores"));
  EXPECT_THAT(w, HasSubstr("run with PINNXDE_NUM_THREADS=1 (or fewer concurrent programs)"));
  EXPECT_THAT(w, Not(HasSubstr("instead of")));
  // On 16 cores with 4.4 busy: 12.
  EXPECT_THAT(dde::runtime::load_warning(4.4, 16, 16, 0, false), HasSubstr("PINNXDE_NUM_THREADS=12 "));
  // Already on one thread (set by the user): only fewer programs help.
  const auto e = dde::runtime::load_warning(3.0, 1, 2, 0, true);
  EXPECT_THAT(e, HasSubstr("PINNXDE_NUM_THREADS = 1 was set; run fewer programs at once"));
}

// OPENBLAS_CORETYPE from the environment is obeyed; the banner says when it holds OpenBLAS below the CPU.
TEST(RuntimeBlas, BannerNotesAnEnvironmentCoreTypeBelowWhatTheCpuRuns) {
  const auto note = dde::runtime::openblas_core_note("Haswell", "Haswell", "SkylakeX");
  EXPECT_THAT(note, HasSubstr("OPENBLAS_CORETYPE=Haswell (set in the environment) keeps OpenBLAS on its Haswell "
                              "kernels; this CPU has AVX-512"));
  EXPECT_THAT(note, HasSubstr("unset OPENBLAS_CORETYPE"));
  EXPECT_EQ(dde::runtime::openblas_core_note("", "Haswell", "SkylakeX"), "");           // OpenBLAS' own choice
  EXPECT_EQ(dde::runtime::openblas_core_note("SKYLAKEX", "SkylakeX", "SkylakeX"), "");  // already AVX-512
  EXPECT_EQ(dde::runtime::openblas_core_note("Cooperlake", "Cooperlake", "SkylakeX"), "");
  EXPECT_EQ(dde::runtime::openblas_core_note("Haswell", "Haswell", "Haswell"), "");     // no AVX-512
  EXPECT_EQ(dde::runtime::openblas_core_note("Haswell", "Haswell", ""), "");
}

}  // namespace

// The examples' own flags (example_cli.hpp's Flags): taken out of argv with their values, checked, and the
// rest left for parse_args, which names them in its unknown-flag message.
TEST_F(UsabilityTest, ExampleFlagsTakeTheirOwnValuesAndRejectBadOnes) {
  namespace ex = dde::examples;
  auto argv_of = [](std::vector<std::string>& words) {
    std::vector<char*> v;
    for (auto& w : words) v.push_back(w.data());
    return v;
  };
  std::vector<std::string> words{"prog", "--beta", "50", "--iterations", "7", "--hard", "--dim", "3", "--net", "fnn"};
  auto argv = argv_of(words);
  ex::Flags flags(static_cast<int>(argv.size()), argv.data());
  EXPECT_EQ(flags.number("--beta", 30, 0, 1000), 50.0);
  EXPECT_EQ(flags.number("--sigma", 3, 0, 10), 3.0);  // absent: the fallback
  EXPECT_TRUE(flags.toggle("--hard"));
  EXPECT_FALSE(flags.toggle("--soft"));
  EXPECT_EQ(flags.integer("--dim", 5, 1, 20), 3);
  EXPECT_EQ(flags.choice("--net", "fourier", {"fnn", "fourier"}), "fnn");
  ASSERT_EQ(flags.argc(), 3);  // prog --iterations 7
  EXPECT_STREQ(flags.argv()[1], "--iterations");
  EXPECT_EQ(flags.names(), (std::vector<std::string>{"--beta", "--sigma", "--hard", "--soft", "--dim", "--net"}));
  const auto lbfgs = dde::optimizers::LBFGS_options();
  EXPECT_EQ(ex::parse_args(flags, {.lbfgs_iterations = 3}).iterations, 7);
  dde::optimizers::set_LBFGS_options(lbfgs);

  auto rejects = [&](std::vector<std::string> w, const std::function<void(ex::Flags&)>& take, const std::string& text) {
    auto a = argv_of(w);
    ex::Flags f(static_cast<int>(a.size()), a.data());
    EXPECT_THAT([&] { take(f); }, ThrowsMessage<dde::ValueError>(HasSubstr(text))) << text;
  };
  rejects({"p", "--beta", "abc"}, [](ex::Flags& f) { f.number("--beta", 30, 0, 1000); },
          "--beta = 'abc' (expected a number in [0, 1000])");
  rejects({"p", "--beta", "2000"}, [](ex::Flags& f) { f.number("--beta", 30, 0, 1000); },
          "--beta = '2000' (expected a number in [0, 1000])");
  rejects({"p", "--beta"}, [](ex::Flags& f) { f.number("--beta", 30, 0, 1000); }, "--beta needs a value");
  rejects({"p", "--dim", "2.5"}, [](ex::Flags& f) { f.integer("--dim", 5, 1, 20); },
          "--dim = '2.5' (expected an integer in [1, 20])");
  rejects({"p", "--dim", "99999999999999999999"}, [](ex::Flags& f) { f.integer("--dim", 5, 1, 20); },
          "--dim = '99999999999999999999' (expected an integer in [1, 20])");
  rejects({"p", "--net", "cnn"}, [](ex::Flags& f) { f.choice("--net", "fnn", {"fnn", "fourier"}); },
          "--net = 'cnn'; valid: fnn, fourier");
  rejects({"p", "--beta", "1", "--bogus"},
          [](ex::Flags& f) {
            f.number("--beta", 30, 0, 1000);
            ex::parse_args(f);
          },
          "unknown flag '--bogus'; valid: --iterations, --lbfgs-iterations, --seed, --float64, --float64-on-stall, "
          "--display-every, --output-dir, --max-error, --device, --beta");
  rejects({"p", "--device", "gpu"}, [](ex::Flags& f) { ex::parse_args(f); }, "--device = 'gpu'; valid: cpu, cuda");
  if (!torch::cuda::is_available())
    rejects({"p", "--device", "cuda"}, [](ex::Flags& f) { ex::parse_args(f); },
            "set_device: device = cuda but CUDA is not available in this LibTorch build");
  EXPECT_EQ(dde::config::device(), torch::Device(torch::kCPU));
}
