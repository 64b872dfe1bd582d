#pragma once
// Private to libpinnxde_core: Model's state and the steps of its training loop. Only model.cpp (the loop)
// and checkpoint.cpp (save/restore) include this, so a change here recompiles those two files alone.
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "display.hpp"
#include "optimizers_detail.hpp"
#include "pinnxde/grad/engine.hpp"
#include "pinnxde/model.hpp"
#include "schedules.hpp"

namespace pinnxde {

struct Model::Impl {
  Impl(data::Data& data, std::shared_ptr<nn::NNImpl> net) : data_(data), net_(std::move(net)) {}

  struct Evaluation {
    torch::Tensor total;
    std::vector<torch::Tensor> terms;
    torch::Tensor outputs;
  };
  Evaluation evaluate(const data::Batch& batch);
  /// The data object's terms with other loss functions (NTK: per-row misfits), through the same engine.
  data::Evaluation evaluate_terms(const data::Batch& batch, const std::vector<data::LossFunction>& fns);
  bool adaptive() const { return copts_.weighting.name != "static"; }
  bool causal() const { return copts_.causal.num_windows > 0; }
  std::vector<bool> residual_flags(std::size_t terms) const;  // which terms are PDE residuals
  void update_grad_norm(Evaluation& ev);                      // grad-norm rule on this evaluation's terms
  void update_ntk();                                          // NTK rule on the full training batch
  void set_weights(std::vector<double> w);                    // and forget the best state if they changed
  void install_causal();                                      // the residual hook of a TimePDE (or none)
  double train_closure();                     // forward, loss, gradients; returns the total loss
  const data::Batch& next_minibatch();        // the condition rows + the next batch_size PDE rows
  void record(bool print);                    // history row at the current step
  void snapshot_if_best(double loss);
  void restore_best();
  double weighted_total(const std::vector<double>& terms) const;  // Σ w_k · term_k
  torch::Tensor weighted_sum(const std::vector<torch::Tensor>& terms) const;  // the same on tensors (+ regulariser)
  std::vector<double> causal_weights_now() const;                  // causal_w_ of the last evaluation
  double current_loss();                      // total training loss of the current parameters, no step
  std::vector<double> test_metrics(const torch::Tensor& outputs, const data::Batch& batch) const;
  void train_first_order(Model& model, std::int64_t iterations, const TrainOptions& options);
  void train_lbfgs(Model& model, const TrainOptions& options);
  void apply_decay();
  /// The network and `variables` converted in place to config's float type and device; params_ rebuilt.
  void adopt_float_type(const std::vector<torch::Tensor>& variables);
  /// LBFGSOptions::float64_on_stall: config::set_default_float("float64"), and the network, the Variables,
  /// params_ and the best state converted to it (the optimizer is the caller's to rebuild).
  void switch_to_float64();
  std::vector<double> variable_values() const;  // the external Variables' values, for the table
  void set_table_names();                        // loss-term, metric and Variable names of the table

  data::Data& data_;
  std::shared_ptr<nn::NNImpl> net_;
  std::unique_ptr<grad::Engine> engine_;  // compile() chooses it (CompileOptions::derivatives)
  grad::Scope::Stats scope_stats_;        // the last evaluation's derivative statistics
  bool engine_learned_ = false;           // the engine has seen one evaluation of the training batch
  std::string optimizer_name_;
  CompileOptions copts_;
  detail::Schedule schedule_;  // resolved from copts_.decay at compile()
  std::vector<data::LossFunction> loss_fns_;
  std::vector<torch::Tensor> params_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  LossHistory history_;
  TrainState state_;
  std::vector<torch::Tensor> best_params_;
  std::vector<double> last_terms_;
  std::int64_t steps_in_flight_ = 0;  // L-BFGS iterations done inside the running chunk
  optimizers::detail::LbfgsRun lbfgs_run_;
  bool switched_float64_ = false;  // a stalled float32 L-BFGS run switched the model (and config) to float64
  std::int64_t optimizer_steps_ = 0;  // steps since compile(), for the learning-rate decay
  std::int64_t batch_size_ = 0, perm_pos_ = 0;  // mini-batches over the PDE rows
  torch::Tensor perm_;
  torch::Tensor epoch_rows_;  // (batches, condition rows + batch_size): every batch's rows, built per epoch
  data::Batch minibatch_;
  // Loss weighting (CompileOptions::weighting): the weights in force, empty when none (all 1).
  std::vector<double> weights_;
  bool updating_ = false;  // a first-order step is running: adaptive weights may update
  // Causal training (CompileOptions::causal).
  double causal_t0_ = 0, causal_t1_ = 1;
  std::size_t eps_index_ = 0;
  bool causal_plain_ = false;             // the hook returns the residual itself (NTK's per-row misfits)
  bool causal_installed_ = false;
  torch::Tensor causal_w_;                // window weights of the running evaluation (min over residual terms)
  std::vector<double> causal_last_;       // of the latest training evaluation
  detail::DisplayTable table_;
  detail::ProgressLine progress_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;  // TrainOptions::time_limit, during train()
};

}  // namespace pinnxde
