#include "pinnxde/callbacks.hpp"

#include <torch/types.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "pinnxde/error.hpp"
#include "pinnxde/grad.hpp"
#include "pinnxde/model.hpp"

namespace pinnxde::callbacks {

// ---------------------------------------------------------------- EarlyStopping

EarlyStopping::EarlyStopping(EarlyStoppingOptions options) : o_(std::move(options)) {
  if (o_.min_delta < 0) detail::fail("EarlyStopping: min_delta = ", o_.min_delta, " (expected >= 0)");
  if (o_.patience < 0) detail::fail("EarlyStopping: patience = ", o_.patience, " (expected >= 0)");
  if (o_.monitor != "loss_train")
    detail::fail("EarlyStopping: monitor = '", o_.monitor, "'; valid: loss_train");
}

void EarlyStopping::on_train_begin() {
  wait_ = 0;
  stopped_step_ = 0;
  best_ = o_.baseline.value_or(std::numeric_limits<double>::infinity());
}

void EarlyStopping::on_epoch_end() {
  const auto& st = model_->train_state();
  if (st.step < o_.start_from_epoch) return;
  const double current = st.loss_train;
  if (current < best_ - o_.min_delta) {
    best_ = current;
    wait_ = 0;
  } else if (++wait_ >= o_.patience) {
    stopped_step_ = st.step;
    model_->stop_training = true;
    std::cout << "Epoch " << st.step << ": early stopping\n";
  }
}

// ---------------------------------------------------------------- Timer

Timer::Timer(double available_time_minutes) : minutes_(available_time_minutes) {
  if (!(minutes_ > 0)) detail::fail("Timer: available_time = ", minutes_, " minutes (expected > 0)");
}
void Timer::on_train_begin() { t0_ = std::chrono::steady_clock::now(); }
void Timer::on_epoch_end() {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count() / 60;
  if (elapsed > minutes_) {
    model_->stop_training = true;
    std::cout << "Stop training as time used up. time used: " << elapsed << " mins, epoch trained: "
              << model_->train_state().step << "\n";
  }
}

// ---------------------------------------------------------------- VariableValue

VariableValue::VariableValue(std::vector<torch::Tensor> var_list, VariableValueOptions options)
    : vars_(std::move(var_list)), o_(std::move(options)) {
  if (o_.period < 1) detail::fail("VariableValue: period = ", o_.period, " (expected >= 1)");
  for (std::size_t i = 0; i < vars_.size(); ++i)
    if (!vars_[i].defined()) detail::fail("VariableValue: var_list[", i, "] is undefined");
    else if (vars_[i].numel() != 1)
      detail::fail("VariableValue: var_list[", i, "] has shape ", vars_[i].sizes(),
                   " (expected a scalar Variable, one value)");
  if (!o_.filename.empty()) {
    std::ofstream out(o_.filename, std::ios::trunc);
    if (!out) detail::fail<Error>("VariableValue: cannot write filename '", o_.filename, "': ", std::strerror(errno));
  }
}

void VariableValue::write() {
  value_.clear();
  for (const auto& v : vars_) value_.push_back(v.detach().item<double>());
  std::ostringstream line;
  line << model_->train_state().step << " [" << std::scientific << std::setprecision(o_.precision);
  for (std::size_t i = 0; i < value_.size(); ++i) line << (i ? ", " : "") << value_[i];
  line << "]\n";
  if (o_.filename.empty()) {
    // Labelled: between the progress table's rows, a bare "1000 [1.00e+00]" reads as a row of the table.
    std::cout << "VariableValue: step " << line.str();
  } else {
    std::ofstream out(o_.filename, std::ios::app);
    out << line.str();
    out.close();
    if (!out) detail::fail<Error>("VariableValue: cannot write filename '", o_.filename, "': ", std::strerror(errno));
  }
}

void VariableValue::on_train_begin() { write(); }
void VariableValue::on_epoch_end() {
  if (model_->train_state().step % o_.period == 0) write();
}
void VariableValue::on_train_end() {
  if (model_->train_state().step % o_.period != 0) write();
}

// ---------------------------------------------------------------- PDEPointResampler

PDEPointResampler::PDEPointResampler(std::int64_t period) : period_(period) {
  if (period_ < 1) detail::fail("PDEPointResampler: period = ", period_, " (expected >= 1)");
}
// Periods count the model's global step, so a run resumed from a checkpoint fires at the same steps.
void PDEPointResampler::on_epoch_end() {
  if (model_->train_state().step % period_ != 0) return;
  model_->data().resample_train_points();
  ++count_;
}

// ---------------------------------------------------------------- ModelCheckpoint

ModelCheckpoint::ModelCheckpoint(std::string filepath, ModelCheckpointOptions options)
    : path_(std::move(filepath)), o_(options) {
  if (path_.empty()) detail::fail("ModelCheckpoint: filepath is empty");
  if (o_.period < 1) detail::fail("ModelCheckpoint: period = ", o_.period, " (expected >= 1)");
}
void ModelCheckpoint::save() {
  model_->save(path_);
  if (o_.verbose) std::cout << "Step " << model_->train_state().step << ": saved checkpoint " << path_ << "\n";
}
void ModelCheckpoint::on_epoch_end() {
  if (model_->train_state().step % o_.period != 0) return;
  const double current = model_->train_state().loss_train;
  if (o_.save_better_only && !(current < best_)) return;
  best_ = std::min(best_, current);
  save();
}
void ModelCheckpoint::on_train_end() {
  if (!o_.save_better_only) save();
}

// ---------------------------------------------------------------- OperatorPredictor

OperatorPredictor::OperatorPredictor(torch::Tensor x, Operator op, std::int64_t period, std::string filename)
    : x_(std::move(x)), op_(std::move(op)), period_(period), filename_(std::move(filename)) {
  if (period_ < 1) detail::fail("OperatorPredictor: period = ", period_, " (expected >= 1)");
  if (!op_) detail::fail("OperatorPredictor: the operator is empty");
  if (!x_.defined()) detail::fail("OperatorPredictor: x is undefined (expected the (N, dim) points to predict at)");
  if (x_.dim() != 2) detail::fail("OperatorPredictor: x has shape ", x_.sizes(), " (expected (N, dim))");
  if (x_.is_floating_point() && !x_.isfinite().all().item<bool>())
    detail::fail("OperatorPredictor: x has non-finite entries (expected finite points)");
  if (!filename_.empty()) {  // fail now, not after training, if the file cannot be written
    std::ofstream out(filename_, std::ios::app);
    if (!out) detail::fail<Error>("OperatorPredictor: cannot write filename '", filename_, "': ", std::strerror(errno));
  }
}
void OperatorPredictor::predict() {
  value_ = model_->predict(x_, op_);
  if (filename_.empty()) return;
  std::ofstream out(filename_, std::ios::app);
  out << model_->train_state().step;
  const auto v = value_.to(torch::kCPU, torch::kFloat64).contiguous();
  const double* p = v.data_ptr<double>();
  for (std::int64_t i = 0; i < v.numel(); ++i) out << " " << p[i];
  out << "\n";
  out.close();
  if (!out) detail::fail<Error>("OperatorPredictor: cannot write filename '", filename_, "': ", std::strerror(errno));
}
void OperatorPredictor::on_train_begin() { predict(); }
void OperatorPredictor::on_epoch_end() {
  if (model_->train_state().step % period_ != 0) return;
  predict();
}

}  // namespace pinnxde::callbacks
