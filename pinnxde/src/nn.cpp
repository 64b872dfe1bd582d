#include <torch/types.h>
#include <torch/nn/init.h>

#include <sstream>

#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/nn/activations.hpp"
#include "pinnxde/nn/fnn.hpp"
#include "pinnxde/nn/initializers.hpp"
#include "pinnxde/nn/jets.hpp"
#include "pinnxde/nn/nn.hpp"

namespace pinnxde::nn {
// ---------------------------------------------------------------- activations

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names{"tanh", "sin",  "relu", "sigmoid", "silu",
                                              "swish", "gelu", "elu",  "selu",    "linear"};
  return names;
}

Activation get_activation(const std::string& name) {
  if (name == "tanh") return [](const torch::Tensor& x) { return torch::tanh(x); };
  if (name == "sin") return [](const torch::Tensor& x) { return torch::sin(x); };
  if (name == "relu") return [](const torch::Tensor& x) { return torch::relu(x); };
  if (name == "sigmoid") return [](const torch::Tensor& x) { return torch::sigmoid(x); };
  if (name == "silu" || name == "swish") return [](const torch::Tensor& x) { return torch::silu(x); };
  if (name == "gelu") return [](const torch::Tensor& x) { return torch::gelu(x); };
  if (name == "elu") return [](const torch::Tensor& x) { return torch::elu(x); };
  if (name == "selu") return [](const torch::Tensor& x) { return torch::selu(x); };
  if (name == "linear") return [](const torch::Tensor& x) { return x; };
  detail::fail("FNN: unknown activation '", name, "'; valid: ", detail::join(activation_names()));
}

// ---------------------------------------------------------------- initializers

const std::vector<std::string>& initializer_names() {
  static const std::vector<std::string> names{"Glorot normal", "Glorot uniform", "He normal", "He uniform",
                                              "LeCun normal",  "LeCun uniform",  "zeros"};
  return names;
}

Initializer get_initializer(const std::string& name) {
  namespace init = torch::nn::init;
  if (name == "Glorot normal") return [](torch::Tensor& w) { init::xavier_normal_(w); };
  if (name == "Glorot uniform") return [](torch::Tensor& w) { init::xavier_uniform_(w); };
  if (name == "He normal")
    return [](torch::Tensor& w) { init::kaiming_normal_(w, 0.0, torch::kFanIn, torch::kReLU); };
  if (name == "He uniform")
    return [](torch::Tensor& w) { init::kaiming_uniform_(w, 0.0, torch::kFanIn, torch::kReLU); };
  if (name == "LeCun normal")
    return [](torch::Tensor& w) { init::kaiming_normal_(w, 0.0, torch::kFanIn, torch::kLinear); };
  if (name == "LeCun uniform")
    return [](torch::Tensor& w) { init::kaiming_uniform_(w, 0.0, torch::kFanIn, torch::kLinear); };
  if (name == "zeros") return [](torch::Tensor& w) { init::zeros_(w); };
  detail::fail("FNN: unknown initializer '", name, "'; valid: ", detail::join(initializer_names()));
}

// ---------------------------------------------------------------- NN

torch::Tensor NNImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = feature_transform_ ? feature_transform_(x) : x;
  if (embedding_) h = embedding_->forward(h);
  torch::Tensor y = forward_core(h);
  return output_transform_ ? output_transform_(x, y) : y;
}

std::optional<grad::Jets> NNImpl::forward_jets(const torch::Tensor& x, const grad::DerivativeSet& set) {
  for (auto j : set.first)
    if (j < 0 || x.dim() != 2 || j >= x.size(1)) return std::nullopt;
  // Third and fourth orders go through the network's layers, not through a user transform's paths.
  if (!set.higher.empty() && (feature_transform_ || output_transform_)) return std::nullopt;
  // User transforms are propagated through their own partial derivatives (src/transform_jets.cpp) when
  // they are row-wise, which is checked once per transform; one that mixes rows makes every derivative of
  // this network go through reverse mode.
  auto row_wise = [&](std::optional<bool>& known, const OutputTransformFn& f, const torch::Tensor& y) {
    if (!known) known = transform_is_row_wise(f, x, y);
    return *known;
  };
  HiddenJets in = jet::input(x);
  if (feature_transform_) {
    const OutputTransformFn f = [this](const torch::Tensor& xs, const torch::Tensor&) { return feature_transform_(xs); };
    if (!row_wise(feature_transform_row_wise_, f, x)) return std::nullopt;
    auto features = feature_transform_jets(feature_transform_, x, set);
    in = HiddenJets{features.value, features.derivatives, /*has_second=*/true, /*identity=*/false};
  }
  if (embedding_) in = embedding_->forward_jets(in, set);
  auto core = forward_jets_core(in, set);
  // A transform's partial derivatives are taken on x as a constant: the slices are not differentiable in x.
  if (core && feature_transform_) core->differentiable_in_x = false;
  if (!core || !output_transform_) return core;
  if (!row_wise(output_transform_row_wise_, output_transform_, core->value)) return std::nullopt;
  // A transform affine in y (every hard constraint) takes its coefficients' jets once per input.
  if (!output_transform_affine_) output_transform_affine_ = std::make_shared<AffineTransformCache>();
  auto z = affine_output_transform_jets(output_transform_, x, *core, *output_transform_affine_);
  if (!z) z = output_transform_jets(output_transform_, x, *core);
  z->differentiable_in_x = false;
  return z;
}

std::optional<grad::Jets> NNImpl::forward_jets_core(const HiddenJets&, const grad::DerivativeSet&) {
  return std::nullopt;
}

void NNImpl::apply_embedding(std::shared_ptr<EmbeddingImpl> embedding) {
  if (!embedding) detail::fail("apply_embedding: embedding is null");
  if (embedding->output_dim() != input_dim())
    detail::fail("apply_embedding: the embedding has ", embedding->output_dim(), " outputs but the network takes ",
                 input_dim(), " inputs (expected layer_sizes[0] = ", embedding->output_dim(), ")");
  if (embedding_) replace_module("embedding", embedding);
  else register_module("embedding", embedding);
  embedding_ = std::move(embedding);
}

// ---------------------------------------------------------------- FNN

FNNImpl::FNNImpl(std::vector<std::int64_t> layer_sizes, const std::string& activation,
                 const std::string& kernel_initializer, FNNOptions options)
    : FNNImpl(layer_sizes,
              std::vector<std::string>(layer_sizes.size() > 2 ? layer_sizes.size() - 2 : 0, activation),
              kernel_initializer, std::move(options)) {
  parse_activation(activation);  // validate even for a net without hidden layers
}

FNNImpl::FNNImpl(std::vector<std::int64_t> layer_sizes, const std::vector<std::string>& activations,
                 const std::string& kernel_initializer, FNNOptions options)
    : layer_sizes_(std::move(layer_sizes)) {
  if (layer_sizes_.size() < 2)
    detail::fail("FNN: layer_sizes has ", layer_sizes_.size(), " entries (expected at least 2: inputs and outputs)");
  for (std::size_t i = 0; i < layer_sizes_.size(); ++i)
    if (layer_sizes_[i] < 1) detail::fail("FNN: layer_sizes[", i, "] = ", layer_sizes_[i], " (expected >= 1)");
  const std::size_t hidden = layer_sizes_.size() - 2;
  if (activations.size() != hidden && activations.size() != hidden + 1)
    detail::fail("FNN: ", activations.size(), " activations for ", hidden,
                 " hidden layers (expected one per hidden layer)");
  for (const auto& a : activations) parse_activation(a);  // every entry valid, DeepXDE's unused last one too
  check_regularization(options.regularization, "FNN");
  regularization_ = options.regularization;
  const Initializer init = get_initializer(kernel_initializer);
  for (std::size_t i = 0; i + 1 < layer_sizes_.size(); ++i) {
    const std::string act = i < hidden ? activations[i] : std::string();
    layers_.push_back(make_dense(*this, "linears_" + std::to_string(i), layer_sizes_[i], layer_sizes_[i + 1], act, init,
                                 options.weight_factorization, "FNN"));
    linears_.push_back(layers_.back().linear);
    jets_ = jets_ && layers_.back().has_jets();
  }
}

std::vector<torch::Tensor> FNNImpl::kernels() const {
  std::vector<torch::Tensor> out;
  for (const auto& l : layers_) out.push_back(l.weight());
  return out;
}

void FNNImpl::check_input(const torch::Tensor& x) const {
  if (x.dim() != 2 || x.size(1) != layer_sizes_.front())
    detail::fail("FNN: input has shape ", x.sizes(), " (expected (N, ", layer_sizes_.front(), "))");
}

torch::Tensor FNNImpl::forward_core(const torch::Tensor& x) {
  check_input(x);
  torch::Tensor h = x;
  for (const auto& l : layers_) h = l.forward(h);
  return h;
}

std::optional<grad::Jets> FNNImpl::forward_jets_core(const HiddenJets& x, const grad::DerivativeSet& set) {
  if (!jets_) return std::nullopt;
  check_input(x.value);
  HiddenJets h = x;
  for (const auto& l : layers_) h = l.jets(h, set);
  return jet::finish(h, set);
}

}  // namespace pinnxde::nn
