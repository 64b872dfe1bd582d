#pragma once
// Trainable scalar for inverse problems. Port of deepxde.Variable.
//
//   auto k = dde::Variable(1.0);                    // unknown coefficient, initial guess 1
//   ... use k inside the PDE residual (capture it by value: it shares its storage) ...
//   model.compile("adam", {.lr = 1e-3, .external_trainable_variables = {k}});
//   k.item<double>();                               // the recovered value
#include <torch/types.h>

#include <optional>

namespace pinnxde {

/// A 0-dim tensor with requires_grad, in config::real() unless dtype is given. Model::compile converts it
/// in place to the configured float type, so a Variable made before set_default_float("float64") follows.
/// Throws ValueError for a NaN or infinite value.
torch::Tensor Variable(double value, std::optional<torch::Dtype> dtype = std::nullopt);

}  // namespace pinnxde
