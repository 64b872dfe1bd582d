// Adaptive loss weights and causal weights (loss_weighting.hpp).
#include "pinnxde/loss_weighting.hpp"

#include <torch/types.h>

#include <cmath>

#include "causal_detail.hpp"
#include "pinnxde/error.hpp"

namespace pinnxde::weighting {
namespace {

// |g| of all parameters as one flat vector (undefined gradients count as zeros).
torch::Tensor flat_abs(const std::vector<torch::Tensor>& grads) {
  std::vector<torch::Tensor> parts;
  for (const auto& g : grads)
    if (g.defined()) parts.push_back(g.detach().reshape(-1).abs().to(torch::kFloat64));
  return parts.empty() ? torch::zeros({1}, torch::kFloat64) : torch::cat(parts);
}

std::int64_t numel_of(const std::vector<torch::Tensor>& grads) {
  std::int64_t n = 0;
  for (const auto& g : grads) n += g.defined() ? g.numel() : 0;
  return n;
}

}  // namespace

std::vector<double> grad_norm_update(const std::vector<std::vector<torch::Tensor>>& grads,
                                     const std::vector<bool>& residual, const std::vector<double>& current,
                                     double alpha, const std::string& statistic) {
  if (grads.size() != residual.size() || grads.size() != current.size())
    detail::fail("grad_norm_update: ", grads.size(), " gradients, ", residual.size(), " residual flags and ",
                 current.size(), " weights (expected one of each per term)");
  if (statistic != "max" && statistic != "mean")
    detail::fail("grad_norm_update: statistic = '", statistic, "'; valid: max, mean");
  // The residual's gradient: the sum of the residual terms' gradients, parameter by parameter.
  std::vector<torch::Tensor> r;
  for (std::size_t i = 0; i < grads.size(); ++i) {
    if (!residual[i]) continue;
    if (r.empty()) r.resize(grads[i].size());
    for (std::size_t p = 0; p < grads[i].size() && p < r.size(); ++p)
      if (grads[i][p].defined()) r[p] = r[p].defined() ? r[p] + grads[i][p].detach() : grads[i][p].detach();
  }
  std::vector<double> out = current;
  if (r.empty()) return out;  // no residual term: nothing to compare with
  const auto ra = flat_abs(r);
  const double num = statistic == "max" ? ra.max().item<double>() : ra.sum().item<double>() / numel_of(r);
  for (std::size_t i = 0; i < grads.size(); ++i) {
    if (residual[i]) continue;
    const std::int64_t n = numel_of(grads[i]);
    const double den = n ? flat_abs(grads[i]).sum().item<double>() / n : 0.0;
    if (!(den > 0) || !std::isfinite(den) || !std::isfinite(num)) continue;
    out[i] = (1 - alpha) * current[i] + alpha * (num / den);
  }
  return out;
}

std::vector<double> ntk_update(const std::vector<double>& traces, const std::vector<double>& current, double alpha) {
  if (traces.size() != current.size())
    detail::fail("ntk_update: ", traces.size(), " traces for ", current.size(), " weights (expected one per term)");
  double total = 0;
  for (double t : traces) total += t;
  std::vector<double> out = current;
  for (std::size_t i = 0; i < traces.size(); ++i)
    if (traces[i] > 0 && std::isfinite(traces[i]) && std::isfinite(total))
      out[i] = (1 - alpha) * current[i] + alpha * (total / traces[i]);
  return out;
}

double ntk_trace(const torch::Tensor& values, const std::vector<torch::Tensor>& params, std::int64_t samples) {
  const auto v = values.reshape(-1);
  const std::int64_t n = v.size(0);
  if (n == 0 || samples < 1 || !v.requires_grad()) return 0.0;
  const std::int64_t m = std::min(samples, n);
  double sum = 0;
  for (std::int64_t s = 0; s < m; ++s) {
    const std::int64_t j = s * n / m;  // evenly spaced, deterministic
    auto g = torch::autograd::grad({v[j]}, params, {}, /*retain_graph=*/true, /*create_graph=*/false,
                                   /*allow_unused=*/true);
    for (const auto& gp : g)
      if (gp.defined()) sum += gp.to(torch::kFloat64).square().sum().item<double>();
  }
  return sum / m;
}

torch::Tensor causal_weights(const torch::Tensor& window_losses, double eps) {
  const auto L = window_losses.detach();
  // Exclusive cumulative sum: the losses of the earlier windows.
  const auto before = torch::cumsum(L, 0) - L;
  return torch::exp(-eps * before);
}

torch::Tensor causal_windows(const torch::Tensor& t, std::int64_t num_windows, double t0, double t1) {
  auto idx = torch::floor((t.detach().reshape(-1).to(torch::kFloat64) - t0) * (num_windows / (t1 - t0)));
  return idx.clamp(0, num_windows - 1).to(torch::kLong);
}

torch::Tensor causal_loss(const torch::Tensor& windows, const torch::Tensor& residual, const data::LossFunction& loss,
                          std::int64_t num_windows, double eps, torch::Tensor* weights) {
  // Rows sorted by window (stable, so the order inside a window is the batch's), then one view per window.
  const auto order = std::get<1>(windows.sort(/*stable=*/true, 0, false));
  const auto sorted = residual.index_select(0, order.to(residual.device()));
  const auto counts = torch::bincount(windows, {}, num_windows).to(torch::kCPU);
  const auto* c = counts.data_ptr<std::int64_t>();
  std::vector<torch::Tensor> L;
  std::int64_t at = 0;
  for (std::int64_t i = 0; i < num_windows; ++i) {
    L.push_back(c[i] > 0 ? loss(torch::Tensor(), sorted.narrow(0, at, c[i])).reshape({})
                         : torch::zeros({}, residual.options()));
    at += c[i];
  }
  const auto Ls = torch::stack(L);
  const auto w = causal_weights(Ls, eps);
  if (weights) *weights = w;
  return (w * Ls).sum() / static_cast<double>(num_windows);
}

torch::Tensor causal_mean_loss(const torch::Tensor& windows, const torch::Tensor& elementwise, std::int64_t num_windows,
                               double eps, torch::Tensor* weights) {
  const auto rows = elementwise.reshape({elementwise.size(0), -1});
  const auto w_at = windows.to(rows.device());
  const auto sums = torch::zeros({num_windows}, rows.options()).index_add(0, w_at, rows.sum(1));
  const auto counts = torch::bincount(w_at, {}, num_windows).to(rows.scalar_type()) * rows.size(1);
  const auto Ls = sums / counts.clamp_min(1);
  const auto w = causal_weights(Ls, eps);
  if (weights) *weights = w;
  return (w * Ls).sum() / static_cast<double>(num_windows);
}

}  // namespace pinnxde::weighting
