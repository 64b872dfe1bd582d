#pragma once
// Global settings. Port of deepxde.config.
//
//   pinnxde::config::set_default_float("float64");   // parameters, points AND Variables in float64
//   pinnxde::config::set_random_seed(1234);          // one seed for sampling, init and shuffling
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace pinnxde::config {

/// "float32" (default) or "float64". Applies to every network, Variable and training tensor created or
/// compiled afterwards; Model::compile also converts an existing network and its Variables.
void set_default_float(const std::string& value);
/// The current floating dtype (torch::kFloat32 or torch::kFloat64).
torch::Dtype real();
/// "float32" or "float64".
std::string default_float();

/// Seeds LibTorch's generator and the geometry sampler's generator; same seed => same bits.
void set_random_seed(std::uint64_t seed);
/// The last seed set, if any.
std::optional<std::uint64_t> random_seed();

/// Device for networks and training tensors: torch::kCPU (default) or CUDA when available.
torch::Device device();
void set_device(const torch::Device& device);

/// Tensor options (dtype + device) that training tensors are created with.
torch::TensorOptions options();

}  // namespace pinnxde::config
