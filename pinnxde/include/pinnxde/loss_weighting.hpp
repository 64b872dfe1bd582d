#pragma once
// The rules behind CompileOptions::weighting and CompileOptions::causal (model.hpp), as plain functions:
// Model calls them, and they can be checked on hand-made losses. No DeepXDE counterpart (issue 11).
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pinnxde/data/data.hpp"

namespace pinnxde::weighting {

/// Grad-norm weighting (Wang, Teng & Perdikaris 2021). grads[i]: the parameter gradients of the unweighted
/// term i (one tensor per parameter; undefined = zero); residual[i]: term i is a PDE residual. The
/// residual terms keep their weight; each other term i gets
///   w_hat_i = S(|grad L_r|) / mean(|grad L_i|),  L_r = sum of the residual terms, S = max ("max") or mean,
///   w_i <- (1 - alpha) current_i + alpha w_hat_i.
/// A term whose gradient is zero keeps its weight. Returns the new weights.
std::vector<double> grad_norm_update(const std::vector<std::vector<torch::Tensor>>& grads,
                                     const std::vector<bool>& residual, const std::vector<double>& current,
                                     double alpha, const std::string& statistic = "max");

/// NTK-trace weighting (Wang, Yu & Perdikaris 2022): w_hat_i = sum_j traces_j / traces_i,
/// w_i <- (1 - alpha) current_i + alpha w_hat_i. A zero trace keeps its weight.
std::vector<double> ntk_update(const std::vector<double>& traces, const std::vector<double>& current, double alpha);

/// The NTK block's trace per point: mean over up to `samples` evenly spaced entries j of `values` (any
/// shape, flattened; part of a graph over params) of |d values_j / d params|^2, one per-sample gradient
/// each. The graph is kept (retain_graph) so that several terms of one evaluation can be asked in turn.
double ntk_trace(const torch::Tensor& values, const std::vector<torch::Tensor>& params, std::int64_t samples);

/// Causal window weights (Wang, Sankaran & Perdikaris 2022) from per-window losses L (N,):
/// w_0 = 1, w_i = exp(-eps * sum_{k<i} L_k); detached.
torch::Tensor causal_weights(const torch::Tensor& window_losses, double eps);

/// Which of num_windows equal windows of [t0, t1] each t (M,) falls in: (M,) int64 in [0, num_windows).
torch::Tensor causal_windows(const torch::Tensor& t, std::int64_t num_windows, double t0, double t1);

/// The causal residual loss: L_i = loss(undefined, residual rows in window i) (0 for an empty window),
/// returns (1 / N) sum_i w_i L_i with w = causal_weights(L, eps). `weights` (if not null) receives w.
torch::Tensor causal_loss(const torch::Tensor& windows, const torch::Tensor& residual, const data::LossFunction& loss,
                          std::int64_t num_windows, double eps, torch::Tensor* weights = nullptr);

}  // namespace pinnxde::weighting
