#pragma once
// Neural ODE data: fits dh/dt = net(h) (or net([h, t])) to an observed trajectory, by integrating the
// network's vector field with odeint and comparing with the observations. Trains through Model like the
// PINN data objects (compile, Adam -> L-BFGS, history, callbacks, checkpoints, float64, seeds).
// The torchdiffeq recipe (ode_demo.py) as a data object; DeepXDE has no equivalent.
//
//   // t: (T,) strictly increasing (regular or not); y: (T, state_dim) observations
//   dde::data::Trajectory data(t, y, {.batch_time = 10, .odeint = {.method = "rk4", .step_size = 0.05},
//                                     .test_t = t_test, .test_y = y_test});
//   dde::nn::FNN net({2, 64, 64, 2}, "tanh", "Glorot normal");
//   dde::Model model(data, net);
//   model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}});
//   model.train({.iterations = 2000, .batch_size = 20});   // 20 random sub-trajectories per step
//   model.compile("L-BFGS");
//   model.train();                                           // all sub-trajectories
//   auto h = data.predict(*model.net(), y0, t_long);         // (T', state_dim), extrapolation
//
// Rows. The training set has one row per sub-trajectory: with batch_time = L, the windows
// t[s], ..., t[s+L-1] for every start s (T - L + 1 rows); with batch_time = 0, one row, the whole
// trajectory. Each row is integrated from its first observation; the loss (one term, the compiled loss,
// MSE by default) compares every other point of the window with the prediction. Model's batch_size picks
// that many rows per step (a new shuffle every epoch, seeded and checkpointed by Model). Windows with
// different time offsets (irregular samples) are integrated together over the union of their offsets.
// The test set is one row: test_t/test_y (integrated from test_y[0]) or, by default, the whole training
// trajectory; metrics such as "l2 relative error" compare the predicted and the observed test trajectory.
//
// Model::predict(x) evaluates the network itself, i.e. the learned vector field at states x; use
// Trajectory::predict for trajectories. saveplot()'s solution plot does not apply to this data object.
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "pinnxde/data/data.hpp"
#include "pinnxde/nn/nn.hpp"
#include "pinnxde/odeint.hpp"

namespace pinnxde::data {

struct TrajectoryOptions {
  std::int64_t batch_time = 0;   // points per sub-trajectory (>= 2); 0: the whole trajectory
  bool time_dependent = false;   // the network takes [h, t] (state_dim + 1 inputs) instead of h
  bool adjoint = false;          // gradients by odeint_adjoint (memory independent of the steps)
  std::vector<torch::Tensor> adjoint_params;  // with adjoint: the network's parameters (net->parameters())
  OdeintOptions odeint = {.rtol = 1e-5, .atol = 1e-7};  // solver for training, testing and predict()
  torch::Tensor test_t;          // (T_test,) test trajectory times; default: the training trajectory
  torch::Tensor test_y;          // (T_test, state_dim) its reference states
};

class Trajectory : public Data {
 public:
  /// t: (T,) strictly increasing observation times; y: (T, state_dim) observed states (copied, kept in
  /// float64 and converted to config::options() when batches are built).
  Trajectory(const torch::Tensor& t, const torch::Tensor& y, TrajectoryOptions options = {});

  /// Integrates the network's vector field over each row's window and returns the loss term; outputs
  /// are the predicted windows (rows, L * state_dim), the layout of batch.y.
  Evaluation evaluate(const NetFunction& net, const Batch& batch, const std::vector<LossFunction>& loss_fns) override;
  std::vector<torch::Tensor> losses(const torch::Tensor& outputs, const Batch& batch,
                                    const std::vector<LossFunction>& loss_fns) const override;
  std::size_t num_losses() const override { return 1; }
  const Batch& train_batch() override;
  const Batch& test_batch() override;
  void resample_train_points() override {}  // observations do not change
  int input_dim() const override { return static_cast<int>(state_dim_ + (opts_.time_dependent ? 1 : 0)); }
  const std::vector<icbc::BCPtr>& bcs() const override { return no_bcs_; }

  /// The trajectory of the learned ODE from y0 ((state_dim,) or (batch, state_dim)) at times t, without
  /// a graph: (len(t), state_dim) or (len(t), batch, state_dim).
  torch::Tensor predict(nn::NNImpl& net, const torch::Tensor& y0, const torch::Tensor& t) const;

  std::int64_t state_dim() const { return state_dim_; }
  /// Number of sub-trajectories (training rows).
  std::int64_t num_windows() const;
  const TrajectoryOptions& options() const { return opts_; }

 private:
  Batch make_batch(const torch::Tensor& t, const torch::Tensor& y, std::int64_t window) const;

  torch::Tensor t_, y_, test_t_, test_y_;  // float64, CPU
  std::int64_t state_dim_ = 0;
  TrajectoryOptions opts_;
  std::optional<Batch> train_, test_;
  std::vector<icbc::BCPtr> no_bcs_;
};

}  // namespace pinnxde::data
