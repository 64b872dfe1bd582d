#pragma once
// Base class of pinnxde networks: a torch::nn::Module with DeepXDE's input/output transforms.
// Port of deepxde.nn.pytorch.NN.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <functional>
#include <optional>

#include "pinnxde/grad/engine.hpp"

namespace pinnxde::nn {

/// x: (N, dim_in) -> features (N, dim_features).
using FeatureTransform = std::function<torch::Tensor(const torch::Tensor& x)>;
/// (x: (N, dim_in), y: (N, dim_out)) -> (N, dim_out). Used for hard constraints, e.g. y * x * (1 - x).
using OutputTransform = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& y)>;

class NNImpl : public torch::nn::Module, public grad::JetNetwork {
 public:
  /// Applies the input and output transforms around forward_core().
  torch::Tensor forward(const torch::Tensor& x) override;
  /// The forward engine's sweep: y = forward(x) and the derivatives in `set` (grad/engine.hpp), or nullopt
  /// when a feature or output transform is set or the network cannot propagate jets (forward_jets_core).
  std::optional<grad::Jets> forward_jets(const torch::Tensor& x, const grad::DerivativeSet& set) override;
  /// True when forward_jets can answer: no feature transform, and the network propagates jets. An output
  /// transform is propagated too when it is row-wise (z's row n from row n of x and y, as every hard
  /// constraint is); one that is not is detected on the first sweep and falls back to reverse mode.
  bool can_sweep() const { return !feature_transform_ && can_sweep_core(); }

  /// Transforms the inputs before the first layer (e.g. Fourier features, periodic embeddings).
  void apply_feature_transform(FeatureTransform transform) { feature_transform_ = std::move(transform); }
  /// Transforms the outputs after the last layer (hard constraints). Derivatives see the transform.
  void apply_output_transform(OutputTransform transform) {
    output_transform_ = std::move(transform);
    output_transform_row_wise_.reset();
  }

  /// True when a feature transform maps the inputs (then input_dim() is the transformed width).
  bool has_feature_transform() const { return static_cast<bool>(feature_transform_); }

  /// Number of inputs the first layer expects (after any feature transform).
  virtual std::int64_t input_dim() const = 0;
  virtual std::int64_t output_dim() const = 0;

 protected:
  virtual torch::Tensor forward_core(const torch::Tensor& x) = 0;
  /// Jets of forward_core; the default cannot (nullopt), so every derivative is taken in reverse mode.
  virtual std::optional<grad::Jets> forward_jets_core(const torch::Tensor& x, const grad::DerivativeSet& set);
  virtual bool can_sweep_core() const { return false; }

 private:
  FeatureTransform feature_transform_;
  OutputTransform output_transform_;
  std::optional<bool> output_transform_row_wise_;  // checked on the first sweep
};

}  // namespace pinnxde::nn
