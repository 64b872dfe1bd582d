#pragma once
// Command-line flags shared by the example gallery, so every example runs the same way:
//   --iterations N        Adam iterations          --lbfgs-iterations N   L-BFGS iterations (0: skip)
//   --seed S              one seed for everything  --float64              train in float64
//   --display-every N     progress row period      --output-dir DIR       where loss.dat goes
//   --max-error E         exit 2 when the printed error exceeds E (how ctest and the gallery check results)
//   --float64-on-stall    a float32 L-BFGS run that stalls on round-off goes on in float64
//                         (LBFGSOptions::float64_on_stall)
//   --device cpu|cuda     where the network and the training tensors live (config::set_device; cuda needs a
//                         LibTorch built for CUDA)
// and, in the examples that accept them (Args::accepts_weighting / accepts_causal / accepts_checkpoint):
//   --weighting W         loss weighting: static, grad-norm or ntk (CompileOptions::weighting)
//   --causal N            causal training with N time windows (CompileOptions::causal; 0: off)
//   --checkpoint FILE     save the run to FILE every --display-every steps and, when FILE exists, resume
//                         from it: a long run spread over sittings ends as the uninterrupted run would
//   --stop-at STEP        (with --checkpoint) end this sitting at the first save at or after STEP, exit 75
//   --stop-after SECONDS  (with --checkpoint) end this sitting at the first save after SECONDS of training
// An example's own flags (e.g. --beta B) are declared with Flags, which takes them out of argv, checks their
// values and hands the rest to parse_args.
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "pinnxde/callbacks.hpp"
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
  std::string device = "cpu";     // --device
  std::string weighting;          // --weighting, "" when not given
  std::int64_t causal = 0;        // --causal
  bool accepts_weighting = false;  // set in an example's defaults to accept --weighting
  bool accepts_causal = false;     // ... --causal
  bool lbfgs_float64 = false;      // --lbfgs-float64: Adam in the default precision, L-BFGS in float64
  bool accepts_lbfgs_float64 = false;  // ... --lbfgs-float64 (the example calls set_default_float before L-BFGS)
  std::string checkpoint;          // --checkpoint FILE, "" when not given
  std::int64_t stop_at = -1;       // --stop-at STEP (-1: none)
  double stop_after = 0;           // --stop-after SECONDS (0: none)
  bool accepts_checkpoint = false;  // ... --checkpoint / --stop-at / --stop-after (it trains by train_adam_lbfgs)
};

/// An example's own flags, taken out of argv before parse_args reads the shared ones. Call it inside
/// run(), so that a bad value is reported (exit 3), not an abort:
///   dde::examples::Flags flags(argc, argv);
///   const bool hard = flags.toggle("--hard-dirichlet");
///   const double beta = flags.number("--beta", 30, 0, 1000);
///   const auto args = dde::examples::parse_args(flags, {.iterations = 2000});
/// A value that is missing, does not parse, or lies outside [lo, hi] fails with the flag, the value and
/// what was expected. A flag given twice keeps its last value, as the shared flags do.
class Flags {
 public:
  Flags(int argc, char** argv) : args_(argv, argv + argc) {}

  /// A switch without a value: true when given.
  bool toggle(const std::string& name) {
    bool given = false;
    remove(name, 1, [&](std::size_t) { given = true; });
    return given;
  }
  /// A real number in [lo, hi]; `fallback` when the flag is absent.
  double number(const std::string& name, double fallback, double lo, double hi) {
    const auto v = take(name, "a number in [" + show(lo) + ", " + show(hi) + "]");
    if (!v) return fallback;
    char* end = nullptr;
    const double x = std::strtod(v->c_str(), &end);
    if (end == v->c_str() || *end || !(x >= lo && x <= hi))
      detail::fail("example: ", name, " = '", *v, "' (expected a number in [", lo, ", ", hi, "])");
    return x;
  }
  /// An integer in [lo, hi]; `fallback` when the flag is absent.
  std::int64_t integer(const std::string& name, std::int64_t fallback, std::int64_t lo, std::int64_t hi) {
    const auto v = take(name, "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    if (!v) return fallback;
    char* end = nullptr;
    errno = 0;
    const long long x = std::strtoll(v->c_str(), &end, 10);
    if (end == v->c_str() || *end || errno == ERANGE || x < lo || x > hi)
      detail::fail("example: ", name, " = '", *v, "' (expected an integer in [", lo, ", ", hi, "])");
    return x;
  }
  /// One of `valid`; `fallback` when the flag is absent.
  std::string choice(const std::string& name, const std::string& fallback, const std::vector<std::string>& valid) {
    std::string list;
    for (const auto& c : valid) list += (list.empty() ? "" : ", ") + c;
    const auto v = take(name, "one of " + list);
    if (!v) return fallback;
    for (const auto& c : valid)
      if (*v == c) return c;
    detail::fail("example: ", name, " = '", *v, "'; valid: ", list);
  }

  /// What is left for parse_args, and the names declared (for its help and unknown-flag messages).
  int argc() const { return static_cast<int>(args_.size()); }
  char** argv() { return args_.data(); }
  const std::vector<std::string>& names() const { return names_; }

 private:
  // Records `name`, and erases each occurrence with the width - 1 words after it, calling seen(i) first.
  void remove(const std::string& name, std::size_t width, const std::function<void(std::size_t)>& seen) {
    names_.push_back(name);
    for (std::size_t i = 1; i < args_.size();) {
      if (args_[i] != name) {
        ++i;
        continue;
      }
      seen(i);
      const auto at = args_.begin() + static_cast<std::ptrdiff_t>(i);
      args_.erase(at, at + static_cast<std::ptrdiff_t>(width));
    }
  }
  std::optional<std::string> take(const std::string& name, const std::string& expected) {
    std::optional<std::string> value;
    remove(name, 2, [&](std::size_t i) {
      if (i + 1 >= args_.size()) detail::fail("example: ", name, " needs a value (", expected, ")");
      value = args_[i + 1];
    });
    return value;
  }
  static std::string show(double x) {
    std::ostringstream s;
    s << x;
    return s.str();
  }
  std::vector<char*> args_;
  std::vector<std::string> names_;
};

/// Parses the flags over the example's defaults, applies --seed/--float64 and the L-BFGS budget. `own`:
/// the example's own flag names, listed in --help and in the unknown-flag message.
inline Args parse_args(int argc, char** argv, Args defaults = {}, const std::vector<std::string>& own = {}) {
  std::string own_list;
  for (const auto& n : own) own_list += ", " + n;
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
  auto positive = [&](const std::string& flag, const std::string& v, const char* expected) -> double {
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end || !(x > 0) || !std::isfinite(x))
      detail::fail("example: ", flag, " = '", v, "' (expected ", expected, ")");
    return x;
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
    else if (f == "--max-error") a.max_error = positive(f, value(i, f), "a finite number > 0, e.g. 1e-3");
    else if (f == "--device") {
      a.device = value(i, f);
      if (a.device != "cpu" && a.device != "cuda") detail::fail("example: --device = '", a.device, "'; valid: cpu, cuda");
    }
    else if (f == "--weighting" && a.accepts_weighting) {
      a.weighting = value(i, f);
      if (a.weighting != "static" && a.weighting != "grad-norm" && a.weighting != "ntk")
        detail::fail("example: --weighting = '", a.weighting, "'; valid: static, grad-norm, ntk");
    } else if (f == "--causal" && a.accepts_causal) a.causal = integer(f, value(i, f));
    else if (f == "--lbfgs-float64" && a.accepts_lbfgs_float64) a.lbfgs_float64 = true;
    else if (f == "--checkpoint" && a.accepts_checkpoint) {
      a.checkpoint = value(i, f);
      if (a.checkpoint.empty()) detail::fail("example: --checkpoint = '' (expected a file path)");
    } else if (f == "--stop-at" && a.accepts_checkpoint) a.stop_at = integer(f, value(i, f));
    else if (f == "--stop-after" && a.accepts_checkpoint)
      a.stop_after = positive(f, value(i, f), "a finite number of seconds > 0");
    else if (f == "--help" || f == "-h") {
      std::cout << "flags: --iterations N --lbfgs-iterations N --seed S --float64 --float64-on-stall --display-every N "
                   "--output-dir DIR --max-error E --device cpu|cuda"
                << (a.accepts_weighting ? " --weighting static|grad-norm|ntk" : "") << (a.accepts_causal ? " --causal N" : "")
                << (a.accepts_lbfgs_float64 ? " --lbfgs-float64" : "")
                << (a.accepts_checkpoint ? " --checkpoint FILE --stop-at STEP --stop-after SECONDS" : "");
      for (const auto& n : own) std::cout << " " << n;
      std::cout << "\n";
      std::exit(0);
    } else {
      detail::fail("example: unknown flag '", f, "'; valid: --iterations, --lbfgs-iterations, --seed, --float64, "
                   "--float64-on-stall, "
                   "--display-every, --output-dir, --max-error, --device",
                   a.accepts_weighting ? ", --weighting" : "", a.accepts_causal ? ", --causal" : "",
                   a.accepts_lbfgs_float64 ? ", --lbfgs-float64" : "",
                   a.accepts_checkpoint ? ", --checkpoint, --stop-at, --stop-after" : "", own_list);
    }
  }
  if ((a.stop_at >= 0 || a.stop_after > 0) && a.checkpoint.empty())
    detail::fail("example: --stop-at / --stop-after end a sitting of a run saved by --checkpoint FILE; "
                 "no --checkpoint was given");
  if (a.float64) config::set_default_float("float64");
  if (a.device == "cuda") config::set_device(torch::kCUDA);
  config::set_random_seed(a.seed);
  auto lbfgs = optimizers::LBFGS_options();
  lbfgs.maxiter = a.lbfgs_iterations;
  lbfgs.float64_on_stall = a.float64_on_stall;
  optimizers::set_LBFGS_options(lbfgs);
  return a;
}

/// parse_args over what `flags` left, naming the example's own flags in --help and errors.
inline Args parse_args(Flags& flags, Args defaults = {}) {
  return parse_args(flags.argc(), flags.argv(), std::move(defaults), flags.names());
}

/// After causal training (--causal): the current eps and the first and last windows' weights (causality is
/// respected through the whole interval when the last weight has risen towards 1).
inline void print_causal(const Model& model) {
  const auto w = model.causal_weights();
  std::cout << "Causal: eps " << model.causal_eps() << ", window weights first " << (w.empty() ? 0.0 : w.front())
            << " last " << (w.empty() ? 0.0 : w.back()) << "\n";
}

/// Exit code of a sitting ended by --stop-at / --stop-after (BSD's EX_TEMPFAIL: run it again to go on).
inline constexpr int kPaused = 75;

/// --checkpoint's saves and --stop-at / --stop-after's end of a sitting. Saves at the end of every step
/// (Adam) or chunk (L-BFGS) that is a multiple of `period`, where the library's own checkpoints are
/// consistent (an L-BFGS chunk ends there, after its restart decision); ending a sitting saves and throws
/// Paused, so that nothing after the save can overwrite it.
class Sittings : public callbacks::Callback {
 public:
  struct Paused {
    std::int64_t step;
  };
  Sittings(std::string path, std::int64_t period, std::int64_t stop_at, double stop_after)
      : path_(std::move(path)), period_(period), stop_at_(stop_at), stop_after_(stop_after),
        t0_(std::chrono::steady_clock::now()) {}
  void on_epoch_end() override {
    const auto step = model_->train_state().step;
    const bool stop =
        (stop_at_ >= 0 && step >= stop_at_) ||
        (stop_after_ > 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count() >= stop_after_);
    if (stop || step % period_ == 0) model_->save(path_);
    if (stop) throw Paused{step};
  }

 private:
  std::string path_;
  std::int64_t period_, stop_at_;
  double stop_after_;
  std::chrono::steady_clock::time_point t0_;
};

/// The examples' two phases, Adam for args.iterations steps and then (when args.lbfgs_iterations > 0)
/// `before_lbfgs` and L-BFGS, each compiled with its options, and with --checkpoint a run that can be
/// spread over sittings: saved to the file every --display-every steps (atomically) and, when the file
/// exists at start, resumed from it, so that the sittings end where the uninterrupted run would (the
/// checkpoint keeps the optimizer states, the generators, the training points and the best state:
/// Model::save). Returns false when --stop-at / --stop-after ended the sitting (the example then returns
/// kPaused); true when training is done.
inline bool train_adam_lbfgs(Model& model, const Args& args, const CompileOptions& adam,
                             const CompileOptions& lbfgs, const std::function<void()>& before_lbfgs = {}) {
  model.compile("adam", adam);
  std::vector<callbacks::CallbackPtr> sittings;
  bool resumed_in_lbfgs = false;
  if (!args.checkpoint.empty()) {
    if (std::filesystem::exists(args.checkpoint)) {
      // Restored into the Adam phase first; a checkpoint from the L-BFGS phase is restored again below,
      // once L-BFGS is compiled (a checkpoint goes into a model compiled with the optimizer it was saved with).
      model.restore(args.checkpoint);
      resumed_in_lbfgs = model.train_state().step > args.iterations;
      std::cout << "Resumed from " << args.checkpoint << " at step " << model.train_state().step
                << (resumed_in_lbfgs ? " (L-BFGS)" : " (Adam)") << "\n";
    }
    sittings.emplace_back(Sittings(args.checkpoint, args.display_every, args.stop_at, args.stop_after));
  }
  try {
    if (!resumed_in_lbfgs) {
      // Also when Adam is already done (a checkpoint of its last step): no steps, but the end of the phase
      // (the best state restored) as in the uninterrupted run.
      const auto left = std::max<std::int64_t>(0, args.iterations - model.train_state().step);
      model.train({.iterations = left, .display_every = args.display_every, .callbacks = sittings});
    }
    if (args.lbfgs_iterations > 0) {
      if (before_lbfgs && !resumed_in_lbfgs) before_lbfgs();
      model.compile("L-BFGS", lbfgs);
      if (resumed_in_lbfgs) model.restore(args.checkpoint);
      model.train({.display_every = args.display_every, .callbacks = sittings});
    }
  } catch (const Sittings::Paused& p) {
    std::cout << "Paused at step " << p.step << ", saved to " << args.checkpoint
              << "; run the same command again to go on\n";
    return false;
  }
  return true;
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
