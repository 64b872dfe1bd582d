#include "display.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace pinnxde::detail {

std::string format_list(const std::vector<double>& v) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << std::scientific << std::setprecision(2) << v[i];
  os << "]";
  return os.str();
}

void DisplayTable::row(std::int64_t step, const std::vector<double>& train, const std::vector<double>& test,
                       const std::vector<double>& metrics) {
  if (isatty(STDOUT_FILENO)) std::cout << "\r\033[K";  // clear the live progress line
  const int w = static_cast<int>(std::max<std::size_t>(train.size() * 10 + 4, 12));
  if (header_) {
    std::cout << std::left << std::setw(10) << "Step" << std::setw(w) << "Train loss" << std::setw(w) << "Test loss"
              << "Test metric\n";
    header_ = false;
  }
  std::cout << std::left << std::setw(10) << step << std::setw(w) << format_list(train) << std::setw(w)
            << format_list(test) << format_list(metrics) << std::endl;
}

void ProgressLine::update(std::int64_t step, std::int64_t done, std::int64_t total, double loss) {
  if (!isatty(STDOUT_FILENO)) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total && now - last_ < std::chrono::milliseconds(500)) return;
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  std::printf("\r\033[K  step %lld (%lld/%lld)  loss %.3e  %.0f steps/s  ETA %d:%02d", static_cast<long long>(step),
              static_cast<long long>(done), static_cast<long long>(total), loss, rate, static_cast<int>(eta) / 60,
              static_cast<int>(eta) % 60);
  std::fflush(stdout);
}

void print_best(const TrainState& s) {
  std::cout << "\nBest model at step " << s.best_step << ":\n"
            << "  train loss: " << std::scientific << std::setprecision(2) << s.best_loss_train << "\n"
            << "  test loss: " << format_list(s.best_loss_test) << "\n"
            << "  test metric: " << format_list(s.best_metrics) << "\n"
            << std::defaultfloat << "\n'train' took " << std::fixed << std::setprecision(3) << s.seconds << " s ("
            << s.message << ")\n\n"
            << std::defaultfloat;
}

}  // namespace pinnxde::detail
