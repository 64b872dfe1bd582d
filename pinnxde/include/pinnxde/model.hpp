#pragma once
// Trains a network on a data object. Port of deepxde.Model.
//
//   dde::Model model(data, net);
//   model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}});
//   model.train({.iterations = 20000});
//   model.compile("L-BFGS");
//   auto [losshistory, train_state] = model.train();
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
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

/// Keyword arguments of Model::compile, in DeepXDE's order.
struct CompileOptions {
  double lr = 1e-3;                                       // learning rate (ignored by L-BFGS, which uses 1)
  LossSpec loss = "MSE";                                  // see losses::names()
  std::vector<std::string> metrics;                       // "l2 relative error", "MSE", ...
  std::optional<Decay> decay;                             // learning-rate schedule (first-order optimizers)
  std::vector<double> loss_weights;                       // one per loss term, default all 1
  std::vector<torch::Tensor> external_trainable_variables;// Variables of an inverse problem
  /// Derivative engine (grad/engine.hpp): "auto" (the forward engine when the network can propagate jets,
  /// reverse mode otherwise), "forward" (requires such a network) or "reverse" (autograd, DeepXDE's way).
  std::string derivatives = "auto";
};

/// Keyword arguments of Model::train.
struct TrainOptions {
  std::optional<std::int64_t> iterations;  // required for first-order optimizers; L-BFGS uses its maxiter
  std::int64_t batch_size = 0;             // >0: each step uses this many PDE collocation points (all
                                           // condition points always), cycling through a shuffled order
  int display_every = 1000;                // progress row and history record every this many steps
  bool disregard_previous_best = false;    // forget the best state of earlier train() calls
  std::vector<callbacks::CallbackPtr> callbacks;
  std::string model_restore_path;          // restore this checkpoint before training
  std::string model_save_path;             // save a checkpoint here after training
  bool verbose = true;                     // print the progress table
  bool restore_best = true;                // end with the parameters of the lowest training loss seen
};

/// Loss and metric records, one row per display step. Port of deepxde.model.LossHistory.
struct LossHistory {
  std::vector<std::int64_t> steps;
  std::vector<std::vector<double>> loss_train, loss_test, metrics_test;
  std::vector<std::string> loss_names;  // one per loss term (Data::loss_names), or empty when unnamed
};

/// Why train() returned.
enum class StopReason { IterationsDone, Converged, NonFinite, StoppedByCallback };

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

  /// Network output at x (N, dim), no graph. Float64 points or a tensor.
  torch::Tensor predict(const torch::Tensor& x);
  torch::Tensor predict(const geometry::Points& x);
  /// operator(x, y) at x, e.g. the PDE residual: derivatives flow through the network.
  torch::Tensor predict(const torch::Tensor& x, const std::function<torch::Tensor(const torch::Tensor&,
                                                                                   const torch::Tensor&)>& op);

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
  /// The derivative engine compile() chose: "forward" or "reverse" (empty before compile).
  std::string derivative_engine() const;

 private:
  // Everything else (optimizer, best state, L-BFGS run, mini-batches, display) lives in pinnxde/src/
  // model_impl.hpp, so that changing a training internal does not recompile the programs that use Model.
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes loss.dat (DeepXDE's columns: step, loss_train..., loss_test..., metrics_test...) into
/// output_dir, creating it if needed. Port of deepxde.saveplot's file output. Atomic (temporary file,
/// rename): a reader sees the old file or the new one. Throws Error naming the path when it cannot write.
void save_loss_history(const LossHistory& history, const std::string& output_dir = ".");

}  // namespace pinnxde
