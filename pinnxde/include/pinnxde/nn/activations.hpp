#pragma once
// Activation functions by DeepXDE's names. Port of deepxde.nn.activations.
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

namespace pinnxde::nn {

using Activation = std::function<torch::Tensor(const torch::Tensor&)>;

/// "tanh", "sin", "relu", "sigmoid", "silu" (= "swish"), "gelu", "elu", "selu", "linear".
/// Unknown names throw ValueError listing the valid ones.
Activation get_activation(const std::string& name);
/// The valid activation names.
const std::vector<std::string>& activation_names();

}  // namespace pinnxde::nn
