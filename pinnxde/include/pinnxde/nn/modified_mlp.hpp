#pragma once
// The modified MLP of Wang, Teng & Perdikaris (2021), "Understanding and mitigating gradient pathologies in
// physics-informed neural networks": two encoders U = sigma(x W_u + b_u), V = sigma(x W_v + b_v) gate every
// hidden layer, h <- (1 - z) * U + z * V with z = sigma(h W + b), and a linear output layer. Not in DeepXDE.
//
//   dde::nn::ModifiedMLP net({2, 64, 64, 64, 1}, "tanh", "Glorot normal");
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "pinnxde/nn/fnn.hpp"
#include "pinnxde/nn/nn.hpp"

namespace pinnxde::nn {

class ModifiedMLPImpl : public NNImpl {
 public:
  /// layer_sizes: {inputs, hidden..., outputs} with at least one hidden layer, every hidden layer the same
  /// width (the gates mix it with U and V). Parameters: those of FNN(layer_sizes) plus the two encoders.
  ModifiedMLPImpl(std::vector<std::int64_t> layer_sizes, const std::string& activation = "tanh",
                  const std::string& kernel_initializer = "Glorot normal", FNNOptions options = {});
  std::int64_t input_dim() const override { return layer_sizes_.front(); }
  std::int64_t output_dim() const override { return layer_sizes_.back(); }
  std::vector<torch::Tensor> kernels() const override;

 protected:
  torch::Tensor forward_core(const torch::Tensor& x) override;
  std::optional<grad::Jets> forward_jets_core(const HiddenJets& x, const grad::DerivativeSet& set) override;
  bool can_sweep_core() const override { return jets_; }

 private:
  std::vector<std::int64_t> layer_sizes_;
  Dense u_, v_;
  std::vector<Dense> layers_;  // hidden..., output
  bool jets_ = true;
};

class ModifiedMLP : public torch::nn::ModuleHolder<ModifiedMLPImpl> {
 public:
  ModifiedMLP(std::vector<std::int64_t> layer_sizes, const std::string& activation = "tanh",
              const std::string& kernel_initializer = "Glorot normal", FNNOptions options = {})
      : ModuleHolder(std::make_shared<ModifiedMLPImpl>(std::move(layer_sizes), activation, kernel_initializer,
                                                       std::move(options))) {}
};

}  // namespace pinnxde::nn
