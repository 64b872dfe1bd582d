#include "display.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace pinnxde::detail {

std::string format_list(const std::vector<double>& v) {
  std::string s = "[";
  char buf[32];
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%.2e", v[i]);
    s += (i ? ", " : "");
    s += buf;
  }
  return s + "]";
}

std::string format_signed_list(const std::vector<double>& v) {
  std::string s = "[";
  char buf[32];
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "% .2e", v[i]);
    s += (i ? ", " : "");
    s += buf;
  }
  return s + "]";
}

void DisplayTable::set_names(std::vector<std::string> losses, std::vector<std::string> metrics,
                             std::vector<std::string> vars) {
  // A new header when the columns change (another compile with other Variables or metrics).
  if (losses != loss_names_ || metrics != metric_names_ || vars != var_names_) header_ = true;
  loss_names_ = std::move(losses);
  metric_names_ = std::move(metrics);
  var_names_ = std::move(vars);
}

namespace {
// The names of a list's values, each above its value: value i of "[a, b]" starts at 1 + i * (width + 2).
std::string names_line(const std::vector<std::string>& names, std::size_t n, const char* fallback, int width,
                       const char* lead = " ") {
  std::string s = lead;
  for (std::size_t i = 0; i < n; ++i) {
    std::string name = i < names.size() && !names[i].empty() ? names[i] : fallback + std::to_string(i);
    if (name.size() > static_cast<std::size_t>(width)) name.resize(static_cast<std::size_t>(width));
    if (i + 1 < n) name.resize(static_cast<std::size_t>(width + 2), ' ');
    s += name;
  }
  return s;
}
std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.resize(w, ' ');
  return s + (s.size() > w ? " " : "");
}
}  // namespace

void DisplayTable::row(std::int64_t step, const std::vector<double>& train, const std::vector<double>& test,
                       const std::vector<double>& metrics, const std::vector<double>& vars) {
  // Built in strings and written at once: std::cout's flags and precision are never touched.
  if (isatty(STDOUT_FILENO)) std::cout << "\r\033[K";  // clear the live progress line
  const std::size_t w = std::max<std::size_t>(std::max(train.size(), test.size()) * 10 + 4, 12);
  const std::size_t wm = std::max<std::size_t>(metrics.size() * 10 + 3, 13);
  std::string out;
  if (header_) {
    std::string title = pad("Step", 10) + pad("Train loss", w) + pad("Test loss", w);
    std::string names = pad("", 10) + pad(names_line(loss_names_, train.size(), "loss", 8), w) +
                        pad(names_line(loss_names_, test.size(), "loss", 8), w);
    if (!metrics.empty() || !vars.empty()) {
      title += pad("Test metric", wm);
      names += pad(names_line(metric_names_, metrics.size(), "metric", 8), wm);
    }
    if (!vars.empty()) {
      title += "Variables";
      names += names_line(var_names_, vars.size(), "v", 9, "  ");  // above the digits, past the sign column
    }
    while (!title.empty() && title.back() == ' ') title.pop_back();
    while (!names.empty() && names.back() == ' ') names.pop_back();
    out += title + "\n" + names + "\n";
    header_ = false;
  }
  std::string line = pad(std::to_string(step), 10) + pad(format_list(train), w) + pad(format_list(test), w);
  if (!metrics.empty() || !vars.empty()) line += pad(format_list(metrics), wm);
  if (!vars.empty()) line += format_signed_list(vars);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out += line + "\n";
  std::cout << out << std::flush;
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
  char loss[32], secs[32];
  std::snprintf(loss, sizeof loss, "%.2e", s.best_loss_train);
  std::snprintf(secs, sizeof secs, "%.3f", s.seconds);
  std::cout << "\nBest model at step " << s.best_step << ":\n"
            << "  train loss: " << loss << "\n"
            << "  test loss: " << format_list(s.best_loss_test) << "\n"
            << "  test metric: " << format_list(s.best_metrics) << "\n"
            << "\n'train' took " << secs << " s (" << s.message << ")\n\n";
}

}  // namespace pinnxde::detail
