#pragma once
// Command-line flags shared by the example gallery, so every example runs the same way:
//   --iterations N        Adam iterations          --lbfgs-iterations N   L-BFGS iterations (0: skip)
//   --seed S              one seed for everything  --float64              train in float64
//   --display-every N     progress row period      --output-dir DIR       where loss.dat goes
//   --max-error E         exit 2 when the printed error exceeds E (how ctest and the gallery check results)
//   --float64-on-stall    a float32 L-BFGS run that stalls on round-off goes on in float64
//                         (LBFGSOptions::float64_on_stall)
// and, in the examples that accept them (Args::accepts_weighting / accepts_causal):
//   --weighting W         loss weighting: static, grad-norm or ntk (CompileOptions::weighting)
//   --causal N            causal training with N time windows (CompileOptions::causal; 0: off)
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/model.hpp"
#include "pinnxde/optimizers.hpp"
#include "pinnxde/saveplot.hpp"

namespace pinnxde::examples {

struct Args {
  std::int64_t iterations = 20000;
  std::int64_t lbfgs_iterations = 15000;
  std::uint64_t seed = 0;
  bool float64 = false;
  bool float64_on_stall = false;  // --float64-on-stall
  int display_every = 1000;
  std::string output_dir;
  std::optional<double> max_error;
  std::string weighting;          // --weighting, "" when not given
  std::int64_t causal = 0;        // --causal
  bool accepts_weighting = false;  // set in an example's defaults to accept --weighting
  bool accepts_causal = false;     // ... --causal
  bool lbfgs_float64 = false;      // --lbfgs-float64: Adam in the default precision, L-BFGS in float64
  bool accepts_lbfgs_float64 = false;  // ... --lbfgs-float64 (the example calls set_default_float before L-BFGS)
};

/// Parses the flags over the example's defaults, applies --seed/--float64 and the L-BFGS budget.
inline Args parse_args(int argc, char** argv, Args defaults = {}) {
  Args a = defaults;
  auto value = [&](int& i, const std::string& flag) -> std::string {
    if (i + 1 >= argc) detail::fail("example: ", flag, " needs a value");
    return argv[++i];
  };
  auto integer = [&](const std::string& flag, const std::string& v) -> std::int64_t {
    char* end = nullptr;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (end == v.c_str() || *end || n < 0) detail::fail("example: ", flag, " = '", v, "' (expected an integer >= 0)");
    return n;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string f = argv[i];
    if (f == "--iterations") a.iterations = integer(f, value(i, f));
    else if (f == "--lbfgs-iterations") a.lbfgs_iterations = integer(f, value(i, f));
    else if (f == "--seed") a.seed = static_cast<std::uint64_t>(integer(f, value(i, f)));
    else if (f == "--float64") a.float64 = true;
    else if (f == "--float64-on-stall") a.float64_on_stall = true;
    else if (f == "--display-every") a.display_every = static_cast<int>(std::max<std::int64_t>(1, integer(f, value(i, f))));
    else if (f == "--output-dir") a.output_dir = value(i, f);
    else if (f == "--max-error") {
      const std::string v = value(i, f);
      char* end = nullptr;
      const double e = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end || !(e > 0) || !std::isfinite(e))
        detail::fail("example: --max-error = '", v, "' (expected a finite number > 0, e.g. 1e-3)");
      a.max_error = e;
    }
    else if (f == "--weighting" && a.accepts_weighting) {
      a.weighting = value(i, f);
      if (a.weighting != "static" && a.weighting != "grad-norm" && a.weighting != "ntk")
        detail::fail("example: --weighting = '", a.weighting, "'; valid: static, grad-norm, ntk");
    } else if (f == "--causal" && a.accepts_causal) a.causal = integer(f, value(i, f));
    else if (f == "--lbfgs-float64" && a.accepts_lbfgs_float64) a.lbfgs_float64 = true;
    else if (f == "--help" || f == "-h") {
      std::cout << "flags: --iterations N --lbfgs-iterations N --seed S --float64 --float64-on-stall --display-every N "
                   "--output-dir DIR --max-error E"
                << (a.accepts_weighting ? " --weighting static|grad-norm|ntk" : "") << (a.accepts_causal ? " --causal N" : "")
                << (a.accepts_lbfgs_float64 ? " --lbfgs-float64" : "")
                << "\n";
      std::exit(0);
    } else {
      detail::fail("example: unknown flag '", f, "'; valid: --iterations, --lbfgs-iterations, --seed, --float64, "
                   "--float64-on-stall, "
                   "--display-every, --output-dir, --max-error");
    }
  }
  if (a.float64) config::set_default_float("float64");
  config::set_random_seed(a.seed);
  auto lbfgs = optimizers::LBFGS_options();
  lbfgs.maxiter = a.lbfgs_iterations;
  lbfgs.float64_on_stall = a.float64_on_stall;
  optimizers::set_LBFGS_options(lbfgs);
  return a;
}

/// Prints the stable result line and returns the exit code: 1 if training went non-finite, 2 if
/// `value` exceeds --max-error, else 0. With --output-dir, saves loss.dat and saveplot's figures (or only
/// loss.dat when solution_plot is false: a network that is not the solution, e.g. a Neural ODE's field).
inline int finish(Model& model, const std::string& label, double value, const Args& a, bool solution_plot = true) {
  std::cout << label << ": " << value << std::endl;
  if (!a.output_dir.empty()) {
    if (solution_plot) saveplot(model, {.output_dir = a.output_dir});
    else save_loss_history(model.losshistory(), a.output_dir);
  }
  if (model.train_state().stop_reason == StopReason::NonFinite || !std::isfinite(value)) {
    std::cout << "FAILED: training went non-finite (" << model.train_state().message << ")\n";
    return 1;
  }
  if (a.max_error && !(value <= *a.max_error)) {
    std::cout << "FAILED: " << label << " " << value << " > --max-error " << *a.max_error << "\n";
    return 2;
  }
  return 0;
}

/// Runs main_body and turns a pinnxde::Error into a message and exit code 3 instead of an abort.
template <class F>
int run(F&& main_body) {
  try {
    return main_body();
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace pinnxde::examples
