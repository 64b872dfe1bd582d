#pragma once
// Derivatives of network outputs with respect to inputs. Port of deepxde.grad.
//
// Lazy and cached: the first jacobian(y, x, i, ...) computes row i of dy/dx once and every later
// jacobian/hessian that needs it reuses it. The cache belongs to a grad::Scope (grad/engine.hpp): Model
// opens one around every evaluation of the losses, so its derivatives live exactly as long as that step.
// Outside any scope (your own code, tests) a per-thread cache is used; call clear() to empty it.
//
// Who computes a derivative is the scope's business, not the caller's: reverse mode (autograd with
// create_graph, always available), or the forward engine, which propagates exactly the derivatives a
// residual asks for through the network in one sweep and hands them out here (see docs/performance.md).
//
//   auto dy_t  = pinnxde::grad::jacobian(y, x, 0, 1);   // dy_0/dx_1      (N, 1)
//   auto dy_xx = pinnxde::grad::hessian(y, x, 0, 0);    // d2y/dx_0dx_0   (N, 1), y with one column
//   auto d2    = pinnxde::grad::hessian(y, x, 1, 0, 0); // d2y_1/dx_0^2   (N, 1), y with several columns
//   auto d2xx  = pinnxde::grad::hessian(y, x);          // DeepXDE's defaults: component 0, i = j = 0
#include <torch/types.h>

#include <cstdint>
#include <optional>

namespace pinnxde::grad {

/// dy_i/dx_j, (N, 1); with j = nullopt the whole row i, (N, dim_x).
/// ys: (N, dim_y) computed from xs; xs: (N, dim_x) with requires_grad.
torch::Tensor jacobian(const torch::Tensor& ys, const torch::Tensor& xs, std::int64_t i = 0,
                       std::optional<std::int64_t> j = std::nullopt);

/// d2 y_component / dx_i dx_j, (N, 1). component may be omitted when ys has one column; with i and j
/// omitted too, DeepXDE's defaults component = i = j = 0.
torch::Tensor hessian(const torch::Tensor& ys, const torch::Tensor& xs);
torch::Tensor hessian(const torch::Tensor& ys, const torch::Tensor& xs, std::int64_t i, std::int64_t j);
torch::Tensor hessian(const torch::Tensor& ys, const torch::Tensor& xs, std::int64_t component, std::int64_t i,
                      std::int64_t j);

/// Drops every derivative cached outside a Scope (and the graphs they keep alive). Inside a Scope it
/// empties that scope's cache.
void clear();

}  // namespace pinnxde::grad
