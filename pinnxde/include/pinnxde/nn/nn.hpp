#pragma once
// Base class of pinnxde networks: a torch::nn::Module with DeepXDE's input/output transforms.
// Port of deepxde.nn.pytorch.NN.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <functional>
#include <optional>

#include "pinnxde/grad/engine.hpp"
#include "pinnxde/nn/layer_jets.hpp"

namespace pinnxde::nn {

struct AffineTransformCache;

/// x: (N, dim_in) -> features (N, dim_features).
using FeatureTransform = std::function<torch::Tensor(const torch::Tensor& x)>;
/// (x: (N, dim_in), y: (N, dim_out)) -> (N, dim_out). Used for hard constraints, e.g. y * x * (1 - x).
using OutputTransform = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& y)>;

/// A fixed map of the inputs in front of a network whose derivatives are known in closed form (Fourier
/// features, periodic embeddings: nn/embeddings.hpp), so the forward engine propagates jets through it.
class EmbeddingImpl : public torch::nn::Module {
 public:
  virtual std::int64_t input_dim() const = 0;
  virtual std::int64_t output_dim() const = 0;
  /// x: (N, input_dim) -> (N, output_dim).
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  /// The same with the derivatives along `set` (x is the network input: jet::input(x)).
  virtual HiddenJets forward_jets(const HiddenJets& x, const grad::DerivativeSet& set) = 0;
};

class NNImpl : public torch::nn::Module, public grad::JetNetwork {
 public:
  /// Applies the input and output transforms around forward_core().
  torch::Tensor forward(const torch::Tensor& x) override;
  /// The forward engine's sweep: y = forward(x) and the derivatives in `set` (grad/engine.hpp), or nullopt
  /// when a feature or output transform is set or the network cannot propagate jets (forward_jets_core).
  std::optional<grad::Jets> forward_jets(const torch::Tensor& x, const grad::DerivativeSet& set) override;
  /// True when forward_jets can answer: the network propagates jets. Feature and output transforms are
  /// propagated too when they are row-wise (row n of the result from row n of the inputs, as every hard
  /// constraint and feature map is); one that is not is detected on the first sweep and falls back to
  /// reverse mode.
  bool can_sweep() const { return can_sweep_core(); }

  /// Puts a closed-form embedding (nn/embeddings.hpp) in front of the network: forward(x) =
  /// core(embedding(x)). Its tensors become this module's ("embedding.*"), so checkpoints hold them; the
  /// forward engine propagates jets through it. input_dim() must equal embedding->output_dim() (ValueError
  /// otherwise); the geometry's dimension is embedding->input_dim().
  void apply_embedding(std::shared_ptr<EmbeddingImpl> embedding);
  template <class Holder>
    requires requires(Holder h) { h.ptr(); }
  void apply_embedding(Holder holder) {
    apply_embedding(std::static_pointer_cast<EmbeddingImpl>(holder.ptr()));
  }
  const std::shared_ptr<EmbeddingImpl>& embedding() const { return embedding_; }
  /// Transforms the inputs before the first layer (e.g. Fourier features, periodic embeddings).
  void apply_feature_transform(FeatureTransform transform) {
    feature_transform_ = std::move(transform);
    feature_transform_row_wise_.reset();
  }
  /// Transforms the outputs after the last layer (hard constraints). Derivatives see the transform.
  void apply_output_transform(OutputTransform transform) {
    output_transform_ = std::move(transform);
    output_transform_row_wise_.reset();
    output_transform_affine_.reset();
  }

  /// True when a feature transform or an embedding maps the inputs (then input_dim() is the mapped width).
  bool has_feature_transform() const { return static_cast<bool>(feature_transform_) || embedding_ != nullptr; }

  /// The regularisation term the Model adds to the training loss (DeepXDE's `regularization`), or an
  /// undefined tensor when the network has none.
  torch::Tensor regularization_loss() const { return regularization_term(regularization_, kernels()); }
  const Regularization& regularization() const { return regularization_; }
  /// The kernels (weight matrices) regularisation applies to.
  virtual std::vector<torch::Tensor> kernels() const { return {}; }

  /// Number of inputs the first layer expects (after any feature transform).
  virtual std::int64_t input_dim() const = 0;
  virtual std::int64_t output_dim() const = 0;

 protected:
  virtual torch::Tensor forward_core(const torch::Tensor& x) = 0;
  /// Jets of forward_core from those of its input (jet::input(x), or the embedding's); the default cannot
  /// (nullopt), so every derivative is taken in reverse mode.
  virtual std::optional<grad::Jets> forward_jets_core(const HiddenJets& x, const grad::DerivativeSet& set);
  virtual bool can_sweep_core() const { return false; }
  /// Set by a network's constructor (after check_regularization).
  Regularization regularization_;

 private:
  std::shared_ptr<EmbeddingImpl> embedding_;
  FeatureTransform feature_transform_;
  OutputTransform output_transform_;
  std::optional<bool> feature_transform_row_wise_, output_transform_row_wise_;  // checked on the first sweep
  std::shared_ptr<AffineTransformCache> output_transform_affine_;  // nn/jets.hpp
};

}  // namespace pinnxde::nn
