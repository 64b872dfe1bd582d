#pragma once
// Private to libpinnxde_core: the progress table and the live progress line that Model::train prints
// (display.cpp).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "pinnxde/model.hpp"

namespace pinnxde::detail {

/// "[1.23e-02, 4.56e-01]"
std::string format_list(const std::vector<double>& values);

/// DeepXDE's table: a header before the first row after reset(), then one row per record. The header names
/// every column of the lists (compact loss-term names such as "pde", "D0", "IC1"; metric names; the
/// trainable Variables "v0", "v1", ...) above its values:
///
///   Step      Train loss                      Test loss                       Test metric   Variables
///              pde       D0        IC1         pde       D0        IC1         l2 relat      v0
///   0         [1.23e-02, 4.56e-01, 1.00e+00]  [1.20e-02, 4.56e-01, 1.00e+00]  [3.00e-01]   [ 1.00e+00]
class DisplayTable {
 public:
  void reset() { header_ = true; }
  /// Column names: one per loss term, per metric and per Variable value (shorter lists are padded with
  /// "loss<i>" etc.).
  void set_names(std::vector<std::string> losses, std::vector<std::string> metrics, std::vector<std::string> vars);
  void row(std::int64_t step, const std::vector<double>& train, const std::vector<double>& test,
           const std::vector<double>& metrics, const std::vector<double>& vars = {});

 private:
  bool header_ = true;
  std::vector<std::string> loss_names_, metric_names_, var_names_;
};

/// "[ 1.00e+00, -2.50e-01]": Variable values, which may be negative, in a fixed width of 9 per value.
std::string format_signed_list(const std::vector<double>& values);

/// On a terminal, a live line between table rows: step, loss, steps/s, ETA (at most twice a second).
class ProgressLine {
 public:
  void start() { start_ = std::chrono::steady_clock::now(); }
  void update(std::int64_t step, std::int64_t done, std::int64_t total, double loss);

 private:
  std::chrono::steady_clock::time_point start_, last_;
};

/// The "Best model at step ..." summary at the end of train().
void print_best(const TrainState& state);

}  // namespace pinnxde::detail
