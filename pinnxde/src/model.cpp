// Model: the training loop. Its parts live beside it: optimizers.cpp (factory, L-BFGS driver),
// schedules.cpp (learning-rate decay), display.cpp (table, progress line), checkpoint.cpp (save/restore),
// loss_history.cpp (loss.dat), variable.cpp; the state is Model::Impl (model_impl.hpp).
#include "pinnxde/model.hpp"

#include <torch/torch.h>

#include <cmath>
#include <iostream>
#include <sstream>

#include "model_impl.hpp"
#include "pinnxde/conditions/convert.hpp"
#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/grad.hpp"
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

Model::~Model() = default;

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
  // Validates the decay and resolves it once: the loop calls a function, not a string comparison.
  detail::Schedule schedule = detail::make_schedule(options.decay, optimizer, optimizers::detail::is_lbfgs(optimizer));
  if (options.loss.names.empty())
    detail::fail("Model::compile: loss is an empty list (expected one name or one per term)");
  m.loss_fns_.clear();
  for (const auto& name : options.loss.names) m.loss_fns_.push_back(losses::get(name));

  // One float type everywhere: network parameters and the inverse problem's Variables.
  m.net_->to(config::device(), config::real());
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
    if (v.scalar_type() != config::real() || v.device() != config::device()) {
      torch::NoGradGuard no_grad;
      v.set_data(v.detach().to(config::device(), config::real()));
    }
  }
  m.params_ = m.net_->parameters();
  for (const auto& v : options.external_trainable_variables) m.params_.push_back(v);
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
    detail::fail("Model::compile: derivatives = 'forward' but the network cannot propagate jets (a feature or "
                 "output transform is set, or an activation has no closed-form derivatives); use 'auto' or "
                 "'reverse'");
  m.engine_ = grad::make_engine(d == "reverse" || !sweeps ? "reverse" : "forward");
  m.engine_learned_ = false;
  std::cout << "Compiling model... (derivatives: " << m.engine_->name() << ")\n";
  m.optimizer_name_ = optimizer;
  m.optimizer_steps_ = 0;
  m.lbfgs_run_ = optimizers::detail::LbfgsRun{};
  m.copts_ = std::move(options);
  m.schedule_ = std::move(schedule);
  // L-BFGS (nullptr here) is built by the driver, or by restore, and kept, curvature history and all.
  m.optimizer_ = optimizers::detail::make_optimizer(optimizer, m.params_, m.copts_.lr);
}

Model::Impl::Evaluation Model::Impl::evaluate(const data::Batch& batch) {
  Evaluation ev;
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
  auto dev = data_.evaluate(
      [call](const torch::Tensor& x) {
        return call->scope ? call->engine->run(*call->net, x, *call->scope, call->site++) : call->net->forward(x);
      },
      batch, loss_fns_);
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

double Model::Impl::train_closure() {
  auto ev = evaluate(batch_size_ > 0 ? next_minibatch() : data_.train_batch());
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

void Model::Impl::restore_best() {
  if (best_params_.size() != params_.size()) return;
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < params_.size(); ++i) params_[i].copy_(best_params_[i]);
  state_.restored_best = true;
}

double Model::Impl::weighted_total(const std::vector<double>& terms) const {
  double total = 0;
  for (std::size_t k = 0; k < terms.size(); ++k)
    total += terms[k] * (copts_.loss_weights.empty() ? 1.0 : copts_.loss_weights[k]);
  return total;
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
  auto test_ev = evaluate(data_.test_batch());
  std::vector<double> test = values(test_ev.terms);
  std::vector<double> mets = test_metrics(test_ev.outputs, data_.test_batch());
  history_.steps.push_back(state_.step);
  history_.loss_train.push_back(train);
  history_.loss_test.push_back(test);
  history_.metrics_test.push_back(mets);
  history_.loss_names = data_.loss_names();
  last_terms_ = train;
  if (print) table_.row(state_.step, train, test, mets);
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
    for_callbacks(o, [](callbacks::Callback* c) { c->on_epoch_begin(); });
    train_closure();
    apply_decay();
    optimizer_->step();
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
  struct EndRun {  // however train_lbfgs ends (returns, non-finite loss, callback exception)
    od::LbfgsRun& run;
    ~EndRun() { run.active = false; }
  } end_run{run};
  while (od::lbfgs_has_budget(run)) {
    const std::int64_t chunk =
        std::min<std::int64_t>(o.display_every - state_.step % o.display_every, run.maxiter - run.done);
    // The optimizer lives in optimizer_ so that a later train() or a checkpoint continues its history.
    const auto c = od::lbfgs_chunk(run, optimizer_, params_, chunk, [this](std::int64_t in_flight) {
      steps_in_flight_ = in_flight;  // iterations completed so far in this chunk (for best_step)
      return train_closure();
    });
    steps_in_flight_ = 0;
    state_.step += c.iterations;
    if (state_.step % o.display_every == 0 || run.done >= run.maxiter || c.stopped_early || model.stop_training)
      record(o.verbose);
    bool finished = false;
    if (c.stopped_early) {
      const auto verdict = od::lbfgs_after_early_stop(run, params_, state_.best_loss_train);
      if (verdict.converged) {
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
    if (finished || model.stop_training) return;
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
  std::cout << "Training model...\n\n";
  const auto t0 = std::chrono::steady_clock::now();
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
    }
    if (m.history_.steps.empty() || m.history_.steps.back() != state.step) m.record(o.verbose);
    if (lbfgs)
      m.train_lbfgs(*this, o);
    else
      m.train_first_order(*this, *o.iterations, o);
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

std::string Model::derivative_engine() const { return impl_->engine_ ? impl_->engine_->name() : std::string(); }

torch::Tensor Model::predict(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  return impl_->net_->forward(x.to(config::options()));
}

torch::Tensor Model::predict(const geometry::Points& x) { return predict(to_tensor(x, config::options())); }

torch::Tensor Model::predict(const torch::Tensor& x,
                             const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& op) {
  auto xs = x.detach().to(config::options()).requires_grad_(true);
  grad::Scope scope;
  auto y = impl_->net_->forward(xs);
  return op(xs, y).detach();
}

}  // namespace pinnxde
