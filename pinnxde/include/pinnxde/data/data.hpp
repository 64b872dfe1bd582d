#pragma once
// Base class of data objects: what the network is trained on. Port of deepxde.data.Data.
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

#include "pinnxde/conditions/boundary_condition.hpp"
#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::data {

/// Per-term loss (y_true, y_pred) -> scalar, e.g. MSE = mean((y_true - y_pred)^2); see losses::get.
/// PDE residuals come with an undefined y_true (a zero target); conditions with their target (Misfit).
using LossFunction = std::function<torch::Tensor(const torch::Tensor& y_true, const torch::Tensor& y_pred)>;

/// One set of training or test points, built once per (re)sampling: the hot path only slices it.
struct Batch {
  torch::Tensor x;                        // (N, dim) network inputs, requires_grad
  std::vector<std::int64_t> bcs_start;    // condition k owns rows [bcs_start[k], bcs_start[k+1]); PDE rows follow
  std::vector<icbc::Prepared> prepared;   // per condition
  torch::Tensor y;                        // (N, num_outputs) reference solution / targets, undefined if unknown
  torch::Tensor aux;                      // (N, k) auxiliary variables (PDE's auxiliary_var_function), or undefined
};

/// The batch's tensors have the dtype and device of `options` (or it holds none).
inline bool has_options(const Batch& b, const torch::TensorOptions& options) {
  return !b.x.defined() || (b.x.scalar_type() == options.dtype().toScalarType() && b.x.device() == options.device());
}

/// Converts a batch in place to the dtype/device of `options` unless it already has them (used when the
/// float type changes between training phases, e.g. Adam in float32 then L-BFGS in float64). PDE rebuilds
/// its training batch from its float64 points instead, so that those points are exact.
inline void ensure_options(Batch& b, const torch::TensorOptions& options) {
  if (has_options(b, options)) return;
  auto to = [&](torch::Tensor& t) {
    if (t.defined() && t.is_floating_point()) t = t.detach().to(options);
  };
  const bool requires_grad = b.x.requires_grad();
  to(b.x);
  b.x.requires_grad_(requires_grad);
  to(b.y);
  to(b.aux);
  for (auto& p : b.prepared) {
    to(p.values);
    to(p.normals);
  }
}

/// The network as a data object sees it during one evaluation: x (N, dim) -> outputs (N, num_outputs).
/// The model supplies it, with its derivative engine around the network.
using NetFunction = std::function<torch::Tensor(const torch::Tensor& x)>;

/// One evaluation of a data object: the unweighted loss terms, and the network's outputs on the rows of
/// batch.x (what metrics compare with batch.y; a data object may leave them undefined when batch.y is).
struct Evaluation {
  std::vector<torch::Tensor> terms;
  torch::Tensor outputs;
};

class Data {
 public:
  virtual ~Data() = default;

  /// Runs the network on the batch and returns the loss terms. The default evaluates net(batch.x) once
  /// and calls losses(); a data object that needs the network differently (on parts of the batch, or
  /// inside an ODE solver) overrides this.
  virtual Evaluation evaluate(const NetFunction& net, const Batch& batch, const std::vector<LossFunction>& loss_fns) {
    Evaluation ev;
    ev.outputs = net(batch.x);
    ev.terms = losses(ev.outputs, batch, loss_fns);
    return ev;
  }

  /// Per-term losses: one per PDE equation, then one per condition.
  virtual std::vector<torch::Tensor> losses(const torch::Tensor& outputs, const Batch& batch,
                                            const std::vector<LossFunction>& loss_fns) const = 0;
  /// Number of loss terms; known after the first residual evaluation for multi-equation PDEs.
  virtual std::size_t num_losses() const = 0;
  /// A short name per loss term, for the progress table's header (at most 8 characters read well):
  /// "loss0", "loss1", ... by default; PDE names its terms "pde" (or "pde0", "pde1", ... for a system) and
  /// each condition by its label, e.g. "D0" (DirichletBC, condition 0), "IC1", or a name given with
  /// BC::set_label.
  virtual std::vector<std::string> loss_names() const {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < num_losses(); ++i) names.push_back("loss" + std::to_string(i));
    return names;
  }
  /// The training set, built on first use with config::options().
  virtual const Batch& train_batch() = 0;
  /// The test set (the training set when no test points were asked for).
  virtual const Batch& test_batch() = 0;
  /// Drops and rebuilds the training points (DeepXDE's resample_train_points).
  virtual void resample_train_points() = 0;
  /// Called by Model before each first-order optimizer step (where DeepXDE calls train_next_batch);
  /// Function's online option draws new points here. No-op by default.
  virtual void on_train_step() {}
  /// The sampled training points that a checkpoint must keep (they change when resampled), and their
  /// restoration: a resumed run trains on the points the interrupted one had. Empty/no-op by default.
  virtual geometry::Points checkpoint_points() const { return {}; }
  virtual void restore_checkpoint_points(const geometry::Points&) {}
  /// Input dimension the network must accept.
  virtual int input_dim() const = 0;
  /// Conditions, for validation against the network.
  virtual const std::vector<icbc::BCPtr>& bcs() const = 0;
};

}  // namespace pinnxde::data
