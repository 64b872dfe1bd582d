// Neural ODEs: odeint's order and error control, odeint_adjoint against backprop, bad input, and the
// Trajectory data object trained through Model.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <unistd.h>
#include <iostream>
#include <pinnxde/data/trajectory.hpp>
#include <pinnxde/odeint.hpp>
#include <pinnxde/pinnxde.hpp>

#include "test_util.hpp"

namespace dde = pinnxde;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

class OdeintTest : public dde::testing::Float64Test {};

const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);

// dy/dt = -y and the harmonic oscillator x' = v, v' = -x.
dde::ODEFunc decay = [](const torch::Tensor&, const torch::Tensor& y) { return -y; };
dde::ODEFunc oscillator = [](const torch::Tensor&, const torch::Tensor& y) {
  return torch::stack({y.select(-1, 1), -y.select(-1, 0)}, -1);
};

// Least-squares slope of log(err) against log(h).
double slope(const std::vector<double>& h, const std::vector<double>& err) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < h.size(); ++i) mx += std::log(h[i]) / h.size(), my += std::log(err[i]) / h.size();
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    sxy += (std::log(h[i]) - mx) * (std::log(err[i]) - my);
    sxx += (std::log(h[i]) - mx) * (std::log(h[i]) - mx);
  }
  return sxy / sxx;
}

TEST_F(OdeintTest, FixedStepMethodsConvergeWithTheirOrder) {
  const std::vector<std::pair<std::string, double>> methods{{"euler", 1}, {"midpoint", 2}, {"rk4", 4}};
  const auto t = torch::linspace(0, 5, 6, f64);  // intervals of length 1
  const auto y0_osc = torch::tensor({1.0, 0.0}, f64);
  const auto exact_osc = torch::stack({torch::cos(t), -torch::sin(t)}, 1);
  const auto exact_decay = torch::exp(-t);
  for (const auto& [method, order] : methods) {
    std::vector<double> hs, err_decay, err_osc;
    for (double h : {0.1, 0.05, 0.025, 0.0125}) {
      hs.push_back(h);
      auto yd = dde::odeint(decay, torch::ones({1}, f64), t, {.method = method, .step_size = h});
      err_decay.push_back((yd.squeeze(1) - exact_decay).abs().max().item<double>());
      auto yo = dde::odeint(oscillator, y0_osc, t, {.method = method, .step_size = h});
      err_osc.push_back((yo - exact_osc).abs().max().item<double>());
    }
    const double s_decay = slope(hs, err_decay), s_osc = slope(hs, err_osc);
    std::cout << method << ": slope " << s_decay << " (dy/dt = -y), " << s_osc << " (oscillator); errors at h = "
              << hs.back() << ": " << err_decay.back() << ", " << err_osc.back() << "\n";
    EXPECT_NEAR(s_decay, order, 0.15) << method;
    EXPECT_NEAR(s_osc, order, 0.15) << method;
  }
  // steps_per_interval is the same grid as step_size = length / steps.
  auto a = dde::odeint(oscillator, y0_osc, t, {.method = "rk4", .step_size = 0.25});
  auto b = dde::odeint(oscillator, y0_osc, t, {.method = "rk4", .steps_per_interval = 4});
  EXPECT_TRUE(torch::allclose(a, b, 0, 1e-14));
}

// rk4 with the fewest equal steps per interval (growing by 10 %) whose error is <= target.
std::pair<double, std::int64_t> rk4_at_error(const dde::ODEFunc& f, const torch::Tensor& y0, const torch::Tensor& t,
                                             const torch::Tensor& exact, double target) {
  for (double n = 1; n < 1e6; n = std::ceil(n * 1.1)) {
    dde::OdeintStats st;
    auto y = dde::odeint(f, y0, t, {.method = "rk4", .steps_per_interval = static_cast<std::int64_t>(n)}, &st);
    const double err = (y - exact).abs().max().item<double>();
    if (err <= target) return {err, st.nfe};
  }
  return {0, 0};
}

TEST_F(OdeintTest, Dopri5MeetsItsToleranceWithFarFewerEvaluationsThanRk4) {
  // Smooth problems with one time scale (errors at 5 times, so that rk4 may take any step): dopri5 meets
  // its tolerance, and rk4 needs more evaluations for the same error (5th against 4th order).
  const auto t5 = torch::linspace(0, 10, 5, f64);
  const std::vector<std::tuple<std::string, dde::ODEFunc, torch::Tensor, torch::Tensor>> smooth{
      {"oscillator", oscillator, torch::tensor({1.0, 0.0}, f64), torch::stack({torch::cos(t5), -torch::sin(t5)}, 1)},
      {"decay", decay, torch::ones({1}, f64), torch::exp(-t5).unsqueeze(1)}};
  for (const auto& [name, f, y0, exact] : smooth) {
    for (double rtol : {1e-4, 1e-6, 1e-8}) {
      dde::OdeintStats st;
      auto y = dde::odeint(f, y0, t5, {.rtol = rtol, .atol = rtol * 1e-2}, &st);
      const double err = (y - exact).abs().max().item<double>();
      EXPECT_LT(err, 10 * rtol) << name << " rtol " << rtol;  // global error within 10 x the tolerance
      const auto [err_rk, nfe_rk] = rk4_at_error(f, y0, t5, exact, err);
      std::cout << name << " rtol " << rtol << ": dopri5 error " << err << " with " << st.nfe << " evaluations ("
                << st.accepted << " steps, " << st.rejected << " rejected); rk4 needs " << nfe_rk
                << " evaluations for error " << err_rk << " (" << static_cast<double>(nfe_rk) / st.nfe << "x)\n";
      if (rtol <= 1e-6) {
        EXPECT_GT(nfe_rk, st.nfe) << name << " rtol " << rtol;
      }
    }
  }
  // Where the step-size control pays: the Arenstorf orbit (restricted three-body problem, periodic with
  // period T; Hairer, Nørsett & Wanner I, II.0), fast near the moon and slow elsewhere. rk4 with equal
  // steps and 10 x dopri5's evaluations is still far less accurate.
  const double mu = 0.012277471, mup = 1 - mu, T = 17.0652165601579625588917206249;
  dde::ODEFunc arenstorf = [=](const torch::Tensor&, const torch::Tensor& s) {
    auto x = s[0], y = s[1], vx = s[2], vy = s[3];
    auto d1 = ((x + mu).square() + y.square()).pow(1.5), d2 = ((x - mup).square() + y.square()).pow(1.5);
    return torch::stack({vx, vy, x + 2 * vy - mup * (x + mu) / d1 - mu * (x - mup) / d2,
                         y - 2 * vx - mup * y / d1 - mu * y / d2});
  };
  const auto s0 = torch::tensor({0.994, 0.0, 0.0, -2.00158510637908252240537862224}, f64);
  const auto tT = torch::tensor({0.0, T}, f64);
  double previous = std::numeric_limits<double>::infinity();
  for (double rtol : {1e-6, 1e-8}) {
    dde::OdeintStats st, rk;
    const double err = (dde::odeint(arenstorf, s0, tT, {.rtol = rtol, .atol = rtol * 1e-2}, &st)[1] - s0)
                           .abs().max().item<double>();
    const double err_rk = (dde::odeint(arenstorf, s0, tT, {.method = "rk4", .steps_per_interval = 10 * st.nfe / 4}, &rk)[1] - s0)
                              .abs().max().item<double>();
    std::cout << "arenstorf rtol " << rtol << ": dopri5 error after one period " << err << " with " << st.nfe
              << " evaluations (" << st.accepted << " steps, " << st.rejected << " rejected); rk4 with " << rk.nfe
              << " evaluations: error " << err_rk << "\n";
    EXPECT_GT(err_rk, 10 * err) << "rtol " << rtol;
    EXPECT_LT(err, previous / 100) << "rtol " << rtol;  // converges as the tolerance tightens
    previous = err;
  }
  // Dense output: 101 requested times cost no more evaluations than 2.
  const auto t = torch::linspace(0, 10, 101, f64);
  dde::OdeintStats dense, sparse;
  auto y = dde::odeint(oscillator, torch::tensor({1.0, 0.0}, f64), t, {.rtol = 1e-6, .atol = 1e-8}, &dense);
  dde::odeint(oscillator, torch::tensor({1.0, 0.0}, f64), torch::tensor({0.0, 10.0}, f64), {.rtol = 1e-6, .atol = 1e-8},
              &sparse);
  EXPECT_EQ(dense.nfe, sparse.nfe);
  EXPECT_LT((y - torch::stack({torch::cos(t), -torch::sin(t)}, 1)).abs().max().item<double>(), 1e-5);
  // dy/dt = -y over [0, 10], batched initial states of any shape.
  auto y0b = torch::tensor({1.0, 2.0, -3.0}, f64).view({3, 1, 1});
  dde::OdeintStats st;
  auto yb = dde::odeint(decay, y0b, t, {.rtol = 1e-8, .atol = 1e-10}, &st);
  ASSERT_EQ(yb.sizes(), (std::vector<std::int64_t>{101, 3, 1, 1}));
  const auto exact_b = torch::exp(-t).view({101, 1, 1, 1}) * y0b.unsqueeze(0);
  EXPECT_LT((yb - exact_b).abs().max().item<double>(), 1e-7);
}

// A small network as the right-hand side, depending on t too.
struct NetODE {
  torch::nn::Linear l1{torch::nn::LinearOptions(3, 16)}, l2{torch::nn::LinearOptions(16, 2)};
  NetODE() {
    l1->to(torch::kFloat64);
    l2->to(torch::kFloat64);
  }
  std::vector<torch::Tensor> params() const {
    auto p = l1->parameters();
    for (const auto& q : l2->parameters()) p.push_back(q);
    return p;
  }
  dde::ODEFunc func() const {
    return [a = l1, b = l2](const torch::Tensor& t, const torch::Tensor& y) mutable {
      return b->forward(torch::tanh(a->forward(torch::cat({y, t.expand({y.size(0), 1})}, 1))));
    };
  }
};

TEST_F(OdeintTest, AdjointGradientsEqualBackpropThroughTheSolver) {
  torch::manual_seed(0);
  NetODE net;
  const auto params = net.params();
  const auto y0_value = torch::randn({4, 2}, f64);
  const auto t = torch::tensor({0.0, 0.3, 0.7, 1.2, 2.0}, f64);
  const auto w = torch::randn({5, 4, 2}, f64);
  for (const dde::OdeintOptions& o : {dde::OdeintOptions{.rtol = 1e-11, .atol = 1e-12},
                                      dde::OdeintOptions{.method = "rk4", .step_size = 0.01}}) {
    auto grads = [&](bool adjoint) {
      auto y0 = y0_value.clone().requires_grad_(true);
      auto ys = adjoint ? dde::odeint_adjoint(net.func(), y0, t, params, o) : dde::odeint(net.func(), y0, t, o);
      auto loss = (w * ys).sum() + ys.square().sum();
      std::vector<torch::Tensor> inputs{y0};
      inputs.insert(inputs.end(), params.begin(), params.end());
      return torch::autograd::grad({loss}, inputs);
    };
    const auto backprop = grads(false), adjoint = grads(true);
    ASSERT_EQ(backprop.size(), adjoint.size());
    double worst = 0;
    for (std::size_t i = 0; i < backprop.size(); ++i) {
      worst = std::max(worst, (backprop[i] - adjoint[i]).abs().max().item<double>());
      EXPECT_TRUE(torch::allclose(adjoint[i], backprop[i], 1e-6, 1e-6)) << o.method << " input " << i;
    }
    std::cout << o.method << ": max |adjoint - backprop| = " << worst << "\n";
    EXPECT_GT(backprop[0].abs().max().item<double>(), 1e-2);  // a gradient that means something
  }
}

TEST_F(OdeintTest, BadInputThrowsValueErrorNamingTheArgument) {
  const auto y0 = torch::ones({3, 2}, f64);
  const auto t = torch::tensor({0.0, 1.0, 2.0}, f64);
  using E = dde::ValueError;
  EXPECT_THAT([&] { dde::odeint(decay, y0, torch::tensor({0.0, 0.5, 0.5}, f64)); },
              ThrowsMessage<E>(AllOf(HasSubstr("t is not strictly increasing"), HasSubstr("t[2] = 0.5"),
                                     HasSubstr("expected t[0] < t[1]"))));
  EXPECT_THAT([&] { dde::odeint(decay, y0, torch::tensor({1.0, 0.0}, f64)); },
              ThrowsMessage<E>(HasSubstr("t[1] = 0 <= t[0] = 1")));
  auto wrong = [](const torch::Tensor&, const torch::Tensor& y) { return y.sum(1, true); };
  for (const std::string m : {"euler", "rk4", "dopri5"})
    EXPECT_THAT([&] { dde::odeint(wrong, y0, t, {.method = m}); },
                ThrowsMessage<E>(AllOf(HasSubstr("func returned shape [3, 1]"), HasSubstr("state of shape [3, 2]"),
                                       HasSubstr("expected func(t, y) to return dy/dt with the shape of y0"))));
  EXPECT_THAT([&] { dde::odeint(decay, y0, t, {.rtol = 0}); },
              ThrowsMessage<E>(HasSubstr("odeint: rtol = 0 (expected a finite rtol > 0)")));
  EXPECT_THAT([&] { dde::odeint(decay, y0, t, {.rtol = -1e-3}); }, ThrowsMessage<E>(HasSubstr("rtol = -0.001")));
  EXPECT_THAT([&] { dde::odeint(decay, y0, t, {.atol = -1}); }, ThrowsMessage<E>(HasSubstr("atol = -1")));
  EXPECT_THAT([&] { dde::odeint(decay, y0, t, {.method = "rk45"}); },
              ThrowsMessage<E>(HasSubstr("method = 'rk45' is unknown; valid: euler, midpoint, rk4, dopri5")));
  EXPECT_THAT([&] { dde::odeint(decay, y0, t, {.method = "rk4", .step_size = -0.1}); },
              ThrowsMessage<E>(HasSubstr("step_size = -0.1")));
  EXPECT_THAT([&] { dde::odeint(decay, torch::ones({2}, torch::kLong), t); },
              ThrowsMessage<E>(HasSubstr("y0 is Long (expected a floating-point tensor)")));
  // dy/dt = y^2, y(0) = 1 blows up at t = 1: the step size underflows on the way.
  auto blowup = [](const torch::Tensor&, const torch::Tensor& y) { return y * y; };
  EXPECT_THAT([&] { dde::odeint(blowup, torch::ones({1}, f64), t); },
              ThrowsMessage<E>(AllOf(HasSubstr("odeint: step size underflow: dt = "), HasSubstr("method 'dopri5'"),
                                     HasSubstr("the solution may blow up"))));
  EXPECT_THAT([&] { dde::odeint(decay, y0, t, {.max_num_steps = 3}); },
              ThrowsMessage<E>(HasSubstr("max_num_steps = 3 reached")));
  // The adjoint checks the same things.
  auto p = torch::ones({1}, f64).requires_grad_(true);
  EXPECT_THAT([&] { dde::odeint_adjoint(decay, y0, torch::tensor({0.0, -1.0}, f64), {p}); },
              ThrowsMessage<E>(HasSubstr("odeint_adjoint: t is not strictly increasing")));
  EXPECT_THAT([&] { dde::odeint_adjoint(decay, y0, t, {p}, {.rtol = 0}); },
              ThrowsMessage<E>(HasSubstr("odeint_adjoint: rtol = 0")));
  EXPECT_THAT([&] { dde::odeint_adjoint(wrong, y0, t, {p}); }, ThrowsMessage<E>(HasSubstr("func returned shape [3, 1]")));
}

// ---------------------------------------------------------------- Trajectory

// Damped oscillator x'' + 0.3 x' + 4 x = 0 as a first-order system, exact solution by a tight dopri5.
torch::Tensor damped(const torch::Tensor& t) {
  dde::ODEFunc f = [](const torch::Tensor&, const torch::Tensor& y) {
    return torch::stack({y.select(-1, 1), -4 * y.select(-1, 0) - 0.3 * y.select(-1, 1)}, -1);
  };
  return dde::odeint(f, torch::tensor({1.0, 0.0}, f64), t, {.rtol = 1e-10, .atol = 1e-12});
}

TEST_F(OdeintTest, TrajectoryWindowsOverIrregularTimesMatchSeparateSolves) {
  torch::manual_seed(1);
  auto t = std::get<0>(torch::sort(torch::rand({12}, f64) * 3));
  auto y = damped(t);
  dde::data::Trajectory data(t, y, {.batch_time = 4, .odeint = {.rtol = 1e-9, .atol = 1e-11}});
  EXPECT_EQ(data.num_windows(), 9);
  EXPECT_EQ(data.input_dim(), 2);
  dde::nn::FNN net({2, 8, 2}, "tanh", "Glorot normal");
  auto ev = data.evaluate([&](const torch::Tensor& x) { return net->forward(x); }, data.train_batch(),
                          {[](const torch::Tensor& a, const torch::Tensor& b) { return (a - b).square().mean(); }});
  ASSERT_EQ(ev.outputs.sizes(), (std::vector<std::int64_t>{9, 8}));
  for (std::int64_t s = 0; s < 9; ++s) {
    auto tw = t.narrow(0, s, 4);
    auto expect = data.predict(*net, y[s], tw).reshape({-1});
    EXPECT_TRUE(torch::allclose(ev.outputs[s].detach(), expect, 1e-6, 1e-7)) << "window " << s;
  }
  // Non-autonomous: the network sees [h, t] with the window's absolute time, as in predict().
  dde::data::Trajectory data_t(t, y, {.batch_time = 4, .time_dependent = true, .odeint = {.rtol = 1e-9, .atol = 1e-11}});
  EXPECT_EQ(data_t.input_dim(), 3);
  dde::nn::FNN net_t({3, 8, 2}, "tanh", "Glorot normal");
  auto ev_t = data_t.evaluate([&](const torch::Tensor& x) { return net_t->forward(x); }, data_t.train_batch(),
                              {[](const torch::Tensor& a, const torch::Tensor& b) { return (a - b).square().mean(); }});
  for (std::int64_t s = 0; s < 9; ++s) {
    auto expect = data_t.predict(*net_t, y[s], t.narrow(0, s, 4)).reshape({-1});
    EXPECT_TRUE(torch::allclose(ev_t.outputs[s].detach(), expect, 1e-6, 1e-7)) << "time-dependent window " << s;
  }
  EXPECT_THAT([&] { dde::data::Trajectory(t, y, {.batch_time = 1}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("Trajectory: batch_time = 1 (expected 0")));
  EXPECT_THAT([&] { dde::data::Trajectory(t.flip(0), y); },
              ThrowsMessage<dde::ValueError>(HasSubstr("Trajectory: t is not strictly increasing")));
  EXPECT_THAT([&] { dde::data::Trajectory(t, y, {.adjoint = true}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("adjoint_params is empty")));
  dde::nn::FNN wrong_net({2, 8, 3}, "tanh", "Glorot normal");
  EXPECT_THAT([&] {
    data.evaluate([&](const torch::Tensor& x) { return wrong_net->forward(x); }, data.train_batch(),
                  {[](const torch::Tensor& a, const torch::Tensor& b) { return (a - b).square().mean(); }});
  }, ThrowsMessage<dde::ValueError>(HasSubstr("Trajectory: the network returns shape [9, 3] for 9 states of dimension 2")));
}

TEST_F(OdeintTest, TrajectoryTrainsThroughModelWithMiniBatchesCheckpointsAndAdjoint) {
  const auto t = torch::linspace(0, 3, 31, f64);
  const auto y = damped(t);
  auto run = [&](bool adjoint, const std::string& save, const std::string& restore, std::int64_t iterations) {
    dde::config::set_random_seed(3);
    dde::nn::FNN net({2, 16, 2}, "tanh", "Glorot normal");
    dde::data::Trajectory data(t, y, {.batch_time = 6, .adjoint = adjoint,
                                      .adjoint_params = adjoint ? net->parameters() : std::vector<torch::Tensor>{},
                                      .odeint = {.method = "rk4", .step_size = 0.05}});
    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-2, .metrics = {"l2 relative error"}});
    model.train({.iterations = iterations, .batch_size = 8, .display_every = 10, .model_restore_path = restore,
                 .model_save_path = save, .verbose = false, .restore_best = false});
    return std::make_pair(model.losshistory(), torch::cat([&] {
                            std::vector<torch::Tensor> flat;
                            for (const auto& p : net->parameters()) flat.push_back(p.detach().reshape({-1}));
                            return flat;
                          }()));
  };
  const dde::testing::ScratchDir dir;
  const auto ckpt = dir.file("half.pt");
  auto [history, params] = run(false, "", "", 60);
  EXPECT_LT(history.loss_train.back()[0], 0.1 * history.loss_train.front()[0]);
  EXPECT_LT(history.metrics_test.back()[0], history.metrics_test.front()[0]);
  // Killed at 30 and resumed: the same parameters as the uninterrupted run (mini-batch order included).
  run(false, ckpt, "", 30);
  auto [resumed_history, resumed] = run(false, "", ckpt, 30);
  EXPECT_TRUE(torch::allclose(resumed, params, 0, 1e-12));
  // The adjoint trains the same way (gradients equal to O(h^4) here).
  auto [adj_history, adj_params] = run(true, "", "", 60);
  EXPECT_NEAR(adj_history.loss_train.back()[0], history.loss_train.back()[0], 1e-3 * history.loss_train.back()[0]);
  // L-BFGS after Adam, all windows at once.
  dde::config::set_random_seed(4);
  dde::nn::FNN net({2, 16, 2}, "tanh", "Glorot normal");
  dde::data::Trajectory data(t, y, {.batch_time = 6, .odeint = {.method = "rk4", .step_size = 0.05}});
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-2});
  model.train({.iterations = 50, .verbose = false});
  const double after_adam = model.train_state().loss_train;
  model.compile("L-BFGS");
  dde::optimizers::LBFGSOptions lo = dde::optimizers::LBFGS_options();
  auto saved = lo;
  lo.maxiter = 40;
  dde::optimizers::set_LBFGS_options(lo);
  model.train({.verbose = false});
  dde::optimizers::set_LBFGS_options(saved);
  EXPECT_LT(model.train_state().best_loss_train, 0.5 * after_adam);
}

}  // namespace
