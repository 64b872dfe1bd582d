#include "pinnxde/saveplot.hpp"

#include <torch/types.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <filesystem>
#include <sstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "pinnxde/error.hpp"
#include "pinnxde/model.hpp"
#include "file_io.hpp"

namespace pinnxde {
namespace {

void write_table(const std::filesystem::path& path, const std::string& header,
                 const std::vector<torch::Tensor>& columns, const char* who = "saveplot") {
  std::ostringstream out;
  out << "# " << header << "\n" << std::setprecision(9);
  std::vector<torch::Tensor> cols;
  for (const auto& c : columns)
    if (c.defined()) cols.push_back(c.detach().to(torch::kCPU, torch::kFloat64).reshape({c.size(0), -1}));
  if (!cols.empty()) {
    auto all = torch::cat(cols, 1).contiguous();
    const double* p = all.data_ptr<double>();
    for (std::int64_t i = 0; i < all.size(0); ++i) {
      for (std::int64_t j = 0; j < all.size(1); ++j) out << (j ? " " : "") << p[i * all.size(1) + j];
      out << "\n";
    }
  }
  detail::write_file_atomically(path.string(), out.str(), who);
}

// Runs `gnuplot <script_name>` with `dir` as its working directory, without a shell: posix_spawnp with
// an argv, so no part of the user's path is ever parsed by a shell or by gnuplot (the scripts name only
// fixed, relative file names). stdin is /dev/null; gnuplot's messages go to our stdout, as before.
bool run_gnuplot(const std::filesystem::path& dir, const std::string& script_name) {
  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0) return false;
  bool ok = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0) == 0 &&
            posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO) == 0 &&
            posix_spawn_file_actions_addchdir_np(&actions, dir.c_str()) == 0;
  pid_t pid = -1;
  std::string prog = "gnuplot", arg = script_name;
  char* argv[] = {prog.data(), arg.data(), nullptr};
  ok = ok && posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv, environ) == 0;
  posix_spawn_file_actions_destroy(&actions);
  if (!ok) return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Whether a 2-D scatter keeps the domain's shape (equal scales on both axes): only when its sides are within
// a factor 3 of each other. A space-time strip such as [0, 2 pi] x [0, 1] drawn to scale is a thin band
// of unreadable points, so it fills the panel instead.
bool true_aspect(const torch::Tensor& x) {
  if (x.size(0) == 0) return true;
  const auto span = (std::get<0>(x.max(0)) - std::get<0>(x.min(0))).to(torch::kCPU, torch::kFloat64);
  const double a = span[0].item<double>(), b = span[1].item<double>();
  return a > 0 && b > 0 && std::max(a, b) <= 3 * std::min(a, b);
}

// Checks output_dir and creates it (with its parents) if needed; filesystem errors become pinnxde errors
// that name the directory.
std::filesystem::path make_output_dir(const std::string& output_dir, const char* who) {
  namespace fs = std::filesystem;
  if (output_dir.empty()) detail::fail(who, ": output_dir is empty (expected a directory path, e.g. \".\")");
  if (output_dir.find('\0') != std::string::npos)
    detail::fail(who, ": output_dir contains a NUL character (expected a directory path)");
  const fs::path dir(output_dir);
  {
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
      detail::fail<Error>(who, ": output_dir '", output_dir, "' exists and is not a directory");
  }
  try {
    fs::create_directories(dir);
  } catch (const fs::filesystem_error& e) {
    detail::fail<Error>(who, ": cannot create output_dir '", output_dir, "': ", e.code().message());
  }
  return dir;
}

// A plain file name: no directory part, not empty, no NUL.
void check_file_name(const std::string& name, const char* who, const char* what, const char* example) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos)
    detail::fail(who, ": ", what, " = '", name, "' (expected a plain file name, e.g. \"", example, "\")");
}

// Writes a plot script (fixed text only) next to the data it plots.
void write_script(const std::filesystem::path& path, const std::string& text) {
  detail::write_file_atomically(path.string(), text, "saveplot");
}

}  // namespace

bool plot_script(const std::string& output_dir, const std::string& script_name, const std::string& script) {
  check_file_name(script_name, "plot_script", "script_name", "plot.gp");
  const std::filesystem::path dir(output_dir.empty() ? "." : output_dir);
  write_script(dir / script_name, script);
  return gnuplot_available() && run_gnuplot(dir, script_name);
}

void save_table(const std::string& output_dir, const std::string& file_name, const std::string& header,
                const std::vector<torch::Tensor>& columns) {
  check_file_name(file_name, "save_table", "file_name", "data.dat");
  std::int64_t rows = -1;
  for (std::size_t j = 0; j < columns.size(); ++j) {
    const auto& c = columns[j];
    if (!c.defined() || c.dim() < 1 || c.dim() > 2)
      detail::fail("save_table: columns[", j, "] ", c.defined() ? "has " + std::to_string(c.dim()) + " dimensions" : "is undefined",
                   " (expected a tensor of shape (N) or (N, k))");
    if (rows >= 0 && c.size(0) != rows)
      detail::fail("save_table: columns[", j, "] has ", c.size(0), " rows, columns[0] has ", rows,
                   " (expected the same number of rows)");
    rows = c.size(0);
  }
  write_table(make_output_dir(output_dir, "save_table") / file_name, header, columns, "save_table");
}

bool gnuplot_available() {
  // Searches PATH ourselves (no shell): an executable regular file named gnuplot.
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const auto colon = rest.find(':');
    const std::string_view entry = rest.substr(0, colon);
    const std::filesystem::path candidate = std::filesystem::path(entry.empty() ? "." : std::string(entry)) / "gnuplot";
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) return false;
    rest.remove_prefix(colon + 1);
  }
}

int saveplot(Model& model, const SaveplotOptions& o) {
  namespace fs = std::filesystem;
  const fs::path dir = make_output_dir(o.output_dir, "saveplot");
  const auto& h = model.losshistory();
  const auto& st = model.train_state();
  auto& data = model.data();
  const auto& test = data.test_batch();
  const auto& train = data.train_batch();
  if (!test.x.defined() || test.x.dim() != 2)
    detail::fail<StateError>("saveplot: the data has no test points yet (call model.compile and model.train first)");
  const torch::Tensor y_pred = model.predict(test.x.detach());
  const std::int64_t dim = test.x.size(1), nout = y_pred.size(1);
  if (o.issave) {
    try {
      save_loss_history(h, dir.string());
    } catch (const fs::filesystem_error& e) {
      detail::fail<Error>("saveplot: cannot write the loss history to '", o.output_dir, "': ", e.code().message());
    }
    nlohmann::json j = {{"steps", h.steps},
                        {"loss_train", h.loss_train},
                        {"loss_test", h.loss_test},
                        {"loss_names", h.loss_names},
                        {"metrics_test", h.metrics_test},
                        {"best_step", st.best_step},
                        {"best_loss_train", st.best_loss_train},
                        {"best_loss_test", st.best_loss_test},
                        {"best_metrics", st.best_metrics},
                        {"step", st.step},
                        {"stop_reason", st.message}};
    detail::write_file_atomically((dir / "loss.json").string(), j.dump(1) + "\n", "saveplot");
    write_table(dir / "train.dat", "x..., y_true...", {train.x, train.y});
    write_table(dir / "test.dat", "x..., y_true..., y_pred...", {test.x, test.y, y_pred});
    std::cout << "Saved loss history and points to " << dir.string() << "/{loss.dat,loss.json,train.dat,test.dat}\n";
  }
  if (!o.isplot) return 0;
  if (!gnuplot_available()) {
    std::cout << "saveplot: gnuplot not found, so no PNG plots (install it: apt-get install gnuplot-nox)\n";
    return 0;
  }
  // gnuplot reads the data from files next to the plots.
  {
    std::ostringstream out;
    out << "# step train_loss_sum test_loss_sum\n";
    for (std::size_t i = 0; i < h.steps.size(); ++i) {
      double a = 0, b = 0;
      for (double v : h.loss_train[i]) a += v;
      for (double v : h.loss_test[i]) b += v;
      out << h.steps[i] << " " << a << " " << b << "\n";
    }
    detail::write_file_atomically((dir / "loss_plot.dat").string(), out.str(), "saveplot");
  }
  // Every output component (at most kMaxPanels): prediction, and with a reference its value and |error|.
  constexpr std::int64_t kMaxPanels = 8;
  const bool known = test.y.defined() && test.y.size(1) == nout && nout >= 1;
  const std::int64_t shown = std::min<std::int64_t>(nout, kMaxPanels);
  {
    std::vector<torch::Tensor> cols{test.x};
    for (std::int64_t k = 0; k < shown; ++k) {
      cols.push_back(y_pred.narrow(1, k, 1));
      if (known) {
        const auto ref = test.y.narrow(1, k, 1).to(y_pred.dtype());
        cols.push_back(ref);
        cols.push_back((y_pred.narrow(1, k, 1) - ref).abs());
      }
    }
    if (dim == 1) {  // in order of x, so that the reference is drawn as a line (test sets end with boundary points)
      const auto order = std::get<1>(test.x.select(1, 0).sort());
      for (auto& c : cols) c = c.index_select(0, order.to(c.device()));
    }
    write_table(dir / "solution_plot.dat",
                known ? "x..., then per output: y_pred, y_true, |error|" : "x..., then per output: y_pred", cols);
  }
  // The scripts hold fixed text only: every file is named relative to output_dir, which gnuplot runs in
  // (see run_gnuplot), so no user-provided string is ever part of a gnuplot command. They stay next to the
  // plots so that a user can edit and re-run them (`cd out && gnuplot loss.gp`).
  int written = 0;
  std::ostringstream loss;
  loss << "set terminal pngcairo enhanced size 800,500\nset output 'loss.png'\nset logscale y\n"
       << "set format y '10^{%L}'\n"
       << "set xlabel 'step'\nset ylabel 'loss (sum of unweighted terms)'\nset grid\nset key top right\n"
       << "plot 'loss_plot.dat' using 1:2 with lines lw 2 title 'train', '' using 1:3 with lines lw 2 "
       << "dt 2 title 'test'\n";
  write_script(dir / "loss.gp", loss.str());
  written += run_gnuplot(dir, "loss.gp");
  // Column of output k's prediction in solution_plot.dat (1-based); its reference and |error| follow.
  auto col = [&](std::int64_t k) { return dim + 1 + k * (known ? 3 : 1); };
  std::ostringstream sol;
  if (dim == 1) {
    sol << "set terminal pngcairo size 800," << std::min<std::int64_t>(300 * shown + 100, 2000)
        << "\nset output 'solution.png'\nset multiplot layout " << shown << ",1\nset xlabel 'x'\nset grid\n";
    for (std::int64_t k = 0; k < shown; ++k)
      sol << "set ylabel 'y_" << k << "'\nplot 'solution_plot.dat' using 1:" << col(k)
          << " with points pt 7 ps 0.5 title 'prediction (output " << k << ")'"
          << (known ? ", '' using 1:" + std::to_string(col(k) + 1) + " with lines title 'reference'" : std::string())
          << "\n";
    sol << "unset multiplot\n";
  } else if (dim == 2) {
    sol << "set terminal pngcairo size " << (known ? 1200 : 600) << "," << std::min<std::int64_t>(450 * shown + 50, 3200)
        << "\nset output 'solution.png'\n"
        << "set multiplot layout " << shown << "," << (known ? 2 : 1)
        << "\nset xlabel 'x_1'\nset ylabel 'x_2'\n" << (true_aspect(test.x) ? "set size ratio -1\n" : "")
        << "set palette rgbformulae 33,13,10\n";
    for (std::int64_t k = 0; k < shown; ++k) {
      sol << "set title 'prediction (output " << k << ")'\n"
          << "plot 'solution_plot.dat' using 1:2:" << col(k) << " with points pt 5 ps 0.6 palette notitle\n";
      if (known)
        sol << "set title '|prediction - reference| (output " << k << ")'\n"
            << "plot 'solution_plot.dat' using 1:2:" << col(k) + 2 << " with points pt 5 ps 0.6 palette notitle\n";
    }
    sol << "unset multiplot\n";
  }
  if (dim == 1 || dim == 2) {
    write_script(dir / "solution.gp", sol.str());
    written += run_gnuplot(dir, "solution.gp");
  }
  std::cout << "Plotted " << written << " PNG file(s) in " << dir.string() << "\n";
  return written;
}

}  // namespace pinnxde
