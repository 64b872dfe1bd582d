// Training machinery: checkpoints (kill-and-resume), callbacks, learning-rate decay.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <pinnxde/pinnxde.hpp>
#include <thread>
#include <torch/serialize/archive.h>

namespace dde = pinnxde;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

class TrainingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    threads_ = torch::get_num_threads();
    dir_ = std::filesystem::temp_directory_path() /
           ("pinnxde_training_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    dde::config::set_default_float("float32");
    dde::optimizers::set_LBFGS_options({});
    torch::set_num_threads(threads_);
    std::filesystem::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  int threads_ = 1;
  std::filesystem::path dir_;
};

torch::Tensor zeros(const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); }

// One "program": what a user's script sets up before training; the same seed every time it starts.
struct Program {
  dde::geometry::Interval geom{0, 1};
  torch::Tensor k;
  dde::DirichletBC bc{geom, zeros, dde::on_boundary};
  dde::data::PDE data;
  dde::nn::FNN net{{1, 12, 12, 1}, "tanh", "Glorot normal"};
  dde::Model model;
  static dde::data::PDE make_data(const dde::geometry::Interval& g, const dde::DirichletBC& bc, torch::Tensor k) {
    auto pde = [k](const torch::Tensor& x, const torch::Tensor& y) {
      return dde::grad::hessian(y, x, 0, 0) + k * torch::sin(M_PI * x);
    };
    return dde::data::PDE(g, pde, {bc}, {.num_domain = 24, .num_boundary = 2, .train_distribution = "pseudo"});
  }
  explicit Program(std::uint64_t seed)
      : k((dde::config::set_random_seed(seed), dde::Variable(0.5))),
        data(make_data(geom, bc, k)),
        model(data, net) {
    model.compile("adam", {.lr = 1e-2, .decay = dde::Decay{"inverse time", 10, 0.5},
                           .external_trainable_variables = {k}});
  }
  dde::TrainOptions options(std::int64_t iterations) {
    // The resampler draws from the geometry generator during training, so resuming must restore it.
    return {.iterations = iterations, .display_every = 10, .callbacks = {dde::callbacks::PDEPointResampler(7)},
            .verbose = false, .restore_best = false};
  }
};

TEST_F(TrainingTest, KillAndResumeGivesBitwiseTheSameRunInFloat64) {
  dde::config::set_default_float("float64");
  torch::set_num_threads(1);
  Program straight(11);
  straight.model.train(straight.options(60));

  {
    Program first(11);
    first.model.train(first.options(30));
    first.model.save(path("run.ckpt"));
  }  // the first process ends here
  torch::manual_seed(12345);  // whatever the generators did in between
  dde::geometry::seed(12345);
  Program resumed(11);
  resumed.model.restore(path("run.ckpt"));
  EXPECT_EQ(resumed.model.train_state().step, 30);
  resumed.model.train(resumed.options(30));

  EXPECT_EQ(resumed.model.train_state().step, 60);
  const auto a = straight.model.trainable_variables(), b = resumed.model.trainable_variables();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
  EXPECT_EQ(straight.k.item<double>(), resumed.k.item<double>());
  EXPECT_NE(straight.k.item<double>(), 0.5);  // the Variable was trained and restored
  EXPECT_EQ(straight.model.losshistory().steps, resumed.model.losshistory().steps);
  EXPECT_EQ(straight.model.losshistory().loss_train, resumed.model.losshistory().loss_train);
  EXPECT_EQ(straight.model.learning_rate(), resumed.model.learning_rate());
}

TEST_F(TrainingTest, RestoreRejectsOtherNetworksAndDamagedFiles) {
  Program p(1);
  p.model.train(p.options(3));
  p.model.save(path("ok.ckpt"));

  dde::geometry::Interval geom(0, 1);
  dde::data::PDE data(geom, nullptr, {dde::DirichletBC(geom, zeros, dde::on_boundary)}, {.num_boundary = 2});
  dde::Model wider(data, dde::nn::FNN({1, 16, 12, 1}));
  wider.compile("adam", {.external_trainable_variables = {dde::Variable(0.5)}});
  EXPECT_THAT([&] { wider.restore(path("ok.ckpt")); },
              ThrowsMessage<dde::ValueError>(HasSubstr("has shape [12, 1] in")));

  dde::Model no_vars(data, dde::nn::FNN({1, 12, 12, 1}));
  no_vars.compile("adam");
  EXPECT_THAT([&] { no_vars.restore(path("ok.ckpt")); },
              ThrowsMessage<dde::ValueError>(HasSubstr("holds 1 Variables but the model was compiled with 0")));

  const auto size = std::filesystem::file_size(path("ok.ckpt"));
  {
    std::ifstream in(path("ok.ckpt"), std::ios::binary);
    std::string bytes(size / 2, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::ofstream(path("truncated.ckpt"), std::ios::binary) << bytes;
    std::ofstream(path("garbage.ckpt"), std::ios::binary) << "this is not a checkpoint";
  }
  EXPECT_THAT([&] { p.model.restore(path("truncated.ckpt")); },
              ThrowsMessage<dde::ValueError>(HasSubstr("not a readable pinnxde checkpoint")));
  EXPECT_THAT([&] { p.model.restore(path("garbage.ckpt")); },
              ThrowsMessage<dde::ValueError>(HasSubstr("not a readable pinnxde checkpoint")));
  EXPECT_THAT([&] { p.model.restore(path("missing.ckpt")); },
              ThrowsMessage<dde::ValueError>(HasSubstr("no checkpoint at")));
}

// A user's callback: at the first epoch end at or after `step`, stops training, or sleeps `sleep_s` seconds
// (so that a time_limit runs out in the next step).
class StopAt : public dde::callbacks::Callback {
 public:
  explicit StopAt(std::int64_t step, double sleep_s = 0) : step_(step), sleep_s_(sleep_s) {}
  void on_epoch_end() override {
    if (fired_ || model_->train_state().step < step_) return;
    fired_ = true;
    if (sleep_s_ > 0) std::this_thread::sleep_for(std::chrono::duration<double>(sleep_s_));
    else model_->stop_training = true;
  }

 private:
  std::int64_t step_;
  double sleep_s_;
  bool fired_ = false;
};

TEST_F(TrainingTest, LBFGSStoppedWithBudgetLeftGoesOnWithTheRest) {
  dde::config::set_default_float("float64");
  torch::set_num_threads(1);
  dde::optimizers::set_LBFGS_options({.gtol = 0, .maxiter = 80, .maxfun = 1000});
  const dde::TrainOptions plain{.display_every = 10, .verbose = false, .restore_best = false};
  auto with = [&](dde::callbacks::CallbackPtr cb, double time_limit) {
    auto o = plain;
    o.callbacks = {std::move(cb)};
    o.time_limit = time_limit;
    return o;
  };
  Program straight(11);
  straight.model.compile("L-BFGS", {.external_trainable_variables = {straight.k}});
  straight.model.train(plain);
  ASSERT_EQ(straight.model.train_state().step, 80) << straight.model.train_state().message;

  // Stopped by a callback at step 40: the next train() does the other 40 iterations with the same curvature
  // history, so the run is the straight one bit for bit.
  Program stopped(11);
  stopped.model.compile("L-BFGS", {.external_trainable_variables = {stopped.k}});
  stopped.model.train(with(StopAt(40), 0));
  EXPECT_EQ(stopped.model.train_state().step, 40);
  EXPECT_EQ(stopped.model.train_state().stop_reason, dde::StopReason::StoppedByCallback);
  stopped.model.train(plain);
  EXPECT_EQ(stopped.model.train_state().step, 80);
  const auto a = straight.model.trainable_variables(), b = stopped.model.trainable_variables();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
  EXPECT_EQ(straight.model.losshistory().steps, stopped.model.losshistory().steps);
  EXPECT_EQ(straight.model.losshistory().loss_train, stopped.model.losshistory().loss_train);

  // Stopped by the time limit inside a step: the history is dropped, the budget is not.
  Program timed(11);
  timed.model.compile("L-BFGS", {.external_trainable_variables = {timed.k}});
  timed.model.train(with(StopAt(40, 0.6), 0.5));
  EXPECT_EQ(timed.model.train_state().stop_reason, dde::StopReason::TimeLimit);
  EXPECT_LT(timed.model.train_state().step, 80);
  timed.model.train(plain);
  EXPECT_EQ(timed.model.train_state().step, 80) << timed.model.train_state().message;
}

// A time limit that runs out right after a recorded step records the state reached once: the loss history
// holds each step at most once (its rows are what loss.dat and the plots read).
TEST_F(TrainingTest, TimeLimitAfterARecordedStepRecordsItOnce) {
  for (const bool lbfgs : {false, true}) {
    Program p(12);
    if (lbfgs) {
      dde::optimizers::set_LBFGS_options({.gtol = 0, .maxiter = 100, .maxfun = 1000});
      p.model.compile("L-BFGS");
    }
    // Step 10 is recorded (display_every 10), then the callback sleeps past the limit: the next step's
    // first evaluation (Adam) or the next chunk's (L-BFGS) stops the run at step 10.
    dde::TrainOptions o{.iterations = lbfgs ? std::optional<std::int64_t>{} : std::optional<std::int64_t>{100},
                        .display_every = 10,
                        .callbacks = {StopAt(10, 0.6)},
                        .verbose = false,
                        .time_limit = 0.5};
    auto [history, state] = p.model.train(o);
    SCOPED_TRACE(lbfgs ? "L-BFGS" : "adam");
    EXPECT_EQ(state.stop_reason, dde::StopReason::TimeLimit) << state.message;
    EXPECT_EQ(state.step, 10) << state.message;
    ASSERT_FALSE(history.steps.empty());
    EXPECT_EQ(history.steps.back(), 10);
    for (std::size_t i = 1; i < history.steps.size(); ++i)
      EXPECT_LT(history.steps[i - 1], history.steps[i]) << "rows " << i - 1 << " and " << i;
    EXPECT_EQ(history.loss_train.size(), history.steps.size());
    EXPECT_EQ(history.loss_test.size(), history.steps.size());
    EXPECT_EQ(history.loss_weights.size(), history.steps.size());
    EXPECT_EQ(history.causal_eps.size(), history.steps.size());
  }
}

TEST_F(TrainingTest, EarlyStoppingEndsTrainingAfterPatience) {
  Program p(2);
  dde::callbacks::EarlyStopping early({.min_delta = 1e9, .patience = 5});
  auto [history, state] = p.model.train({.iterations = 100, .callbacks = {early}, .verbose = false});
  EXPECT_EQ(state.stop_reason, dde::StopReason::StoppedByCallback);
  EXPECT_EQ(state.step, 6);  // the first step sets the reference, then 5 without improvement
  EXPECT_THAT(state.message, HasSubstr("stopped by a callback at step 6"));
}

TEST_F(TrainingTest, LearningRateDecaySchedules) {
  Program p(3);
  p.model.compile("adam", {.lr = 0.1, .decay = dde::Decay{"step", 10, 0.5}});
  p.model.train({.iterations = 25, .verbose = false});
  EXPECT_DOUBLE_EQ(p.model.learning_rate(), 0.1 * 0.25);  // the 25th step ran with 0.1 * 0.5^2
  p.model.compile("adam", {.lr = 0.1, .decay = dde::Decay{"cosine", 20, 0.0}});
  p.model.train({.iterations = 11, .verbose = false});
  EXPECT_NEAR(p.model.learning_rate(), 0.1 * 0.5 * (1 + std::cos(M_PI * 10 / 20)), 1e-15);
  p.model.compile("adam", {.lr = 0.1, .decay = dde::Decay{"lambda", 0, 0, [](std::int64_t t) { return 1.0 / (t + 1); }}});
  p.model.train({.iterations = 4, .verbose = false});
  EXPECT_DOUBLE_EQ(p.model.learning_rate(), 0.1 / 4);
  EXPECT_THAT([&] { p.model.compile("adam", {.decay = dde::Decay{"linear", 10, 0.5}}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("unknown decay 'linear'; valid: inverse time, step")));
  EXPECT_THAT([&] { p.model.compile("L-BFGS", {.decay = dde::Decay{"step", 10, 0.5}}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("decay is for first-order optimizers")));
}

TEST_F(TrainingTest, VariableValueWritesTheVariablesEveryPeriod) {
  Program p(4);
  auto vv = std::make_shared<dde::callbacks::VariableValue>(std::vector<torch::Tensor>{p.k},
                                                             dde::callbacks::VariableValueOptions{.period = 5, .filename = path("vars.dat"), .precision = 6});
  p.model.train({.iterations = 12, .callbacks = {vv}, .verbose = false});
  std::ifstream in(path("vars.dat"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);  // steps 0, 5, 10 and the end (12)
  EXPECT_THAT(lines[0], HasSubstr("0 [5.000000e-01]"));
  EXPECT_THAT(lines[3], ::testing::StartsWith("12 ["));
  EXPECT_DOUBLE_EQ(vv->value()[0], p.k.item<double>());
}

TEST_F(TrainingTest, ModelCheckpointAndSavePathWriteLoadableFiles) {
  Program p(5);
  dde::callbacks::ModelCheckpoint ckpt(path("best.ckpt"), {.save_better_only = true, .period = 2});
  p.model.train({.iterations = 10, .callbacks = {ckpt}, .model_save_path = path("end.ckpt"), .verbose = false});
  ASSERT_TRUE(std::filesystem::exists(path("best.ckpt")));
  ASSERT_TRUE(std::filesystem::exists(path("end.ckpt")));
  Program q(5);
  q.model.restore(path("end.ckpt"));
  EXPECT_EQ(q.model.train_state().step, 10);
  EXPECT_EQ(q.k.item<double>(), p.k.item<double>());
}

}  // namespace

namespace {

TEST_F(TrainingTest, SaveplotWritesDataFilesAndPlots) {
  Program p(6);
  p.model.train({.iterations = 20, .display_every = 5, .verbose = false});
  const int pngs = dde::saveplot(p.model, {.output_dir = path("out")});
  for (const char* f : {"loss.dat", "loss.json", "train.dat", "test.dat"})
    EXPECT_TRUE(std::filesystem::exists(path("out/") + f)) << f;
  std::ifstream test(path("out/test.dat"));
  std::string header, row;
  std::getline(test, header);
  std::getline(test, row);
  std::istringstream cols(row);
  int n = 0;
  for (double v; cols >> v;) ++n;
  EXPECT_EQ(n, 2);  // x, y_pred (no reference solution given)
  std::ifstream loss(path("out/loss.dat"));
  int lines = 0;
  for (std::string l; std::getline(loss, l);) ++lines;
  EXPECT_EQ(lines, 1 + 5);  // header + steps 0, 5, 10, 15, 20
  if (dde::gnuplot_available()) {
    EXPECT_EQ(pngs, 2);
    for (const char* f : {"loss.png", "solution.png"}) {
      std::ifstream png(path("out/") + f, std::ios::binary);
      char magic[4] = {};
      png.read(magic, 4);
      EXPECT_EQ(std::string(magic + 1, 3), "PNG") << f;
    }
  } else {
    EXPECT_EQ(pngs, 0);
  }
}

}  // namespace

namespace {

TEST_F(TrainingTest, MiniBatchesOverCollocationPointsTrainAndResumeExactly) {
  dde::config::set_default_float("float64");
  torch::set_num_threads(1);
  auto options = [](std::int64_t n) {
    return dde::TrainOptions{.iterations = n, .batch_size = 8, .display_every = 5, .verbose = false,
                             .restore_best = false};
  };
  Program straight(21);
  auto [h, st] = straight.model.train(options(20));
  EXPECT_LT(h.loss_train.back()[0], h.loss_train.front()[0]);  // it trains
  {
    Program first(21);
    first.model.train(options(9));  // stops inside an epoch of the shuffled order (26 points, 3 batches of 8 per epoch)
    first.model.save(path("mb.ckpt"));
  }
  Program resumed(21);
  resumed.model.restore(path("mb.ckpt"));
  resumed.model.train(options(11));
  const auto a = straight.model.trainable_variables(), b = resumed.model.trainable_variables();
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;

  EXPECT_THAT([&] { straight.model.train({.iterations = 1, .batch_size = 27, .verbose = false}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("batch_size = 27 but the data has 26 PDE collocation points")));
  straight.model.compile("L-BFGS");
  EXPECT_THAT([&] { straight.model.train({.batch_size = 4, .verbose = false}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("L-BFGS needs the full batch")));
}

}  // namespace

namespace {

// A network forced to y = x^2 by its output transform, so |residual| = |y| = x^2 is known.
TEST_F(TrainingTest, RARPicksTheLargestResidualsAndRADSamplesInProportion) {
  dde::config::set_default_float("float64");
  dde::config::set_random_seed(3);
  dde::geometry::Interval geom(-1, 1);
  dde::data::PDE data(geom, nullptr, {}, {});
  dde::nn::FNN net({1, 4, 1});
  net->apply_output_transform([](const torch::Tensor& x, const torch::Tensor& y) { return x * x + 0 * y; });
  dde::Model model(data, net);
  auto residual = [](const torch::Tensor&, const torch::Tensor& y) { return y; };

  auto top = dde::adaptive::rar_points(model, geom, residual, 10, 1000);
  ASSERT_EQ(top.rows(), 10);
  for (int i = 0; i < 10; ++i) EXPECT_GT(std::abs(top(i, 0)), 0.97) << i;  // the top 1 % of |x|
  for (int i = 1; i < 10; ++i) EXPECT_GE(std::abs(top(i - 1, 0)), std::abs(top(i, 0)));

  // p ∝ x^2 (c = 0): E[x^2] = E_u[x^4] / E_u[x^2] = 3/5, against 1/3 for uniform points.
  auto rad = dde::adaptive::rad_points(model, geom, residual, 2000, {.k = 1, .c = 0, .num_candidates = 40000});
  ASSERT_EQ(rad.rows(), 2000);
  EXPECT_NEAR(rad.array().square().mean(), 0.6, 0.03);
  auto flat = dde::adaptive::rad_points(model, geom, residual, 2000, {.k = 1, .c = 1e9});
  EXPECT_NEAR(flat.array().square().mean(), 1.0 / 3.0, 0.03);
  for (Eigen::Index i = 0; i < rad.rows(); ++i) ASSERT_LE(std::abs(rad(i, 0)), 1.0);

  EXPECT_THAT([&] { dde::adaptive::rar_points(model, geom, residual, 20, 10); },
              ThrowsMessage<dde::ValueError>(HasSubstr("m = 20 (expected 1 <= m <= num_candidates = 10)")));
  EXPECT_THAT([&] { dde::adaptive::rad_points(model, geom, residual, 10, {.k = -1}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("k = -1")));
}

}  // namespace

namespace {

// The extended Rosenbrock function of n variables (x0 = -1.2, 1, -1.2, ...), its gradient set on x.
torch::Tensor rosenbrock(const torch::Tensor& x) {
  auto a = x.slice(0, 0, -1), b = x.slice(0, 1);
  return (100 * (b - a.square()).square() + (1 - a).square()).sum();
}

struct LbfgsRun {
  torch::Tensor x;
  std::vector<std::int64_t> evals;  // closure calls after each iteration
  std::vector<double> losses;       // loss after each iteration
};

// One L-BFGS iteration per step() call, `iterations` of them, from the same start.
template <typename Optimizer>
LbfgsRun run_lbfgs(torch::Dtype dtype, std::int64_t history, int iterations, bool line_search) {
  LbfgsRun r;
  r.x = torch::tensor(std::vector<double>{-1.2, 1, -1.2, 1, -1.2, 1, 0.5, 0.3}, dtype).requires_grad_(true);
  auto opts = torch::optim::LBFGSOptions(line_search ? 1.0 : 0.02).max_iter(1).history_size(history)
                  .tolerance_grad(0).tolerance_change(0);
  if (line_search) opts.line_search_fn("strong_wolfe");
  Optimizer opt({r.x}, opts);
  std::int64_t evals = 0;
  for (int s = 0; s < iterations; ++s) {
    opt.step([&] {
      ++evals;
      opt.zero_grad();
      auto loss = rosenbrock(r.x);
      loss.backward();
      return loss;
    });
    r.evals.push_back(evals);
    r.losses.push_back(rosenbrock(r.x).item<double>());
  }
  return r;
}

// One L-BFGS call of 80 iterations on a convex quartic in 8 x 50 variables: (evaluations, final loss).
template <typename Optimizer>
std::pair<std::int64_t, double> quartic_run() {
  torch::manual_seed(0);
  std::vector<torch::Tensor> xs;
  for (int k = 0; k < 8; ++k) xs.push_back(torch::randn({50}, torch::kFloat64).requires_grad_(true));
  auto w = torch::rand({50}, torch::kFloat64) * 100 + 1;
  auto f = [&] {
    torch::Tensor sum = torch::zeros({}, torch::kFloat64);
    for (const auto& x : xs) sum = sum + (w * (x.square() + 0.1 * x.pow(4))).sum();
    return sum;
  };
  Optimizer opt(xs, torch::optim::LBFGSOptions(1).max_iter(80).max_eval(800).tolerance_grad(0).tolerance_change(0)
                        .line_search_fn("strong_wolfe"));
  std::int64_t evals = 0;
  opt.step([&] {
    ++evals;
    opt.zero_grad();
    auto loss = f();
    loss.backward();
    return loss;
  });
  return {evals, f().template item<double>()};
}

}  // namespace

// pinnxde's L-BFGS is LibTorch's algorithm with the vector work in plain loops: the same iterates to
// round-off and the same line-search evaluations, with the history wrapping (history 4). On Rosenbrock's
// valley the round-off (1e-16 at first) grows about tenfold every three iterations in either implementation,
// so the iterates are compared over the first 16 iterations, the evaluation counts over all 60.
TEST(LbfgsTest, MatchesLibTorchsLbfgsIterateByIterate) {
  for (const bool line_search : {true, false}) {
    SCOPED_TRACE(line_search ? "strong Wolfe" : "fixed step");
    auto ours = run_lbfgs<dde::optimizers::LBFGS>(torch::kFloat64, 4, 60, line_search);
    auto theirs = run_lbfgs<torch::optim::LBFGS>(torch::kFloat64, 4, 60, line_search);
    EXPECT_EQ(ours.evals, theirs.evals);
    for (std::size_t i = 0; i < 16; ++i)
      EXPECT_NEAR(ours.losses[i], theirs.losses[i], 1e-12 * theirs.losses[i]) << "iteration " << i;
    EXPECT_LT(ours.losses.back(), 0.5 * ours.losses.front());
    if (line_search) {
      EXPECT_LT(ours.losses.back(), 1e-2);  // it minimises (566 -> ~1.6e-3)
    }
  }
  // A convex quartic in 400 variables down to a loss of 1e-19: the line search's zoom with a direction of
  // norm ~1e-9 (its bracket-size test comes after a trial, as LibTorch's does), evaluation for evaluation.
  const auto [ours_evals, ours_loss] = quartic_run<dde::optimizers::LBFGS>();
  const auto [their_evals, their_loss] = quartic_run<torch::optim::LBFGS>();
  EXPECT_EQ(ours_evals, their_evals);
  EXPECT_LT(ours_loss, 1e-18);
  EXPECT_LT(their_loss, 1e-18);
  // float32: the same first iterations within float32 round-off
  auto ours = run_lbfgs<dde::optimizers::LBFGS>(torch::kFloat32, 100, 5, true);
  auto theirs = run_lbfgs<torch::optim::LBFGS>(torch::kFloat32, 100, 5, true);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_NEAR(ours.losses[i], theirs.losses[i], 1e-4 * theirs.losses[i]);
}

// stopped_on_its_own: false when a step ends on max_iter or max_eval, true when it ends on L-BFGS' own
// tests, also on the last iteration max_iter allows (an iteration with no descent still counts as one).
TEST(LbfgsTest, SaysWhetherAStepStoppedOnItsOwnTests) {
  auto x = torch::tensor(std::vector<double>{-1.2, 1}, torch::kFloat64).requires_grad_(true);
  auto opts = torch::optim::LBFGSOptions(1).max_iter(1).tolerance_grad(1e-12).tolerance_change(0)
                  .line_search_fn("strong_wolfe");
  dde::optimizers::LBFGS opt({x}, opts);
  auto closure = [&] {
    opt.zero_grad();
    auto loss = rosenbrock(x);
    loss.backward();
    return loss;
  };
  opt.step(closure);
  EXPECT_FALSE(opt.stopped_on_its_own());  // one iteration of many needed: its budget ended the step
  std::int64_t steps = 1;
  while (!opt.stopped_on_its_own() && steps < 1000) {
    opt.step(closure);
    ++steps;
  }
  // It ends at Rosenbrock's minimum (1, 1), on a gradient within 1e-12 or on a step that changes nothing.
  EXPECT_LT(steps, 1000);
  EXPECT_LT((x - 1).abs().max().item<double>(), 1e-6) << x;
  opt.step(closure);  // at the minimum: the gradient test before any iteration
  EXPECT_TRUE(opt.stopped_on_its_own());
  // A budget of many iterations that the problem does not need: stops on its own, not on max_iter.
  auto z = torch::tensor(std::vector<double>{3.0}, torch::kFloat64).requires_grad_(true);
  dde::optimizers::LBFGS quad({z}, torch::optim::LBFGSOptions(1).max_iter(100).line_search_fn("strong_wolfe"));
  quad.step([&] {
    quad.zero_grad();
    auto loss = (z - 2).square().sum();
    loss.backward();
    return loss;
  });
  EXPECT_TRUE(quad.stopped_on_its_own());
  EXPECT_NEAR(z.item<double>(), 2, 1e-7);
}

// The state is LibTorch's: an archive written by pinnxde's L-BFGS loads into LibTorch's and continues the
// same way as pinnxde's own continuation.
TEST(LbfgsTest, StateArchivesAreLibTorchsAndResumeTheSameRun) {
  auto x = torch::tensor(std::vector<double>{-1.2, 1, -1.2, 1}, torch::kFloat64).requires_grad_(true);
  auto opts = torch::optim::LBFGSOptions(1).max_iter(5).history_size(3).line_search_fn("strong_wolfe");
  dde::optimizers::LBFGS opt({x}, opts);
  auto closure_for = [](torch::optim::Optimizer& o, torch::Tensor& p) {
    return [&o, &p] {
      o.zero_grad();
      auto loss = rosenbrock(p);
      loss.backward();
      return loss;
    };
  };
  for (int s = 0; s < 3; ++s) opt.step(closure_for(opt, x));
  torch::serialize::OutputArchive out;
  opt.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);

  auto y = x.detach().clone().requires_grad_(true);
  torch::optim::LBFGS theirs({y}, opts);
  torch::serialize::InputArchive in;
  std::istringstream is(bytes.str());
  in.load_from(is);
  theirs.load(in);
  for (int s = 0; s < 2; ++s) {
    opt.step(closure_for(opt, x));
    theirs.step(closure_for(theirs, y));
  }
  EXPECT_LT((x - y).abs().max().item<double>(), 1e-9);
}

namespace {
// One step of the Adam tests' loss on parameters p = {weight 7 x 5, bias 5}.
void adam_test_step(torch::optim::Optimizer& opt, const std::vector<torch::Tensor>& p) {
  const auto x = torch::linspace(-1, 1, 35, p[0].scalar_type()).reshape({7, 5});
  opt.zero_grad();
  ((torch::tanh(p[0] * x + p[1]) - 0.3).pow(4).sum() + p[1].square().sum()).backward();
  opt.step();
}
// Adam on a small two-parameter problem (a matrix and a vector, as a layer's weight and bias): the
// parameters after every step.
template <typename Optimizer>
std::vector<torch::Tensor> run_adam(torch::ScalarType dtype, const torch::optim::AdamOptions& options, int steps) {
  torch::manual_seed(3);
  std::vector<torch::Tensor> params{torch::randn({7, 5}, dtype).requires_grad_(true),
                                    torch::randn({5}, dtype).requires_grad_(true)};
  Optimizer opt(params, options);
  std::vector<torch::Tensor> out;
  for (int s = 0; s < steps; ++s) {
    adam_test_step(opt, params);
    out.push_back(torch::cat({params[0].detach().reshape({-1}), params[1].detach()}));
  }
  return out;
}
template <typename Optimizer>
torch::Tensor big_adam_run() {
  torch::manual_seed(4);
  std::vector<torch::Tensor> p{torch::randn({300, 300}, torch::kFloat64).requires_grad_(true),
                               torch::randn({9}, torch::kFloat64).requires_grad_(true)};
  Optimizer opt(p, torch::optim::AdamOptions(1e-2).weight_decay(0.01));
  for (int s = 0; s < 10; ++s) {
    opt.zero_grad();
    (p[0].pow(4).sum() + (p[1] - 1).square().sum() * p[0].mean()).backward();
    opt.step();
  }
  return torch::cat({p[0].detach().reshape({-1}), p[1].detach()});
}
}  // namespace

// pinnxde's Adam is LibTorch's with one fused loop per parameter: the same iterates to round-off, with the
// defaults, weight decay and AMSGrad, in float64 and float32.
TEST(AdamTest, MatchesLibTorchsAdamStepByStep) {
  for (auto options : {torch::optim::AdamOptions(1e-2), torch::optim::AdamOptions(5e-2).weight_decay(0.1),
                       torch::optim::AdamOptions(1e-2).amsgrad(true).betas({0.8, 0.99}).eps(1e-6)}) {
    SCOPED_TRACE("weight decay " + std::to_string(options.weight_decay()) + (options.amsgrad() ? ", amsgrad" : ""));
    const auto ours = run_adam<dde::optimizers::Adam>(torch::kFloat64, options, 60);
    const auto theirs = run_adam<torch::optim::Adam>(torch::kFloat64, options, 60);
    for (std::size_t s = 0; s < ours.size(); ++s)
      ASSERT_LT((ours[s] - theirs[s]).abs().max().item<double>(), 1e-12) << "step " << s;
    EXPECT_GT((ours.back() - ours.front()).abs().max().item<double>(), 0.1);  // it moved
    const auto ours32 = run_adam<dde::optimizers::Adam>(torch::kFloat32, options, 20);
    const auto theirs32 = run_adam<torch::optim::Adam>(torch::kFloat32, options, 20);
    for (std::size_t s = 0; s < ours32.size(); ++s)
      ASSERT_LT((ours32[s] - theirs32[s]).abs().max().item<double>(), 1e-5) << "float32 step " << s;
  }
  // A parameter above the fused loop's size (300 x 300) takes LibTorch's operations, next to a small one.
  const auto big_ours = big_adam_run<dde::optimizers::Adam>();
  const auto big_theirs = big_adam_run<torch::optim::Adam>();
  EXPECT_LT((big_ours - big_theirs).abs().max().item<double>(), 1e-12);
}

// The state is LibTorch's: an archive written by pinnxde's Adam loads into LibTorch's, and either continues
// the run as the other does.
TEST(AdamTest, StateArchivesAreLibTorchsAndResumeTheSameRun) {
  torch::manual_seed(5);
  std::vector<torch::Tensor> a{torch::randn({7, 5}, torch::kFloat64).requires_grad_(true),
                               torch::randn({5}, torch::kFloat64).requires_grad_(true)};
  const auto opts = torch::optim::AdamOptions(2e-2);
  dde::optimizers::Adam ours(a, opts);
  const auto step = adam_test_step;
  for (int s = 0; s < 4; ++s) step(ours, a);
  torch::serialize::OutputArchive out;
  ours.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  std::vector<torch::Tensor> b{a[0].detach().clone().requires_grad_(true), a[1].detach().clone().requires_grad_(true)};
  torch::optim::Adam theirs(b, opts);
  torch::serialize::InputArchive in;
  std::istringstream is(bytes.str());
  in.load_from(is);
  theirs.load(in);
  for (int s = 0; s < 6; ++s) {
    step(ours, a);
    step(theirs, b);
  }
  EXPECT_LT((a[0] - b[0]).abs().max().item<double>(), 1e-12);
  EXPECT_LT((a[1] - b[1]).abs().max().item<double>(), 1e-12);
  // A fresh LibTorch Adam (no state) would differ: the moments were carried over.
  std::vector<torch::Tensor> c{b[0].detach().clone().requires_grad_(true), b[1].detach().clone().requires_grad_(true)};
  torch::optim::Adam fresh(c, opts);
  for (int s = 0; s < 2; ++s) {
    step(theirs, b);
    step(fresh, c);
  }
  EXPECT_GT((b[0] - c[0]).abs().max().item<double>(), 1e-6);
}
