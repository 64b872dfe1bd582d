#include "pinnxde/metrics.hpp"

#include <torch/types.h>

#include <sstream>

#include "losses_detail.hpp"
#include "pinnxde/error.hpp"

namespace pinnxde {
namespace {
// Shapes must agree, and the reference y_true must be finite: a NaN in a reference solution would make
// every metric NaN without a word.
void check_shapes(const torch::Tensor& a, const torch::Tensor& b) {
  if (!a.defined() || !b.defined())
    detail::fail("metrics: y_true is ", a.defined() ? "defined" : "undefined", " and y_pred is ",
                 b.defined() ? "defined" : "undefined", " (expected two tensors of the same shape)");
  if (a.sizes() != b.sizes())
    detail::fail("metrics: y_true has shape ", a.sizes(), " but y_pred has shape ", b.sizes(),
                 " (expected equal shapes)");
  if (a.numel() > 0 && a.is_floating_point()) {
    const auto bad = a.detach().isfinite().logical_not().reshape({-1});
    if (bad.any().item<bool>()) {
      const auto k = bad.nonzero()[0][0].item<std::int64_t>();
      const auto cols = a.dim() >= 2 ? a.size(1) : 1;
      detail::fail("metrics: y_true (the reference solution) has ", a.detach().reshape({-1})[k].item<double>(),
                   " at row ", k / cols, ", column ", k % cols, " (expected finite values)");
    }
  }
}

// Metrics are computed on the host in float64, so a reference on the CPU and a prediction on a CUDA device
// (or the other way round) compare without the caller moving either.
torch::Tensor f64(const torch::Tensor& t) { return t.to(torch::kCPU, torch::kFloat64); }
}  // namespace

namespace metrics {

double l2_relative_error(const torch::Tensor& y_true, const torch::Tensor& y_pred) {
  check_shapes(y_true, y_pred);
  auto t = f64(y_true), p = f64(y_pred);
  return ((t - p).norm() / t.norm()).item<double>();
}

const std::vector<std::string>& names() {
  static const std::vector<std::string> n{"l2 relative error", "mean l2 relative error", "MSE",
                                          "mean squared error", "MAE", "mean absolute error", "max error"};
  return n;
}

Metric get(const std::string& name) {
  if (name == "l2 relative error") return l2_relative_error;
  if (name == "mean l2 relative error")
    return [](const torch::Tensor& t, const torch::Tensor& p) {
      check_shapes(t, p);
      return ((f64(t) - f64(p)).norm(2, {1}) / f64(t).norm(2, {1})).mean().item<double>();
    };
  if (const auto f = losses::elementwise(name))  // MSE, MAE
    return [f](const torch::Tensor& t, const torch::Tensor& p) {
      check_shapes(t, p);
      return f(f64(t) - f64(p)).mean().item<double>();
    };
  if (name == "max error")
    return [](const torch::Tensor& t, const torch::Tensor& p) {
      check_shapes(t, p);
      return (f64(t) - f64(p)).abs().max().item<double>();
    };
  detail::fail("metrics: unknown metric '", name, "'; valid: ", detail::join(names()));
}

}  // namespace metrics

namespace losses {

const std::vector<std::string>& names() {
  static const std::vector<std::string> n{"MSE",  "mean squared error", "MAE", "mean absolute error",
                                          "MAPE", "mean absolute percentage error", "mean l2 relative error",
                                          "zero"};
  return n;
}

// An undefined y_true stands for a zero target (PDE residuals, conditions without targets): the hot path
// then allocates no zeros tensor and does no subtraction.
namespace {
torch::Tensor misfit(const torch::Tensor& t, const torch::Tensor& p) { return t.defined() ? t - p : p; }
torch::Tensor target(const torch::Tensor& t, const torch::Tensor& p) { return t.defined() ? t : torch::zeros_like(p); }
}  // namespace

Elementwise elementwise(const std::string& name) {
  if (name == "MSE" || name == "mean squared error") return [](const torch::Tensor& r) { return r.square(); };
  if (name == "MAE" || name == "mean absolute error") return [](const torch::Tensor& r) { return r.abs(); };
  return nullptr;
}

Loss get(const std::string& name) {
  constexpr double eps = 1e-7;
  if (const auto f = elementwise(name))
    return [f](const torch::Tensor& t, const torch::Tensor& p) { return f(misfit(t, p)).mean(); };
  if (name == "MAPE" || name == "mean absolute percentage error")
    return [](const torch::Tensor& t, const torch::Tensor& p) {
      return 100 * (misfit(t, p).abs() / target(t, p).abs().clamp_min(eps)).mean();
    };
  if (name == "mean l2 relative error")
    return [](const torch::Tensor& t, const torch::Tensor& p) {
      return (misfit(t, p).norm(2, {1}) / target(t, p).norm(2, {1}).clamp_min(eps)).mean();
    };
  if (name == "zero") return [](const torch::Tensor&, const torch::Tensor& p) { return torch::zeros({}, p.options()); };
  detail::fail("Model::compile: unknown loss '", name, "'; valid: ", detail::join(names()));
}

}  // namespace losses
}  // namespace pinnxde
