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

/// DeepXDE's table: a header before the first row after reset(), then one row per record.
class DisplayTable {
 public:
  void reset() { header_ = true; }
  void row(std::int64_t step, const std::vector<double>& train, const std::vector<double>& test,
           const std::vector<double>& metrics);

 private:
  bool header_ = true;
};

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
