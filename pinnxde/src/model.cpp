// Model: the training loop. Its parts live beside it: optimizers.cpp (factory, L-BFGS driver),
// schedules.cpp (learning-rate decay), display.cpp (table, progress line), checkpoint.cpp (save/restore),
// loss_history.cpp (loss.dat), variable.cpp; the state is Model::Impl (model_impl.hpp).
#include "pinnxde/model.hpp"

#include <torch/types.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ios>
#include <optional>
#include <iostream>
#include <sstream>

#include "model_impl.hpp"
#include "pinnxde/conditions/convert.hpp"
#include "pinnxde/config.hpp"
#include "pinnxde/data/pde.hpp"
#include "pinnxde/geometry/geometry_x_time.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/grad.hpp"
#include "causal_detail.hpp"
#include "losses_detail.hpp"
#include "pinnxde/loss_weighting.hpp"
#include "pinnxde/metrics.hpp"
#include "pinnxde/nn/fnn.hpp"
#include "pinnxde/optimizers.hpp"
#include "pinnxde/runtime.hpp"

namespace pinnxde {
namespace {

// Thrown from inside an optimizer step when the loss is NaN/Inf, so that L-BFGS' line search stops too.
struct NonFiniteLoss {
  double value;
};
// Thrown from inside an optimizer step when TrainOptions::time_limit has passed (L-BFGS: mid line search).
struct TimeUp {};

// Removes the loss history's last row (every per-row field; loss_names is not per row).
void drop_last_row(LossHistory& h) {
  h.steps.pop_back();
  for (auto* rows : {&h.loss_train, &h.loss_test, &h.metrics_test, &h.loss_weights, &h.causal_weights})
    rows->pop_back();
  h.causal_eps.pop_back();
}

// The time interval causal training splits: a TimePDE's time domain, or the geometry of a PDE posed on a
// TimeDomain (an ODE in DeepXDE's form, whose one input is the time). nullptr for any other data.
const geometry::TimeDomain* causal_time_domain(const data::Data& data) {
  const auto* pde = dynamic_cast<const data::PDE*>(&data);
  if (!pde) return nullptr;
  if (const auto* gt = dynamic_cast<const geometry::GeometryXTime*>(&pde->geometry())) return &gt->timedomain();
  return dynamic_cast<const geometry::TimeDomain*>(&pde->geometry());
}

// Puts std::cout's flags, precision, width and fill back as train() found them, however it returns.
class CoutFormatGuard {
 public:
  CoutFormatGuard() : flags_(std::cout.flags()), precision_(std::cout.precision()), width_(std::cout.width()),
                      fill_(std::cout.fill()) {}
  ~CoutFormatGuard() {
    std::cout.flags(flags_);
    std::cout.precision(precision_);
    std::cout.width(width_);
    std::cout.fill(fill_);
  }
  CoutFormatGuard(const CoutFormatGuard&) = delete;
  CoutFormatGuard& operator=(const CoutFormatGuard&) = delete;

 private:
  std::ios::fmtflags flags_;
  std::streamsize precision_, width_;
  char fill_;
};

template <class Hook>
void for_callbacks(const TrainOptions& o, Hook hook) {
  for (const auto& cb : o.callbacks) hook(cb.operator->());
}

}  // namespace

Model::Model(data::Data& data, std::shared_ptr<nn::NNImpl> net) {
  runtime::initialize();  // may re-execute the program (OpenBLAS core type): before anything else
  if (!net) detail::fail("Model: net is null");
  impl_ = std::make_unique<Impl>(data, std::move(net));
  runtime::print_banner_once();
}

Model::~Model() {
  // The data object may outlive the model: it must not keep a hook into this model.
  if (impl_ && impl_->causal_installed_)
    if (auto* pde = dynamic_cast<data::PDE*>(&impl_->data_)) pde->set_residual_loss({});
}

data::Data& Model::data() { return impl_->data_; }
const LossHistory& Model::losshistory() const { return impl_->history_; }
const TrainState& Model::train_state() const { return impl_->state_; }
std::shared_ptr<nn::NNImpl> Model::net() const { return impl_->net_; }
const std::vector<torch::Tensor>& Model::trainable_variables() const { return impl_->params_; }

void Model::compile(const std::string& optimizer, CompileOptions options) {
  auto& m = *impl_;
  const auto& names = optimizers::optimizer_names();
  if (std::find(names.begin(), names.end(), optimizer) == names.end())
    detail::fail("Model::compile: unknown optimizer '", optimizer, "'; valid: ", detail::join(names));
  if (!(options.lr > 0) || !std::isfinite(options.lr))
    detail::fail("Model::compile: lr = ", options.lr, " (expected a finite number > 0)");
  if (!m.net_->has_feature_transform() && m.net_->input_dim() != m.data_.input_dim()) {
    if (dynamic_cast<nn::FNNImpl*>(m.net_.get()))
      detail::fail("FNN: layer_sizes[0] = ", m.net_->input_dim(), " but the geometry has dimension ",
                   m.data_.input_dim());
    detail::fail("Model::compile: the network takes ", m.net_->input_dim(),
                 " inputs but the geometry has dimension ", m.data_.input_dim());
  }
  const auto& bcs = m.data_.bcs();
  for (std::size_t k = 0; k < bcs.size(); ++k)
    if (bcs[k]->component() >= m.net_->output_dim())
      detail::fail(bcs[k]->name(), ": component = ", bcs[k]->component(), " out of range for a network with ",
                   m.net_->output_dim(), " outputs (expected 0 <= component < ", m.net_->output_dim(), ")");
  for (std::size_t k = 0; k < options.loss_weights.size(); ++k)
    if (const double w = options.loss_weights[k]; !std::isfinite(w) || w < 0)
      detail::fail("Model::compile: loss_weights[", k, "] = ", w, " (expected finite >= 0)");
  for (const auto& name : options.metrics) metrics::get(name);  // validates the name
  {
    const auto& w = options.weighting;
    if (w.name != "static" && w.name != "grad-norm" && w.name != "ntk")
      detail::fail("Model::compile: weighting.name = '", w.name, "'; valid: static, grad-norm, ntk");
    if (w.every < 1) detail::fail("Model::compile: weighting.every = ", w.every, " (expected >= 1)");
    if (!(w.alpha > 0 && w.alpha <= 1))
      detail::fail("Model::compile: weighting.alpha = ", w.alpha, " (expected 0 < alpha <= 1)");
    if (w.statistic != "max" && w.statistic != "mean")
      detail::fail("Model::compile: weighting.statistic = '", w.statistic, "'; valid: max, mean");
    if (w.ntk_samples < 1) detail::fail("Model::compile: weighting.ntk_samples = ", w.ntk_samples, " (expected >= 1)");
    if (w.name == "grad-norm" && !dynamic_cast<data::PDE*>(&m.data_))
      detail::fail("Model::compile: weighting.name = 'grad-norm' needs a PDE residual to compare with (a PDE or "
                   "TimePDE data object); use 'ntk' or 'static'");
    const auto& c = options.causal;
    if (c.num_windows < 0) detail::fail("Model::compile: causal.num_windows = ", c.num_windows, " (expected >= 0; 0: off)");
    if (c.num_windows > 0) {
      if (!causal_time_domain(m.data_))
        detail::fail("Model::compile: causal.num_windows = ", c.num_windows,
                     " but the data is neither a TimePDE nor a PDE on a TimeDomain (causal training splits a "
                     "time-dependent residual)");
      if (c.eps.empty()) detail::fail("Model::compile: causal.eps is empty (expected at least one eps > 0)");
      for (std::size_t i = 0; i < c.eps.size(); ++i)
        if (!(c.eps[i] > 0) || !std::isfinite(c.eps[i]))
          detail::fail("Model::compile: causal.eps[", i, "] = ", c.eps[i], " (expected a finite number > 0)");
      if (!(c.delta > 0 && c.delta <= 1))
        detail::fail("Model::compile: causal.delta = ", c.delta, " (expected 0 < delta <= 1)");
    }
  }
  // Validates the decay and resolves it once: the loop calls a function, not a string comparison.
  detail::Schedule schedule = detail::make_schedule(options.decay, optimizer, optimizers::detail::is_lbfgs(optimizer));
  if (options.loss.names.empty())
    detail::fail("Model::compile: loss is an empty list (expected one name or one per term)");
  m.loss_fns_.clear();
  for (const auto& name : options.loss.names) m.loss_fns_.push_back(losses::get(name));

  for (std::size_t i = 0; i < options.external_trainable_variables.size(); ++i) {
    auto& v = options.external_trainable_variables[i];
    if (!v.defined()) detail::fail("Model::compile: external_trainable_variables[", i, "] is undefined");
    if (!c10::isFloatingType(v.scalar_type()))
      detail::fail("Model::compile: external_trainable_variables[", i, "] has dtype ",
                   c10::toString(v.scalar_type()), " (expected a floating Variable, e.g. dde::Variable(1.0))");
    if (!v.requires_grad())
      detail::fail("Model::compile: external_trainable_variables[", i,
                   "] does not require grad (expected one made by dde::Variable)");
    if (!torch::isfinite(v.detach()).all().item<bool>()) {
      if (v.dim() == 0)
        detail::fail("Model::compile: external_trainable_variables[", i, "] = ", v.item<double>(),
                     " (expected a finite initial value)");
      detail::fail("Model::compile: external_trainable_variables[", i, "] has non-finite values (expected finite)");
    }
  }
  m.adopt_float_type(options.external_trainable_variables);
  m.best_params_.clear();

  // PINNXDE_DERIVATIVES=reverse|forward overrides "auto" (to compare engines on a program unchanged).
  const char* env = std::getenv("PINNXDE_DERIVATIVES");
  if (options.derivatives == "auto" && env && *env) options.derivatives = env;
  const auto& d = options.derivatives;
  if (d != "auto" && d != "forward" && d != "reverse")
    detail::fail("Model::compile: derivatives = '", d, "'", env && d == env ? " (from PINNXDE_DERIVATIVES)" : "",
                 "; valid: auto, forward, reverse");
  const bool sweeps = m.net_->can_sweep();
  if (d == "forward" && !sweeps)
    detail::fail("Model::compile: derivatives = 'forward' but the network cannot propagate jets (it has no "
                 "forward_jets_core); use 'auto' or 'reverse'");
  m.engine_ = grad::make_engine(d == "reverse" || !sweeps ? "reverse" : "forward");
  m.engine_learned_ = false;
  std::cout << "Compiling model... (derivatives: " << m.engine_->name() << ")\n";
  m.optimizer_name_ = optimizer;
  m.optimizer_steps_ = 0;
  m.lbfgs_run_ = optimizers::detail::LbfgsRun{};
  // Adaptive weights carry over from an adaptive phase into the next (e.g. Adam, then L-BFGS with them
  // frozen) unless new initial weights are given; otherwise they start at loss_weights.
  const bool keep = options.weighting.name != "static" && m.adaptive() && options.loss_weights.empty() &&
                    !m.weights_.empty();
  if (!keep) m.weights_ = options.loss_weights;
  const bool same_causal = m.causal() && options.causal.num_windows == m.copts_.causal.num_windows &&
                           options.causal.eps == m.copts_.causal.eps;
  if (!same_causal) m.eps_index_ = 0;
  m.copts_ = std::move(options);
  m.schedule_ = std::move(schedule);
  m.install_causal();
  // L-BFGS (nullptr here) is built by the driver, or by restore, and kept, curvature history and all.
  m.optimizer_ = optimizers::detail::make_optimizer(optimizer, m.params_, m.copts_.lr);
}

data::Evaluation Model::Impl::evaluate_terms(const data::Batch& batch, const std::vector<data::LossFunction>& fns) {
  // This evaluation's derivative cache: the terms keep their graphs alive, the cache goes at the brace.
  grad::Scope scope;
  // A data object may keep the network function past this evaluation (an adjoint ODE solve calls it again
  // during the backward pass): then, with the scope gone, it is the plain network.
  struct Call {
    grad::Engine* engine;
    nn::NNImpl* net;
    grad::Scope* scope;
    std::size_t site = 0;
  };
  auto call = std::make_shared<Call>(Call{engine_.get(), net_.get(), &scope});
  struct EndCall {
    Call& c;
    ~EndCall() { c.scope = nullptr; }
  } end_call{*call};
  causal_w_ = torch::Tensor();
  auto ev = data_.evaluate(
      [call](const torch::Tensor& x) {
        return call->scope ? call->engine->run(*call->net, x, *call->scope, call->site++) : call->net->forward(x);
      },
      batch, fns);
  scope_stats_ = scope.stats();
  return ev;
}

Model::Impl::Evaluation Model::Impl::evaluate(const data::Batch& batch) {
  Evaluation ev;
  auto dev = evaluate_terms(batch, loss_fns_);
  ev.outputs = std::move(dev.outputs);
  ev.terms = std::move(dev.terms);
  if (loss_fns_.size() > 1 && loss_fns_.size() != ev.terms.size())
    detail::fail("Model::compile: loss has ", loss_fns_.size(), " entries for ", ev.terms.size(),
                 " loss terms (expected one name, or one per term)");
  if (weights_.empty() && adaptive()) weights_.assign(ev.terms.size(), 1.0);
  const auto& w = weights_;
  if (!w.empty() && w.size() != ev.terms.size())
    detail::fail("Model::compile: loss_weights has ", w.size(), " entries for ", ev.terms.size(),
                 " loss terms (expected one weight per term)");
  ev.total = weighted_sum(ev.terms);
  return ev;
}

torch::Tensor Model::Impl::weighted_sum(const std::vector<torch::Tensor>& terms) const {
  torch::Tensor total;
  for (std::size_t k = 0; k < terms.size(); ++k) {
    auto term = weights_.empty() ? terms[k] : terms[k] * weights_[k];
    total = total.defined() ? total + term : term;
  }
  // The network's regularisation (DeepXDE's regularization=["l2", ...]) joins the total, not the terms.
  if (auto r = net_->regularization_loss(); r.defined() && total.defined()) total = total + r;
  return total;
}

double Model::Impl::train_closure() {
  if (deadline_ && std::chrono::steady_clock::now() >= *deadline_) throw TimeUp{};
  const bool update = updating_ && adaptive() && state_.step % copts_.weighting.every == 0;
  if (update && copts_.weighting.name == "ntk") update_ntk();
  auto ev = evaluate(batch_size_ > 0 ? next_minibatch() : data_.train_batch());
  if (causal_w_.defined()) causal_last_ = causal_weights_now();
  if (update && copts_.weighting.name == "grad-norm") update_grad_norm(ev);
  const double loss = ev.total.item<double>();
  if (!std::isfinite(loss)) throw NonFiniteLoss{loss};
  state_.loss_train = loss;
  snapshot_if_best(loss);
  auto grads = torch::autograd::grad({ev.total}, params_, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                     /*allow_unused=*/true);
  for (std::size_t i = 0; i < params_.size(); ++i)
    params_[i].mutable_grad() = grads[i].defined() ? grads[i] : torch::zeros_like(params_[i]);
  return loss;
}

void Model::Impl::snapshot_if_best(double loss) {
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

void Model::Impl::adopt_float_type(const std::vector<torch::Tensor>& variables) {
  // One float type everywhere: network parameters and the inverse problem's Variables (converted in place,
  // so the user's handles and the optimizer's parameter list stay the same tensors).
  torch::NoGradGuard no_grad;
  net_->to(config::device(), config::real());
  for (auto v : variables)
    if (v.scalar_type() != config::real() || v.device() != config::device())
      v.set_data(v.detach().to(config::device(), config::real()));
  params_ = net_->parameters();
  for (const auto& v : variables) params_.push_back(v);
}

void Model::Impl::switch_to_float64() {
  config::set_default_float("float64");
  adopt_float_type(copts_.external_trainable_variables);
  for (auto& b : best_params_) b = b.to(torch::kFloat64);
  switched_float64_ = true;
}

void Model::Impl::restore_best() {
  if (best_params_.size() != params_.size()) return;
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < params_.size(); ++i) params_[i].copy_(best_params_[i]);
  state_.restored_best = true;
}

double Model::Impl::weighted_total(const std::vector<double>& terms) const {
  double total = 0;
  for (std::size_t k = 0; k < terms.size(); ++k) total += terms[k] * (k < weights_.size() ? weights_[k] : 1.0);
  if (auto r = net_->regularization_loss(); r.defined()) total += r.item<double>();  // as evaluate() does
  return total;
}

std::vector<double> Model::Impl::causal_weights_now() const {
  if (!causal_w_.defined()) return {};
  const auto w = causal_w_.to(torch::kCPU, torch::kFloat64).contiguous();
  return {w.data_ptr<double>(), w.data_ptr<double>() + w.numel()};
}

std::vector<bool> Model::Impl::residual_flags(std::size_t terms) const {
  std::vector<bool> flags(terms, false);
  // A PDE's terms are its residual terms (none when it has no residual), then one per condition.
  if (const auto* pde = dynamic_cast<const data::PDE*>(&data_))
    for (std::size_t k = 0; k + pde->bcs().size() < terms; ++k) flags[k] = true;
  return flags;
}

void Model::Impl::set_weights(std::vector<double> w) {
  if (w == weights_) return;
  weights_ = std::move(w);
  // The objective changed: a loss under the old weights is no yardstick for the best state.
  state_.best_loss_train = std::numeric_limits<double>::infinity();
}

void Model::Impl::update_grad_norm(Evaluation& ev) {
  const auto net_params = net_->parameters();
  std::vector<std::vector<torch::Tensor>> grads;
  for (const auto& t : ev.terms)
    grads.push_back(t.requires_grad() ? torch::autograd::grad({t}, net_params, {}, /*retain_graph=*/true,
                                                              /*create_graph=*/false, /*allow_unused=*/true)
                                      : std::vector<torch::Tensor>(net_params.size()));
  const auto& o = copts_.weighting;
  set_weights(weighting::grad_norm_update(grads, residual_flags(ev.terms.size()), weights_, o.alpha, o.statistic));
  ev.total = weighted_sum(ev.terms);
}

void Model::Impl::update_ntk() {
  // Per-row misfits instead of losses: each term's rows as a vector (the residual itself, or the
  // condition's prediction minus its target).
  const std::vector<data::LossFunction> misfit{[](const torch::Tensor& y_true, const torch::Tensor& y_pred) {
    return y_true.defined() ? (y_pred - y_true).reshape(-1) : y_pred.reshape(-1);
  }};
  causal_plain_ = true;
  struct Plain {
    bool& flag;
    ~Plain() { flag = false; }
  } plain{causal_plain_};
  // A PDE's residual rows are sampled before the evaluation (all condition rows, the ntk_samples evenly
  // spaced residual rows that ntk_trace would pick): the per-sample backward passes then run through a
  // graph of those rows only, not of the whole batch. Same traces.
  const auto& full = data_.train_batch();
  const data::Batch* batch = &full;
  data::Batch sub;
  if (dynamic_cast<data::PDE*>(&data_)) {
    const std::int64_t nb = full.bcs_start.back(), n = full.x.size(0) - nb;
    const std::int64_t m = std::min(copts_.weighting.ntk_samples, n);
    if (m < n) {
      const auto rows = torch::cat({torch::arange(nb, torch::kLong),
                                    nb + torch::div(torch::arange(m, torch::kLong) * n, m, "floor")})
                            .to(full.x.device());
      sub.x = full.x.detach().index_select(0, rows).requires_grad_(true);
      sub.bcs_start = full.bcs_start;
      sub.prepared = full.prepared;
      if (full.y.defined()) sub.y = full.y.index_select(0, rows);
      if (full.aux.defined()) sub.aux = full.aux.index_select(0, rows);
      batch = &sub;
    }
  }
  auto ev = evaluate_terms(*batch, misfit);
  const auto net_params = net_->parameters();
  std::vector<double> traces;
  for (const auto& t : ev.terms) traces.push_back(weighting::ntk_trace(t, net_params, copts_.weighting.ntk_samples));
  if (weights_.empty()) weights_.assign(traces.size(), 1.0);
  set_weights(weighting::ntk_update(traces, weights_, copts_.weighting.alpha));
}

void Model::Impl::install_causal() {
  auto* pde = dynamic_cast<data::PDE*>(&data_);
  if (!pde) return;
  if (!causal()) {
    if (causal_installed_) pde->set_residual_loss({});
    causal_installed_ = false;
    causal_last_.clear();
    return;
  }
  const auto* td = causal_time_domain(data_);
  causal_t0_ = td->t0();
  causal_t1_ = td->t1();
  // Every term's loss the mean of one elementwise function (all MSE, the default, or all MAE): the windows'
  // losses by one index_add.
  losses::Elementwise f = nullptr;
  for (std::size_t i = 0; i < copts_.loss.names.size(); ++i) {
    const auto fi = losses::elementwise(copts_.loss.names[i]);
    f = (i == 0 || fi == f) ? fi : nullptr;
    if (!f) break;
  }
  pde->set_residual_loss([this, f](const torch::Tensor& x, const torch::Tensor& r, const data::LossFunction& loss) {
    if (causal_plain_) return loss(torch::Tensor(), r);
    const auto n = copts_.causal.num_windows;
    const auto windows = weighting::causal_windows(x.detach().select(1, x.size(1) - 1), n, causal_t0_, causal_t1_);
    const double eps = copts_.causal.eps[eps_index_];
    torch::Tensor w;
    auto out = f ? weighting::causal_mean_loss(windows, f(r), n, eps, &w)
                 : weighting::causal_loss(windows, r, loss, n, eps, &w);
    causal_w_ = causal_w_.defined() ? torch::minimum(causal_w_, w) : w;
    return out;
  });
  causal_installed_ = true;
}

double Model::Impl::current_loss() {
  auto ev = evaluate(data_.train_batch());
  return ev.total.defined() ? ev.total.item<double>() : 0.0;
}

const data::Batch& Model::Impl::next_minibatch() {
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

std::vector<double> Model::Impl::test_metrics(const torch::Tensor& outputs, const data::Batch& batch) const {
  std::vector<double> out;
  if (copts_.metrics.empty()) return out;
  if (!batch.y.defined())
    detail::fail("Model::compile: metrics = [", detail::join(copts_.metrics),
                 "] need a reference solution (give the data object's solution option)");
  for (const auto& name : copts_.metrics) out.push_back(metrics::get(name)(batch.y, outputs.detach()));
  return out;
}

void Model::Impl::record(bool print) {
  auto values = [](const std::vector<torch::Tensor>& ts) {
    std::vector<double> v;
    for (const auto& t : ts) v.push_back(t.item<double>());
    return v;
  };
  auto train_ev = evaluate(data_.train_batch());
  std::vector<double> train = values(train_ev.terms);
  const std::vector<double> causal_row = causal_weights_now();
  auto test_ev = evaluate(data_.test_batch());
  std::vector<double> test = values(test_ev.terms);
  std::vector<double> mets = test_metrics(test_ev.outputs, data_.test_batch());
  // One row per step: a step recorded again (a time limit that runs out right after a recorded step) takes
  // the place of its earlier row.
  if (!history_.steps.empty() && history_.steps.back() == state_.step) drop_last_row(history_);
  history_.steps.push_back(state_.step);
  history_.loss_train.push_back(train);
  history_.loss_test.push_back(test);
  history_.metrics_test.push_back(mets);
  history_.loss_weights.push_back(weights_);
  history_.causal_weights.push_back(causal_row);
  history_.causal_eps.push_back(causal() ? copts_.causal.eps[eps_index_] : std::numeric_limits<double>::quiet_NaN());
  history_.loss_names = data_.loss_names();
  last_terms_ = train;
  if (print) table_.row(state_.step, train, test, mets, variable_values());
}

std::vector<double> Model::Impl::variable_values() const {
  std::vector<double> out;
  for (const auto& v : copts_.external_trainable_variables) {
    const auto flat = v.detach().reshape({-1}).to(torch::kCPU, torch::kFloat64);
    for (std::int64_t j = 0; j < std::min<std::int64_t>(flat.numel(), 8); ++j) out.push_back(flat[j].item<double>());
  }
  return out;
}

void Model::Impl::set_table_names() {
  std::vector<std::string> vars;
  const auto& ext = copts_.external_trainable_variables;
  for (std::size_t i = 0; i < ext.size(); ++i) {
    const auto n = ext[i].numel();
    for (std::int64_t j = 0; j < std::min<std::int64_t>(n, 8); ++j) {
      std::ostringstream name;
      name << "v" << i;
      if (n != 1) name << "[" << j << "]";
      vars.push_back(name.str());
    }
  }
  table_.set_names(data_.loss_names(), copts_.metrics, std::move(vars));
}

void Model::Impl::apply_decay() {
  if (!schedule_) return;
  const double lr = copts_.lr * schedule_(optimizer_steps_);
  for (auto& group : optimizer_->param_groups()) group.options().set_lr(lr);
}

double Model::learning_rate() const {
  const auto& m = *impl_;
  if (!m.optimizer_) return optimizers::detail::is_lbfgs(m.optimizer_name_) ? 1.0 : 0.0;
  return m.optimizer_->param_groups().front().options().get_lr();
}

void Model::Impl::train_first_order(Model& model, std::int64_t iterations, const TrainOptions& o) {
  for (std::int64_t i = 0; i < iterations && !model.stop_training; ++i) {
    if (deadline_ && std::chrono::steady_clock::now() >= *deadline_) throw TimeUp{};
    for_callbacks(o, [](callbacks::Callback* c) { c->on_epoch_begin(); });
    data_.on_train_step();
    updating_ = true;
    try {
      train_closure();
    } catch (...) {
      updating_ = false;
      throw;
    }
    updating_ = false;
    apply_decay();
    optimizer_->step();
    // Causal eps schedule: move on once every window's weight passed delta (the paper's criterion).
    if (causal() && eps_index_ + 1 < copts_.causal.eps.size() && !causal_last_.empty() &&
        *std::min_element(causal_last_.begin(), causal_last_.end()) > copts_.causal.delta) {
      ++eps_index_;
      state_.best_loss_train = std::numeric_limits<double>::infinity();  // a new objective
      if (o.verbose)
        std::cout << "causal: min window weight > " << copts_.causal.delta << " at step " << state_.step + 1
                  << ", eps -> " << copts_.causal.eps[eps_index_] << "\n";
    }
    ++optimizer_steps_;
    ++state_.step;
    for_callbacks(o, [](callbacks::Callback* c) { c->on_epoch_end(); });
    if (state_.step % o.display_every == 0 || i + 1 == iterations || model.stop_training) record(o.verbose);
    else if (o.verbose) progress_.update(state_.step, i + 1, iterations, state_.loss_train);
  }
}

void Model::Impl::train_lbfgs(Model& model, const TrainOptions& o) {
  namespace od = optimizers::detail;
  auto& run = lbfgs_run_;
  od::lbfgs_begin(run, o.iterations);
  // However train_lbfgs ends (returns, non-finite loss, callback exception, time limit), the run stays active
  // only when a callback or the time limit stopped it with iterations left: the next train() without
  // .iterations (or a checkpoint taken now) goes on with the rest of the budget instead of starting anew.
  struct EndRun {
    od::LbfgsRun& run;
    bool resumable = false;
    ~EndRun() { run.active = resumable && od::lbfgs_has_budget(run); }
  } end_run{run};
  while (od::lbfgs_has_budget(run)) {
    const std::int64_t chunk =
        std::min<std::int64_t>(o.display_every - state_.step % o.display_every, run.maxiter - run.done);
    // The optimizer lives in optimizer_ so that a later train() or a checkpoint continues its history.
    od::LbfgsChunk c;
    try {
      c = od::lbfgs_chunk(run, optimizer_, params_, chunk, [this](std::int64_t in_flight) {
        steps_in_flight_ = in_flight;  // iterations completed so far in this chunk (for best_step)
        return train_closure();
      });
    } catch (const TimeUp&) {
      end_run.resumable = true;  // lbfgs_chunk counted the iterations done; train() drops the history
      throw;
    }
    steps_in_flight_ = 0;
    state_.step += c.iterations;
    if (state_.step % o.display_every == 0 || run.done >= run.maxiter || c.stopped_early || model.stop_training)
      record(o.verbose);
    bool finished = false;
    if (c.stopped_early) {
      const auto verdict = od::lbfgs_after_early_stop(run, params_, state_.best_loss_train);
      if (verdict.stalled && optimizers::LBFGS_options().float64_on_stall && config::real() == torch::kFloat32 &&
          od::lbfgs_has_budget(run)) {
        // Round-off, not a minimum: go on from the best state in float64 with a fresh history.
        restore_best();
        switch_to_float64();
        optimizer_.reset();
        run.restart_loss = std::numeric_limits<double>::infinity();
        if (o.verbose)
          std::cout << "L-BFGS: float32 stalled at step " << state_.step << " (loss " << state_.best_loss_train
                    << "); continuing in float64 (LBFGSOptions::float64_on_stall)\n";
      } else if (verdict.converged) {
        state_.stop_reason = StopReason::Converged;
        state_.message = verdict.message;
        finished = true;
      } else {  // restart from the best state with a fresh curvature history
        restore_best();
        optimizer_.reset();
      }
    }
    run.active = !finished;  // a checkpoint of the last chunk holds no run to continue
    // After the restart decision, so that a checkpoint holds the state the next chunk starts from.
    for_callbacks(o, [](callbacks::Callback* c) { c->on_epoch_end(); });
    if (finished || model.stop_training) {
      end_run.resumable = !finished;  // a callback's stop keeps the history too: bit for bit the straight run
      return;
    }
  }
  state_.message = run.evals >= run.maxfun ? "L-BFGS reached maxfun" : "L-BFGS reached maxiter";
}

std::pair<LossHistory, TrainState> Model::train(TrainOptions o) {
  auto& m = *impl_;
  auto& state = m.state_;
  if (m.optimizer_name_.empty())
    detail::fail<StateError>("Model::train: called before compile(); call e.g. model.compile(\"adam\", "
                             "{.lr = 1e-3}) first");
  if (o.display_every < 1) detail::fail("Model::train: display_every = ", o.display_every, " (expected >= 1)");
  if (!std::isfinite(o.time_limit) || o.time_limit < 0)
    detail::fail("Model::train: time_limit = ", o.time_limit, " seconds (expected finite >= 0; 0: no limit)");
  if (o.iterations && *o.iterations < 0)
    detail::fail("Model::train: iterations = ", *o.iterations, " (expected >= 0)");
  const bool lbfgs = optimizers::detail::is_lbfgs(m.optimizer_name_);
  if (!lbfgs && !o.iterations)
    detail::fail("Model::train: iterations is required for the '", m.optimizer_name_, "' optimizer");
  if (o.batch_size < 0) detail::fail("Model::train: batch_size = ", o.batch_size, " (expected >= 0; 0: all points)");
  if (o.batch_size > 0) {
    if (lbfgs) detail::fail("Model::train: batch_size = ", o.batch_size, " but L-BFGS needs the full batch");
    const auto& full = m.data_.train_batch();
    const std::int64_t n = full.x.size(0) - full.bcs_start.back();
    if (o.batch_size > n)
      detail::fail("Model::train: batch_size = ", o.batch_size, " but the data has ", n,
                   " PDE collocation points (expected 1 <= batch_size <= ", n, ")");
  }
  if (o.batch_size != m.batch_size_) m.perm_ = torch::Tensor();
  m.batch_size_ = o.batch_size;
  if (o.disregard_previous_best) {
    state.best_loss_train = std::numeric_limits<double>::infinity();
    m.best_params_.clear();
  }
  if (!o.model_restore_path.empty()) restore(o.model_restore_path);
  const CoutFormatGuard cout_format;  // the user's own prints after train() keep their digits
  {  // the budget of this call, so that a log (and the gallery's report) says what ran
    std::int64_t num_params = 0;
    for (const auto& p : m.params_) num_params += p.numel();
    std::cout << "Training model... (" << m.optimizer_name_ << ": ";
    if (lbfgs)
      std::cout << "up to " << o.iterations.value_or(optimizers::LBFGS_options().maxiter) << " iterations";
    else
      std::cout << *o.iterations << " steps";
    std::cout << ", " << m.data_.train_batch().x.size(0) << " training rows, " << num_params
              << " trainable parameters)\n\n";
  }
  const auto t0 = std::chrono::steady_clock::now();
  m.deadline_.reset();
  if (o.time_limit > 0)
    m.deadline_ = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(o.time_limit));
  struct EndDeadline {  // a later evaluation outside train() (save, predict, restore) never times out
    std::optional<std::chrono::steady_clock::time_point>& d;
    ~EndDeadline() { d.reset(); }
  } end_deadline{m.deadline_};

  m.progress_.start();
  stop_training = false;
  for_callbacks(o, [this](callbacks::Callback* c) {
    c->set_model(*this);
    c->on_train_begin();
  });
  state.stop_reason = StopReason::IterationsDone;
  state.message = "iterations done";
  state.restored_best = false;
  try {
    // Record the starting point, unless this step is already recorded (a resumed or continued run).
    if (!m.engine_learned_) {
      // The forward engine learns which derivatives each network evaluation asks for from one evaluation
      // of the training batch, before anything is recorded: every evaluation of the run then takes the same
      // path, so a resumed run repeats the uninterrupted one bit for bit.
      m.evaluate(m.data_.train_batch());
      m.engine_learned_ = true;
      // "auto": a derivative the sweep cannot hold (of a derived tensor such as y * y, a mixed third order,
      // or a third order through a user transform) falls back to reverse mode through the sweep's graph,
      // which costs more than reverse mode throughout (euler_beam before its orders were swept: 1.45x).
      // Whether the network sweeps the third and fourth orders it learned shows at the next evaluation.
      if (m.copts_.derivatives == "auto" && m.engine_->name() == "forward") {
        if (m.scope_stats_.of_derived == 0 && m.scope_stats_.learned_higher > 0) m.evaluate(m.data_.train_batch());
        if (m.scope_stats_.of_derived > 0) {
          m.engine_ = grad::make_engine("reverse");
          std::cout << "Derivatives: reverse (the losses differentiate " << m.scope_stats_.of_derived
                    << " derived tensor(s), e.g. a mixed third order, which the forward sweep does not hold)\n";
        }
      }
    }
    m.set_table_names();  // after one evaluation: the number of residual terms is known
    if (m.history_.steps.empty() || m.history_.steps.back() != state.step) m.record(o.verbose);
    try {
      if (lbfgs)
        m.train_lbfgs(*this, o);
      else
        m.train_first_order(*this, *o.iterations, o);
    } catch (const TimeUp&) {
      // Mid-step: the iterations L-BFGS completed in this chunk count; its curvature history is dropped
      // (the step was interrupted inside a line search), and the parameters reached are recorded. The
      // L-BFGS run keeps the rest of its budget for the next train() without .iterations.
      m.deadline_.reset();
      state.step += m.steps_in_flight_;
      m.steps_in_flight_ = 0;
      if (lbfgs) m.optimizer_.reset();  // the run itself stays active with its iterations left
      state.stop_reason = StopReason::TimeLimit;
      std::ostringstream os;
      os << "time_limit of " << o.time_limit << " s reached at step " << state.step;
      state.message = os.str();
      m.record(o.verbose);
    }
  } catch (const NonFiniteLoss& e) {
    state.step += m.steps_in_flight_;
    m.steps_in_flight_ = 0;
    state.stop_reason = StopReason::NonFinite;
    std::ostringstream os;
    os << "loss became " << e.value << " at step " << state.step;
    if (m.best_params_.size() == m.params_.size())
      os << "; stopped and restored the best state (step " << state.best_step << ")";
    else  // the loss was never finite: nothing to go back to
      os << "; stopped with no finite state to restore (the loss was not finite at any step evaluated); the "
            "parameters are those of step "
         << state.step;
    state.message = os.str();
    std::cout << "pinnxde: " << state.message << "\n";
    m.restore_best();
  }
  if (stop_training && state.stop_reason == StopReason::IterationsDone) {
    state.stop_reason = StopReason::StoppedByCallback;
    state.message = "stopped by a callback at step " + std::to_string(state.step);
  }
  for_callbacks(o, [](callbacks::Callback* c) { c->on_train_end(); });
  if (state.stop_reason != StopReason::NonFinite && !m.last_terms_.empty()) {
    // The parameters after the last step were only evaluated by the final record(): they may be the best.
    const double last = m.weighted_total(m.last_terms_);
    m.snapshot_if_best(last);
    if (o.restore_best && state.best_loss_train < last) m.restore_best();
  }
  if (state.stop_reason != StopReason::NonFinite && !std::isfinite(state.loss_train)) {
    // No optimizer step has evaluated the loss yet (iterations = 0, possibly right after a restore): the
    // loss of the parameters the model holds, from the final record() or one evaluation.
    state.loss_train = m.last_terms_.empty() ? m.current_loss() : m.weighted_total(m.last_terms_);
  }
  state.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (state.restored_best || state.best_loss_test.empty()) {
    // Test losses and metrics of the parameters the model now holds (the best ones).
    auto ev = m.evaluate(m.data_.test_batch());
    state.best_loss_test.clear();
    for (const auto& t : ev.terms) state.best_loss_test.push_back(t.item<double>());
    state.best_metrics = m.test_metrics(ev.outputs, m.data_.test_batch());
  } else {
    state.best_loss_test = m.history_.loss_test.back();
    state.best_metrics = m.history_.metrics_test.back();
  }
  if (o.verbose) detail::print_best(state);
  if (!o.model_save_path.empty()) save(o.model_save_path);
  return {m.history_, state};
}

std::vector<double> Model::loss_weights() const { return impl_->weights_; }
std::vector<double> Model::causal_weights() const { return impl_->causal_last_; }
double Model::causal_eps() const {
  return impl_->causal() ? impl_->copts_.causal.eps[impl_->eps_index_] : std::numeric_limits<double>::quiet_NaN();
}

std::string Model::derivative_engine() const { return impl_->engine_ ? impl_->engine_->name() : std::string(); }

// The answers of predict* live where their inputs do: Points and CPU tensors get CPU tensors whatever
// config::device() is (DeepXDE's predict returns host arrays), a tensor on the training device stays there.
namespace {
torch::TensorOptions host_options() { return torch::TensorOptions().dtype(config::real()); }
}  // namespace

torch::Tensor Model::predict(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  return impl_->net_->forward(x.to(config::options())).to(x.device());
}

torch::Tensor Model::predict(const geometry::Points& x) { return predict(to_tensor(x, host_options())); }

namespace {
torch::Tensor operator_points(const torch::Tensor& x, const char* what) {
  if (!x.defined()) detail::fail("Model::predict: x is undefined (expected (N, dim) points)");
  if (x.dim() != 2) detail::fail("Model::predict: x has shape ", x.sizes(), " (expected (N, dim)) for ", what);
  return x.detach().to(config::options()).requires_grad_(true);
}
}  // namespace

torch::Tensor Model::predict_operator(const torch::Tensor& x, const Operator& op) {
  auto xs = operator_points(x, "an operator");
  grad::Scope scope;
  auto y = impl_->net_->forward(xs);
  auto r = op(xs, y);
  if (!r.defined()) detail::fail("Model::predict: the operator returned an undefined tensor");
  return r.detach().to(x.device());
}

torch::Tensor Model::predict_operator(const geometry::Points& x, const Operator& op) {
  return predict_operator(to_tensor(x, host_options()), op);
}

std::vector<torch::Tensor> Model::predict_system(const torch::Tensor& x, const SystemOperator& op) {
  auto xs = operator_points(x, "a system operator");
  grad::Scope scope;
  auto y = impl_->net_->forward(xs);
  auto rs = op(xs, y);
  for (std::size_t i = 0; i < rs.size(); ++i) {
    if (!rs[i].defined()) detail::fail("Model::predict: the operator's equation ", i, " is an undefined tensor");
    rs[i] = rs[i].detach().to(x.device());
  }
  return rs;
}

std::vector<torch::Tensor> Model::predict_system(const geometry::Points& x, const SystemOperator& op) {
  return predict_system(to_tensor(x, host_options()), op);
}

}  // namespace pinnxde
