#pragma once
// Causal training's residual loss for the losses that are means of an elementwise function of the residual
// (MSE: r², MAE: |r|): one index_add over the rows instead of one loss evaluation per window, which on a
// small problem (lorenz_causal: 3 terms x 32 windows, forward and backward) cost more than the network.
#include <torch/types.h>

#include <cstdint>

namespace pinnxde::weighting {

/// L_i = the mean of `elementwise` (N, k) over the rows of window i (0 for an empty window), w =
/// causal_weights(L, eps); returns (1 / num_windows) sum_i w_i L_i and w in `weights` (if not null): what
/// weighting::causal_loss returns for the loss mean(f(r)) with elementwise = f(r), up to the order of the sums.
torch::Tensor causal_mean_loss(const torch::Tensor& windows, const torch::Tensor& elementwise, std::int64_t num_windows,
                               double eps, torch::Tensor* weights);

}  // namespace pinnxde::weighting
