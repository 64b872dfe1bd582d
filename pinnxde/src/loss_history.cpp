// save_loss_history: DeepXDE's loss.dat.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <system_error>

#include "file_io.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/model.hpp"

namespace pinnxde {

void save_loss_history(const LossHistory& h, const std::string& output_dir) {
  const auto path = std::filesystem::path(output_dir) / "loss.dat";
  std::error_code ec;
  std::filesystem::create_directories(output_dir, ec);
  if (ec)
    detail::fail<Error>("save_loss_history: cannot create the output directory '", output_dir, "' for '",
                        path.string(), "': ", ec.message());
  const auto rows = h.steps.size();
  if (h.loss_train.size() != rows || h.loss_test.size() != rows || h.metrics_test.size() != rows)
    detail::fail("save_loss_history: the history has ", rows, " steps but ", h.loss_train.size(), ", ",
                 h.loss_test.size(), " and ", h.metrics_test.size(),
                 " rows of loss_train, loss_test and metrics_test (expected one row per step)");
  // Optional columns: the loss weights (when some weight differs from 1), causal eps and window weights.
  // Rows recorded without them (an earlier phase) get nan.
  auto widest = [&](const std::vector<std::vector<double>>& v) {
    std::size_t n = 0;
    if (v.size() == rows)
      for (const auto& r : v) n = std::max(n, r.size());
    return n;
  };
  std::size_t n_weights = widest(h.loss_weights);
  bool weighted = false;
  for (const auto& r : h.loss_weights)
    for (double w : r) weighted = weighted || w != 1.0;
  if (!weighted) n_weights = 0;
  const std::size_t n_causal = h.causal_eps.size() == rows ? widest(h.causal_weights) : 0;
  std::ostringstream out;
  out << "# step, loss_train, loss_test, metrics_test" << (n_weights ? ", loss_weights" : "")
      << (n_causal ? ", causal_eps, causal_weights" : "");
  // The terms' names, when the data object gives one per column: "# ... (terms: pde, DirichletBC, norm)".
  if (!h.loss_names.empty() && (rows == 0 || h.loss_names.size() == h.loss_train.back().size())) {
    out << " (terms:";
    for (std::size_t k = 0; k < h.loss_names.size(); ++k) out << (k ? ", " : " ") << h.loss_names[k];
    out << ")";
  }
  out << "\n" << std::scientific << std::setprecision(8);
  auto columns = [&](const std::vector<double>& r, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) out << " " << (k < r.size() ? r[k] : std::nan(""));
  };
  for (std::size_t i = 0; i < rows; ++i) {
    out << h.steps[i];
    for (const auto* row : {&h.loss_train[i], &h.loss_test[i], &h.metrics_test[i]})
      for (double v : *row) out << " " << v;
    if (n_weights) columns(h.loss_weights[i], n_weights);
    if (n_causal) {
      out << " " << h.causal_eps[i];
      columns(h.causal_weights[i], n_causal);
    }
    out << "\n";
  }
  detail::write_file_atomically(path.string(), out.str(), "save_loss_history");
}

}  // namespace pinnxde
