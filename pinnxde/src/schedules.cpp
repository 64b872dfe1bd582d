#include "schedules.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "pinnxde/error.hpp"

namespace pinnxde::detail {

Schedule make_schedule(const std::optional<Decay>& decay, const std::string& optimizer, bool lbfgs) {
  if (!decay) return {};
  const Decay& d = *decay;
  static const std::vector<std::string> decays{"inverse time", "step", "cosine", "exponential", "lambda"};
  if (std::find(decays.begin(), decays.end(), d.name) == decays.end())
    fail("Model::compile: unknown decay '", d.name, "'; valid: ", join(decays));
  if (lbfgs) fail("Model::compile: decay is for first-order optimizers, not '", optimizer, "'");
  if ((d.name == "inverse time" || d.name == "step" || d.name == "cosine") && !(d.a > 0))
    fail("Model::compile: decay '", d.name, "' needs a first value (steps) > 0, got ", d.a);
  if ((d.name == "step" || d.name == "exponential") && !((d.name == "step" ? d.b : d.a) > 0))
    fail("Model::compile: decay '", d.name, "' needs gamma > 0");
  if (d.name == "lambda" && !d.factor) fail("Model::compile: decay 'lambda' needs a factor function");
  const double a = d.a, b = d.b;
  if (d.name == "inverse time")
    return [a, b](std::int64_t step) { return 1 / (1 + b * static_cast<double>(step) / a); };
  if (d.name == "step")
    return [a, b](std::int64_t step) { return std::pow(b, std::floor(static_cast<double>(step) / a)); };
  if (d.name == "cosine")
    return [a, b](std::int64_t step) {
      return b + (1 - b) * 0.5 * (1 + std::cos(M_PI * std::min(static_cast<double>(step), a) / a));
    };
  if (d.name == "exponential") return [a](std::int64_t step) { return std::pow(a, static_cast<double>(step)); };
  return d.factor;  // "lambda"
}

}  // namespace pinnxde::detail
