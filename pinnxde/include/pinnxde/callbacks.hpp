#pragma once
// Hooks into training. Port of deepxde.callbacks.
//
//   dde::callbacks::EarlyStopping early({.min_delta = 1e-6, .patience = 5000});
//   dde::callbacks::VariableValue vv({k}, {.period = 1000, .filename = "variables.dat"});
//   model.train({.iterations = 50000, .callbacks = {early, vv}});
//
// A callback's hooks run at the start/end of train() and after every optimizer step (for L-BFGS: after
// every chunk of display_every iterations, so a Timer there is checked once per chunk: for a wall-time
// budget use TrainOptions::time_limit, which is honoured within one step or line-search evaluation). Set model.stop_training = true to end training early.
// Periods count the model's global step (not steps since the callback was made), so a run resumed from a
// checkpoint fires its callbacks at the same steps as an uninterrupted one.
#include <torch/types.h>

#include <chrono>
#include <concepts>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pinnxde {
class Model;
}

namespace pinnxde::callbacks {

class Callback {
 public:
  virtual ~Callback() = default;
  /// Called once per train() before on_train_begin, with the model being trained.
  virtual void set_model(Model& model) { model_ = &model; }
  virtual void on_train_begin() {}
  virtual void on_epoch_begin() {}
  virtual void on_epoch_end() {}
  virtual void on_train_end() {}

 protected:
  Model* model_ = nullptr;
};

/// A callback held by TrainOptions: built implicitly from any callback value (copied), or from a
/// shared_ptr when the caller wants to read the callback's state afterwards.
class CallbackPtr {
 public:
  template <class T>
    requires std::derived_from<T, Callback>
  CallbackPtr(const T& cb) : ptr_(std::make_shared<T>(cb)) {}           // NOLINT(google-explicit-constructor)
  template <class T>
    requires std::derived_from<T, Callback>
  CallbackPtr(std::shared_ptr<T> cb) : ptr_(std::move(cb)) {}           // NOLINT(google-explicit-constructor)
  Callback* operator->() const { return ptr_.get(); }

 private:
  std::shared_ptr<Callback> ptr_;
};

/// Stops training when the monitored loss has not improved by min_delta for `patience` steps.
struct EarlyStoppingOptions {
  double min_delta = 0;
  std::int64_t patience = 0;
  std::optional<double> baseline;      // stop unless the loss gets below this
  std::string monitor = "loss_train";  // "loss_train" (sum of the weighted training losses)
  std::int64_t start_from_epoch = 0;
};
class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});
  void on_train_begin() override;
  void on_epoch_end() override;
  /// Step at which it stopped training (0 if it did not).
  std::int64_t stopped_step() const { return stopped_step_; }

 private:
  EarlyStoppingOptions o_;
  double best_ = std::numeric_limits<double>::infinity();
  std::int64_t wait_ = 0, stopped_step_ = 0;
};

/// Stops training after `available_time` minutes of wall time.
class Timer : public Callback {
 public:
  explicit Timer(double available_time_minutes);
  void on_train_begin() override;
  void on_epoch_end() override;

 private:
  double minutes_;
  std::chrono::steady_clock::time_point t0_;
};

/// Writes the values of Variables every `period` steps: to `filename` as DeepXDE's lines "step [v0, v1]",
/// or, without a filename, to stdout labelled "VariableValue: step 1000 [1.00e+00]". (The progress table
/// shows the compiled external_trainable_variables in its Variables column anyway.)
struct VariableValueOptions {
  std::int64_t period = 1;
  std::string filename;  // empty: stdout only
  int precision = 2;
};
class VariableValue : public Callback {
 public:
  VariableValue(std::vector<torch::Tensor> var_list, VariableValueOptions options = {});
  void on_train_begin() override;
  void on_epoch_end() override;
  void on_train_end() override;
  /// The latest values.
  const std::vector<double>& value() const { return value_; }

 private:
  void write();
  std::vector<torch::Tensor> vars_;
  VariableValueOptions o_;
  std::vector<double> value_;
};

/// Resamples the PDE training points every `period` steps (DeepXDE's PDEPointResampler).
class PDEPointResampler : public Callback {
 public:
  explicit PDEPointResampler(std::int64_t period = 100);
  void on_epoch_end() override;
  std::int64_t num_resamples() const { return count_; }

 private:
  std::int64_t period_, count_ = 0;
};

/// Saves a checkpoint (Model::save) every `period` steps, or only when the training loss improved.
struct ModelCheckpointOptions {
  bool verbose = false;
  bool save_better_only = false;
  std::int64_t period = 1;
};
class ModelCheckpoint : public Callback {
 public:
  ModelCheckpoint(std::string filepath, ModelCheckpointOptions options = {});
  void on_epoch_end() override;
  void on_train_end() override;

 private:
  void save();
  std::string path_;
  ModelCheckpointOptions o_;
  double best_ = std::numeric_limits<double>::infinity();
};

/// Evaluates op(x, y) at fixed points every `period` steps and keeps (optionally writes) the values.
class OperatorPredictor : public Callback {
 public:
  using Operator = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& y)>;
  OperatorPredictor(torch::Tensor x, Operator op, std::int64_t period = 1, std::string filename = "");
  void on_train_begin() override;
  void on_epoch_end() override;
  const torch::Tensor& value() const { return value_; }

 private:
  void predict();
  torch::Tensor x_;
  Operator op_;
  std::int64_t period_;
  std::string filename_;
  torch::Tensor value_;
};

}  // namespace pinnxde::callbacks
