#pragma once
// What the Neural ODE examples share: the end of a run (result line, exit code, loss.dat) and gnuplot.
// saveplot()'s solution plot assumes the network maps points to the solution; here the network is the
// vector field, so these examples write their own trajectory and vector-field plots.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

#include <filesystem>
#include <string>

namespace neural_ode {

/// Writes a gnuplot script into output_dir and runs it there (pinnxde::plot_script: no shell, and the
/// script names its files relative to output_dir); returns whether it succeeded.
inline bool gnuplot(const std::string& output_dir, const std::string& name, const std::string& script) {
  if (!pinnxde::gnuplot_available()) {
    std::cout << "gnuplot not found, so no PNG (install it: apt-get install gnuplot-nox)\n";
    return false;
  }
  return pinnxde::plot_script(output_dir, name, script);
}

/// Prints `label: value`, writes loss.dat into --output-dir, and returns the exit code (examples::finish
/// without saveplot's solution plot).
inline int finish(pinnxde::Model& model, const std::string& label, double value, const pinnxde::examples::Args& a) {
  return pinnxde::examples::finish(model, label, value, a, /*solution_plot=*/false);
}

}  // namespace neural_ode
