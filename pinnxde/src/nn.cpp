#include <torch/torch.h>

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
  torch::Tensor y = forward_core(feature_transform_ ? feature_transform_(x) : x);
  return output_transform_ ? output_transform_(x, y) : y;
}

std::optional<grad::Jets> NNImpl::forward_jets(const torch::Tensor& x, const grad::DerivativeSet& set) {
  // Jets through a feature transform would need the network to take input jets; reverse mode instead.
  if (feature_transform_) return std::nullopt;
  for (auto j : set.first)
    if (j < 0 || x.dim() != 2 || j >= x.size(1)) return std::nullopt;
  auto core = forward_jets_core(x, set);
  if (!core || !output_transform_) return core;
  // An output transform (a hard constraint) is propagated through its own partial derivatives when it is
  // row-wise (checked once); otherwise every derivative of this network is taken in reverse mode.
  if (!output_transform_row_wise_) output_transform_row_wise_ = transform_is_row_wise(output_transform_, x, core->value);
  if (!*output_transform_row_wise_) return std::nullopt;
  return output_transform_jets(output_transform_, x, *core);
}

std::optional<grad::Jets> NNImpl::forward_jets_core(const torch::Tensor&, const grad::DerivativeSet&) {
  return std::nullopt;
}

// ---------------------------------------------------------------- FNN

FNNImpl::FNNImpl(std::vector<std::int64_t> layer_sizes, const std::string& activation,
                 const std::string& kernel_initializer)
    : FNNImpl(layer_sizes,
              std::vector<std::string>(layer_sizes.size() > 2 ? layer_sizes.size() - 2 : 0, activation),
              kernel_initializer) {
  get_activation(activation);  // validate even for a net without hidden layers
}

FNNImpl::FNNImpl(std::vector<std::int64_t> layer_sizes, const std::vector<std::string>& activations,
                 const std::string& kernel_initializer)
    : layer_sizes_(std::move(layer_sizes)) {
  if (layer_sizes_.size() < 2)
    detail::fail("FNN: layer_sizes has ", layer_sizes_.size(), " entries (expected at least 2: inputs and outputs)");
  for (std::size_t i = 0; i < layer_sizes_.size(); ++i)
    if (layer_sizes_[i] < 1) detail::fail("FNN: layer_sizes[", i, "] = ", layer_sizes_[i], " (expected >= 1)");
  if (activations.size() != layer_sizes_.size() - 2)
    detail::fail("FNN: ", activations.size(), " activations for ", layer_sizes_.size() - 2,
                 " hidden layers (expected one per hidden layer)");
  for (const auto& a : activations) {
    activations_.push_back(get_activation(a));
    activation_names_.push_back(a);
    jets_ = jets_ && has_jets(a);
  }
  const Initializer init = get_initializer(kernel_initializer);
  const auto opts = torch::TensorOptions().dtype(config::real());
  for (std::size_t i = 0; i + 1 < layer_sizes_.size(); ++i) {
    auto linear = register_module("linears_" + std::to_string(i),
                                  torch::nn::Linear(layer_sizes_[i], layer_sizes_[i + 1]));
    linear->to(opts.dtype().toScalarType());
    torch::NoGradGuard no_grad;
    init(linear->weight);
    torch::nn::init::zeros_(linear->bias);
    linears_.push_back(linear);
  }
}

void FNNImpl::check_input(const torch::Tensor& x) const {
  if (x.dim() != 2 || x.size(1) != layer_sizes_.front())
    detail::fail("FNN: input has shape ", x.sizes(), " (expected (N, ", layer_sizes_.front(), "))");
}

torch::Tensor FNNImpl::forward_core(const torch::Tensor& x) {
  check_input(x);
  torch::Tensor h = x;
  const std::size_t last = linears_.size() - 1;
  for (std::size_t i = 0; i < last; ++i) h = activations_[i](linears_[i]->forward(h));
  return linears_[last]->forward(h);
}

}  // namespace pinnxde::nn

namespace pinnxde::nn {

std::optional<grad::Jets> FNNImpl::forward_jets_core(const torch::Tensor& x, const grad::DerivativeSet& set) {
  if (!jets_) return std::nullopt;
  check_input(x);
  const std::int64_t N = x.size(0), nf = static_cast<std::int64_t>(set.first.size());
  const auto K = static_cast<std::int64_t>(set.size());
  // The first layer is affine in x: dz/dx_f = W[:, f] on every row, second derivatives zero. The directions
  // are usually consecutive (then a view of W), else gathered.
  const bool consecutive = nf > 0 && set.first.back() - set.first.front() + 1 == nf;
  auto first_layer = [&](const torch::nn::Linear& lin) {
    const auto w = lin->weight.size(0);
    const auto wt = lin->weight.t();
    const auto cols =
        consecutive ? wt.narrow(0, set.first.front(), nf)
                    : wt.index_select(0, torch::tensor(set.first, torch::TensorOptions().dtype(torch::kLong).device(x.device())));
    return cols.unsqueeze(1).expand({nf, N, w});
  };
  torch::Tensor h = x, jets;  // jets: (K, N, width) derivatives of the current layer's output
  const std::size_t last = linears_.size() - 1;
  for (std::size_t i = 0; i < last; ++i) {
    auto& lin = linears_[i];
    auto z = jets_linear(h, lin->weight, lin->bias);
    auto a = activations_[i](z);
    if (i == 0)
      jets = activation_jets(activation_names_[i], z, a, first_layer(lin).contiguous(), set, /*has_second=*/false);
    else
      jets = activation_jets(activation_names_[i], z, a, jets_linear(jets, lin->weight), set, true);
    h = a;
  }
  auto& out = linears_[last];
  auto y = jets_linear(h, out->weight, out->bias);
  torch::Tensor d;
  if (last == 0) {  // no hidden layer: y is affine in x
    d = torch::cat({first_layer(out), torch::zeros({K - nf, N, out->weight.size(0)}, y.options())}, 0);
  } else {
    d = jets_linear(jets, out->weight);
  }
  return grad::Jets{set, y, d};
}

}  // namespace pinnxde::nn
