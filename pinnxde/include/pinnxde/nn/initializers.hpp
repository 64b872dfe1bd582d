#pragma once
// Weight initializers by DeepXDE's names. Port of deepxde.nn.initializers.
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

namespace pinnxde::nn {

/// Fills a weight tensor in place.
using Initializer = std::function<void(torch::Tensor&)>;

/// "Glorot normal", "Glorot uniform", "He normal", "He uniform", "LeCun normal", "LeCun uniform", "zeros".
/// Unknown names throw ValueError listing the valid ones.
Initializer get_initializer(const std::string& name);
const std::vector<std::string>& initializer_names();

}  // namespace pinnxde::nn
