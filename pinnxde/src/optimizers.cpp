#include "pinnxde/optimizers.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <iostream>

#include "optimizers_detail.hpp"
#include "pinnxde/error.hpp"

namespace pinnxde::optimizers {
namespace {
LBFGSOptions g_lbfgs;
}  // namespace

void set_LBFGS_options(const LBFGSOptions& o) {
  if (o.maxcor < 1) pinnxde::detail::fail("set_LBFGS_options: maxcor = ", o.maxcor, " (expected >= 1)");
  if (o.ftol < 0) pinnxde::detail::fail("set_LBFGS_options: ftol = ", o.ftol, " (expected >= 0)");
  if (o.gtol < 0) pinnxde::detail::fail("set_LBFGS_options: gtol = ", o.gtol, " (expected >= 0)");
  if (o.maxiter < 0) pinnxde::detail::fail("set_LBFGS_options: maxiter = ", o.maxiter, " (expected >= 0)");
  if (o.maxfun && *o.maxfun < 1)
    pinnxde::detail::fail("set_LBFGS_options: maxfun = ", *o.maxfun, " (expected >= 1)");
  if (o.maxls < 1) pinnxde::detail::fail("set_LBFGS_options: maxls = ", o.maxls, " (expected >= 1)");
  if (o.maxls != LBFGSOptions{}.maxls && o.maxls != g_lbfgs.maxls)
    std::cerr << "pinnxde: set_LBFGS_options: maxls = " << o.maxls
              << " has no effect: LibTorch's strong Wolfe line search always allows 25 evaluations\n";
  g_lbfgs = o;
}

const LBFGSOptions& LBFGS_options() { return g_lbfgs; }

const std::vector<std::string>& optimizer_names() {
  static const std::vector<std::string> names{"adam", "sgd", "rmsprop", "adamw", "L-BFGS", "L-BFGS-B"};
  return names;
}

namespace detail {

bool is_lbfgs(const std::string& name) { return name == "L-BFGS" || name == "L-BFGS-B"; }

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::string& name,
                                                        const std::vector<torch::Tensor>& params, double lr) {
  if (name == "adam") return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(lr));
  if (name == "adamw") return std::make_unique<torch::optim::AdamW>(params, torch::optim::AdamWOptions(lr));
  if (name == "sgd") return std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(lr));
  if (name == "rmsprop") return std::make_unique<torch::optim::RMSprop>(params, torch::optim::RMSpropOptions(lr));
  if (is_lbfgs(name)) return nullptr;
  pinnxde::detail::fail("optimizers: unknown optimizer '", name, "'; valid: ",
                        pinnxde::detail::join(optimizer_names()));
}

std::unique_ptr<torch::optim::Optimizer> make_lbfgs(const std::vector<torch::Tensor>& params, std::int64_t max_iter,
                                                    std::int64_t max_eval) {
  const auto& lo = LBFGS_options();
  auto opts = torch::optim::LBFGSOptions(1.0)
                  .max_iter(max_iter)
                  .max_eval(std::max<std::int64_t>(1, max_eval))
                  .tolerance_grad(lo.gtol)
                  .tolerance_change(lo.ftol)
                  .history_size(lo.maxcor)
                  .line_search_fn("strong_wolfe");
  return std::make_unique<torch::optim::LBFGS>(params, opts);
}

void lbfgs_begin(LbfgsRun& run, std::optional<std::int64_t> iterations) {
  if (!(run.active && !iterations)) {  // not a run restored from a checkpoint: a new budget
    const auto& lo = LBFGS_options();
    run = LbfgsRun{};
    run.maxiter = iterations.value_or(lo.maxiter);
    run.maxfun = lo.maxfun.value_or(run.maxiter + run.maxiter / 4);
  }
  run.active = true;
}

bool lbfgs_has_budget(const LbfgsRun& run) { return run.done < run.maxiter && run.evals < run.maxfun; }

LbfgsChunk lbfgs_chunk(LbfgsRun& run, std::unique_ptr<torch::optim::Optimizer>& optimizer,
                       const std::vector<torch::Tensor>& params, std::int64_t max_iterations,
                       const std::function<double(std::int64_t)>& closure) {
  if (!optimizer) {
    optimizer = make_lbfgs(params, max_iterations, run.maxfun - run.evals);
  } else {
    auto& g = static_cast<torch::optim::LBFGSOptions&>(optimizer->param_groups()[0].options());
    g.max_iter(max_iterations).max_eval(std::max<std::int64_t>(1, run.maxfun - run.evals));
  }
  auto* opt = static_cast<torch::optim::LBFGS*>(optimizer.get());
  // LibTorch keeps L-BFGS' iteration count in the state of the first parameter.
  const std::string key = c10::guts::to_string(params.front().unsafeGetTensorImpl());
  const auto& state_map = opt->state();
  auto n_iter = [&]() -> std::int64_t {
    auto it = state_map.find(key);
    return it == state_map.end() ? 0 : static_cast<torch::optim::LBFGSParamState&>(*it->second).n_iter();
  };
  const std::int64_t before = n_iter();
  LbfgsChunk chunk;
  opt->step([&] {
    ++chunk.evaluations;
    auto loss = torch::tensor(closure(n_iter() - before), torch::kFloat64);
    // LibTorch's L-BFGS flattens the gradients with view(-1); autograd may leave a parameter's gradient
    // non-contiguous (a transposed or sliced backward, e.g. through the derivative paths of a transform).
    for (const auto& p : params)
      if (p.grad().defined() && !p.grad().is_contiguous()) p.mutable_grad() = p.grad().contiguous();
    return loss;
  });
  chunk.iterations = n_iter() - before;
  run.done += chunk.iterations;
  run.evals += chunk.evaluations;
  // A chunk may use the whole remaining evaluation budget (maxfun), so that it ends by its iteration count
  // and not because its line searches were expensive; fewer iterations than asked means L-BFGS stopped on
  // its own, or maxfun is spent (lbfgs_has_budget ends that).
  chunk.stopped_early = chunk.iterations < max_iterations && run.evals < run.maxfun;
  return chunk;
}

LbfgsVerdict lbfgs_after_early_stop(LbfgsRun& run, const std::vector<torch::Tensor>& params, double best_loss) {
  // LibTorch's L-BFGS stopped on its own: a tiny gradient (true convergence) or a line search that found no
  // decrease. The second happens in float32 long before the minimum; DeepXDE stops there. pinnxde restarts
  // with a fresh curvature history while restarts still lower the loss.
  double gmax = 0;
  for (const auto& p : params)
    if (p.grad().defined()) gmax = std::max(gmax, p.grad().abs().max().item<double>());
  if (gmax <= LBFGS_options().gtol)
    return {true, false, "L-BFGS converged: max |gradient| = " + std::to_string(gmax) + " <= gtol"};
  if (!(best_loss < run.restart_loss * (1 - 1e-7)))
    return {true, true, "L-BFGS converged: a restart with fresh history made no progress"};
  run.restart_loss = best_loss;
  return {false, false, {}};
}

}  // namespace detail
}  // namespace pinnxde::optimizers
