#include "pinnxde/saveplot.hpp"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "pinnxde/error.hpp"
#include "pinnxde/model.hpp"

namespace pinnxde {
namespace {

void write_table(const std::filesystem::path& path, const std::string& header,
                 const std::vector<torch::Tensor>& columns) {
  std::ofstream out(path);
  if (!out) detail::fail<Error>("saveplot: cannot write ", path.string());
  out << "# " << header << "\n" << std::setprecision(9);
  std::vector<torch::Tensor> cols;
  for (const auto& c : columns)
    if (c.defined()) cols.push_back(c.detach().to(torch::kCPU, torch::kFloat64).reshape({c.size(0), -1}));
  if (cols.empty()) return;
  auto all = torch::cat(cols, 1).contiguous();
  const double* p = all.data_ptr<double>();
  for (std::int64_t i = 0; i < all.size(0); ++i) {
    for (std::int64_t j = 0; j < all.size(1); ++j) out << (j ? " " : "") << p[i * all.size(1) + j];
    out << "\n";
  }
}

bool run_gnuplot(const std::string& script) {
  FILE* pipe = popen("gnuplot 2>&1", "w");
  if (!pipe) return false;
  std::fputs(script.c_str(), pipe);
  return pclose(pipe) == 0;
}

}  // namespace

bool gnuplot_available() { return std::system("command -v gnuplot > /dev/null 2>&1") == 0; }

int saveplot(Model& model, const SaveplotOptions& o) {
  namespace fs = std::filesystem;
  const fs::path dir(o.output_dir);
  fs::create_directories(dir);
  const auto& h = model.losshistory();
  const auto& st = model.train_state();
  auto& data = model.data();
  const auto& test = data.test_batch();
  const auto& train = data.train_batch();
  const torch::Tensor y_pred = model.predict(test.x.detach());
  const std::int64_t dim = test.x.size(1), nout = y_pred.size(1);
  if (o.issave) {
    save_loss_history(h, dir.string());
    nlohmann::json j = {{"steps", h.steps},
                        {"loss_train", h.loss_train},
                        {"loss_test", h.loss_test},
                        {"metrics_test", h.metrics_test},
                        {"best_step", st.best_step},
                        {"best_loss_train", st.best_loss_train},
                        {"best_loss_test", st.best_loss_test},
                        {"best_metrics", st.best_metrics},
                        {"step", st.step},
                        {"stop_reason", st.message}};
    std::ofstream(dir / "loss.json") << j.dump(1) << "\n";
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
    std::ofstream out(dir / "loss_plot.dat");
    out << "# step train_loss_sum test_loss_sum\n";
    for (std::size_t i = 0; i < h.steps.size(); ++i) {
      double a = 0, b = 0;
      for (double v : h.loss_train[i]) a += v;
      for (double v : h.loss_test[i]) b += v;
      out << h.steps[i] << " " << a << " " << b << "\n";
    }
  }
  write_table(dir / "solution_plot.dat", "x..., y_pred, y_true, |error|",
              {test.x, y_pred.narrow(1, 0, 1), test.y.defined() ? test.y.narrow(1, 0, 1) : torch::Tensor(),
               test.y.defined() ? (y_pred.narrow(1, 0, 1) - test.y.narrow(1, 0, 1).to(y_pred.dtype())).abs()
                                : torch::Tensor()});
  int written = 0;
  const std::string d = dir.string();
  std::ostringstream loss;
  loss << "set terminal pngcairo enhanced size 800,500\nset output '" << d << "/loss.png'\nset logscale y\n"
       << "set format y '10^{%L}'\n"
       << "set xlabel 'step'\nset ylabel 'loss (sum of unweighted terms)'\nset grid\nset key top right\n"
       << "plot '" << d << "/loss_plot.dat' using 1:2 with lines lw 2 title 'train', '' using 1:3 with lines lw 2 "
       << "dt 2 title 'test'\n";
  written += run_gnuplot(loss.str());
  const bool known = test.y.defined() && nout >= 1;
  std::ostringstream sol;
  if (dim == 1) {
    sol << "set terminal pngcairo size 800,500\nset output '" << d << "/solution.png'\nset xlabel 'x'\n"
        << "set ylabel 'y'\nset grid\nplot '" << d << "/solution_plot.dat' using 1:2 with points pt 7 ps 0.5 title "
        << "'prediction'" << (known ? ", '' using 1:3 with lines title 'reference'" : "") << "\n";
    written += run_gnuplot(sol.str());
  } else if (dim == 2) {
    sol << "set terminal pngcairo size " << (known ? 1200 : 600) << ",500\nset output '" << d << "/solution.png'\n"
        << "set multiplot layout 1," << (known ? 2 : 1) << "\nset xlabel 'x_1'\nset ylabel 'x_2'\nset size ratio -1\n"
        << "set palette rgbformulae 33,13,10\nset title 'prediction (output 0)'\n"
        << "plot '" << d << "/solution_plot.dat' using 1:2:3 with points pt 5 ps 0.6 palette notitle\n";
    if (known)
      sol << "set title '|prediction - reference|'\nplot '" << d
          << "/solution_plot.dat' using 1:2:5 with points pt 5 ps 0.6 palette notitle\n";
    sol << "unset multiplot\n";
    written += run_gnuplot(sol.str());
  }
  std::cout << "Plotted " << written << " PNG file(s) in " << d << "\n";
  return written;
}

}  // namespace pinnxde
