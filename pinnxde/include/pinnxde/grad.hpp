#pragma once
// Derivatives of network outputs with respect to inputs. Port of deepxde.grad.
//
// Lazy and cached: the first jacobian(y, x, i, ...) computes row i of dy/dx once by reverse-mode autograd
// (create_graph, so it can be differentiated again) and every later jacobian/hessian that needs it reuses
// it. Model clears the cache every step; call clear() yourself when you use these outside Model.
//
//   auto dy_t  = pinnxde::grad::jacobian(y, x, 0, 1);   // dy_0/dx_1      (N, 1)
//   auto dy_xx = pinnxde::grad::hessian(y, x, 0, 0);    // d2y/dx_0dx_0   (N, 1), y with one column
//   auto d2    = pinnxde::grad::hessian(y, x, 1, 0, 0); // d2y_1/dx_0^2   (N, 1), y with several columns
#include <torch/types.h>

#include <cstdint>
#include <optional>

namespace pinnxde::grad {

/// dy_i/dx_j, (N, 1); with j = nullopt the whole row i, (N, dim_x).
/// ys: (N, dim_y) computed from xs; xs: (N, dim_x) with requires_grad.
torch::Tensor jacobian(const torch::Tensor& ys, const torch::Tensor& xs, std::int64_t i = 0,
                       std::optional<std::int64_t> j = std::nullopt);

/// d2 y_component / dx_i dx_j, (N, 1). component may be omitted when ys has one column.
torch::Tensor hessian(const torch::Tensor& ys, const torch::Tensor& xs, std::int64_t i, std::int64_t j);
torch::Tensor hessian(const torch::Tensor& ys, const torch::Tensor& xs, std::int64_t component, std::int64_t i,
                      std::int64_t j);

/// Drops every cached derivative (and the graphs they keep alive).
void clear();

}  // namespace pinnxde::grad
