#pragma once
// What the Neural ODE examples share: the end of a run (result line, exit code, loss.dat) and gnuplot.
// saveplot()'s solution plot assumes the network maps points to the solution; here the network is the
// vector field, so these examples write their own trajectory and vector-field plots.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

#include <cstdio>
#include <filesystem>
#include <string>

namespace neural_ode {

/// Runs a gnuplot script (when gnuplot is installed); returns whether it succeeded.
inline bool gnuplot(const std::string& script) {
  if (!pinnxde::gnuplot_available()) {
    std::cout << "gnuplot not found, so no PNG (install it: apt-get install gnuplot-nox)\n";
    return false;
  }
  FILE* pipe = popen("gnuplot 2>&1", "w");
  if (!pipe) return false;
  std::fputs(script.c_str(), pipe);
  return pclose(pipe) == 0;
}

/// Prints `label: value`, writes loss.dat into --output-dir, and returns the exit code: 1 if training went
/// non-finite, 2 if value exceeds --max-error, else 0 (the gallery's contract, as examples::finish).
inline int finish(pinnxde::Model& model, const std::string& label, double value, const pinnxde::examples::Args& a) {
  std::cout << label << ": " << value << std::endl;
  if (!a.output_dir.empty()) pinnxde::save_loss_history(model.losshistory(), a.output_dir);
  if (model.train_state().stop_reason == pinnxde::StopReason::NonFinite || !std::isfinite(value)) {
    std::cout << "FAILED: training went non-finite (" << model.train_state().message << ")\n";
    return 1;
  }
  if (a.max_error && !(value <= *a.max_error)) {
    std::cout << "FAILED: " << label << " " << value << " > --max-error " << *a.max_error << "\n";
    return 2;
  }
  return 0;
}

}  // namespace neural_ode
