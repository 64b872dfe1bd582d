#include "pinnxde/variable.hpp"

#include <torch/types.h>

#include <cmath>

#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"

namespace pinnxde {

torch::Tensor Variable(double value, std::optional<torch::Dtype> dtype) {
  // A NaN/inf initial guess would only surface later as a NonFinite stop at step 0.
  if (!std::isfinite(value)) detail::fail("Variable: value = ", value, " (expected a finite initial guess)");
  const auto dt = dtype.value_or(config::real());
  if (!c10::isFloatingType(dt))
    detail::fail("Variable: dtype = ", c10::toString(dt), " (expected a floating type: Float or Double)");
  return torch::full({}, value, torch::TensorOptions().dtype(dt).device(config::device())).requires_grad_(true);
}

}  // namespace pinnxde
