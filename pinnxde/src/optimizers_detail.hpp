#pragma once
// Private to libpinnxde_core: the optimizer factory and the L-BFGS chunk/restart driver (optimizers.cpp).
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pinnxde::optimizers::detail {

bool is_lbfgs(const std::string& name);

/// The first-order optimizer `name` ("adam", "adamw", "sgd", "rmsprop") over params; nullptr for L-BFGS,
/// which the driver builds on first use (and keeps, curvature history and all).
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::string& name,
                                                        const std::vector<torch::Tensor>& params, double lr);

/// LibTorch's L-BFGS with set_LBFGS_options' tolerances and memory; max_iter / max_eval are set per chunk.
std::unique_ptr<torch::optim::Optimizer> make_lbfgs(const std::vector<torch::Tensor>& params, std::int64_t max_iter,
                                                    std::int64_t max_eval);

/// One L-BFGS run's budget and restart bookkeeping. A checkpoint taken during the run carries it, and
/// restore() makes it active again: the next train() without .iterations then continues it, so that
/// restore + train ends where the uninterrupted run ends; otherwise every train() starts a new budget.
struct LbfgsRun {
  bool active = false;
  std::int64_t maxiter = 0, maxfun = 0, done = 0, evals = 0;
  double restart_loss = std::numeric_limits<double>::infinity();
};

/// Starts a new budget (iterations or LBFGS_options().maxiter) unless `run` is a restored, active run and
/// no iteration count is given; marks the run active.
void lbfgs_begin(LbfgsRun& run, std::optional<std::int64_t> iterations);
/// Iterations and evaluations are left.
bool lbfgs_has_budget(const LbfgsRun& run);

struct LbfgsChunk {
  std::int64_t iterations = 0;   // L-BFGS iterations this chunk did
  std::int64_t evaluations = 0;  // closure calls
  bool stopped_early = false;    // fewer iterations than asked with evaluations left: L-BFGS stopped itself
};
/// Runs at most max_iterations L-BFGS iterations (and the run's remaining evaluations) on `optimizer`,
/// building it when null. closure(k) returns the loss at the current parameters after setting their
/// gradients; k is the number of iterations this chunk has completed so far. Updates run.done and
/// run.evals, also when the closure throws (the exception then propagates).
LbfgsChunk lbfgs_chunk(LbfgsRun& run, std::unique_ptr<torch::optim::Optimizer>& optimizer,
                       const std::vector<torch::Tensor>& params, std::int64_t max_iterations,
                       const std::function<double(std::int64_t)>& closure);

/// After a chunk that stopped early: converged (a tiny gradient, or a restart with fresh history that did
/// not lower best_loss), or restart (the caller goes back to the best state and drops the optimizer; the
/// run remembers best_loss to judge the next restart).
struct LbfgsVerdict {
  bool converged = false;
  bool stalled = false;  // converged because a restart made no progress (round-off, not a small gradient)
  std::string message;
};
LbfgsVerdict lbfgs_after_early_stop(LbfgsRun& run, const std::vector<torch::Tensor>& params, double best_loss);

}  // namespace pinnxde::optimizers::detail
