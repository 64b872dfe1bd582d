// Data objects (PDE systems, exclusions, auxiliary variables, anchors, Function, DataSet) and the loss
// functions: each loss term against its closed form on hand-made outputs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <pinnxde/pinnxde.hpp>

#include "test_util.hpp"

namespace dde = pinnxde;
namespace geo = pinnxde::geometry;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

// float64 so that closed forms hold to round-off; restored afterwards.
class DataTest : public dde::testing::Float64Test {};

const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
std::vector<dde::data::LossFunction> loss(std::initializer_list<const char*> names) {
  std::vector<dde::data::LossFunction> out;
  for (const char* n : names) out.push_back(dde::losses::get(n));
  return out;
}
double v(const torch::Tensor& t) { return t.item<double>(); }
torch::Tensor zeros(const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); }

TEST(Losses, ClosedForms) {
  auto t = torch::tensor({{1.0, 2.0}, {-4.0, 0.5}}, f64);
  auto p = torch::tensor({{2.0, 2.0}, {-2.0, 1.0}}, f64);
  EXPECT_DOUBLE_EQ(v(dde::losses::get("MSE")(t, p)), (1.0 + 0 + 4 + 0.25) / 4);
  EXPECT_DOUBLE_EQ(v(dde::losses::get("mean squared error")(t, p)), (1.0 + 0 + 4 + 0.25) / 4);
  EXPECT_DOUBLE_EQ(v(dde::losses::get("MAE")(t, p)), (1.0 + 0 + 2 + 0.5) / 4);
  EXPECT_DOUBLE_EQ(v(dde::losses::get("MAPE")(t, p)), 100 * (1.0 + 0 + 0.5 + 1.0) / 4);
  const double l2 = (1.0 / std::sqrt(5.0) + std::sqrt(4.25) / std::sqrt(16.25)) / 2;
  EXPECT_NEAR(v(dde::losses::get("mean l2 relative error")(t, p)), l2, 1e-15);
  EXPECT_EQ(v(dde::losses::get("zero")(t, p)), 0.0);
  // A zero target gives a large finite relative loss, not inf/NaN.
  auto z = torch::zeros({2, 1}, f64), one = torch::ones({2, 1}, f64);
  EXPECT_TRUE(std::isfinite(v(dde::losses::get("MAPE")(z, one))));
  EXPECT_TRUE(std::isfinite(v(dde::losses::get("mean l2 relative error")(z, one))));
  EXPECT_THAT([] { dde::losses::get("MSLE"); },
              ThrowsMessage<dde::ValueError>(HasSubstr("unknown loss 'MSLE'; valid: MSE, mean squared error, MAE")));
}

// u0' = u1, u1' = -u0 on [0, 1] with u0(0) = 0: two equations, two outputs, one condition.
TEST_F(DataTest, TwoOutputSystemGivesOneLossPerEquationAndCondition) {
  geo::Interval geom(0, 1);
  auto ode = [](const torch::Tensor& x, const torch::Tensor& y) -> dde::data::Residuals {
    return {dde::grad::jacobian(y, x, 0) - y.slice(1, 1, 2), dde::grad::jacobian(y, x, 1) + y.slice(1, 0, 1)};
  };
  dde::DirichletBC bc(geom, zeros, [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 0); }, 0);
  dde::data::PDE data(geom, ode, {bc}, {.num_domain = 20, .num_boundary = 2});
  const auto& b = data.train_batch();
  ASSERT_EQ(b.bcs_start, (std::vector<std::int64_t>{0, 1}));
  // Exact solution (sin, cos): all three terms vanish.
  auto x = b.x;
  auto exact = torch::cat({torch::sin(x), torch::cos(x)}, 1);
  auto l = data.losses(exact, b, loss({"MSE"}));
  dde::grad::clear();
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(data.num_losses(), 3u);
  for (const auto& t : l) EXPECT_LT(v(t), 1e-28);
  // Outputs (x, x + 2): residuals 1 - (x + 2) = -1 - x and 1 + x; the condition misses by x(0) = 0.
  auto lin = torch::cat({x, x + 2}, 1);
  auto l2 = data.losses(lin, b, loss({"MSE", "MAE", "MSE"}));
  dde::grad::clear();
  auto xs = x.detach().slice(0, 1);  // the residual rows
  EXPECT_NEAR(v(l2[0]), v((1 + xs).square().mean()), 1e-12);
  EXPECT_NEAR(v(l2[1]), v((1 + xs).abs().mean()), 1e-12);
  EXPECT_NEAR(v(l2[2]), 0.0, 1e-15);
}

TEST_F(DataTest, ConditionTermsUseTheirTargetForRelativeLosses) {
  geo::Interval geom(0, 1);
  auto two = [](const torch::Tensor& x) { return torch::full({x.size(0), 1}, 2.0, x.options()); };
  dde::DirichletBC bc(geom, two, dde::on_boundary);
  dde::data::PDE data(geom, dde::data::PDEFunction{}, {bc},
                      {.num_boundary = 2});
  const auto& b = data.train_batch();
  auto out = torch::ones({b.x.size(0), 1}, f64);  // 1 where 2 is wanted: 50 % off
  auto l = data.losses(out, b, loss({"MAPE"}));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_NEAR(v(l[0]), 50.0, 1e-12);
  EXPECT_NEAR(v(data.losses(out, b, loss({"mean l2 relative error"}))[0]), 0.5, 1e-12);
}

TEST_F(DataTest, PeriodicAndRobinTermsInsideAPDE) {
  geo::Rectangle box({0.0, 0.0}, {1.0, 1.0});
  auto lr = [](const auto& x, bool on) { return on && (dde::utils::isclose(x[0], 0) || dde::utils::isclose(x[0], 1)); };
  dde::PeriodicBC periodic(box, 0, lr);
  dde::data::PDE data(box, dde::data::PDEFunction{}, {periodic},
                      {.num_boundary = 40, .train_distribution = "uniform"});
  const auto& b = data.train_batch();
  const auto m = b.bcs_start[1];
  ASSERT_GT(m, 0);
  ASSERT_EQ(m % 2, 0);
  // u = x: u(0, y) - u(1, y) = -1 or +1 at every pair, so MSE = 1 and MAE = 1.
  auto u = b.x.detach().slice(1, 0, 1).clone();
  EXPECT_NEAR(v(data.losses(u, b, loss({"MSE"}))[0]), 1.0, 1e-12);
  // u = cos(2 pi x) y: periodic in x, loss 0.
  auto w = torch::cos(2 * M_PI * b.x.detach().slice(1, 0, 1)) * b.x.detach().slice(1, 1, 2);
  EXPECT_LT(v(data.losses(w, b, loss({"MSE"}))[0]), 1e-28);
}

TEST_F(DataTest, ExclusionsAnchorsAndReplacement) {
  geo::Interval geom(0, 1);
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0); };
  geo::Points ex(2, 1);
  ex << 0.5, 0.0;  // an interior grid point and a boundary point
  dde::data::PDE data(geom, pde, {}, {.num_domain = 9, .num_boundary = 2, .train_distribution = "uniform",
                                      .exclusions = ex});
  const auto X = data.train_x_all();
  // uniform_points(9, false) on [0, 1] is 0.1 .. 0.9; 0.5 and the boundary point 0 are dropped.
  EXPECT_EQ(X.rows(), 9 + 2 - 2);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    EXPECT_FALSE(dde::utils::isclose(X(i, 0), 0.5)) << i;
    EXPECT_FALSE(dde::utils::isclose(X(i, 0), 0.0)) << i;
  }
  geo::Points a(2, 1);
  a << 0.123, 0.456;
  data.add_anchors(a);
  ASSERT_EQ(data.train_x_all().rows(), X.rows() + 2);
  EXPECT_EQ(data.train_x_all()(0, 0), 0.123);
  EXPECT_EQ(data.train_x_all()(1, 0), 0.456);
  EXPECT_EQ(data.train_batch().x.size(0), X.rows() + 2);
  data.replace_with_anchors(a);
  EXPECT_EQ(data.train_x_all().rows(), 2);
  EXPECT_EQ(data.train_batch().x.size(0), 2);
  data.resample_train_points();  // anchors stay, samples come back
  EXPECT_EQ(data.train_x_all().rows(), 2 + 9);
  EXPECT_THAT([&] { data.add_anchors(geo::Points::Zero(1, 2)); },
              ThrowsMessage<dde::ValueError>(HasSubstr("anchors has 2 columns but the geometry has dimension 1")));
}

// DeepXDE's PDEPointResampler redraws the identical set under its default quasi-random distribution; here a
// resample draws a new set of the same size, inside the geometry, reproducible from the seed, while the
// first draw stays DeepXDE's deterministic one.
TEST_F(DataTest, ResampleDrawsNewPointsUnderTheDefaultHammersley) {
  geo::Rectangle rect({0, 0}, {1, 1});
  geo::Disk hole({0.5, 0.5}, 0.2);
  auto geom = rect - hole;
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0); };
  auto make = [&] { return dde::data::PDE(geom, pde, {}, {.num_domain = 50, .num_boundary = 20}); };
  dde::geometry::seed(5);
  EXPECT_TRUE(make().train_x_all().bottomRows(30) == make().train_x_all().bottomRows(30));  // as DeepXDE
  dde::geometry::seed(5);
  auto data = make();
  const geo::Points first = data.train_x_all();
  data.resample_train_points();
  const geo::Points second = data.train_x_all();
  data.resample_train_points();
  const geo::Points third = data.train_x_all();
  ASSERT_EQ(second.rows(), first.rows());
  ASSERT_EQ(third.rows(), first.rows());
  EXPECT_GT((second - first).cwiseAbs().maxCoeff(), 1e-3);
  EXPECT_GT((third - second).cwiseAbs().maxCoeff(), 1e-3);
  EXPECT_TRUE(geom.inside(second).all());
  EXPECT_TRUE(geom.on_boundary(second.topRows(20)).all());  // [boundary | domain], as DeepXDE
  EXPECT_FALSE(geom.on_boundary(second.bottomRows(30)).any());
  dde::geometry::seed(5);
  auto replay = make();
  (void)replay.train_x_all();
  replay.resample_train_points();
  EXPECT_TRUE(replay.train_x_all() == second);  // the same seed, the same resampled points
}

TEST_F(DataTest, AuxiliaryVariablesReachTheResidual) {
  geo::Interval geom(0, 1);
  // u'' = q(x) with q = 6x, evaluated once per sampling; u = x^3 satisfies it.
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& q) {
    return dde::grad::hessian(y, x, 0, 0) - q;
  };
  dde::data::PDE data(geom, pde, {}, {.num_domain = 12, .auxiliary_var_function = [](const torch::Tensor& x) {
                                        return 6 * x;
                                      }});
  const auto& b = data.train_batch();
  ASSERT_TRUE(b.aux.defined());
  EXPECT_TRUE(torch::allclose(b.aux, 6 * b.x.detach()));
  auto l = data.losses(b.x.pow(3), b, loss({"MSE"}));
  dde::grad::clear();
  EXPECT_LT(v(l[0]), 1e-24);
  auto l2 = data.losses(b.x.pow(2), b, loss({"MSE"}));  // u'' = 2: residual 2 - 6x
  dde::grad::clear();
  EXPECT_NEAR(v(l2[0]), v((2 - 6 * b.x.detach()).square().mean()), 1e-12);
  EXPECT_THAT([&] { dde::data::PDE(geom, pde, {}, {.num_domain = 4}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("auxiliary_var_function is empty")));
}

TEST_F(DataTest, FunctionApproximationData) {
  auto f = [](const torch::Tensor& x) { return x * torch::sin(5 * x); };
  dde::data::Function data(geo::Interval(-1, 1), f, 16, 100);
  const auto& tr = data.train_batch();
  ASSERT_EQ(tr.x.size(0), 16);
  EXPECT_TRUE(torch::allclose(tr.y, f(tr.x)));
  EXPECT_EQ(data.test_batch().x.size(0), 100);
  auto l = data.losses(tr.y + 0.5, tr, loss({"MSE"}));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_NEAR(v(l[0]), 0.25, 1e-14);
  EXPECT_THAT([&] { dde::data::Function(geo::Interval(-1, 1), f, 0, 10); },
              ThrowsMessage<dde::ValueError>(HasSubstr("num_train = 0 (expected >= 1)")));
  // Training actually fits it (a few hundred Adam steps, loose bound).
  dde::nn::FNN net({1, 20, 20, 1}, "tanh", "Glorot uniform");
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-2, .metrics = {"l2 relative error"}});
  auto [h, s] = model.train({.iterations = 600, .display_every = 600, .verbose = false});
  EXPECT_LT(s.best_metrics.at(0), 0.1);
}

TEST_F(DataTest, DataSetFromArraysAndFilesWithStandardisation) {
  geo::Points X(4, 2), y(4, 1);
  X << 0, 10, 1, 10, 2, 10, 3, 10;  // second column constant: keeps scale 1
  y << 0, 1, 2, 3;
  dde::data::DataSet data({.X_train = X, .y_train = y, .standardize = true});
  EXPECT_NEAR(data.scaler_mean()(0), 1.5, 1e-15);
  EXPECT_NEAR(data.scaler_std()(0), std::sqrt(1.25), 1e-15);
  EXPECT_EQ(data.scaler_std()(1), 1.0);
  EXPECT_NEAR(data.train_x().col(0).mean(), 0.0, 1e-15);
  EXPECT_NEAR(data.train_x().col(0).squaredNorm() / 4, 1.0, 1e-14);
  EXPECT_EQ(data.input_dim(), 2);
  EXPECT_EQ(data.test_batch().x.size(0), 4);  // no test data: the training data
  auto l = data.losses(torch::zeros({4, 1}, f64), data.train_batch(), loss({"MAE"}));
  EXPECT_NEAR(v(l[0]), 1.5, 1e-15);

  const dde::testing::ScratchDir dir;
  const auto path = dir.path() / "dataset.dat";
  {
    std::ofstream out(path);
    out << "# x y\n0.0 1.0\n0.5 2.0\n1.0 3.0\n";
  }
  dde::data::DataSet file({.fname_train = path.string(), .fname_test = path.string(), .col_x = {0}, .col_y = {1}});
  EXPECT_EQ(file.train_x().rows(), 3);
  EXPECT_EQ(file.train_y()(2, 0), 3.0);
  EXPECT_THAT([&] { dde::data::DataSet({.fname_train = path.string(), .col_x = {0}, .col_y = {2}}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("col_y[0] = 2 out of range")));
  EXPECT_THAT([&] { dde::data::DataSet({.X_train = X, .y_train = geo::Points::Zero(3, 1)}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("X_train has 4 rows but y_train has 3")));
}

TEST_F(DataTest, PerTermLossesTrainThroughTheModel) {
  // A Variable of a non-floating dtype is refused, naming the dtype.
  EXPECT_THAT([] { dde::Variable(1.0, torch::kInt32); }, ThrowsMessage<dde::ValueError>(HasSubstr("dtype = Int")));
  geo::Interval geom(0, 1);
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::jacobian(y, x) - 1; };
  dde::DirichletBC bc(geom, zeros, [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 0); });
  dde::data::PDE data(geom, pde, {bc}, {.num_domain = 10, .num_boundary = 2});
  dde::nn::FNN net({1, 8, 1}, "tanh", "Glorot uniform");
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-2, .loss = {"MSE", "MAE"}});
  auto [h, s] = model.train({.iterations = 300, .display_every = 300, .verbose = false, .restore_best = false});
  ASSERT_EQ(h.loss_train.back().size(), 2u);
  EXPECT_LT(h.loss_train.back()[0], h.loss_train.front()[0]);
  // The condition's term is MAE: |u(0) - 0| at the final parameters, not its square.
  const double u0 = model.predict(torch::zeros({1, 1}, dde::config::options())).item<double>();
  EXPECT_NEAR(h.loss_train.back()[1], std::abs(u0), 1e-12);
  model.compile("adam", {.lr = 1e-2, .loss = {"MSE", "MAE", "MSE"}});
  EXPECT_THAT([&] { model.train({.iterations = 1, .verbose = false}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("loss has 3 entries for 2 loss terms")));
}

}  // namespace
