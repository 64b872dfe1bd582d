#pragma once
// Optimizer settings. Port of deepxde.optimizers.config. And pinnxde's L-BFGS as a LibTorch optimizer.
#include <torch/optim/adam.h>
#include <torch/optim/lbfgs.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pinnxde::optimizers {

/// L-BFGS settings with DeepXDE's defaults (scipy's names). pinnxde's L-BFGS runs LibTorch's L-BFGS
/// algorithm (optimizers::LBFGS below) with a strong Wolfe line search in chunks of display_every
/// iterations and, unlike DeepXDE, restarts it with a fresh curvature history when it stops on a failed
/// line search while the loss is still falling, so it does not quit after a handful of iterations in float32.
struct LBFGSOptions {
  int maxcor = 100;                   // history size
  double ftol = 0.0;                  // stop when the loss changes less than this (relative)
  double gtol = 1e-8;                 // stop when max |gradient| <= gtol
  std::int64_t maxiter = 15000;       // iterations
  std::optional<std::int64_t> maxfun; // function evaluations (default maxiter * 1.25)
  int maxls = 50;                     // line-search evaluations per iteration (LibTorch fixes 25)
  // In float32, L-BFGS often stops long before a minimum: the loss's round-off (~1e-7 relative) defeats the
  // line search, and a restart with fresh history makes no progress. With float64_on_stall, a float32 run
  // that stalls so switches the model to float64 (config::set_default_float("float64"): parameters,
  // Variables, points, and everything made afterwards) from its best state and spends the rest of its budget
  // there. Off by default (DeepXDE stops): the switch is global and later tensors follow it.
  bool float64_on_stall = false;
};

/// Sets the options every later compile("L-BFGS") uses.
void set_LBFGS_options(const LBFGSOptions& options);
const LBFGSOptions& LBFGS_options();

/// LibTorch's L-BFGS, faster: a drop-in for torch::optim::LBFGS in a training loop of your own (what
/// compile("L-BFGS") runs). The same algorithm, options and state (LBFGSParamState, so archives written by
/// either load into either), with line_search_fn "strong_wolfe" (PyTorch's c1 = 1e-4, c2 = 0.9, 25
/// evaluations) or none; the two-loop recursion and the vector reductions call BLAS on the flat vectors
/// instead of issuing some 1,000 tensor operations an iteration at a history of 100, which cost as much as
/// the whole step of a small problem (docs/performance.md). Iterates and evaluations match LibTorch's.
class LBFGS : public torch::optim::LBFGS {
 public:
  using torch::optim::LBFGS::LBFGS;
  torch::Tensor step(LossClosure closure) override;
  /// Whether the last step() ended on L-BFGS' own tests (a gradient within tolerance_grad, no descent
  /// direction, a step or loss change within tolerance_change) rather than on max_iter or max_eval. An
  /// iteration that stalls still counts as one, so a step() of max_iter = 1 cannot tell by its count.
  bool stopped_on_its_own() const { return stopped_on_its_own_; }

 private:
  bool stopped_on_its_own_ = false;
};

/// LibTorch's Adam, faster: a drop-in for torch::optim::Adam in a training loop of your own. The same
/// algorithm, options and state (AdamParamState, so archives written by either load into either). A
/// parameter of at most 65,536 elements whose tensors (value, gradient, moments) are contiguous CPU float or
/// double is updated in one fused loop instead of LibTorch's eight tensor operations and their scalar
/// wrappers, which cost ~100 us a step for a small network, as much as a small problem's network pass
/// (docs/performance.md); larger ones, and tensors on other devices, take LibTorch's operations. Iterates
/// match LibTorch's to round-off. compile("adam") still runs LibTorch's Adam: with this one, two gallery
/// examples (function_regression, lorenz_inverse) ended outside their bounds from the round-off difference
/// alone (docs/performance.md), so those results depend on Adam's arithmetic until that is understood.
class Adam : public torch::optim::Adam {
 public:
  using torch::optim::Adam::Adam;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

/// Names compile() accepts.
const std::vector<std::string>& optimizer_names();

}  // namespace pinnxde::optimizers
