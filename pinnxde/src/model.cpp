#include "pinnxde/model.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "pinnxde/conditions/convert.hpp"
#include "pinnxde/config.hpp"
#include "pinnxde/geometry/random.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/grad.hpp"
#include "pinnxde/metrics.hpp"
#include "pinnxde/nn/fnn.hpp"
#include "pinnxde/optimizers.hpp"
#include "pinnxde/runtime.hpp"
#include "pinnxde/variable.hpp"

namespace pinnxde {
namespace {

std::string format_list(const std::vector<double>& v) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << std::scientific << std::setprecision(2) << v[i];
  os << "]";
  return os.str();
}

// Thrown from inside an optimizer step when the loss is NaN/Inf, so that L-BFGS' line search stops too.
struct NonFiniteLoss {
  double value;
};

bool is_lbfgs(const std::string& name) { return name == "L-BFGS" || name == "L-BFGS-B"; }

// LibTorch's L-BFGS with set_LBFGS_options' tolerances and memory; max_iter / max_eval are set per chunk.
std::unique_ptr<torch::optim::LBFGS> make_lbfgs(const std::vector<torch::Tensor>& params, std::int64_t max_iter,
                                                std::int64_t max_eval) {
  const auto& lo = optimizers::LBFGS_options();
  auto opts = torch::optim::LBFGSOptions(1.0)
                  .max_iter(max_iter)
                  .max_eval(std::max<std::int64_t>(1, max_eval))
                  .tolerance_grad(lo.gtol)
                  .tolerance_change(lo.ftol)
                  .history_size(lo.maxcor)
                  .line_search_fn("strong_wolfe");
  return std::make_unique<torch::optim::LBFGS>(params, opts);
}

optimizers::LBFGSOptions g_lbfgs;

}  // namespace

// ---------------------------------------------------------------- Variable, optimizer settings

torch::Tensor Variable(double value, std::optional<torch::Dtype> dtype) {
  const auto dt = dtype.value_or(config::real());
  if (!c10::isFloatingType(dt))
    detail::fail("Variable: dtype = ", c10::toString(dt), " (expected a floating type: Float or Double)");
  return torch::full({}, value, torch::TensorOptions().dtype(dt).device(config::device())).requires_grad_(true);
}

namespace optimizers {
void set_LBFGS_options(const LBFGSOptions& o) {
  if (o.maxcor < 1) detail::fail("set_LBFGS_options: maxcor = ", o.maxcor, " (expected >= 1)");
  if (o.ftol < 0) detail::fail("set_LBFGS_options: ftol = ", o.ftol, " (expected >= 0)");
  if (o.gtol < 0) detail::fail("set_LBFGS_options: gtol = ", o.gtol, " (expected >= 0)");
  if (o.maxiter < 0) detail::fail("set_LBFGS_options: maxiter = ", o.maxiter, " (expected >= 0)");
  if (o.maxfun && *o.maxfun < 1) detail::fail("set_LBFGS_options: maxfun = ", *o.maxfun, " (expected >= 1)");
  if (o.maxls < 1) detail::fail("set_LBFGS_options: maxls = ", o.maxls, " (expected >= 1)");
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
}  // namespace optimizers

// ---------------------------------------------------------------- Model

Model::Model(data::Data& data, std::shared_ptr<nn::NNImpl> net) : data_(data), net_(std::move(net)) {
  runtime::initialize();  // may re-execute the program (OpenBLAS core type): before anything else
  if (!net_) detail::fail("Model: net is null");
  runtime::print_banner_once();
}

void Model::compile(const std::string& optimizer, CompileOptions options) {
  const auto& names = optimizers::optimizer_names();
  if (std::find(names.begin(), names.end(), optimizer) == names.end())
    detail::fail("Model::compile: unknown optimizer '", optimizer, "'; valid: ", detail::join(names));
  if (!(options.lr > 0) || !std::isfinite(options.lr))
    detail::fail("Model::compile: lr = ", options.lr, " (expected a finite number > 0)");
  if (!net_->has_feature_transform() && net_->input_dim() != data_.input_dim()) {
    if (dynamic_cast<nn::FNNImpl*>(net_.get()))
      detail::fail("FNN: layer_sizes[0] = ", net_->input_dim(), " but the geometry has dimension ",
                   data_.input_dim());
    detail::fail("Model::compile: the network takes ", net_->input_dim(), " inputs but the geometry has dimension ",
                 data_.input_dim());
  }
  const auto& bcs = data_.bcs();
  for (std::size_t k = 0; k < bcs.size(); ++k)
    if (bcs[k]->component() >= net_->output_dim())
      detail::fail(bcs[k]->name(), ": component = ", bcs[k]->component(), " out of range for a network with ",
                   net_->output_dim(), " outputs (expected 0 <= component < ", net_->output_dim(), ")");
  for (double w : options.loss_weights)
    if (!std::isfinite(w) || w < 0) detail::fail("Model::compile: loss_weights has ", w, " (expected finite >= 0)");
  for (const auto& m : options.metrics) metrics::get(m);  // validates the name
  if (options.decay) {
    const auto& d = *options.decay;
    static const std::vector<std::string> decays{"inverse time", "step", "cosine", "exponential", "lambda"};
    if (std::find(decays.begin(), decays.end(), d.name) == decays.end())
      detail::fail("Model::compile: unknown decay '", d.name, "'; valid: ", detail::join(decays));
    if (is_lbfgs(optimizer)) detail::fail("Model::compile: decay is for first-order optimizers, not '", optimizer, "'");
    if ((d.name == "inverse time" || d.name == "step" || d.name == "cosine") && !(d.a > 0))
      detail::fail("Model::compile: decay '", d.name, "' needs a first value (steps) > 0, got ", d.a);
    if ((d.name == "step" || d.name == "exponential") && !((d.name == "step" ? d.b : d.a) > 0))
      detail::fail("Model::compile: decay '", d.name, "' needs gamma > 0");
    if (d.name == "lambda" && !d.factor) detail::fail("Model::compile: decay 'lambda' needs a factor function");
  }
  if (options.loss.names.empty()) detail::fail("Model::compile: loss is an empty list (expected one name or one per term)");
  loss_fns_.clear();
  for (const auto& name : options.loss.names) loss_fns_.push_back(losses::get(name));

  // One float type everywhere: network parameters and the inverse problem's Variables.
  net_->to(config::device(), config::real());
  for (std::size_t i = 0; i < options.external_trainable_variables.size(); ++i) {
    auto& v = options.external_trainable_variables[i];
    if (!v.defined()) detail::fail("Model::compile: external_trainable_variables[", i, "] is undefined");
    if (!c10::isFloatingType(v.scalar_type()))
      detail::fail("Model::compile: external_trainable_variables[", i, "] has dtype ",
                   c10::toString(v.scalar_type()), " (expected a floating Variable, e.g. dde::Variable(1.0))");
    if (!v.requires_grad())
      detail::fail("Model::compile: external_trainable_variables[", i,
                   "] does not require grad (expected one made by dde::Variable)");
    if (v.scalar_type() != config::real() || v.device() != config::device()) {
      torch::NoGradGuard no_grad;
      v.set_data(v.detach().to(config::device(), config::real()));
    }
  }
  params_ = net_->parameters();
  for (const auto& v : options.external_trainable_variables) params_.push_back(v);
  best_params_.clear();

  std::cout << "Compiling model...\n";
  optimizer_name_ = optimizer;
  optimizer_steps_ = 0;
  lbfgs_run_ = LbfgsRun{};
  copts_ = std::move(options);
  const double lr = copts_.lr;
  if (optimizer == "adam") {
    optimizer_ = std::make_unique<torch::optim::Adam>(params_, torch::optim::AdamOptions(lr));
  } else if (optimizer == "adamw") {
    optimizer_ = std::make_unique<torch::optim::AdamW>(params_, torch::optim::AdamWOptions(lr));
  } else if (optimizer == "sgd") {
    optimizer_ = std::make_unique<torch::optim::SGD>(params_, torch::optim::SGDOptions(lr));
  } else if (optimizer == "rmsprop") {
    optimizer_ = std::make_unique<torch::optim::RMSprop>(params_, torch::optim::RMSpropOptions(lr));
  } else {
    optimizer_.reset();  // L-BFGS is built by train_lbfgs (or restore) and kept, curvature history and all
  }
}

Model::Evaluation Model::evaluate(const data::Batch& batch) {
  Evaluation ev;
  auto dev = data_.evaluate([this](const torch::Tensor& x) { return net_->forward(x); }, batch, loss_fns_);
  ev.outputs = std::move(dev.outputs);
  ev.terms = std::move(dev.terms);
  if (loss_fns_.size() > 1 && loss_fns_.size() != ev.terms.size())
    detail::fail("Model::compile: loss has ", loss_fns_.size(), " entries for ", ev.terms.size(),
                 " loss terms (expected one name, or one per term)");
  const auto& w = copts_.loss_weights;
  if (!w.empty() && w.size() != ev.terms.size())
    detail::fail("Model::compile: loss_weights has ", w.size(), " entries for ", ev.terms.size(),
                 " loss terms (expected one weight per term)");
  for (std::size_t k = 0; k < ev.terms.size(); ++k) {
    auto term = w.empty() ? ev.terms[k] : ev.terms[k] * w[k];
    ev.total = ev.total.defined() ? ev.total + term : term;
  }
  return ev;
}

void Model::snapshot_if_best(double loss) {
  if (!(loss < state_.best_loss_train)) return;
  torch::NoGradGuard no_grad;
  if (best_params_.size() != params_.size()) {
    best_params_.clear();
    for (const auto& p : params_) best_params_.push_back(p.detach().clone());
  } else {
    for (std::size_t i = 0; i < params_.size(); ++i) best_params_[i].copy_(params_[i].detach());
  }
  state_.best_loss_train = loss;
  state_.best_step = state_.step + steps_in_flight_;
}

void Model::restore_best() {
  if (best_params_.size() != params_.size()) return;
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < params_.size(); ++i) params_[i].copy_(best_params_[i]);
  state_.restored_best = true;
}

const data::Batch& Model::next_minibatch() {
  const auto& full = data_.train_batch();
  const std::int64_t nb = full.bcs_start.back(), n = full.x.size(0) - nb;
  if (!perm_.defined() || perm_.size(0) != n || perm_pos_ + batch_size_ > n) {
    perm_ = torch::randperm(n, torch::kLong);  // a new epoch: the torch generator, so seeded and checkpointed
    perm_pos_ = 0;
    epoch_rows_ = torch::Tensor();
  }
  if (!epoch_rows_.defined() || epoch_rows_.size(1) != nb + batch_size_ || epoch_rows_.device() != full.x.device()) {
    // Once per epoch (or after a restore): every batch's rows, the condition rows then its PDE rows.
    const std::int64_t batches = n / batch_size_;
    epoch_rows_ = torch::cat({torch::arange(nb, torch::kLong).expand({batches, nb}),
                              perm_.narrow(0, 0, batches * batch_size_).view({batches, batch_size_}) + nb},
                             1)
                      .to(full.x.device());
  }
  const auto rows = epoch_rows_[perm_pos_ / batch_size_];
  perm_pos_ += batch_size_;
  minibatch_.x = full.x.detach().index_select(0, rows).requires_grad_(true);
  minibatch_.bcs_start = full.bcs_start;
  minibatch_.prepared = full.prepared;
  minibatch_.y = full.y.defined() ? full.y.index_select(0, rows) : torch::Tensor();
  minibatch_.aux = full.aux.defined() ? full.aux.index_select(0, rows) : torch::Tensor();
  return minibatch_;
}

double Model::train_closure() {
  grad::clear();
  auto ev = evaluate(batch_size_ > 0 ? next_minibatch() : data_.train_batch());
  const double loss = ev.total.item<double>();
  if (!std::isfinite(loss)) {
    grad::clear();
    throw NonFiniteLoss{loss};
  }
  state_.loss_train = loss;
  snapshot_if_best(loss);
  auto grads = torch::autograd::grad({ev.total}, params_, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                     /*allow_unused=*/true);
  for (std::size_t i = 0; i < params_.size(); ++i)
    params_[i].mutable_grad() = grads[i].defined() ? grads[i] : torch::zeros_like(params_[i]);
  grad::clear();
  return loss;
}

std::vector<double> Model::test_metrics(const torch::Tensor& outputs, const data::Batch& batch) const {
  std::vector<double> out;
  if (copts_.metrics.empty()) return out;
  if (!batch.y.defined())
    detail::fail("Model::compile: metrics = [", detail::join(copts_.metrics),
                 "] need a reference solution (give the data object's solution option)");
  for (const auto& m : copts_.metrics) out.push_back(metrics::get(m)(batch.y, outputs.detach()));
  return out;
}

void Model::record(bool print) {
  auto values = [](const std::vector<torch::Tensor>& ts) {
    std::vector<double> v;
    for (const auto& t : ts) v.push_back(t.item<double>());
    return v;
  };
  grad::clear();
  auto train_ev = evaluate(data_.train_batch());
  std::vector<double> train = values(train_ev.terms);
  grad::clear();
  auto test_ev = evaluate(data_.test_batch());
  std::vector<double> test = values(test_ev.terms);
  std::vector<double> mets = test_metrics(test_ev.outputs, data_.test_batch());
  grad::clear();
  history_.steps.push_back(state_.step);
  history_.loss_train.push_back(train);
  history_.loss_test.push_back(test);
  history_.metrics_test.push_back(mets);
  last_terms_ = train;
  if (!print) return;
  if (isatty(STDOUT_FILENO)) std::cout << "\r\033[K";  // clear the live progress line
  if (print_header_) {
    const int w = static_cast<int>(std::max<std::size_t>(train.size() * 10 + 4, 12));
    std::cout << std::left << std::setw(10) << "Step" << std::setw(w) << "Train loss" << std::setw(w) << "Test loss"
              << "Test metric\n";
    print_header_ = false;
  }
  const int w = static_cast<int>(std::max<std::size_t>(train.size() * 10 + 4, 12));
  std::cout << std::left << std::setw(10) << state_.step << std::setw(w) << format_list(train) << std::setw(w)
            << format_list(test) << format_list(mets) << std::endl;
}

void Model::apply_decay() {
  if (!copts_.decay) return;
  const auto& d = *copts_.decay;
  const double t = static_cast<double>(optimizer_steps_);
  double f = 1;
  if (d.name == "inverse time") f = 1 / (1 + d.b * t / d.a);
  else if (d.name == "step") f = std::pow(d.b, std::floor(t / d.a));
  else if (d.name == "cosine") f = d.b + (1 - d.b) * 0.5 * (1 + std::cos(M_PI * std::min(t, d.a) / d.a));
  else if (d.name == "exponential") f = std::pow(d.a, t);
  else if (d.name == "lambda") f = d.factor(optimizer_steps_);
  for (auto& group : optimizer_->param_groups()) group.options().set_lr(copts_.lr * f);
}

double Model::learning_rate() const {
  if (!optimizer_) return is_lbfgs(optimizer_name_) ? 1.0 : 0.0;
  return optimizer_->param_groups().front().options().get_lr();
}

// On a terminal, a live line between table rows: step, loss, steps/s, ETA (at most twice a second).
void Model::progress(const TrainOptions& o, std::int64_t done, std::int64_t total) {
  if (!o.verbose || !isatty(STDOUT_FILENO)) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total && now - last_progress_ < std::chrono::milliseconds(500)) return;
  last_progress_ = now;
  const double secs = std::chrono::duration<double>(now - train_start_).count();
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  std::printf("\r\033[K  step %lld (%lld/%lld)  loss %.3e  %.0f steps/s  ETA %d:%02d", static_cast<long long>(state_.step),
              static_cast<long long>(done), static_cast<long long>(total), state_.loss_train, rate,
              static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
  std::fflush(stdout);
}

void Model::train_first_order(std::int64_t iterations, const TrainOptions& o) {
  for (std::int64_t i = 0; i < iterations && !stop_training; ++i) {
    for_callbacks(o, [](callbacks::Callback* c) { c->on_epoch_begin(); });
    train_closure();
    apply_decay();
    optimizer_->step();
    ++optimizer_steps_;
    ++state_.step;
    for_callbacks(o, [](callbacks::Callback* c) { c->on_epoch_end(); });
    if (state_.step % o.display_every == 0 || i + 1 == iterations || stop_training) record(o.verbose);
    else progress(o, i + 1, iterations);
  }
}

void Model::train_lbfgs(const TrainOptions& o) {
  const auto& lo = optimizers::LBFGS_options();
  auto& run = lbfgs_run_;
  if (!(run.active && !o.iterations)) {  // not a run restored from a checkpoint: a new budget
    run = LbfgsRun{};
    run.maxiter = o.iterations.value_or(lo.maxiter);
    run.maxfun = lo.maxfun.value_or(run.maxiter + run.maxiter / 4);
  }
  run.active = true;
  struct EndRun {  // however train_lbfgs ends (returns, non-finite loss, callback exception)
    LbfgsRun& run;
    ~EndRun() { run.active = false; }
  } end_run{run};
  // The optimizer lives in optimizer_ so that a later train() or a checkpoint continues its history.
  const std::string key = c10::guts::to_string(params_.front().unsafeGetTensorImpl());
  while (run.done < run.maxiter && run.evals < run.maxfun) {
    const std::int64_t chunk =
        std::min<std::int64_t>(o.display_every - state_.step % o.display_every, run.maxiter - run.done);
    if (!optimizer_) {
      optimizer_ = make_lbfgs(params_, chunk, run.maxfun - run.evals);
    } else {
      auto& g = static_cast<torch::optim::LBFGSOptions&>(optimizer_->param_groups()[0].options());
      g.max_iter(chunk).max_eval(std::max<std::int64_t>(1, run.maxfun - run.evals));
    }
    auto* opt = static_cast<torch::optim::LBFGS*>(optimizer_.get());
    const auto& state_map = opt->state();
    auto n_iter = [&]() -> std::int64_t {
      auto it = state_map.find(key);
      return it == state_map.end() ? 0 : static_cast<torch::optim::LBFGSParamState&>(*it->second).n_iter();
    };
    const std::int64_t before = n_iter();
    std::int64_t chunk_evals = 0;
    opt->step([&] {
      ++chunk_evals;
      steps_in_flight_ = n_iter() - before;  // iterations completed so far in this chunk
      return torch::tensor(train_closure(), torch::kFloat64);
    });
    steps_in_flight_ = 0;
    const std::int64_t n = n_iter() - before;
    run.done += n;
    run.evals += chunk_evals;
    state_.step += n;
    // A chunk may use the whole remaining evaluation budget (maxfun), so that it ends by its iteration
    // count and not because its line searches were expensive; fewer iterations than asked means L-BFGS
    // stopped on its own, or maxfun is spent (the loop condition ends that).
    const bool stopped_early = n < chunk && run.evals < run.maxfun;
    if (state_.step % o.display_every == 0 || run.done >= run.maxiter || stopped_early || stop_training)
      record(o.verbose);
    bool finished = false;
    if (stopped_early) {
      // LibTorch's L-BFGS stopped on its own: a tiny gradient (true convergence) or a line search that
      // found no decrease. The second happens in float32 long before the minimum; DeepXDE stops there.
      // We restart with a fresh curvature history while restarts still lower the loss.
      double gmax = 0;
      for (const auto& p : params_)
        if (p.grad().defined()) gmax = std::max(gmax, p.grad().abs().max().item<double>());
      const double current = state_.best_loss_train;
      if (gmax <= lo.gtol) {
        state_.stop_reason = StopReason::Converged;
        state_.message = "L-BFGS converged: max |gradient| = " + std::to_string(gmax) + " <= gtol";
        finished = true;
      } else if (!(current < run.restart_loss * (1 - 1e-7))) {
        state_.stop_reason = StopReason::Converged;
        state_.message = "L-BFGS converged: a restart with fresh history made no progress";
        finished = true;
      } else {
        run.restart_loss = current;
        restore_best();
        optimizer_.reset();
      }
    }
    run.active = !finished;  // a checkpoint of the last chunk holds no run to continue
    // After the restart decision, so that a checkpoint holds the state the next chunk starts from.
    for_callbacks(o, [](callbacks::Callback* c) { c->on_epoch_end(); });
    if (finished || stop_training) return;
  }
  state_.message = run.evals >= run.maxfun ? "L-BFGS reached maxfun" : "L-BFGS reached maxiter";
}

std::pair<LossHistory, TrainState> Model::train(TrainOptions o) {
  if (optimizer_name_.empty())
    detail::fail<StateError>("Model::train: called before compile(); call e.g. model.compile(\"adam\", "
                             "{.lr = 1e-3}) first");
  if (o.display_every < 1) detail::fail("Model::train: display_every = ", o.display_every, " (expected >= 1)");
  if (o.iterations && *o.iterations < 0)
    detail::fail("Model::train: iterations = ", *o.iterations, " (expected >= 0)");
  const bool lbfgs = is_lbfgs(optimizer_name_);
  if (!lbfgs && !o.iterations)
    detail::fail("Model::train: iterations is required for the '", optimizer_name_, "' optimizer");
  if (o.batch_size < 0) detail::fail("Model::train: batch_size = ", o.batch_size, " (expected >= 0; 0: all points)");
  if (o.batch_size > 0) {
    if (lbfgs) detail::fail("Model::train: batch_size = ", o.batch_size, " but L-BFGS needs the full batch");
    const auto& full = data_.train_batch();
    const std::int64_t n = full.x.size(0) - full.bcs_start.back();
    if (o.batch_size > n)
      detail::fail("Model::train: batch_size = ", o.batch_size, " but the data has ", n,
                   " PDE collocation points (expected 1 <= batch_size <= ", n, ")");
  }
  if (o.batch_size != batch_size_) perm_ = torch::Tensor();
  batch_size_ = o.batch_size;
  if (o.disregard_previous_best) {
    state_.best_loss_train = std::numeric_limits<double>::infinity();
    best_params_.clear();
  }
  if (!o.model_restore_path.empty()) restore(o.model_restore_path);
  std::cout << "Training model...\n\n";
  const auto t0 = std::chrono::steady_clock::now();
  train_start_ = t0;
  stop_training = false;
  for_callbacks(o, [this](callbacks::Callback* c) {
    c->set_model(*this);
    c->on_train_begin();
  });
  state_.stop_reason = StopReason::IterationsDone;
  state_.message = "iterations done";
  state_.restored_best = false;
  try {
    // Record the starting point, unless this step is already recorded (a resumed or continued run).
    if (history_.steps.empty() || history_.steps.back() != state_.step) record(o.verbose);
    if (lbfgs)
      train_lbfgs(o);
    else
      train_first_order(*o.iterations, o);
  } catch (const NonFiniteLoss& e) {
    state_.step += steps_in_flight_;
    steps_in_flight_ = 0;
    state_.stop_reason = StopReason::NonFinite;
    std::ostringstream os;
    os << "loss became " << e.value << " at step " << state_.step << "; stopped and restored the best state (step "
       << state_.best_step << ")";
    state_.message = os.str();
    std::cout << "pinnxde: " << state_.message << "\n";
    restore_best();
  }
  if (stop_training && state_.stop_reason == StopReason::IterationsDone) {
    state_.stop_reason = StopReason::StoppedByCallback;
    state_.message = "stopped by a callback at step " + std::to_string(state_.step);
  }
  for_callbacks(o, [](callbacks::Callback* c) { c->on_train_end(); });
  if (state_.stop_reason != StopReason::NonFinite && !last_terms_.empty()) {
    // The parameters after the last step were only evaluated by the final record(): they may be the best.
    double last = 0;
    for (std::size_t k = 0; k < last_terms_.size(); ++k)
      last += last_terms_[k] * (copts_.loss_weights.empty() ? 1.0 : copts_.loss_weights[k]);
    snapshot_if_best(last);
    if (o.restore_best && state_.best_loss_train < last) restore_best();
  }
  state_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (state_.restored_best || state_.best_loss_test.empty()) {
    // Test losses and metrics of the parameters the model now holds (the best ones).
    grad::clear();
    auto ev = evaluate(data_.test_batch());
    state_.best_loss_test.clear();
    for (const auto& t : ev.terms) state_.best_loss_test.push_back(t.item<double>());
    state_.best_metrics = test_metrics(ev.outputs, data_.test_batch());
    grad::clear();
  } else {
    state_.best_loss_test = history_.loss_test.back();
    state_.best_metrics = history_.metrics_test.back();
  }
  if (o.verbose) {
    std::cout << "\nBest model at step " << state_.best_step << ":\n"
              << "  train loss: " << std::scientific << std::setprecision(2) << state_.best_loss_train << "\n"
              << "  test loss: " << format_list(state_.best_loss_test) << "\n"
              << "  test metric: " << format_list(state_.best_metrics) << "\n"
              << std::defaultfloat << "\n'train' took " << std::fixed << std::setprecision(3) << state_.seconds
              << " s (" << state_.message << ")\n\n"
              << std::defaultfloat;
  }
  if (!o.model_save_path.empty()) save(o.model_save_path);
  return {history_, state_};
}

torch::Tensor Model::predict(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  return net_->forward(x.to(config::options()));
}

torch::Tensor Model::predict(const geometry::Points& x) { return predict(to_tensor(x, config::options())); }

torch::Tensor Model::predict(const torch::Tensor& x,
                             const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& op) {
  auto xs = x.detach().to(config::options()).requires_grad_(true);
  grad::clear();
  auto y = net_->forward(xs);
  auto r = op(xs, y).detach();
  grad::clear();
  return r;
}

// ---------------------------------------------------------------- checkpoints

namespace {

torch::Tensor string_tensor(const std::string& text) {
  return torch::from_blob(const_cast<char*>(text.data()), {static_cast<std::int64_t>(text.size())}, torch::kUInt8)
      .clone();
}

std::string tensor_string(const torch::Tensor& t) {
  auto c = t.contiguous().to(torch::kCPU, torch::kUInt8);
  return std::string(reinterpret_cast<const char*>(c.data_ptr<std::uint8_t>()), static_cast<std::size_t>(c.numel()));
}

nlohmann::json history_json(const LossHistory& h) {
  return {{"steps", h.steps}, {"loss_train", h.loss_train}, {"loss_test", h.loss_test}, {"metrics_test", h.metrics_test}};
}

}  // namespace

void Model::save(const std::string& path) const {
  if (optimizer_name_.empty()) detail::fail<StateError>("Model::save: compile() the model first");
  torch::serialize::OutputArchive ar;
  nlohmann::json cfg;
  cfg["format"] = "pinnxde-checkpoint";
  cfg["version"] = 1;
  cfg["dtype"] = config::default_float();
  cfg["optimizer"] = optimizer_name_;
  cfg["lr"] = copts_.lr;
  cfg["num_variables"] = copts_.external_trainable_variables.size();
  cfg["step"] = state_.step;
  cfg["optimizer_steps"] = optimizer_steps_;
  cfg["best_step"] = state_.best_step;
  cfg["best_loss_train"] = state_.best_loss_train;
  cfg["history"] = history_json(history_);
  std::ostringstream rng_state;
  rng_state << geometry::rng();
  cfg["geometry_rng"] = rng_state.str();
  for (const auto& p : net_->named_parameters()) cfg["parameters"].push_back({p.key(), p.value().sizes().vec()});
  if (lbfgs_run_.active) {
    const auto& r = lbfgs_run_;
    cfg["lbfgs_run"] = {{"maxiter", r.maxiter}, {"maxfun", r.maxfun}, {"done", r.done}, {"evals", r.evals},
                        {"restart_loss", std::isfinite(r.restart_loss) ? nlohmann::json(r.restart_loss) : nlohmann::json()}};
  }
  cfg["batch_size"] = batch_size_;
  cfg["perm_pos"] = perm_pos_;
  ar.write("config", string_tensor(cfg.dump()));
  for (const auto& p : net_->named_parameters()) ar.write("net/" + p.key(), p.value().detach());
  for (const auto& b : net_->named_buffers()) ar.write("net/" + b.key(), b.value(), /*is_buffer=*/true);
  const auto& vars = copts_.external_trainable_variables;
  for (std::size_t i = 0; i < vars.size(); ++i) ar.write("variables/" + std::to_string(i), vars[i].detach());
  for (std::size_t i = 0; i < best_params_.size(); ++i) ar.write("best/" + std::to_string(i), best_params_[i]);
  ar.write("torch_rng", at::detail::getDefaultCPUGenerator().get_state());
  if (perm_.defined()) ar.write("minibatch_perm", perm_);
  const geometry::Points points = data_.checkpoint_points();
  if (points.size() > 0) ar.write("train_points", to_tensor(points, torch::kFloat64));
  if (optimizer_) {
    if (is_lbfgs(optimizer_name_)) {
      // L-BFGS' `al` is scratch space of one iteration (history_size slots, most of them undefined, which
      // the archive cannot hold); the next iteration allocates it again, so it is not saved.
      for (auto& entry : optimizer_->state())
        static_cast<torch::optim::LBFGSParamState&>(*entry.second).al(c10::nullopt);
    }
    torch::serialize::OutputArchive opt;
    optimizer_->save(opt);
    ar.write("optimizer", opt);
  }
  const auto tmp = path + ".tmp";
  try {
    ar.save_to(tmp);
  } catch (const c10::Error& e) {
    detail::fail<Error>("Model::save: cannot write '", path, "': ", e.what_without_backtrace());
  }
  std::filesystem::rename(tmp, path);  // never leave a half-written checkpoint under the real name
}

void Model::restore(const std::string& path) {
  if (optimizer_name_.empty())
    detail::fail<StateError>("Model::restore: compile() the model first (with the optimizer and Variables of the "
                             "run being resumed)");
  if (!std::filesystem::exists(path)) detail::fail("Model::restore: no checkpoint at '", path, "'");
  // The training points come from the seed the program set, not from the restored generator state:
  // build them before the generators are overwritten, as the interrupted run did.
  data_.train_batch();
  data_.test_batch();
  torch::serialize::InputArchive ar;
  nlohmann::json cfg;
  auto read = [&](const std::string& key) {
    torch::Tensor t;
    try {
      ar.read(key, t);
    } catch (const c10::Error&) {
      detail::fail("Model::restore: checkpoint '", path, "' has no '", key,
                   "' (expected a checkpoint saved from this network and these Variables)");
    }
    return t;
  };
  try {
    ar.load_from(path);
    cfg = nlohmann::json::parse(tensor_string(read("config")));
  } catch (const pinnxde::Error&) {
    throw;
  } catch (const std::exception& e) {
    detail::fail("Model::restore: '", path, "' is not a readable pinnxde checkpoint (corrupt or truncated?): ",
                 e.what());
  }
  if (cfg.value("format", "") != "pinnxde-checkpoint")
    detail::fail("Model::restore: '", path, "' is not a pinnxde checkpoint");
  // Check everything before changing anything.
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;
  for (const auto& p : net_->named_parameters()) {
    auto t = read("net/" + p.key());
    if (t.sizes() != p.value().sizes())
      detail::fail("Model::restore: parameter '", p.key(), "' has shape ", t.sizes(), " in '", path, "' but ",
                   p.value().sizes(), " in this network (expected a checkpoint of the same network)");
    copies.emplace_back(p.value(), t);
  }
  const auto n_saved = cfg.at("parameters").size();
  if (n_saved != net_->named_parameters().size())
    detail::fail("Model::restore: '", path, "' holds ", n_saved, " parameter tensors but this network has ",
                 net_->named_parameters().size(), " (expected a checkpoint of the same network)");
  const auto& vars = copts_.external_trainable_variables;
  if (cfg.at("num_variables").get<std::size_t>() != vars.size())
    detail::fail("Model::restore: '", path, "' holds ", cfg.at("num_variables").get<std::size_t>(),
                 " Variables but the model was compiled with ", vars.size());
  for (std::size_t i = 0; i < vars.size(); ++i) copies.emplace_back(vars[i], read("variables/" + std::to_string(i)));
  {
    torch::NoGradGuard no_grad;
    for (auto& [dst, src] : copies) dst.copy_(src);
    best_params_.clear();
    for (std::size_t i = 0; i < params_.size(); ++i) {
      torch::Tensor t;
      try {
        ar.read("best/" + std::to_string(i), t);
      } catch (const c10::Error&) {
        best_params_.clear();
        break;
      }
      best_params_.push_back(t.to(params_[i].options()).clone());
    }
  }
  if (cfg.value("optimizer", "") == optimizer_name_) {
    torch::serialize::InputArchive opt;
    if (ar.try_read("optimizer", opt)) {
      // L-BFGS is built on first use; a checkpoint taken during L-BFGS carries its curvature history.
      if (!optimizer_ && is_lbfgs(optimizer_name_)) optimizer_ = make_lbfgs(params_, 1, 1);
      if (optimizer_) optimizer_->load(opt);
    } else if (is_lbfgs(optimizer_name_)) {
      optimizer_.reset();  // saved before L-BFGS had run: start with a fresh history
    }
  }
  state_.step = cfg.at("step").get<std::int64_t>();
  optimizer_steps_ = cfg.value("optimizer_steps", std::int64_t{0});
  state_.best_step = cfg.at("best_step").get<std::int64_t>();
  state_.best_loss_train = cfg.at("best_loss_train").is_null() ? std::numeric_limits<double>::infinity()
                                                                : cfg.at("best_loss_train").get<double>();
  const auto& h = cfg.at("history");
  history_.steps = h.at("steps").get<std::vector<std::int64_t>>();
  history_.loss_train = h.at("loss_train").get<std::vector<std::vector<double>>>();
  history_.loss_test = h.at("loss_test").get<std::vector<std::vector<double>>>();
  history_.metrics_test = h.at("metrics_test").get<std::vector<std::vector<double>>>();
  lbfgs_run_ = LbfgsRun{};
  if (cfg.contains("lbfgs_run") && is_lbfgs(optimizer_name_) && cfg.value("optimizer", "") == optimizer_name_) {
    const auto& r = cfg.at("lbfgs_run");
    lbfgs_run_.active = true;
    lbfgs_run_.maxiter = r.at("maxiter").get<std::int64_t>();
    lbfgs_run_.maxfun = r.at("maxfun").get<std::int64_t>();
    lbfgs_run_.done = r.at("done").get<std::int64_t>();
    lbfgs_run_.evals = r.at("evals").get<std::int64_t>();
    if (!r.at("restart_loss").is_null()) lbfgs_run_.restart_loss = r.at("restart_loss").get<double>();
  }
  batch_size_ = cfg.value("batch_size", std::int64_t{0});
  perm_pos_ = cfg.value("perm_pos", std::int64_t{0});
  perm_ = torch::Tensor();
  epoch_rows_ = torch::Tensor();
  ar.try_read("minibatch_perm", perm_);
  torch::Tensor points;
  if (ar.try_read("train_points", points)) data_.restore_checkpoint_points(to_points(points));
  at::Generator gen = at::detail::getDefaultCPUGenerator();  // a handle to the global generator
  gen.set_state(read("torch_rng"));
  std::istringstream rng_state(cfg.at("geometry_rng").get<std::string>());
  rng_state >> geometry::rng();
  print_header_ = true;
}

void save_loss_history(const LossHistory& h, const std::string& output_dir) {
  std::filesystem::create_directories(output_dir);
  const auto path = std::filesystem::path(output_dir) / "loss.dat";
  std::ofstream out(path);
  if (!out) detail::fail<Error>("save_loss_history: cannot write ", path.string());
  out << "# step, loss_train, loss_test, metrics_test\n" << std::scientific << std::setprecision(8);
  for (std::size_t i = 0; i < h.steps.size(); ++i) {
    out << h.steps[i];
    for (const auto* row : {&h.loss_train[i], &h.loss_test[i], &h.metrics_test[i]})
      for (double v : *row) out << " " << v;
    out << "\n";
  }
}

}  // namespace pinnxde
