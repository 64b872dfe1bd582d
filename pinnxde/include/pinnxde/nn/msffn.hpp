#pragma once
// Multi-scale Fourier feature networks (Wang, Wang & Perdikaris 2021). Ports of deepxde.nn.MsFFN and
// deepxde.nn.STMsFFN.
//
// MsFFN: for each sigma_i a fixed B_i (d, m/2) ~ N(0, sigma_i^2) (m = layer_sizes[1]); each branch
// [cos(x B_i), sin(x B_i)] goes through the same hidden layers (layer_sizes[1] -> ... -> layer_sizes[-2]);
// the branches are concatenated and a last linear layer maps them to the outputs.
// STMsFFN: the same with separate spatial (x[:, :-1], sigmas_x) and temporal (x[:, -1], sigmas_t) features;
// every spatial branch is multiplied elementwise by every temporal branch before the last layer.
// The B's are buffers (not trained, saved in checkpoints), drawn from LibTorch's seeded generator.
//
//   dde::nn::MsFFN net({1, 100, 100, 1}, "tanh", "Glorot normal", {1.0, 10.0});
//   dde::nn::STMsFFN st({2, 100, 100, 1}, "tanh", "Glorot normal", {1.0}, {1.0, 10.0});
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "pinnxde/nn/fnn.hpp"
#include "pinnxde/nn/nn.hpp"

namespace pinnxde::nn {

class MsFFNImpl : public NNImpl {
 public:
  /// layer_sizes: at least {inputs, features, outputs}, features (layer_sizes[1]) even; sigmas: at least one,
  /// each > 0. With sigmas_t non-empty this is STMsFFN (sigmas are then the spatial ones, and inputs >= 2).
  MsFFNImpl(std::vector<std::int64_t> layer_sizes, const std::string& activation, const std::string& kernel_initializer,
            std::vector<double> sigmas, std::vector<double> sigmas_t = {}, FNNOptions options = {});
  std::int64_t input_dim() const override { return layer_sizes_.front(); }
  std::int64_t output_dim() const override { return layer_sizes_.back(); }
  std::vector<torch::Tensor> kernels() const override;
  /// The fixed Fourier matrices, spatial then temporal, each zero-padded to (inputs, layer_sizes[1] / 2).
  const std::vector<torch::Tensor>& fourier_matrices() const { return bs_; }

 protected:
  torch::Tensor forward_core(const torch::Tensor& x) override;
  std::optional<grad::Jets> forward_jets_core(const HiddenJets& x, const grad::DerivativeSet& set) override;
  bool can_sweep_core() const override { return jets_; }

 private:
  std::string name() const { return num_t_ > 0 ? "STMsFFN" : "MsFFN"; }
  // [cos(x B), sin(x B)] as sin(x W^T + phase), W = [B^T; B^T], phase = [pi/2, 0].
  std::pair<torch::Tensor, torch::Tensor> feature_map(const torch::Tensor& B) const;

  std::vector<std::int64_t> layer_sizes_;
  std::vector<torch::Tensor> bs_;  // buffers b_0, b_1, ...
  std::size_t num_t_ = 0;          // the last num_t_ of bs_ are temporal
  std::vector<Dense> hidden_;
  Dense out_;
  bool jets_ = true;
};

class MsFFN : public torch::nn::ModuleHolder<MsFFNImpl> {
 public:
  MsFFN(std::vector<std::int64_t> layer_sizes, const std::string& activation, const std::string& kernel_initializer,
        std::vector<double> sigmas, FNNOptions options = {})
      : ModuleHolder(std::make_shared<MsFFNImpl>(std::move(layer_sizes), activation, kernel_initializer,
                                                 std::move(sigmas), std::vector<double>{}, std::move(options))) {}
};

/// Spatio-temporal multi-scale Fourier feature network (time is the last input column).
class STMsFFN : public torch::nn::ModuleHolder<MsFFNImpl> {
 public:
  STMsFFN(std::vector<std::int64_t> layer_sizes, const std::string& activation, const std::string& kernel_initializer,
          std::vector<double> sigmas_x, std::vector<double> sigmas_t, FNNOptions options = {});
};

}  // namespace pinnxde::nn
