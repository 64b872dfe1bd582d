#pragma once
// Input embeddings with closed-form derivatives, to put in front of any pinnxde network
// (NNImpl::apply_embedding): the forward derivative engine propagates jets through them.
//
//   dde::nn::FNN net({2 * 64, 100, 100, 1}, "tanh");
//   net->apply_embedding(dde::nn::FourierFeatures(1, 64, 10.0));        // x -> [cos 2 pi x B, sin 2 pi x B]
//   dde::nn::FNN pnet({1 + 2, 50, 1}, "tanh");                            // (x, t): t passes, x is periodic
//   pnet->apply_embedding(dde::nn::PeriodicEmbedding(2, {0}, {2.0}));     // x -> cos(pi x), sin(pi x)
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "pinnxde/nn/nn.hpp"

namespace pinnxde::nn {

/// Random Fourier features (Tancik et al. 2020): x (N, d) -> [cos(2 pi x B), sin(2 pi x B)] (N, 2m), with a
/// fixed B (d, m) ~ N(0, sigma^2) drawn at construction from LibTorch's generator (config::set_random_seed
/// makes it reproducible). B is a buffer, not a parameter: not trained, saved in checkpoints ("embedding.B").
class FourierFeaturesImpl : public EmbeddingImpl {
 public:
  /// input_dim >= 1, num_features m >= 1, sigma > 0 (ValueError otherwise).
  FourierFeaturesImpl(std::int64_t input_dim, std::int64_t num_features, double sigma);
  std::int64_t input_dim() const override { return B.size(0); }
  std::int64_t output_dim() const override { return 2 * B.size(1); }
  torch::Tensor forward(const torch::Tensor& x) override;
  HiddenJets forward_jets(const HiddenJets& x, const grad::DerivativeSet& set) override;

  torch::Tensor B;  // (d, m)
};

/// Exact periodic embedding: for each chosen input column c with period L_c, the features
/// cos(2 pi k x_c / L_c) and sin(2 pi k x_c / L_c), k = 1..harmonics, so any network after it is exactly
/// L_c-periodic in x_c (periodic boundary conditions hold by construction). Output: the other columns
/// unchanged (in order), then per periodic column its cosines (k = 1..K) and sines.
/// Width: input_dim - columns.size() + 2 * harmonics * columns.size().
class PeriodicEmbeddingImpl : public EmbeddingImpl {
 public:
  PeriodicEmbeddingImpl(std::int64_t input_dim, std::vector<std::int64_t> columns, std::vector<double> periods,
                        std::int64_t harmonics = 1);
  std::int64_t input_dim() const override { return input_dim_; }
  std::int64_t output_dim() const override { return output_dim_; }
  torch::Tensor forward(const torch::Tensor& x) override;
  HiddenJets forward_jets(const HiddenJets& x, const grad::DerivativeSet& set) override;

 private:
  std::int64_t input_dim_, output_dim_;
  torch::Tensor select_;  // (p, d): the pass-through columns, or undefined
  torch::Tensor weight_;  // (2 K c, d): 2 pi k / L_c on column c
  torch::Tensor phase_;   // (2 K c): pi/2 for the cosines (cos z = sin(z + pi/2)), 0 for the sines
};

class FourierFeatures : public torch::nn::ModuleHolder<FourierFeaturesImpl> {
 public:
  FourierFeatures(std::int64_t input_dim, std::int64_t num_features, double sigma)
      : ModuleHolder(std::make_shared<FourierFeaturesImpl>(input_dim, num_features, sigma)) {}
};

class PeriodicEmbedding : public torch::nn::ModuleHolder<PeriodicEmbeddingImpl> {
 public:
  PeriodicEmbedding(std::int64_t input_dim, std::vector<std::int64_t> columns, std::vector<double> periods,
                    std::int64_t harmonics = 1)
      : ModuleHolder(std::make_shared<PeriodicEmbeddingImpl>(input_dim, std::move(columns), std::move(periods),
                                                             harmonics)) {}
};

}  // namespace pinnxde::nn
