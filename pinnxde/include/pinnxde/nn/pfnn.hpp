#pragma once
// Parallel fully-connected network: a sub-network per output. Port of deepxde.nn.PFNN.
//
//   dde::nn::PFNN net({2, {20, 20}, {20, 20}, 2}, "tanh", "Glorot normal");   // two separate sub-nets
//   dde::nn::PFNN net2({2, 64, {20, 20}, 2}, "tanh");                          // a shared layer, then split
#include <torch/nn/pimpl.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "pinnxde/nn/fnn.hpp"
#include "pinnxde/nn/nn.hpp"

namespace pinnxde::nn {

/// One entry of PFNN's layer_sizes: a width shared by every output (64), or one width per output ({8, 8}).
struct LayerWidth {
  std::vector<std::int64_t> widths;
  bool parallel = false;
  LayerWidth(std::int64_t w) : widths{w} {}                                          // NOLINT
  LayerWidth(std::initializer_list<std::int64_t> ws) : widths(ws), parallel(true) {}  // NOLINT
};

class PFNNImpl : public NNImpl {
 public:
  /// layer_sizes: {inputs, hidden..., outputs}; inputs and outputs are numbers; a hidden entry is a number
  /// (one layer all outputs share) or a list of one width per output (a layer per output). Once split, the
  /// sub-networks do not rejoin. With a split last hidden layer each sub-network ends in one output.
  PFNNImpl(std::vector<LayerWidth> layer_sizes, const std::string& activation = "tanh",
           const std::string& kernel_initializer = "Glorot normal", FNNOptions options = {});
  std::int64_t input_dim() const override { return input_dim_; }
  std::int64_t output_dim() const override { return output_dim_; }
  std::vector<torch::Tensor> kernels() const override;

 protected:
  torch::Tensor forward_core(const torch::Tensor& x) override;
  std::optional<grad::Jets> forward_jets_core(const HiddenJets& x, const grad::DerivativeSet& set) override;
  bool can_sweep_core() const override { return jets_; }

 private:
  std::int64_t input_dim_ = 0, output_dim_ = 0;
  std::vector<std::vector<Dense>> layers_;  // per layer: one shared Dense, or one per output
  bool jets_ = true;
};

class PFNN : public torch::nn::ModuleHolder<PFNNImpl> {
 public:
  PFNN(std::vector<LayerWidth> layer_sizes, const std::string& activation = "tanh",
       const std::string& kernel_initializer = "Glorot normal", FNNOptions options = {})
      : ModuleHolder(std::make_shared<PFNNImpl>(std::move(layer_sizes), activation, kernel_initializer,
                                                std::move(options))) {}
};

}  // namespace pinnxde::nn
