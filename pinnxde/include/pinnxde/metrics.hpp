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

/// (y_true, y_pred) -> scalar loss tensor; both (M, k). An undefined y_true means a zero target (PDE
/// residuals), so no zeros tensor is built every step.
using Loss = std::function<torch::Tensor(const torch::Tensor& y_true, const torch::Tensor& y_pred)>;
/// By DeepXDE's names:
///   "MSE" ("mean squared error")        mean((y_true - y_pred)^2)
///   "MAE" ("mean absolute error")       mean(|y_true - y_pred|)
///   "MAPE" ("mean absolute percentage error")
///                                       100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7))
///   "mean l2 relative error"            mean over rows of ||y_true - y_pred||_2 / max(||y_true||_2, 1e-7)
///   "zero"                              0
/// The two relative losses clip their denominators at 1e-7 (Keras' convention) so that a zero target
/// (a PDE residual, a homogeneous condition) gives a large finite loss instead of DeepXDE's inf/NaN.
Loss get(const std::string& name);
const std::vector<std::string>& names();

}  // namespace pinnxde::losses
