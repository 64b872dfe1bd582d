// The networks beyond FNN (PFNN, ResNet, MsFFN/STMsFFN, ModifiedMLP) and the input embeddings, each
// written twice over the same Dense layers: a plain forward, and a jet sweep (nn/layer_jets.hpp) for the
// forward derivative engine.
#include <torch/types.h>

#include <cmath>

#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/nn/embeddings.hpp"
#include "pinnxde/nn/modified_mlp.hpp"
#include "pinnxde/nn/msffn.hpp"
#include "pinnxde/nn/pfnn.hpp"
#include "pinnxde/nn/resnet.hpp"

namespace pinnxde::nn {
namespace {

torch::TensorOptions real_options() { return torch::TensorOptions().dtype(config::real()); }

void check_input(const std::string& where, const torch::Tensor& x, std::int64_t dim) {
  if (x.dim() != 2 || x.size(1) != dim)
    detail::fail(where, ": input has shape ", x.sizes(), " (expected (N, ", dim, "))");
}

std::vector<torch::Tensor> kernels_of(const std::vector<Dense>& layers) {
  std::vector<torch::Tensor> out;
  for (const auto& l : layers) out.push_back(l.weight());
  return out;
}

void check_sigma(const std::string& where, const std::string& what, double sigma) {
  if (!(sigma > 0) || !std::isfinite(sigma)) detail::fail(where, ": ", what, " = ", sigma, " (expected finite > 0)");
}

}  // namespace

// ---------------------------------------------------------------- FourierFeatures

FourierFeaturesImpl::FourierFeaturesImpl(std::int64_t input_dim, std::int64_t num_features, double sigma) {
  if (input_dim < 1) detail::fail("FourierFeatures: input_dim = ", input_dim, " (expected >= 1)");
  if (num_features < 1) detail::fail("FourierFeatures: num_features = ", num_features, " (expected >= 1)");
  check_sigma("FourierFeatures", "sigma", sigma);
  B = register_buffer("B", torch::randn({input_dim, num_features}, real_options()) * sigma);
}

namespace {
// [cos(2 pi x B), sin(2 pi x B)] = sin(x W^T + phase): W = 2 pi [B^T; B^T], phase = [pi/2, 0]. One layer, so the
// jets are those of a sin activation after a linear map of the input.
std::pair<torch::Tensor, torch::Tensor> trig_layer(const torch::Tensor& B, double factor) {
  auto bt = (B * factor).t();
  const auto m = B.size(1);
  auto W = torch::cat({bt, bt}, 0);
  auto phase = torch::cat({torch::full({m}, M_PI / 2, B.options()), torch::zeros({m}, B.options())});
  return {W, phase};
}
}  // namespace

torch::Tensor FourierFeaturesImpl::forward(const torch::Tensor& x) {
  check_input("FourierFeatures", x, input_dim());
  auto [W, phase] = trig_layer(B, 2 * M_PI);
  return torch::sin(torch::linear(x, W, phase));
}

HiddenJets FourierFeaturesImpl::forward_jets(const HiddenJets& x, const grad::DerivativeSet& set) {
  check_input("FourierFeatures", x.value, input_dim());
  auto [W, phase] = trig_layer(B, 2 * M_PI);
  static const Activation sin_fn = get_activation("sin");
  return jet::activate(jet::linear(x, W, phase, set), "sin", sin_fn, set);
}

// ---------------------------------------------------------------- PeriodicEmbedding

PeriodicEmbeddingImpl::PeriodicEmbeddingImpl(std::int64_t input_dim, std::vector<std::int64_t> columns,
                                             std::vector<double> periods, std::int64_t harmonics)
    : input_dim_(input_dim) {
  const std::string where = "PeriodicEmbedding";
  if (input_dim < 1) detail::fail(where, ": input_dim = ", input_dim, " (expected >= 1)");
  if (columns.empty()) detail::fail(where, ": columns is empty (expected at least one periodic input column)");
  if (periods.size() != columns.size())
    detail::fail(where, ": ", periods.size(), " periods for ", columns.size(), " columns (expected one per column)");
  if (harmonics < 1) detail::fail(where, ": harmonics = ", harmonics, " (expected >= 1)");
  std::vector<bool> periodic(static_cast<std::size_t>(input_dim), false);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const auto c = columns[i];
    if (c < 0 || c >= input_dim)
      detail::fail(where, ": columns[", i, "] = ", c, " (expected 0 <= column < input_dim = ", input_dim, ")");
    if (periodic[static_cast<std::size_t>(c)]) detail::fail(where, ": column ", c, " appears twice in columns");
    periodic[static_cast<std::size_t>(c)] = true;
    if (!(periods[i] > 0) || !std::isfinite(periods[i]))
      detail::fail(where, ": periods[", i, "] = ", periods[i], " (expected finite > 0)");
  }
  const auto nc = static_cast<std::int64_t>(columns.size());
  const std::int64_t pass = input_dim - nc;
  output_dim_ = pass + 2 * harmonics * nc;
  auto opts = real_options();
  if (pass > 0) {
    auto S = torch::zeros({pass, input_dim}, opts);
    std::int64_t r = 0;
    for (std::int64_t c = 0; c < input_dim; ++c)
      if (!periodic[static_cast<std::size_t>(c)]) S[r++][c] = 1.0;
    select_ = register_buffer("select", S);
  }
  auto W = torch::zeros({2 * harmonics * nc, input_dim}, opts);
  auto phase = torch::zeros({2 * harmonics * nc}, opts);
  for (std::int64_t i = 0; i < nc; ++i)
    for (std::int64_t k = 1; k <= harmonics; ++k) {
      const double w = 2 * M_PI * static_cast<double>(k) / periods[static_cast<std::size_t>(i)];
      const std::int64_t cos_row = 2 * harmonics * i + (k - 1), sin_row = cos_row + harmonics;
      W[cos_row][columns[static_cast<std::size_t>(i)]] = w;
      W[sin_row][columns[static_cast<std::size_t>(i)]] = w;
      phase[cos_row] = M_PI / 2;
    }
  weight_ = register_buffer("weight", W);
  phase_ = register_buffer("phase", phase);
}

torch::Tensor PeriodicEmbeddingImpl::forward(const torch::Tensor& x) {
  check_input("PeriodicEmbedding", x, input_dim_);
  auto trig = torch::sin(torch::linear(x, weight_, phase_));
  return select_.defined() ? torch::cat({torch::linear(x, select_), trig}, 1) : trig;
}

HiddenJets PeriodicEmbeddingImpl::forward_jets(const HiddenJets& x, const grad::DerivativeSet& set) {
  check_input("PeriodicEmbedding", x.value, input_dim_);
  static const Activation sin_fn = get_activation("sin");
  auto trig = jet::activate(jet::linear(x, weight_, phase_, set), "sin", sin_fn, set);
  if (!select_.defined()) return trig;
  return jet::cat({jet::linear(x, select_, torch::Tensor(), set), trig}, set);
}

// ---------------------------------------------------------------- PFNN

PFNNImpl::PFNNImpl(std::vector<LayerWidth> sizes, const std::string& activation, const std::string& kernel_initializer,
                   FNNOptions options) {
  const std::string where = "PFNN";
  if (sizes.size() < 2)
    detail::fail(where, ": layer_sizes has ", sizes.size(), " entries (expected at least 2: inputs and outputs)");
  if (sizes.front().parallel || sizes.back().parallel)
    detail::fail(where, ": layer_sizes[", sizes.front().parallel ? 0 : sizes.size() - 1,
                 "] is a list (expected a number: the input and output sizes are single numbers)");
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i].widths.empty()) detail::fail(where, ": layer_sizes[", i, "] is an empty list");
    for (auto w : sizes[i].widths)
      if (w < 1) detail::fail(where, ": layer_sizes[", i, "] has a width ", w, " (expected >= 1)");
  }
  input_dim_ = sizes.front().widths[0];
  output_dim_ = sizes.back().widths[0];
  parse_activation(activation, where);
  check_regularization(options.regularization, where);
  regularization_ = options.regularization;
  const Initializer init = get_initializer(kernel_initializer);
  const auto n_out = static_cast<std::size_t>(output_dim_);
  for (std::size_t i = 1; i + 1 < sizes.size(); ++i) {
    const auto& prev = sizes[i - 1];
    const auto& cur = sizes[i];
    std::vector<Dense> layer;
    const std::string name = "layers_" + std::to_string(i - 1);
    if (cur.parallel) {
      if (cur.widths.size() != n_out)
        detail::fail(where, ": layer_sizes[", i, "] has ", cur.widths.size(), " widths for ", n_out,
                     " outputs (expected one sub-layer per output)");
      for (std::size_t j = 0; j < n_out; ++j)
        layer.push_back(make_dense(*this, name + "_" + std::to_string(j), prev.parallel ? prev.widths[j] : prev.widths[0],
                                   cur.widths[j], activation, init, options.weight_factorization, where));
    } else {
      if (prev.parallel)
        detail::fail(where, ": layer_sizes[", i, "] = ", cur.widths[0],
                     " follows a split layer (expected a list: the sub-networks cannot rejoin after splitting)");
      layer.push_back(make_dense(*this, name, prev.widths[0], cur.widths[0], activation, init,
                                 options.weight_factorization, where));
    }
    layers_.push_back(std::move(layer));
  }
  // Output: one output per sub-network after a split, else one layer for all outputs.
  const auto& last = sizes[sizes.size() - 2];
  std::vector<Dense> out;
  const std::string name = "layers_" + std::to_string(sizes.size() - 2);
  if (last.parallel) {
    for (std::size_t j = 0; j < n_out; ++j)
      out.push_back(make_dense(*this, name + "_" + std::to_string(j), last.widths[j], 1, "", init,
                               options.weight_factorization, where));
  } else {
    out.push_back(make_dense(*this, name, last.widths[0], output_dim_, "", init, options.weight_factorization, where));
  }
  layers_.push_back(std::move(out));
  for (const auto& layer : layers_)
    for (const auto& d : layer) jets_ = jets_ && d.has_jets();
}

std::vector<torch::Tensor> PFNNImpl::kernels() const {
  std::vector<torch::Tensor> out;
  for (const auto& layer : layers_)
    for (const auto& d : layer) out.push_back(d.weight());
  return out;
}

torch::Tensor PFNNImpl::forward_core(const torch::Tensor& x) {
  check_input("PFNN", x, input_dim_);
  std::vector<torch::Tensor> h{x};  // one entry until the split, then one per output
  for (const auto& layer : layers_) {
    std::vector<torch::Tensor> next;
    for (std::size_t j = 0; j < layer.size(); ++j) next.push_back(layer[j].forward(h.size() == 1 ? h[0] : h[j]));
    h = std::move(next);
  }
  return h.size() == 1 ? h[0] : torch::cat(h, 1);
}

std::optional<grad::Jets> PFNNImpl::forward_jets_core(const HiddenJets& x, const grad::DerivativeSet& set) {
  if (!jets_) return std::nullopt;
  check_input("PFNN", x.value, input_dim_);
  std::vector<HiddenJets> h{x};
  for (const auto& layer : layers_) {
    std::vector<HiddenJets> next;
    for (std::size_t j = 0; j < layer.size(); ++j) next.push_back(layer[j].jets(h.size() == 1 ? h[0] : h[j], set));
    h = std::move(next);
  }
  return jet::finish(h.size() == 1 ? h[0] : jet::cat(h, set), set);
}

// ---------------------------------------------------------------- ResNet

ResNetImpl::ResNetImpl(std::int64_t input_size, std::int64_t output_size, std::int64_t num_neurons,
                       std::int64_t num_blocks, const std::string& activation, const std::string& kernel_initializer,
                       FNNOptions options)
    : input_size_(input_size), output_size_(output_size), activation_(activation) {
  const std::string where = "ResNet";
  if (input_size < 1) detail::fail(where, ": input_size = ", input_size, " (expected >= 1)");
  if (output_size < 1) detail::fail(where, ": output_size = ", output_size, " (expected >= 1)");
  if (num_neurons < 1) detail::fail(where, ": num_neurons = ", num_neurons, " (expected >= 1)");
  if (num_blocks < 0) detail::fail(where, ": num_blocks = ", num_blocks, " (expected >= 0)");
  const ActivationSpec spec = parse_activation(activation, where);
  if (spec.laaf_n > 0)
    detail::fail(where, ": activation = '", activation, "' (LAAF is available in FNN, PFNN, MsFFN and ModifiedMLP; "
                 "expected a plain activation name)");
  fn_ = get_activation(activation);
  check_regularization(options.regularization, where);
  regularization_ = options.regularization;
  const Initializer init = get_initializer(kernel_initializer);
  const auto& wf = options.weight_factorization;
  layers_.push_back(make_dense(*this, "dense_in", input_size, num_neurons, activation, init, wf, where));
  for (std::int64_t b = 0; b < num_blocks; ++b) {
    const std::string name = "blocks_" + std::to_string(b);
    layers_.push_back(make_dense(*this, name + "_0", num_neurons, num_neurons, activation, init, wf, where));
    layers_.push_back(make_dense(*this, name + "_1", num_neurons, num_neurons, "", init, wf, where));
  }
  layers_.push_back(make_dense(*this, "dense_out", num_neurons, output_size, "", init, wf, where));
}

std::vector<torch::Tensor> ResNetImpl::kernels() const { return kernels_of(layers_); }

torch::Tensor ResNetImpl::forward_core(const torch::Tensor& x) {
  check_input("ResNet", x, input_size_);
  torch::Tensor h = layers_.front().forward(x);
  for (std::size_t i = 1; i + 1 < layers_.size(); i += 2) h = fn_(h + layers_[i + 1].forward(layers_[i].forward(h)));
  return layers_.back().forward(h);
}

std::optional<grad::Jets> ResNetImpl::forward_jets_core(const HiddenJets& x, const grad::DerivativeSet& set) {
  check_input("ResNet", x.value, input_size_);
  HiddenJets h = layers_.front().jets(x, set);
  for (std::size_t i = 1; i + 1 < layers_.size(); i += 2) {
    auto r = layers_[i + 1].jets(layers_[i].jets(h, set), set);
    h = jet::activate(jet::add(h, r, set), activation_, fn_, set);
  }
  return jet::finish(layers_.back().jets(h, set), set);
}

// ---------------------------------------------------------------- MsFFN / STMsFFN

MsFFNImpl::MsFFNImpl(std::vector<std::int64_t> layer_sizes, const std::string& activation,
                     const std::string& kernel_initializer, std::vector<double> sigmas, std::vector<double> sigmas_t,
                     FNNOptions options)
    : layer_sizes_(std::move(layer_sizes)), num_t_(sigmas_t.size()) {
  const std::string where = name();
  if (layer_sizes_.size() < 3)
    detail::fail(where, ": layer_sizes has ", layer_sizes_.size(),
                 " entries (expected at least 3: inputs, Fourier features, outputs)");
  for (std::size_t i = 0; i < layer_sizes_.size(); ++i)
    if (layer_sizes_[i] < 1) detail::fail(where, ": layer_sizes[", i, "] = ", layer_sizes_[i], " (expected >= 1)");
  if (layer_sizes_[1] % 2 != 0)
    detail::fail(where, ": layer_sizes[1] = ", layer_sizes_[1], " (expected an even number: half cosines, half sines)");
  if (sigmas.empty()) detail::fail(where, ": ", num_t_ > 0 ? "sigmas_x" : "sigmas", " is empty (expected at least one)");
  const std::int64_t d = layer_sizes_[0], m = layer_sizes_[1] / 2;
  if (num_t_ > 0 && d < 2)
    detail::fail(where, ": layer_sizes[0] = ", d, " (expected >= 2: space dimensions, then time)");
  for (std::size_t i = 0; i < sigmas.size(); ++i)
    check_sigma(where, (num_t_ > 0 ? "sigmas_x[" : "sigmas[") + std::to_string(i) + "]", sigmas[i]);
  for (std::size_t i = 0; i < sigmas_t.size(); ++i) check_sigma(where, "sigmas_t[" + std::to_string(i) + "]", sigmas_t[i]);
  parse_activation(activation, where);
  check_regularization(options.regularization, where);
  regularization_ = options.regularization;
  // B's zero-padded to every input column: a spatial one has a zero time row, a temporal one only the time row.
  auto opts = real_options();
  for (std::size_t i = 0; i < sigmas.size(); ++i) {
    auto b = torch::zeros({d, m}, opts);
    const std::int64_t rows = num_t_ > 0 ? d - 1 : d;
    b.narrow(0, 0, rows).copy_(torch::randn({rows, m}, opts) * sigmas[i]);
    bs_.push_back(register_buffer("b_" + std::to_string(i), b));
  }
  for (std::size_t i = 0; i < sigmas_t.size(); ++i) {
    auto b = torch::zeros({d, m}, opts);
    b.narrow(0, d - 1, 1).copy_(torch::randn({1, m}, opts) * sigmas_t[i]);
    bs_.push_back(register_buffer("b_" + std::to_string(sigmas.size() + i), b));
  }
  const Initializer init = get_initializer(kernel_initializer);
  for (std::size_t i = 1; i + 2 < layer_sizes_.size(); ++i)
    hidden_.push_back(make_dense(*this, "linears_" + std::to_string(i - 1), layer_sizes_[i], layer_sizes_[i + 1],
                                 activation, init, options.weight_factorization, where));
  const auto branches = static_cast<std::int64_t>(num_t_ > 0 ? sigmas.size() * num_t_ : sigmas.size());
  out_ = make_dense(*this, "dense", layer_sizes_[layer_sizes_.size() - 2] * branches, layer_sizes_.back(), "", init,
                    options.weight_factorization, where);
  for (const auto& l : hidden_) jets_ = jets_ && l.has_jets();
}

STMsFFN::STMsFFN(std::vector<std::int64_t> layer_sizes, const std::string& activation,
                 const std::string& kernel_initializer, std::vector<double> sigmas_x, std::vector<double> sigmas_t,
                 FNNOptions options)
    : ModuleHolder(nullptr) {
  if (sigmas_t.empty()) detail::fail("STMsFFN: sigmas_t is empty (expected at least one)");
  impl_ = std::make_shared<MsFFNImpl>(std::move(layer_sizes), activation, kernel_initializer, std::move(sigmas_x),
                                      std::move(sigmas_t), std::move(options));
}

std::vector<torch::Tensor> MsFFNImpl::kernels() const {
  auto out = kernels_of(hidden_);
  out.push_back(out_.weight());
  return out;
}

std::pair<torch::Tensor, torch::Tensor> MsFFNImpl::feature_map(const torch::Tensor& B) const {
  return trig_layer(B, 1.0);  // DeepXDE's features have no 2 pi
}

torch::Tensor MsFFNImpl::forward_core(const torch::Tensor& x) {
  check_input(name(), x, layer_sizes_.front());
  std::vector<torch::Tensor> branches;
  for (const auto& b : bs_) {
    auto [W, phase] = feature_map(b);
    torch::Tensor h = torch::sin(torch::linear(x, W, phase));
    for (const auto& l : hidden_) h = l.forward(h);
    branches.push_back(h);
  }
  if (num_t_ > 0) {
    const std::size_t nx = bs_.size() - num_t_;
    std::vector<torch::Tensor> products;
    for (std::size_t i = 0; i < nx; ++i)
      for (std::size_t j = nx; j < bs_.size(); ++j) products.push_back(branches[i] * branches[j]);
    branches = std::move(products);
  }
  return out_.forward(torch::cat(branches, 1));
}

std::optional<grad::Jets> MsFFNImpl::forward_jets_core(const HiddenJets& x, const grad::DerivativeSet& set) {
  if (!jets_) return std::nullopt;
  check_input(name(), x.value, layer_sizes_.front());
  static const Activation sin_fn = get_activation("sin");
  std::vector<HiddenJets> branches;
  for (const auto& b : bs_) {
    auto [W, phase] = feature_map(b);
    HiddenJets h = jet::activate(jet::linear(x, W, phase, set), "sin", sin_fn, set);
    for (const auto& l : hidden_) h = l.jets(h, set);
    branches.push_back(h);
  }
  if (num_t_ > 0) {
    const std::size_t nx = bs_.size() - num_t_;
    std::vector<HiddenJets> products;
    for (std::size_t i = 0; i < nx; ++i)
      for (std::size_t j = nx; j < bs_.size(); ++j) products.push_back(jet::mul(branches[i], branches[j], set));
    branches = std::move(products);
  }
  return jet::finish(out_.jets(jet::cat(branches, set), set), set);
}

// ---------------------------------------------------------------- ModifiedMLP

ModifiedMLPImpl::ModifiedMLPImpl(std::vector<std::int64_t> layer_sizes, const std::string& activation,
                                 const std::string& kernel_initializer, FNNOptions options)
    : layer_sizes_(std::move(layer_sizes)) {
  const std::string where = "ModifiedMLP";
  if (layer_sizes_.size() < 3)
    detail::fail(where, ": layer_sizes has ", layer_sizes_.size(),
                 " entries (expected at least 3: inputs, hidden..., outputs)");
  for (std::size_t i = 0; i < layer_sizes_.size(); ++i)
    if (layer_sizes_[i] < 1) detail::fail(where, ": layer_sizes[", i, "] = ", layer_sizes_[i], " (expected >= 1)");
  const std::int64_t w = layer_sizes_[1];
  for (std::size_t i = 2; i + 1 < layer_sizes_.size(); ++i)
    if (layer_sizes_[i] != w)
      detail::fail(where, ": layer_sizes[", i, "] = ", layer_sizes_[i], " but layer_sizes[1] = ", w,
                   " (expected every hidden layer the same width)");
  parse_activation(activation, where);
  check_regularization(options.regularization, where);
  regularization_ = options.regularization;
  const Initializer init = get_initializer(kernel_initializer);
  const auto& wf = options.weight_factorization;
  u_ = make_dense(*this, "encoder_u", layer_sizes_[0], w, activation, init, wf, where);
  v_ = make_dense(*this, "encoder_v", layer_sizes_[0], w, activation, init, wf, where);
  for (std::size_t i = 0; i + 1 < layer_sizes_.size(); ++i)
    layers_.push_back(make_dense(*this, "linears_" + std::to_string(i), layer_sizes_[i], layer_sizes_[i + 1],
                                 i + 2 < layer_sizes_.size() ? activation : std::string(), init, wf, where));
  jets_ = u_.has_jets() && v_.has_jets();
  for (const auto& l : layers_) jets_ = jets_ && l.has_jets();
}

std::vector<torch::Tensor> ModifiedMLPImpl::kernels() const {
  auto out = kernels_of(layers_);
  out.push_back(u_.weight());
  out.push_back(v_.weight());
  return out;
}

torch::Tensor ModifiedMLPImpl::forward_core(const torch::Tensor& x) {
  check_input("ModifiedMLP", x, layer_sizes_.front());
  auto U = u_.forward(x), V = v_.forward(x), VmU = V - U;
  torch::Tensor h = x;
  for (std::size_t i = 0; i + 1 < layers_.size(); ++i) h = U + layers_[i].forward(h) * VmU;
  return layers_.back().forward(h);
}

std::optional<grad::Jets> ModifiedMLPImpl::forward_jets_core(const HiddenJets& x, const grad::DerivativeSet& set) {
  if (!jets_) return std::nullopt;
  check_input("ModifiedMLP", x.value, layer_sizes_.front());
  auto U = u_.jets(x, set), V = v_.jets(x, set);
  auto VmU = jet::add(V, jet::scale(U, torch::full({}, -1.0, U.value.options())), set);
  HiddenJets h = x;
  for (std::size_t i = 0; i + 1 < layers_.size(); ++i) h = jet::add(U, jet::mul(layers_[i].jets(h, set), VmU, set), set);
  return jet::finish(layers_.back().jets(h, set), set);
}

}  // namespace pinnxde::nn
