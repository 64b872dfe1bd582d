#pragma once
// Private to libpinnxde_core: learning-rate schedules (schedules.cpp), resolved once at compile().
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "pinnxde/model.hpp"

namespace pinnxde::detail {

/// The learning-rate factor after `step` optimizer steps since compile(): lr(step) = lr * factor(step).
/// Empty for a constant learning rate.
using Schedule = std::function<double(std::int64_t step)>;

/// Validates `decay` for `optimizer` (lbfgs: whether it is L-BFGS, which takes no decay; messages name
/// Model::compile) and returns its factor function, so the training loop calls it without looking at the
/// decay's name again.
Schedule make_schedule(const std::optional<Decay>& decay, const std::string& optimizer, bool lbfgs);

}  // namespace pinnxde::detail
