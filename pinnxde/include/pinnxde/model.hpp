#pragma once
// Trains a network on a data object. Port of deepxde.Model.
//
//   dde::Model model(data, net);
//   model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}});
//   model.train({.iterations = 20000});
//   model.compile("L-BFGS");
//   auto [losshistory, train_state] = model.train();
#include <torch/types.h>

#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "pinnxde/callbacks.hpp"
#include "pinnxde/data/data.hpp"
#include "pinnxde/geometry/geometry.hpp"
#include "pinnxde/nn/nn.hpp"

namespace pinnxde {

/// One loss name for every term, or one per term: `.loss = "MSE"` or `.loss = {"MSE", "MSE", "MAE"}`.
struct LossSpec {
  std::vector<std::string> names;
  LossSpec(const char* name) : names{name} {}                             // NOLINT(google-explicit-constructor)
  LossSpec(std::string name) : names{std::move(name)} {}                  // NOLINT(google-explicit-constructor)
  LossSpec(std::initializer_list<std::string> list) : names(list) {}
};

/// Learning-rate decay, DeepXDE's tuples: {"inverse time", decay_steps, decay_rate}, {"step", step_size,
/// gamma}, {"cosine", decay_steps, alpha}, {"exponential", gamma}, or {"lambda"} with `factor`. The step
/// counts optimizer steps since compile(); the learning rate is lr * factor(step).
struct Decay {
  std::string name;
  double a = 0;  // decay_steps | step_size | decay_steps | gamma
  double b = 0;  // decay_rate  | gamma     | alpha
  std::function<double(std::int64_t step)> factor;  // for "lambda"
};

/// How the loss terms are weighted (CompileOptions::weighting). The weights multiply the unweighted terms
/// (which the history keeps); they are never differentiated, are updated only by first-order optimizers
/// (frozen under L-BFGS, whose closure must be deterministic), are saved in checkpoints and recorded in the
/// history (LossHistory::loss_weights) and in loss.dat. The initial weights are loss_weights (default 1).
///   "static"     loss_weights, unchanged (DeepXDE's only choice).
///   "grad-norm"  Wang, Teng & Perdikaris (2021), learning-rate annealing: every `every` steps, for each
///                condition term i, w_hat_i = max|grad_theta L_r| / mean|grad_theta L_i| over the network's
///                parameters theta, L_r the sum of the (unweighted) PDE residual terms and L_i the
///                unweighted term i, then w_i <- (1 - alpha) w_i + alpha w_hat_i. The residual terms keep
///                their initial weight. statistic = "mean" uses mean|grad L_r| in the numerator instead.
///   "ntk"        Wang, Yu & Perdikaris (2022): every `every` steps, w_hat_i = sum_j tr(K_j) / tr(K_i) over
///                all terms (residuals and conditions), where tr(K_i) is estimated as the mean over
///                `ntk_samples` evenly spaced rows x of term i of |d f_i(x) / d theta|^2 (f_i the residual
///                or the condition's prediction at x: one per-sample parameter gradient per row), then
///                w_i <- (1 - alpha) w_i + alpha w_hat_i (alpha = 1 is the paper's rule). The mean (the
///                trace per point) makes the weights independent of how many points each term has.
///   model.compile("adam", {.lr = 1e-3, .weighting = {.name = "grad-norm", .every = 100}});
struct Weighting {
  std::string name = "static";    // "static" | "grad-norm" | "ntk"
  std::int64_t every = 100;       // update period in optimizer steps (at steps 0, every, 2 every, ...)
  double alpha = 0.9;             // moving-average factor in (0, 1]
  std::string statistic = "max";  // grad-norm numerator: "max" (the paper) or "mean" of |grad L_r|
  std::int64_t ntk_samples = 64;  // rows per term for the NTK traces (all rows when a term has fewer)
};

/// Causal training for a TimePDE (Wang, Sankaran & Perdikaris 2022; CompileOptions::causal). The PDE
/// residual's loss is split into `num_windows` equal time windows of [t0, t1] (each collocation point goes
/// to the window holding its t), L_i = loss of the residual rows in window i, and the residual term
/// becomes (1 / num_windows) sum_i w_i L_i with w_i = exp(-eps * sum_{k<i} L_k) (w_0 = 1), computed from
/// the current residual at every evaluation and never differentiated. eps starts at eps[0] and moves to
/// the next entry of the list when min_i w_i > delta after a first-order optimizer step (the paper's
/// schedule; it stays put under L-BFGS). The window weights and eps are recorded in
/// LossHistory::causal_weights / causal_eps and loss.dat; Model::causal_weights() gives the latest.
/// Works with mini-batches (a window without rows in a batch has L_i = 0) and both derivative engines.
///   model.compile("adam", {.lr = 1e-3, .causal = {.num_windows = 32, .eps = {1e-2, 1e-1, 1, 10}}});
struct Causal {
  std::int64_t num_windows = 0;      // 0: off
  std::vector<double> eps = {1.0};   // the schedule, each > 0
  double delta = 0.99;               // move to the next eps when min_i w_i > delta
};

/// Keyword arguments of Model::compile, in DeepXDE's order.
struct CompileOptions {
  double lr = 1e-3;                                       // learning rate (ignored by L-BFGS, which uses 1)
  LossSpec loss = "MSE";                                  // see losses::names()
  std::vector<std::string> metrics;                       // "l2 relative error", "MSE", ...
  std::optional<Decay> decay;                             // learning-rate schedule (first-order optimizers)
  std::vector<double> loss_weights;                       // one per loss term, default all 1
  std::vector<torch::Tensor> external_trainable_variables;// Variables of an inverse problem
  /// Derivative engine (grad/engine.hpp): "auto" (the forward engine when the network can propagate jets,
  /// reverse mode otherwise, or when the losses differentiate derivatives: third orders and up, seen in the
  /// first evaluation), "forward" (requires such a network) or "reverse" (autograd, DeepXDE's way).
  std::string derivatives = "auto";
  /// Static, grad-norm or NTK loss weighting (see Weighting); loss_weights are the initial weights.
  Weighting weighting;
  /// Causal training of a TimePDE's residual (see Causal); off by default.
  Causal causal;
};

/// Keyword arguments of Model::train.
struct TrainOptions {
  // Required for first-order optimizers. L-BFGS without it: a new budget of LBFGSOptions::maxiter, or the
  // rest of a run that a checkpoint, a callback's stop or the time limit left unfinished.
  std::optional<std::int64_t> iterations;
  std::int64_t batch_size = 0;             // >0: each step uses this many PDE collocation points (all
                                           // condition points always), cycling through a shuffled order
  int display_every = 1000;                // progress row and history record every this many steps
  bool disregard_previous_best = false;    // forget the best state of earlier train() calls
  std::vector<callbacks::CallbackPtr> callbacks;
  std::string model_restore_path;          // restore this checkpoint before training
  std::string model_save_path;             // save a checkpoint here after training
  bool verbose = true;                     // print the progress table
  bool restore_best = true;                // end with the parameters of the lowest training loss seen
  /// Wall-time budget of this train() call in seconds (0: none). Checked before every loss evaluation, so
  /// training stops within one step (one function evaluation inside an L-BFGS line search); the state is
  /// then recorded and, with restore_best, the best parameters are kept. StopReason::TimeLimit.
  double time_limit = 0;
};

/// Loss and metric records, one row per display step. Port of deepxde.model.LossHistory.
struct LossHistory {
  std::vector<std::int64_t> steps;
  std::vector<std::vector<double>> loss_train, loss_test, metrics_test;
  /// Per row: the loss weights in force (one per term; empty when no weights were set), the causal
  /// window weights of the training batch and the causal eps (empty / NaN when causal training is off).
  std::vector<std::vector<double>> loss_weights, causal_weights;
  std::vector<double> causal_eps;
  std::vector<std::string> loss_names;  // one per loss term (Data::loss_names), or empty when unnamed
};

/// Why train() returned.
enum class StopReason { IterationsDone, Converged, NonFinite, StoppedByCallback, TimeLimit };

/// Outcome of training. Port of deepxde.model.TrainState, with the reason it stopped.
struct TrainState {
  std::int64_t step = 0;                 // total optimizer steps (iterations) across train() calls
  std::int64_t best_step = 0;            // step of the lowest total training loss
  double loss_train = std::numeric_limits<double>::quiet_NaN();  // total training loss, latest evaluation
  double best_loss_train = std::numeric_limits<double>::infinity();
  std::vector<double> best_loss_test, best_metrics;  // of the parameters the model holds after train()
  StopReason stop_reason = StopReason::IterationsDone;
  std::string message;                   // human-readable reason, e.g. "loss became NaN at step 1234"
  double seconds = 0;                    // wall time of the last train() call
  bool restored_best = false;            // the parameters were set back to best_step's
};

class Model {
 public:
  /// data and net are kept by reference/shared pointer; the model does not copy them. The first Model
  /// of a process calls runtime::initialize() (BLAS core type, allocator, threads) and prints the banner.
  Model(data::Data& data, std::shared_ptr<nn::NNImpl> net);
  /// Accepts a module holder such as nn::FNN.
  template <class Holder>
    requires requires(Holder h) { h.ptr(); }
  Model(data::Data& data, Holder net) : Model(data, std::static_pointer_cast<nn::NNImpl>(net.ptr())) {}
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  /// optimizer: "adam", "sgd", "rmsprop", "adamw", "L-BFGS" (also "L-BFGS-B").
  void compile(const std::string& optimizer, CompileOptions options = {});
  /// Runs the compiled optimizer; returns the history so far and the state (also kept in the model).
  std::pair<LossHistory, TrainState> train(TrainOptions options = {});

  /// Network output at x (N, dim), no graph. Float64 points or a tensor. Every predict answers on the
  /// input's device: Points and CPU tensors give CPU tensors also when training runs on CUDA.
  torch::Tensor predict(const torch::Tensor& x);
  torch::Tensor predict(const geometry::Points& x);
  /// operator(x, y) at x, e.g. the PDE residual: derivatives flow through the network.
  /// op(x, y) at x, e.g. the PDE residual: derivatives flow through the network. DeepXDE's
  /// model.predict(x, operator=op). x: a tensor (N, dim) or Points. op returns one tensor (N, 1) -> that
  /// tensor; or several, for a system (a std::vector<torch::Tensor>, or the dde::data::Residuals that a
  /// residual written for PDE returns) -> one (N, 1) tensor per equation, as DeepXDE returns a list.
  ///
  ///   auto r = model.predict(x, pde);            // pde: the residual given to the data object
  template <class X, class Op>
    requires(std::same_as<std::remove_cvref_t<X>, torch::Tensor> ||
             std::same_as<std::remove_cvref_t<X>, geometry::Points>) &&
            std::invocable<Op&, const torch::Tensor&, const torch::Tensor&>
  auto predict(const X& x, Op&& op) {
    using R = std::remove_cvref_t<std::invoke_result_t<Op&, const torch::Tensor&, const torch::Tensor&>>;
    if constexpr (std::is_convertible_v<R, torch::Tensor>) {
      return predict_operator(x, Operator([&op](const torch::Tensor& a, const torch::Tensor& b) -> torch::Tensor {
                                return op(a, b);
                              }));
    } else if constexpr (std::is_convertible_v<R, std::vector<torch::Tensor>>) {
      return predict_system(x, SystemOperator([&op](const torch::Tensor& a, const torch::Tensor& b) {
                              return std::vector<torch::Tensor>(op(a, b));
                            }));
    } else {
      static_assert(requires(R r) { std::vector<torch::Tensor>(r.terms); },
                    "Model::predict(x, op): op(x, y) must return a torch::Tensor, a std::vector<torch::Tensor> "
                    "or dde::data::Residuals");
      return predict_system(x, SystemOperator([&op](const torch::Tensor& a, const torch::Tensor& b) {
                              return std::vector<torch::Tensor>(op(a, b).terms);
                            }));
    }
  }
  using Operator = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& y)>;
  using SystemOperator = std::function<std::vector<torch::Tensor>(const torch::Tensor& x, const torch::Tensor& y)>;
  /// What predict(x, op) calls: one operator -> (N, 1); a system -> one (N, 1) tensor per equation.
  torch::Tensor predict_operator(const torch::Tensor& x, const Operator& op);
  torch::Tensor predict_operator(const geometry::Points& x, const Operator& op);
  std::vector<torch::Tensor> predict_system(const torch::Tensor& x, const SystemOperator& op);
  std::vector<torch::Tensor> predict_system(const geometry::Points& x, const SystemOperator& op);

  /// Writes one checkpoint file: network parameters, every Variable, the optimizer state, the step, the
  /// random generators' states, the loss history and the configuration, followed by a 64-bit checksum of
  /// all of it. Port of Model.save. The write is atomic: a temporary file in the same directory, fsync,
  /// rename; on failure the temporary file is removed and an Error names the path.
  void save(const std::string& path) const;
  /// Reads a checkpoint written by save() into this (compiled) model; train() then continues the same run.
  /// All or nothing: the checksum and every entry are checked before anything changes, so on failure the
  /// model (parameters, Variables, optimizer, history, generators) is exactly as before. Throws ValueError,
  /// naming the file and what is wrong, for a different network shape, other Variables, or a
  /// corrupt/truncated file.
  void restore(const std::string& path);

  /// Set by a callback to end training after the current step.
  bool stop_training = false;

  data::Data& data();
  /// Current learning rate of the compiled first-order optimizer (after decay); 1 for L-BFGS.
  double learning_rate() const;
  const LossHistory& losshistory() const;
  const TrainState& train_state() const;
  std::shared_ptr<nn::NNImpl> net() const;
  /// Network parameters and external variables the optimizer updates.
  const std::vector<torch::Tensor>& trainable_variables() const;
  /// The loss weights in force (adaptive ones as updated so far); empty when none are set.
  std::vector<double> loss_weights() const;
  /// Causal training: the window weights of the latest evaluation and the current eps (empty / NaN when off).
  std::vector<double> causal_weights() const;
  double causal_eps() const;
  /// The derivative engine compile() chose: "forward" or "reverse" (empty before compile).
  std::string derivative_engine() const;

 private:
  // Everything else (optimizer, best state, L-BFGS run, mini-batches, display) lives in pinnxde/src/
  // model_impl.hpp, so that changing a training internal does not recompile the programs that use Model.
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes loss.dat (DeepXDE's columns: step, loss_train..., loss_test..., metrics_test..., then, when the
/// run had weights other than 1, one loss weight per term, and with causal training eps and the window
/// weights; a value a row lacks is written as nan) into
/// output_dir, creating it if needed. Port of deepxde.saveplot's file output. Atomic (temporary file,
/// rename): a reader sees the old file or the new one. Throws Error naming the path when it cannot write.
void save_loss_history(const LossHistory& history, const std::string& output_dir = ".");

}  // namespace pinnxde
