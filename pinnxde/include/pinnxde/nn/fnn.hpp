#pragma once
// Fully-connected network. Port of deepxde.nn.FNN.
//
//   pinnxde::nn::FNN net({2, 64, 64, 64, 1}, "tanh", "Glorot normal");
//   auto y = net(x);   // x: (N, 2) -> y: (N, 1)
//   pinnxde::nn::FNN net2({2, 64, 64, 1}, {"tanh", "sin"}, "Glorot normal", {.regularization = {"l2", 1e-4}});
//   pinnxde::nn::FNN net3({2, 64, 64, 1}, "LAAF-10 tanh");          // layer-wise adaptive activations
//   pinnxde::nn::FNN net4({2, 64, 64, 1}, "tanh", "Glorot normal", {.weight_factorization = {1.0, 0.1}});
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "pinnxde/nn/activations.hpp"
#include "pinnxde/nn/initializers.hpp"
#include "pinnxde/nn/nn.hpp"

namespace pinnxde::nn {

/// FNN's keyword arguments after DeepXDE's positional ones.
struct FNNOptions {
  Regularization regularization;             // DeepXDE's regularization=["l2", 1e-4]: {"l2", 1e-4}
  WeightFactorization weight_factorization;  // random weight factorisation {mean, stddev}; off by default
};

class FNNImpl : public NNImpl {
 public:
  /// layer_sizes: {inputs, hidden..., outputs}, at least two entries, all >= 1.
  /// activation: one name for every hidden layer (see get_activation; "LAAF-n name" for a layer-wise
  /// adaptive one, each hidden layer with its own slope); kernel_initializer: see get_initializer. Biases
  /// start at zero. Parameters use config::real() at construction.
  FNNImpl(std::vector<std::int64_t> layer_sizes, const std::string& activation = "tanh",
          const std::string& kernel_initializer = "Glorot normal", FNNOptions options = {});
  /// One activation per hidden layer, or DeepXDE's one per layer (hidden + output; the output layer is
  /// linear in DeepXDE too, so its entry is not used).
  FNNImpl(std::vector<std::int64_t> layer_sizes, const std::vector<std::string>& activations,
          const std::string& kernel_initializer = "Glorot normal", FNNOptions options = {});

  std::int64_t input_dim() const override { return layer_sizes_.front(); }
  std::int64_t output_dim() const override { return layer_sizes_.back(); }
  const std::vector<std::int64_t>& layer_sizes() const { return layer_sizes_; }
  const std::vector<torch::nn::Linear>& linears() const { return linears_; }
  /// The layers (their kernels, slopes and factorisations).
  const std::vector<Dense>& layers() const { return layers_; }
  std::vector<torch::Tensor> kernels() const override;

 protected:
  torch::Tensor forward_core(const torch::Tensor& x) override;
  /// One sweep: each hidden layer one matmul over the stacked derivative slices and one fused loop for
  /// the activation's chain rule (nn/jets.hpp).
  std::optional<grad::Jets> forward_jets_core(const HiddenJets& x, const grad::DerivativeSet& set) override;
  bool can_sweep_core() const override { return jets_; }

 private:
  void check_input(const torch::Tensor& x) const;

  std::vector<std::int64_t> layer_sizes_;
  std::vector<torch::nn::Linear> linears_;
  std::vector<Dense> layers_;
  bool jets_ = true;  // every activation has closed-form derivatives
};

/// Module holder for FNNImpl (what TORCH_MODULE would generate), with explicit constructors so that a
/// braced layer list works: FNN({2, 64, 1}, "tanh"). Use it like a pointer: net->parameters(), net(x).
class FNN : public torch::nn::ModuleHolder<FNNImpl> {
 public:
  FNN(std::vector<std::int64_t> layer_sizes, const std::string& activation = "tanh",
      const std::string& kernel_initializer = "Glorot normal", FNNOptions options = {})
      : ModuleHolder(std::make_shared<FNNImpl>(std::move(layer_sizes), activation, kernel_initializer,
                                               std::move(options))) {}
  FNN(std::vector<std::int64_t> layer_sizes, const std::vector<std::string>& activations,
      const std::string& kernel_initializer = "Glorot normal", FNNOptions options = {})
      : ModuleHolder(std::make_shared<FNNImpl>(std::move(layer_sizes), activations, kernel_initializer,
                                               std::move(options))) {}
  /// A braced list of names, FNN({2, 64, 64, 1}, {"tanh", "sin"}) (without it the call is ambiguous).
  FNN(std::vector<std::int64_t> layer_sizes, std::initializer_list<std::string> activations,
      const std::string& kernel_initializer = "Glorot normal", FNNOptions options = {})
      : FNN(std::move(layer_sizes), std::vector<std::string>(activations), kernel_initializer, std::move(options)) {}
  FNN(std::shared_ptr<FNNImpl> impl) : ModuleHolder(std::move(impl)) {}  // NOLINT(google-explicit-constructor)
};

}  // namespace pinnxde::nn
