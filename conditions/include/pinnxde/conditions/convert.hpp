#pragma once
// Conversions between geometry's float64 Eigen points and LibTorch tensors.
#include <torch/types.h>

#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde {

/// (N, dim) Eigen points -> (N, dim) tensor with the given dtype/device (a copy).
torch::Tensor to_tensor(const geometry::Points& x, const torch::TensorOptions& options);
/// (N, dim) or (N,) tensor -> float64 Eigen points (a copy, detached, on the CPU).
geometry::Points to_points(const torch::Tensor& x);

}  // namespace pinnxde
