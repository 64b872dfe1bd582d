// Data objects and Model: point layout, validation messages, reproducibility, NaN handling, L-BFGS.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include <pinnxde/pinnxde.hpp>

#include "test_util.hpp"

namespace dde = pinnxde;
using pinnxde::testing::diffusion_reaction;
using pinnxde::testing::zeros_like_rows;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

// Every test starts from float32 and a fixed seed, and leaves them so.
class ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dde::config::set_default_float("float32");
    dde::config::set_random_seed(0);
    dde::optimizers::set_LBFGS_options({});
  }
  void TearDown() override {
    dde::config::set_default_float("float32");
    dde::optimizers::set_LBFGS_options({});
  }
};

struct Flagship : dde::testing::Flagship {
  explicit Flagship(std::int64_t nd = 400, std::int64_t nb = 40, std::int64_t ni = 40)
      : dde::testing::Flagship(nd, nb, ni) {}
};

TEST_F(ModelTest, TimePDEBuildsOneTensorWithConditionSlices) {
  Flagship f(100, 20, 30);
  const auto& b = f.data.train_batch();
  ASSERT_EQ(b.bcs_start.size(), 3u);
  const auto n_bc = b.bcs_start[1], n_ic = b.bcs_start[2] - b.bcs_start[1];
  EXPECT_EQ(n_bc, 20);  // every boundary point satisfies on_boundary
  EXPECT_GE(n_ic, 30);  // initial points (and any domain point at t = 0)
  EXPECT_EQ(b.x.size(0), n_bc + n_ic + 150);
  EXPECT_TRUE(b.x.requires_grad());
  auto xb = b.x.detach().slice(0, 0, n_bc).select(1, 0).abs();
  EXPECT_LT((xb - 1).abs().max().item<double>(), 1e-6);
  auto ti = b.x.detach().slice(0, b.bcs_start[1], b.bcs_start[2]).select(1, 1);
  EXPECT_LT(ti.abs().max().item<double>(), 1e-6);
  EXPECT_EQ(f.data.num_losses(), 3u);
}

TEST_F(ModelTest, BadDataArgumentsAreRejected) {
  dde::geometry::GeometryXTime g(dde::geometry::Interval(-1, 1), dde::geometry::TimeDomain(0, 1));
  EXPECT_THAT([&] { dde::data::TimePDE(g, diffusion_reaction, {}, {.num_domain = -5}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("TimePDE: num_domain = -5 (expected >= 0)")));
  EXPECT_THAT([&] { dde::data::TimePDE(g, diffusion_reaction, {}, {.num_domain = 5, .num_initial = -1}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("num_initial = -1")));
  EXPECT_THAT([&] { dde::data::TimePDE(g, diffusion_reaction, {}, {.num_domain = 5, .train_distribution = "grid"}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("train_distribution = 'grid'; valid: uniform, pseudo")));
  dde::geometry::Interval line(0, 1);
  EXPECT_THAT([&] { dde::data::TimePDE(line, diffusion_reaction, {}, {.num_domain = 5}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("expected a GeometryXTime")));
}

TEST_F(ModelTest, CompileAndTrainValidateTheirArguments) {
  Flagship f;
  dde::Model model(f.data, dde::nn::FNN({2, 8, 1}));
  EXPECT_THAT([&] { model.train({.iterations = 10}); },
              ThrowsMessage<dde::StateError>(HasSubstr("called before compile()")));
  EXPECT_THAT([&] { model.compile("adamm"); },
              ThrowsMessage<dde::ValueError>(HasSubstr("unknown optimizer 'adamm'; valid: adam, sgd, rmsprop")));
  EXPECT_THAT([&] { model.compile("adam", {.lr = -1e-3}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("lr = -0.001")));
  EXPECT_THAT([&] { model.compile("adam", {.metrics = {"l3 error"}}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("unknown metric 'l3 error'; valid: l2 relative error")));
  model.compile("adam");
  EXPECT_THAT([&] { model.train(); }, ThrowsMessage<dde::ValueError>(HasSubstr("iterations is required")));

  dde::Model wide(f.data, dde::nn::FNN({3, 8, 1}));
  EXPECT_THAT([&] { wide.compile("adam"); },
              ThrowsMessage<dde::ValueError>(HasSubstr("FNN: layer_sizes[0] = 3 but the geometry has dimension 2")));

  dde::geometry::GeometryXTime g(dde::geometry::Interval(-1, 1), dde::geometry::TimeDomain(0, 1));
  dde::DirichletBC bc1(g, zeros_like_rows, dde::on_boundary, /*component=*/1);
  dde::data::TimePDE two(g, diffusion_reaction, {bc1}, {.num_domain = 10, .num_boundary = 4});
  dde::Model m2(two, dde::nn::FNN({2, 8, 1}));
  EXPECT_THAT([&] { m2.compile("adam"); },
              ThrowsMessage<dde::ValueError>(HasSubstr("DirichletBC: component = 1 out of range for a network with 1")));
}

TEST_F(ModelTest, ResidualOfTheWrongShapeIsReported) {
  dde::geometry::Interval geom(0, 1);
  auto bad = [](const torch::Tensor& x, const torch::Tensor& y) { return torch::cat({y, y}, 1) * x; };
  dde::data::PDE data(geom, bad, {}, {.num_domain = 10});
  dde::Model model(data, dde::nn::FNN({1, 8, 1}));
  model.compile("adam");
  EXPECT_THAT([&] { model.train({.iterations = 1}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("PDE residual (term 0) returned shape [10, 2] for 10 points")));
  auto throwing = [](const torch::Tensor&, const torch::Tensor& y) -> torch::Tensor {
    return dde::grad::hessian(y, y.detach().requires_grad_(), 0, 5);
  };
  dde::data::PDE data2(geom, throwing, {}, {.num_domain = 10});
  dde::Model model2(data2, dde::nn::FNN({1, 8, 1}));
  model2.compile("adam");
  EXPECT_THAT([&] { model2.train({.iterations = 1}); },
              ThrowsMessage<dde::Error>(HasSubstr("while evaluating the PDE residual on 10 points: hessian: j = 5")));
}

// Poisson 1D on few points: small enough to run several times.
dde::LossHistory poisson_history(std::uint64_t seed, std::int64_t iterations = 200) {
  dde::config::set_random_seed(seed);
  dde::geometry::Interval geom(0, M_PI);
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0) + torch::sin(x); };
  dde::DirichletBC bc(geom, zeros_like_rows, dde::on_boundary);
  dde::data::PDE data(geom, pde, {bc}, {.num_domain = 16, .num_boundary = 2, .train_distribution = "pseudo"});
  dde::Model model(data, dde::nn::FNN({1, 16, 16, 1}));
  model.compile("adam", {.lr = 1e-3});
  return model.train({.iterations = iterations, .display_every = 50, .verbose = false}).first;
}

TEST_F(ModelTest, SameSeedGivesIdenticalLossHistoryDifferentSeedDoesNot) {
  auto a = poisson_history(7), b = poisson_history(7), c = poisson_history(8);
  ASSERT_EQ(a.steps, b.steps);
  EXPECT_EQ(a.loss_train, b.loss_train);  // bitwise
  EXPECT_EQ(a.loss_test, b.loss_test);
  EXPECT_NE(a.loss_train, c.loss_train);
}

TEST_F(ModelTest, NonFiniteLossStopsTrainingAndKeepsTheBestState) {
  dde::geometry::Interval geom(0, 1);
  int calls = 0;
  auto pde = [&](const torch::Tensor& x, const torch::Tensor& y) {
    auto r = dde::grad::jacobian(y, x) - 1;
    return ++calls > 40 ? r * std::numeric_limits<double>::quiet_NaN() : r;
  };
  dde::data::PDE data(geom, pde, {}, {.num_domain = 20});
  dde::Model model(data, dde::nn::FNN({1, 8, 1}));
  model.compile("adam", {.lr = 1e-2});
  auto [history, state] = model.train({.iterations = 100, .display_every = 1000, .verbose = false});
  EXPECT_EQ(state.stop_reason, dde::StopReason::NonFinite);
  EXPECT_THAT(state.message, HasSubstr("loss became nan"));
  EXPECT_LT(state.step, 100);
  EXPECT_TRUE(state.restored_best);
  EXPECT_TRUE(std::isfinite(state.best_loss_train));
  for (const auto& p : model.trainable_variables()) EXPECT_TRUE(torch::isfinite(p).all().item<bool>());
  auto y = model.predict(torch::rand({5, 1}));
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
}

TEST_F(ModelTest, LBFGSKeepsDecreasingTheLossAfterAdamOnTheFlagship) {
  Flagship f;
  dde::Model model(f.data, dde::nn::FNN({2, 64, 64, 64, 1}, "tanh", "Glorot normal"));
  model.compile("adam", {.lr = 1e-3});
  model.train({.iterations = 300, .display_every = 100, .verbose = false});
  const double after_adam = model.train_state().best_loss_train;
  dde::optimizers::set_LBFGS_options({.maxiter = 500});
  model.compile("L-BFGS");
  auto [history, state] = model.train({.display_every = 100, .verbose = false});
  const auto lbfgs_steps = state.step - 300;
  EXPECT_GE(lbfgs_steps, 450) << state.message;  // it does not stop after a handful of iterations
  EXPECT_LT(state.best_loss_train, after_adam / 10) << after_adam;
  // and the loss keeps falling through the run, not only at its start
  const auto& h = history.loss_train;
  auto sum = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); };
  ASSERT_GE(h.size(), 5u);
  EXPECT_LT(sum(h.back()), sum(h[h.size() - 3]));
}

TEST_F(ModelTest, Float64SwitchCoversNetworkAndVariables) {
  auto k = dde::Variable(1.0);
  EXPECT_EQ(k.scalar_type(), torch::kFloat32);
  dde::config::set_default_float("float64");
  dde::geometry::Interval geom(0, 1);
  auto ode = [k](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::jacobian(y, x) + k * y; };
  dde::data::PDE data(geom, ode, {}, {.num_domain = 8});
  dde::nn::FNN net({1, 4, 1});
  dde::Model model(data, net);
  model.compile("adam", {.external_trainable_variables = {k}});
  EXPECT_EQ(k.scalar_type(), torch::kFloat64);
  for (const auto& p : net->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat64);
  EXPECT_EQ(data.train_batch().x.scalar_type(), torch::kFloat64);
  const double before = k.item<double>();
  model.train({.iterations = 5, .verbose = false});
  EXPECT_NE(k.item<double>(), before);  // the variable is trained
  EXPECT_THAT([] { dde::Variable(1.0, torch::kInt64); }, ThrowsMessage<dde::ValueError>(HasSubstr("dtype = Long")));
  EXPECT_THAT([] { dde::config::set_default_float("float16"); },
              ThrowsMessage<dde::ValueError>(HasSubstr("value = 'float16'")));
}

TEST_F(ModelTest, PredictWithAnOperatorDifferentiatesThroughTheNetwork) {
  dde::geometry::Interval geom(0, 1);
  dde::data::PDE data(geom, diffusion_reaction, {}, {.num_domain = 8});
  dde::nn::FNN net({1, 4, 1});
  net->apply_output_transform([](const torch::Tensor& x, const torch::Tensor&) { return x * x * x; });
  dde::Model model(data, net);
  auto x = torch::tensor({{0.5}, {2.0}});
  auto d2 = model.predict(x, [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0); });
  EXPECT_NEAR(d2[0].item<double>(), 3.0, 1e-5);
  EXPECT_NEAR(d2[1].item<double>(), 12.0, 1e-5);
}

}  // namespace

namespace {

TEST_F(ModelTest, PrecisionCanSwitchBetweenTrainingPhases) {
  Flagship f(60, 10, 10);
  auto k = dde::Variable(1.0);
  dde::nn::FNN net({2, 16, 1});
  dde::Model model(f.data, net);
  model.compile("adam", {.lr = 1e-3, .external_trainable_variables = {k}});
  model.train({.iterations = 20, .verbose = false});
  EXPECT_EQ(f.data.train_batch().x.scalar_type(), torch::kFloat32);
  const auto points32 = f.data.train_batch().x.detach().clone();
  dde::config::set_default_float("float64");
  dde::optimizers::set_LBFGS_options({.maxiter = 20});
  model.compile("L-BFGS", {.external_trainable_variables = {k}});
  auto [history, state] = model.train({.verbose = false});
  EXPECT_EQ(net->parameters()[0].scalar_type(), torch::kFloat64);
  EXPECT_EQ(k.scalar_type(), torch::kFloat64);
  const auto& b = f.data.train_batch();
  EXPECT_EQ(b.x.scalar_type(), torch::kFloat64);
  EXPECT_TRUE(b.x.requires_grad());
  EXPECT_TRUE(torch::equal(b.x.detach().to(torch::kFloat32), points32));  // the same points, converted
  for (const auto& p : b.prepared) EXPECT_EQ(p.values.scalar_type(), torch::kFloat64);
  EXPECT_GT(state.step, 20);
  EXPECT_TRUE(std::isfinite(state.best_loss_train));
}

}  // namespace

namespace {

// A periodic feature transform x -> (cos x, sin x) and a hard constraint y -> x (pi - x) y, trained through
// the derivative cache: u'' = -sin x on [0, pi] has the exact solution sin x.
TEST_F(ModelTest, FeatureAndOutputTransformsTrainThroughTheDerivativeCache) {
  dde::config::set_default_float("float64");
  dde::geometry::Interval geom(0, M_PI);
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0) + torch::sin(x); };
  dde::data::PDE data(geom, pde, {}, {.num_domain = 32, .solution = [](const torch::Tensor& x) { return torch::sin(x); },
                                      .num_test = 64});
  dde::nn::FNN net({2, 24, 24, 1}, "tanh", "Glorot normal");
  net->apply_feature_transform([](const torch::Tensor& x) { return torch::cat({torch::cos(x), torch::sin(x)}, 1); });
  net->apply_output_transform([](const torch::Tensor& x, const torch::Tensor& y) { return x * (M_PI - x) * y; });
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}});
  model.train({.iterations = 2000, .display_every = 1000, .verbose = false});
  dde::optimizers::set_LBFGS_options({.maxiter = 500});
  model.compile("L-BFGS", {.metrics = {"l2 relative error"}});
  auto [history, state] = model.train({.display_every = 500, .verbose = false});
  auto x = torch::linspace(0, M_PI, 7, torch::kFloat64).unsqueeze(1);
  auto y = model.predict(x);
  EXPECT_EQ(y[0].item<double>(), 0.0);  // the hard constraint holds exactly at both ends
  EXPECT_NEAR(y[6].item<double>(), 0.0, 1e-12);
  EXPECT_LT(state.best_metrics.at(0), 1e-3) << state.message;
}

}  // namespace

namespace {

// DeepXDE multiplies each loss term by its weight; the optimizer's objective here is that weighted sum,
// while the table / loss.dat keep the terms themselves (docs/porting_from_deepxde.md).
TEST_F(ModelTest, LossWeightsWeighTheObjectiveWhileTheRecordedTermsStayUnweighted) {
  dde::config::set_default_float("float64");
  Flagship f(60, 12, 12);
  dde::nn::FNN net({2, 8, 1}, "tanh", "Glorot normal");
  dde::Model model(f.data, net);
  model.compile("adam", {.lr = 1e-3, .loss_weights = {1, 10, 0.5}});
  auto [h, st] = model.train({.iterations = 0, .verbose = false});
  ASSERT_EQ(h.loss_train.size(), 1u);
  const auto t = h.loss_train[0];
  ASSERT_EQ(t.size(), 3u);
  EXPECT_GT(t[1], 0);
  EXPECT_NEAR(st.best_loss_train, t[0] + 10 * t[1] + 0.5 * t[2], 1e-12 * st.best_loss_train);

  // 50 Adam steps from the same start, with and without weights: the weighted term is pushed down.
  auto step_with = [&](std::vector<double> weights) {
    dde::config::set_random_seed(0);
    Flagship g(60, 12, 12);
    dde::nn::FNN n({2, 8, 1}, "tanh", "Glorot normal");
    dde::Model m(g.data, n);
    m.compile("adam", {.lr = 1e-2, .loss_weights = std::move(weights)});
    m.train({.iterations = 50, .verbose = false, .restore_best = false});
    return m.losshistory().loss_train.back();
  };
  const auto equal = step_with({}), boundary_heavy = step_with({1, 100, 1});
  EXPECT_LT(boundary_heavy[1], equal[1]);  // the heavily weighted boundary misfit ends lower

  model.compile("adam", {.lr = 1e-3, .loss_weights = {1, 10}});
  EXPECT_THAT([&] { model.train({.iterations = 1, .verbose = false}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("loss_weights has 2 entries for 3 loss terms")));
}

}  // namespace

namespace {

TEST_F(ModelTest, SettingMaxlsSaysItHasNoEffect) {
  ::testing::internal::CaptureStderr();
  dde::optimizers::set_LBFGS_options({.maxls = 10});
  EXPECT_THAT(::testing::internal::GetCapturedStderr(),
              HasSubstr("maxls = 10 has no effect: LibTorch's strong Wolfe line search always allows 25"));
  ::testing::internal::CaptureStderr();
  dde::optimizers::set_LBFGS_options({.maxiter = 100});  // DeepXDE's default maxls: nothing to say
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_THAT([] { dde::optimizers::set_LBFGS_options({.maxls = 0}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("maxls = 0 (expected >= 1)")));
}

}  // namespace

namespace {

// float32 L-BFGS stops on round-off long before the minimum (a restart with fresh history makes no
// progress). LBFGSOptions::float64_on_stall goes on from the best state in float64 (network, Variables,
// points), and a checkpoint taken after the switch, restored by a program that starts in float32, resumes
// bit for bit. The problem is built so that round-off is what stops float32: u' = k U'(x) on [0, 1] with
// u = U on the boundary and observed at 5 points, U(x) = a tanh(w x + b) + c, so k = 1 (from 0.5). U is in
// the network's class (one hidden tanh unit) and the minimum, loss 0, is isolated: L-BFGS converges fast,
// float32 stalls at its resolution of the residual (loss ~1e-15, residuals ~1e-7 of U') and float64 goes
// orders of magnitude lower. display_every = 1 throughout: every L-BFGS chunk is one iteration, so the stall
// is seen only if L-BFGS reports a stall on a chunk's last iteration (LBFGS::stopped_on_its_own). (An earlier version fitted sin(pi x) with a [1, 12, 12, 1] network: there both precisions
// crawled along the same flat valley, and whether float64 got 10x lower depended on the seed and on
// OpenBLAS' kernels.)
struct StallProgram {
  static constexpr double a = 0.8, w = 2.0, b = -0.7, c = 0.1;
  dde::geometry::Interval geom{0, 1};
  torch::Tensor k;
  std::unique_ptr<dde::data::PDE> data;
  dde::nn::FNN net;
  std::unique_ptr<dde::Model> model;
  explicit StallProgram(bool float64_on_stall) : k((dde::config::set_random_seed(3), dde::Variable(0.5))),
      net(std::vector<std::int64_t>{1, 1, 1}, "tanh", "Glorot normal") {
    auto kk = k;
    auto pde = [kk](const torch::Tensor& x, const torch::Tensor& y) {
      const auto t = torch::tanh(w * x + b);
      return dde::grad::jacobian(y, x) - kk * (a * w) * (1 - t * t);
    };
    dde::geometry::Points xo(5, 1), uo(5, 1);
    for (int i = 0; i < 5; ++i) {
      xo(i, 0) = 0.1 + 0.2 * i;
      uo(i, 0) = a * std::tanh(w * xo(i, 0) + b) + c;
    }
    dde::DirichletBC bc(geom, [](const torch::Tensor& x) { return a * torch::tanh(w * x + b) + c; },
                        dde::on_boundary);
    dde::PointSetBC obs(xo, uo);
    data = std::make_unique<dde::data::PDE>(geom, pde, std::vector<dde::icbc::BCPtr>{bc, obs},
                                            dde::data::PDEOptions{.num_domain = 40, .num_boundary = 2, .train_distribution = "pseudo"});
    model = std::make_unique<dde::Model>(*data, net);
    // gtol far below DeepXDE's 1e-8, which float64 meets at a loss ~1e-15, as low as float32 gets with some
    // seeds and kernels: the float64 phase would end where float32 did.
    dde::optimizers::set_LBFGS_options({.gtol = 1e-14, .maxiter = 4000, .float64_on_stall = float64_on_stall});
    model->compile("L-BFGS", {.external_trainable_variables = {k}});
  }
};

// Saves the model and stops training at the second chunk that ends in float64.
class SaveAfterSwitch : public dde::callbacks::Callback {
 public:
  explicit SaveAfterSwitch(std::string path) : path_(std::move(path)) {}
  void on_epoch_end() override {
    if (dde::config::real() == torch::kFloat64 && ++chunks_ == 2) {
      model_->save(path_);
      model_->stop_training = true;
    }
  }

 private:
  std::string path_;
  int chunks_ = 0;
};

TEST_F(ModelTest, StalledFloat32LBFGSGoesOnInFloat64AndResumesExactly) {
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  const dde::testing::ScratchDir dir;
  const auto path = dir.file("stall.ckpt");

  StallProgram plain(false);
  auto [h32, s32] = plain.model->train({.display_every = 1, .verbose = false});
  EXPECT_THAT(s32.message, HasSubstr("a restart with fresh history made no progress"));
  ASSERT_LT(s32.step, 3000) << "float32 L-BFGS did not stall: the test needs a problem where it does";
  EXPECT_EQ(dde::config::real(), torch::kFloat32);
  const double k32 = plain.k.item<double>();

  StallProgram straight(true);
  ::testing::internal::CaptureStdout();
  auto [h64, s64] = straight.model->train({.display_every = 1});
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_THAT(out, HasSubstr("L-BFGS: float32 stalled at step"));
  EXPECT_THAT(out, HasSubstr("continuing in float64"));
  EXPECT_EQ(dde::config::real(), torch::kFloat64);
  for (const auto& p : straight.net->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat64);
  EXPECT_EQ(straight.k.scalar_type(), torch::kFloat64);
  EXPECT_EQ(straight.data->train_batch().x.scalar_type(), torch::kFloat64);
  EXPECT_GT(s64.step, s32.step);
  EXPECT_LT(s64.best_loss_train, s32.best_loss_train / 10)
      << "float32: " << s32.message << " at step " << s32.step << "; float64: " << s64.message << " at step "
      << s64.step << "; losses " << s32.best_loss_train << ", " << s64.best_loss_train;
  // k is 1 to float32's resolution already (k32 = 1 exactly for some seeds); in float64 it is 1 to ~1e-8.
  EXPECT_LT(std::abs(straight.k.item<double>() - 1), 1e-7) << "float32: " << k32;

  dde::config::set_default_float("float32");
  {
    StallProgram first(true);
    first.model->train({.display_every = 1, .callbacks = {SaveAfterSwitch(path)}, .verbose = false});
    ASSERT_LT(first.model->train_state().step, s64.step);
  }
  dde::config::set_default_float("float32");  // a new program
  StallProgram resumed(true);
  resumed.model->restore(path);
  EXPECT_EQ(dde::config::real(), torch::kFloat64);
  auto [hr, sr] = resumed.model->train({.display_every = 1, .verbose = false});
  EXPECT_EQ(sr.step, s64.step);
  const auto a = straight.model->trainable_variables(), b = resumed.model->trainable_variables();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
  EXPECT_EQ(h64.loss_train, hr.loss_train);
  torch::set_num_threads(threads);
}

}  // namespace
