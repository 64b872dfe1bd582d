// Loss weighting (static, grad-norm, NTK) and causal training (issue 11): the rules on hand-made losses
// with known gradients, the NTK trace of a tiny net against its closed form, causal weights of a hand-made
// residual, the rules as Model applies them (both derivative engines), rejected options, and a resumed run
// that continues bit for bit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <pinnxde/pinnxde.hpp>
#include <sstream>

#include "../../pinnxde/src/causal_detail.hpp"
#include "test_util.hpp"

namespace dde = pinnxde;
using pinnxde::testing::diffusion_reaction;
using pinnxde::testing::zeros_like_rows;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

class RemediesTest : public dde::testing::Float64Test {
 protected:
  void SetUp() override {
    Float64Test::SetUp();
    dde::optimizers::set_LBFGS_options({});
  }
  void TearDown() override {
    dde::optimizers::set_LBFGS_options({});
    Float64Test::TearDown();
  }
};

// The flagship's problem on few points.
struct Flagship : dde::testing::Flagship {
  explicit Flagship(std::int64_t nd = 60, std::int64_t nb = 12, std::int64_t ni = 12)
      : dde::testing::Flagship(nd, nb, ni) {}
};

std::vector<torch::Tensor> grads_of(const torch::Tensor& loss, const std::vector<torch::Tensor>& params) {
  return torch::autograd::grad({loss}, params, {}, true, false, true);
}

// Two parameters a = (1, 2), b = (3); L_r = 3 a0 + a1^2 + b0 has gradient (3, 4 | 1): max 4, mean 8/3;
// L_b = a0^2 + b0^2 / 2 has gradient (2, 0 | 3): mean 5/3.
TEST_F(RemediesTest, GradNormRuleOnAHandMadeTwoTermLoss) {
  auto a = torch::tensor({1.0, 2.0}, torch::kFloat64).requires_grad_(true);
  auto b = torch::tensor({3.0}, torch::kFloat64).requires_grad_(true);
  const std::vector<torch::Tensor> params{a, b};
  auto Lr = 3 * a[0] + a[1] * a[1] + b[0];
  auto Lb = a[0] * a[0] + 0.5 * b[0] * b[0];
  const std::vector<std::vector<torch::Tensor>> grads{grads_of(Lr, params), grads_of(Lb, params)};
  // max: w_hat = 4 / (5/3) = 2.4; w = 0.1 * 1 + 0.9 * 2.4 = 2.26. The residual keeps its weight.
  auto w = dde::weighting::grad_norm_update(grads, {true, false}, {1.0, 1.0}, 0.9, "max");
  EXPECT_DOUBLE_EQ(w[0], 1.0);
  EXPECT_DOUBLE_EQ(w[1], 0.1 + 0.9 * 2.4);
  // mean: w_hat = (8/3) / (5/3) = 1.6; from 2: 0.5 * 2 + 0.5 * 1.6 = 1.8.
  w = dde::weighting::grad_norm_update(grads, {true, false}, {1.0, 2.0}, 0.5, "mean");
  EXPECT_DOUBLE_EQ(w[1], 1.8);
  // alpha = 1: the ratio itself. A term that does not depend on the parameters keeps its weight.
  std::vector<std::vector<torch::Tensor>> three{grads[0], grads[1], {torch::Tensor(), torch::Tensor()}};
  w = dde::weighting::grad_norm_update(three, {true, false, false}, {1.0, 1.0, 7.0}, 1.0);
  EXPECT_DOUBLE_EQ(w[1], 2.4);
  EXPECT_DOUBLE_EQ(w[2], 7.0);
  // Two residual terms: their gradients add before the max: (3, 4 | 1) + (2, 0 | 3) = (5, 4 | 4), max 5.
  w = dde::weighting::grad_norm_update({grads[0], grads[1], grads[1]}, {true, true, false}, {1.0, 1.0, 1.0}, 1.0);
  EXPECT_DOUBLE_EQ(w[2], 5.0 / (5.0 / 3.0));
  EXPECT_THAT([&] { dde::weighting::grad_norm_update(grads, {true, false}, {1.0, 1.0}, 1.0, "median"); },
              ThrowsMessage<dde::ValueError>(HasSubstr("statistic = 'median'; valid: max, mean")));
}

TEST_F(RemediesTest, NtkRuleAndTraceOfATinyNetAgainstTheClosedForm) {
  // w_hat_i = (sum_j tr K_j) / tr K_i.
  auto w = dde::weighting::ntk_update({1.0, 3.0}, {1.0, 1.0}, 1.0);
  EXPECT_DOUBLE_EQ(w[0], 4.0);
  EXPECT_DOUBLE_EQ(w[1], 4.0 / 3.0);
  w = dde::weighting::ntk_update({1.0, 3.0}, {2.0, 2.0}, 0.25);
  EXPECT_DOUBLE_EQ(w[0], 0.75 * 2 + 0.25 * 4);

  // y(x) = sum_k v_k tanh(w_k x + c_k) + d: dy/dw_k = v_k sech^2(z_k) x, dy/dc_k = v_k sech^2(z_k),
  // dy/dv_k = tanh(z_k), dy/dd = 1.
  dde::nn::FNN net({1, 2, 1}, "tanh", "Glorot normal");
  net->to(torch::kFloat64);
  const double W[2] = {0.7, -1.3}, C[2] = {0.2, -0.4}, V[2] = {1.5, 0.6}, D = -0.3;
  {
    torch::NoGradGuard no_grad;
    for (auto& p : net->parameters()) {
      if (p.sizes() == torch::IntArrayRef{2, 1}) p.copy_(torch::tensor({W[0], W[1]}, torch::kFloat64).view({2, 1}));
      else if (p.sizes() == torch::IntArrayRef{2}) p.copy_(torch::tensor({C[0], C[1]}, torch::kFloat64));
      else if (p.sizes() == torch::IntArrayRef{1, 2}) p.copy_(torch::tensor({V[0], V[1]}, torch::kFloat64).view({1, 2}));
      else p.fill_(D);
    }
  }
  const std::vector<double> xs{-0.5, 0.25, 1.0};
  auto x = torch::tensor(xs, torch::kFloat64).view({3, 1});
  auto y = net->forward(x);
  auto closed = [&](double xv) {
    double s = 1;  // d
    for (int k = 0; k < 2; ++k) {
      const double z = W[k] * xv + C[k], t = std::tanh(z), sech2 = 1 - t * t;
      s += std::pow(V[k] * sech2 * xv, 2) + std::pow(V[k] * sech2, 2) + t * t;
    }
    return s;
  };
  EXPECT_NEAR(y[0].item<double>(), V[0] * std::tanh(W[0] * -0.5 + C[0]) + V[1] * std::tanh(W[1] * -0.5 + C[1]) + D,
              1e-14);  // the parameters went where intended
  const auto params = net->parameters();
  EXPECT_NEAR(dde::weighting::ntk_trace(y, params, 64), (closed(xs[0]) + closed(xs[1]) + closed(xs[2])) / 3, 1e-13);
  // Two samples of three rows: rows 0 and 1 (evenly spaced from the first).
  EXPECT_NEAR(dde::weighting::ntk_trace(y, params, 2), (closed(xs[0]) + closed(xs[1])) / 2, 1e-13);
}

// Windows of [0, 1] in 4: t = 0.1, 0.2 -> 0; 0.3 -> 1; 0.6 -> 2; 0.9, 1.0 -> 3. Residual (1, 1, 2, 0, 3, 3):
// MSE per window L = (1, 4, 0, 9); eps = 0.5: w = (1, e^-0.5, e^-2.5, e^-2.5).
TEST_F(RemediesTest, CausalWeightsOfAHandMadeResidual) {
  auto t = torch::tensor({0.9, 0.1, 0.6, 0.3, 1.0, 0.2}, torch::kFloat64);
  auto r = torch::tensor({3.0, 1.0, 0.0, 2.0, 3.0, 1.0}, torch::kFloat64).view({6, 1});
  const auto windows = dde::weighting::causal_windows(t, 4, 0.0, 1.0);
  EXPECT_TRUE(torch::equal(windows, torch::tensor({3, 0, 2, 1, 3, 0}, torch::kLong)));
  torch::Tensor w;
  const auto mse = dde::losses::get("MSE");
  const auto loss = dde::weighting::causal_loss(windows, r, mse, 4, 0.5, &w);
  const double e05 = std::exp(-0.5), e25 = std::exp(-2.5);
  EXPECT_NEAR(w[0].item<double>(), 1.0, 1e-15);
  EXPECT_NEAR(w[1].item<double>(), e05, 1e-15);
  EXPECT_NEAR(w[2].item<double>(), e25, 1e-15);
  EXPECT_NEAR(w[3].item<double>(), e25, 1e-15);
  EXPECT_NEAR(loss.item<double>(), (1 + 4 * e05 + 0 + 9 * e25) / 4, 1e-15);
  EXPECT_FALSE(w.requires_grad());
  // An empty window counts 0 and the weights are detached: d loss / d r = w_i * 2 r / (n_i * 4).
  auto rg = r.clone().requires_grad_(true);
  auto l2 = dde::weighting::causal_loss(dde::weighting::causal_windows(t, 5, 0.0, 1.0), rg, mse, 5, 0.5, &w);
  // 5 windows: t 0.1 -> 0; 0.2 -> 1 (0.2*5 = 1); 0.3 -> 1; 0.6 -> 3; 0.9, 1.0 -> 4; window 2 is empty.
  EXPECT_NEAR(w[3].item<double>(), std::exp(-0.5 * (1 + 2.5 + 0)), 1e-15);
  auto g = torch::autograd::grad({l2}, {rg})[0];
  EXPECT_NEAR(g[3][0].item<double>(), std::exp(-0.5 * 1) * 2 * 2.0 / (2 * 5), 1e-15);  // row t = 0.3, window 1
}

// What Model uses for MSE and MAE (pinnxde/src/causal_detail.hpp: one index_add instead of a loss per window)
// against causal_loss with those losses: the same loss, weights and gradient, an empty window included; and
// a residual of two columns (each row's mean over both).
TEST_F(RemediesTest, CausalMeanLossEqualsTheLossPerWindow) {
  auto t = torch::tensor({0.9, 0.1, 0.6, 0.3, 1.0, 0.2, 0.35}, torch::kFloat64);
  for (std::int64_t cols : {1, 2}) {
    for (const std::string name : {"MSE", "MAE"}) {
      SCOPED_TRACE(name + " " + std::to_string(cols));
      const auto windows = dde::weighting::causal_windows(t, 5, 0.0, 1.0);  // window 2 is empty
      auto r1 = (torch::rand({7, cols}, torch::kFloat64) * 4 - 2).requires_grad_(true);
      auto r2 = r1.detach().clone().requires_grad_(true);
      torch::Tensor w1, w2;
      const auto generic = dde::weighting::causal_loss(windows, r1, dde::losses::get(name), 5, 0.7, &w1);
      const auto fast = dde::weighting::causal_mean_loss(windows, name == "MSE" ? r2.square() : r2.abs(), 5,
                                                                 0.7, &w2);
      EXPECT_NEAR(fast.item<double>(), generic.item<double>(), 1e-14);
      EXPECT_LT((w1 - w2).abs().max().item<double>(), 1e-14);
      EXPECT_EQ(w2[3].item<double>(), w2[2].item<double>());  // the empty window adds nothing before window 3
      const auto g1 = torch::autograd::grad({generic}, {r1})[0], g2 = torch::autograd::grad({fast}, {r2})[0];
      EXPECT_LT((g1 - g2).abs().max().item<double>(), 1e-14);
    }
  }
}

// The terms of a data object at the current parameters, with the given loss, without Model.
std::vector<torch::Tensor> terms_of(dde::data::Data& data, dde::nn::FNN& net, const dde::data::LossFunction& loss) {
  dde::grad::Scope scope;
  return data.evaluate([&](const torch::Tensor& x) { return net->forward(x); }, data.train_batch(), {loss}).terms;
}

TEST_F(RemediesTest, ModelAppliesTheGradNormAndNtkRulesWithBothEngines) {
  for (const std::string engine : {"reverse", "forward"}) {
    for (const std::string rule : {"grad-norm", "ntk"}) {
      SCOPED_TRACE(engine + " " + rule);
      dde::config::set_random_seed(1);
      Flagship f;
      dde::nn::FNN net({2, 8, 8, 1}, "tanh", "Glorot normal");
      net->to(torch::kFloat64);
      // The expected weights from the initial parameters, computed here with the rules' functions.
      std::vector<double> expected;
      const auto params = net->parameters();
      if (rule == "grad-norm") {
        auto terms = terms_of(f.data, net, dde::losses::get("MSE"));
        std::vector<std::vector<torch::Tensor>> grads;
        for (auto& t : terms) grads.push_back(grads_of(t, params));
        expected = dde::weighting::grad_norm_update(grads, {true, false, false}, {1, 1, 1}, 0.5);
      } else {
        auto terms = terms_of(f.data, net, [](const torch::Tensor& yt, const torch::Tensor& yp) {
          return (yt.defined() ? yp - yt : yp).reshape(-1);
        });
        std::vector<double> traces;
        for (auto& t : terms) traces.push_back(dde::weighting::ntk_trace(t, params, 16));
        expected = dde::weighting::ntk_update(traces, {1, 1, 1}, 0.5);
      }
      dde::Model model(f.data, net);
      model.compile("adam", {.lr = 1e-3, .derivatives = engine,
                             .weighting = {.name = rule, .every = 1, .alpha = 0.5, .ntk_samples = 16}});
      model.train({.iterations = 1, .verbose = false});  // one update, at step 0, from the initial parameters
      const auto w = model.loss_weights();
      ASSERT_EQ(w.size(), 3u);
      for (int k = 0; k < 3; ++k) EXPECT_NEAR(w[k], expected[k], 1e-10 * expected[k]) << k;
      EXPECT_NE(w[1], 1.0);
      // The history holds the weights in force at each record: 1 at step 0, the updated ones at step 1.
      const auto& h = model.losshistory();
      ASSERT_EQ(h.loss_weights.size(), 2u);
      EXPECT_EQ(h.loss_weights[0], (std::vector<double>{1, 1, 1}));
      EXPECT_EQ(h.loss_weights[1], w);
      // Frozen under L-BFGS.
      dde::optimizers::set_LBFGS_options({.maxiter = 5});
      model.compile("L-BFGS", {.derivatives = engine, .weighting = {.name = rule, .every = 1}});
      model.train({.verbose = false});
      EXPECT_EQ(model.loss_weights(), w);
    }
  }
}

TEST_F(RemediesTest, CausalTrainingReportsWindowWeightsAndAgreesAcrossEnginesAndMinibatches) {
  std::vector<std::vector<double>> per_engine;
  for (const std::string engine : {"reverse", "forward"}) {
    dde::config::set_random_seed(2);
    Flagship f;
    dde::nn::FNN net({2, 8, 8, 1}, "tanh", "Glorot normal");
    dde::Model model(f.data, net);
    model.compile("adam", {.lr = 1e-3, .derivatives = engine, .causal = {.num_windows = 4, .eps = {0.5}}});
    model.train({.iterations = 1, .verbose = false});
    const auto w = model.causal_weights();
    ASSERT_EQ(w.size(), 4u);
    EXPECT_EQ(w[0], 1.0);
    for (int i = 1; i < 4; ++i) EXPECT_LE(w[i], w[i - 1]);
    EXPECT_LT(w[3], 1.0);
    EXPECT_EQ(model.causal_eps(), 0.5);
    // The weights follow from the windows' residual losses at step 0: check against a recomputation.
    per_engine.push_back(w);
  }
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(per_engine[0][i], per_engine[1][i], 1e-12);

  // Hand check of the step-0 weights: the residual of the initial network, windowed by t.
  dde::config::set_random_seed(2);
  Flagship f;
  dde::nn::FNN net({2, 8, 8, 1}, "tanh", "Glorot normal");
  net->to(torch::kFloat64);
  const auto& b = f.data.train_batch();
  auto x = b.x.detach().slice(0, b.bcs_start.back()).clone().requires_grad_(true);
  torch::Tensor r;
  {
    dde::grad::Scope scope;
    r = diffusion_reaction(x, net->forward(x)).detach();
  }
  std::vector<double> L(4, 0.0), n(4, 0.0);
  auto xa = x.detach();
  for (std::int64_t j = 0; j < xa.size(0); ++j) {
    const int i = std::min(3, static_cast<int>(std::floor(xa[j][1].item<double>() * 4)));
    L[i] += std::pow(r[j][0].item<double>(), 2);
    n[i] += 1;
  }
  double before = 0;
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(per_engine[0][i], std::exp(-0.5 * before), 1e-12) << i;
    before += n[i] ? L[i] / n[i] : 0;
  }

  // Mini-batches and an eps schedule: every step's weights come from its batch; eps moves on once all
  // weights exceed delta (delta = 0 here: at the first step), and the history records both.
  dde::config::set_random_seed(3);
  Flagship g;
  dde::nn::FNN net2({2, 8, 1}, "tanh", "Glorot normal");
  dde::Model model(g.data, net2);
  model.compile("adam", {.lr = 1e-3, .causal = {.num_windows = 3, .eps = {0.1, 1, 10}, .delta = 1e-300}});
  model.train({.iterations = 3, .batch_size = 10, .display_every = 1, .verbose = false});
  EXPECT_EQ(model.causal_eps(), 10.0);
  const auto& h = model.losshistory();
  ASSERT_EQ(h.causal_eps.size(), 4u);
  EXPECT_EQ(h.causal_eps[0], 0.1);
  EXPECT_EQ(h.causal_eps[3], 10.0);
  EXPECT_EQ(h.causal_weights[3].size(), 3u);
  // loss.dat: step, 3 train, 3 test, then eps and the 3 window weights.
  const dde::testing::ScratchDir dir;
  dde::save_loss_history(h, dir.string());
  std::ifstream in(dir.file("loss.dat"));
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  EXPECT_THAT(header, HasSubstr("causal_eps, causal_weights"));
  std::istringstream cols(row);
  std::vector<double> v;
  for (double d; cols >> d;) v.push_back(d);
  ASSERT_EQ(v.size(), 11u);
  EXPECT_EQ(v[7], 0.1);
  EXPECT_EQ(v[8], 1.0);
}

// An ODE in DeepXDE's form (a PDE whose geometry is a TimeDomain) is split by its one input, over the time
// domain's own interval [t0, t1] (here [1, 3]), not [0, 1].
TEST_F(RemediesTest, CausalTrainingSplitsAnOdeOnATimeDomainByItsInterval) {
  dde::config::set_random_seed(4);
  dde::geometry::TimeDomain time(1, 3);
  auto decay = [](const torch::Tensor& t, const torch::Tensor& y) { return dde::grad::jacobian(y, t) + y; };
  dde::IC ic(time, [](const torch::Tensor& t) { return torch::ones({t.size(0), 1}, t.options()); }, dde::on_initial);
  dde::data::PDE ode(time, decay, {ic}, {.num_domain = 40, .num_boundary = 2});
  dde::nn::FNN net({1, 8, 1}, "tanh", "Glorot normal");
  dde::Model model(ode, net);
  model.compile("adam", {.lr = 1e-3, .causal = {.num_windows = 4, .eps = {0.7}}});
  model.train({.iterations = 1, .verbose = false});
  const auto w = model.causal_weights();
  ASSERT_EQ(w.size(), 4u);

  // The step-0 weights by hand: the initial network's residual on the domain rows, windows of width 0.5.
  dde::config::set_random_seed(4);
  dde::data::PDE ode2(time, decay, {ic}, {.num_domain = 40, .num_boundary = 2});
  dde::nn::FNN net2({1, 8, 1}, "tanh", "Glorot normal");
  net2->to(torch::kFloat64);
  const auto& b = ode2.train_batch();
  auto t = b.x.detach().slice(0, b.bcs_start.back()).clone().requires_grad_(true);
  torch::Tensor r;
  {
    dde::grad::Scope scope;
    r = decay(t, net2->forward(t)).detach();
  }
  std::vector<double> L(4, 0.0), n(4, 0.0);
  for (std::int64_t j = 0; j < t.size(0); ++j) {
    const double tj = t[j][0].item<double>();
    ASSERT_GE(tj, 1.0);
    const int i = std::min(3, static_cast<int>(std::floor((tj - 1) / 0.5)));
    L[i] += std::pow(r[j][0].item<double>(), 2);
    n[i] += 1;
  }
  double before = 0;
  for (int i = 0; i < 4; ++i) {
    ASSERT_GT(n[i], 0) << "window " << i << " has no points";
    EXPECT_NEAR(w[i], std::exp(-0.7 * before), 1e-12) << i;
    before += L[i] / n[i];
  }
  EXPECT_LT(w[3], 0.999);
}

TEST_F(RemediesTest, BadWeightingAndCausalOptionsAreRejected) {
  Flagship f;
  dde::nn::FNN net({2, 8, 1}, "tanh", "Glorot normal");
  dde::Model model(f.data, net);
  auto rejects = [&](dde::CompileOptions o, const std::string& text) {
    EXPECT_THAT([&] { model.compile("adam", o); }, ThrowsMessage<dde::ValueError>(HasSubstr(text)));
  };
  rejects({.weighting = {.name = "gradnorm"}}, "weighting.name = 'gradnorm'; valid: static, grad-norm, ntk");
  rejects({.weighting = {.name = "ntk", .every = 0}}, "weighting.every = 0 (expected >= 1)");
  rejects({.weighting = {.name = "ntk", .alpha = 0}}, "weighting.alpha = 0 (expected 0 < alpha <= 1)");
  rejects({.weighting = {.name = "ntk", .alpha = 1.5}}, "weighting.alpha = 1.5 (expected 0 < alpha <= 1)");
  rejects({.weighting = {.name = "grad-norm", .statistic = "median"}}, "weighting.statistic = 'median'; valid: max, mean");
  rejects({.weighting = {.name = "ntk", .ntk_samples = 0}}, "weighting.ntk_samples = 0 (expected >= 1)");
  rejects({.causal = {.num_windows = -1}}, "causal.num_windows = -1 (expected >= 0; 0: off)");
  rejects({.causal = {.num_windows = 4, .eps = {}}}, "causal.eps is empty");
  rejects({.causal = {.num_windows = 4, .eps = {1, -2}}}, "causal.eps[1] = -2 (expected a finite number > 0)");
  rejects({.causal = {.num_windows = 4, .delta = 0}}, "causal.delta = 0 (expected 0 < delta <= 1)");
  // Causal training needs a TimePDE; adaptive weights need as many initial weights as terms.
  dde::geometry::Interval line(0, 1);
  dde::DirichletBC bc(line, zeros_like_rows, dde::on_boundary);
  dde::data::PDE pde(line, [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x) + 1; },
                     {bc}, {.num_domain = 8, .num_boundary = 2});
  dde::nn::FNN net1({1, 4, 1}, "tanh", "Glorot normal");
  dde::Model m1(pde, net1);
  EXPECT_THAT([&] { m1.compile("adam", {.causal = {.num_windows = 4}}); },
              ThrowsMessage<dde::ValueError>(HasSubstr(
                  "causal.num_windows = 4 but the data is neither a TimePDE nor a PDE on a TimeDomain")));
  model.compile("adam", {.loss_weights = {1, 1}, .weighting = {.name = "grad-norm"}});
  EXPECT_THAT([&] { model.train({.iterations = 1, .verbose = false}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("loss_weights has 2 entries for 3 loss terms")));
}

// Trains `steps` Adam steps (mini-batches), from a checkpoint when `restore` is given; returns the model's
// parameters, weights and causal state.
struct RunResult {
  std::vector<torch::Tensor> params;
  std::vector<double> weights, causal;
  std::vector<std::vector<double>> history_weights;
};

RunResult run(const std::string& rule, std::int64_t steps, const std::string& save, const std::string& restore) {
  dde::config::set_random_seed(5);
  Flagship f;
  dde::nn::FNN net({2, 8, 8, 1}, "tanh", "Glorot normal");
  dde::Model model(f.data, net);
  dde::CompileOptions o{.lr = 1e-2, .weighting = {.name = rule, .every = 3, .ntk_samples = 8}};
  o.causal = {.num_windows = 4, .eps = {0.01, 0.1, 1.0}, .delta = 0.9};
  model.compile("adam", o);
  model.train({.iterations = steps, .batch_size = 20, .display_every = 5, .model_restore_path = restore,
               .model_save_path = save, .verbose = false, .restore_best = false});
  RunResult r;
  for (const auto& p : model.trainable_variables()) r.params.push_back(p.detach().clone());
  r.weights = model.loss_weights();
  r.causal = model.causal_weights();
  r.history_weights = model.losshistory().loss_weights;
  return r;
}

TEST_F(RemediesTest, AResumedRunWithAdaptiveWeightsContinuesBitForBit) {
  const dde::testing::ScratchDir dir;
  const auto ckpt = dir.file("a.ckpt");
  for (const std::string rule : {"grad-norm", "ntk"}) {
    SCOPED_TRACE(rule);
    const auto straight = run(rule, 20, "", "");
    run(rule, 10, ckpt, "");
    const auto resumed = run(rule, 10, "", ckpt);
    ASSERT_EQ(straight.params.size(), resumed.params.size());
    for (std::size_t i = 0; i < straight.params.size(); ++i) EXPECT_TRUE(torch::equal(straight.params[i], resumed.params[i])) << i;
    EXPECT_EQ(straight.weights, resumed.weights);
    EXPECT_EQ(straight.causal, resumed.causal);
    EXPECT_EQ(straight.history_weights, resumed.history_weights);
    EXPECT_NE(straight.weights.at(1), 1.0);  // the weights did adapt
  }
}

}  // namespace
