#pragma once
// Residual network. Port of deepxde.nn.ResNet:
//   h = sigma(x W_in + b_in);  each block: h = sigma(h + (sigma(h W1 + b1) W2 + b2));  y = h W_out + b_out.
//
//   dde::nn::ResNet net(2, 1, 50, 3, "tanh", "Glorot normal");
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "pinnxde/nn/fnn.hpp"
#include "pinnxde/nn/nn.hpp"

namespace pinnxde::nn {

class ResNetImpl : public NNImpl {
 public:
  /// All sizes >= 1 (num_blocks >= 0). activation: a get_activation name.
  ResNetImpl(std::int64_t input_size, std::int64_t output_size, std::int64_t num_neurons, std::int64_t num_blocks,
             const std::string& activation = "tanh", const std::string& kernel_initializer = "Glorot normal",
             FNNOptions options = {});
  std::int64_t input_dim() const override { return input_size_; }
  std::int64_t output_dim() const override { return output_size_; }
  std::vector<torch::Tensor> kernels() const override;

 protected:
  torch::Tensor forward_core(const torch::Tensor& x) override;
  std::optional<grad::Jets> forward_jets_core(const HiddenJets& x, const grad::DerivativeSet& set) override;
  bool can_sweep_core() const override { return true; }

 private:
  std::int64_t input_size_, output_size_;
  std::string activation_;
  Activation fn_;
  std::vector<Dense> layers_;  // in, (block first, block second) per block, out
};

class ResNet : public torch::nn::ModuleHolder<ResNetImpl> {
 public:
  ResNet(std::int64_t input_size, std::int64_t output_size, std::int64_t num_neurons, std::int64_t num_blocks,
         const std::string& activation = "tanh", const std::string& kernel_initializer = "Glorot normal",
         FNNOptions options = {})
      : ModuleHolder(std::make_shared<ResNetImpl>(input_size, output_size, num_neurons, num_blocks, activation,
                                                  kernel_initializer, std::move(options))) {}
};

}  // namespace pinnxde::nn
