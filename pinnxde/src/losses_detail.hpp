#pragma once
// What the library knows about a loss beyond calling it: whether it is the mean of an elementwise function of
// the misfit (MSE: r², MAE: |r|), which causal training's fast path needs (causal_detail.hpp).
#include <torch/types.h>

#include <string>

namespace pinnxde::losses {

using Elementwise = torch::Tensor (*)(const torch::Tensor& misfit);

/// The elementwise function f of a loss that is mean(f(y_true - y_pred)) (either of its names), or nullptr.
Elementwise elementwise(const std::string& name);

}  // namespace pinnxde::losses
