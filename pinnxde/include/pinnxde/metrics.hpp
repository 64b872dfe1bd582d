#pragma once
// Metrics and losses by DeepXDE's names. Port of deepxde.metrics and deepxde.losses.
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

namespace pinnxde::metrics {

/// (y_true, y_pred) -> scalar.
using Metric = std::function<double(const torch::Tensor& y_true, const torch::Tensor& y_pred)>;

/// "l2 relative error", "mean l2 relative error", "MSE" ("mean squared error"), "MAE", "max error".
Metric get(const std::string& name);
const std::vector<std::string>& names();

/// ||y_true - y_pred||_2 / ||y_true||_2 over all entries.
double l2_relative_error(const torch::Tensor& y_true, const torch::Tensor& y_pred);

}  // namespace pinnxde::metrics

namespace pinnxde::losses {

/// Misfit (the target is zero) -> scalar loss tensor.
using Loss = std::function<torch::Tensor(const torch::Tensor& error)>;
/// "MSE" ("mean squared error"), "MAE" ("mean absolute error"), "zero".
Loss get(const std::string& name);
const std::vector<std::string>& names();

}  // namespace pinnxde::losses
