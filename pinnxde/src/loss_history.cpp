// save_loss_history: DeepXDE's loss.dat.
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
  std::ostringstream out;
  out << "# step, loss_train, loss_test, metrics_test";
  // The terms' names, when the data object gives one per column: "# ... (terms: pde, DirichletBC, norm)".
  if (!h.loss_names.empty() && (rows == 0 || h.loss_names.size() == h.loss_train.back().size())) {
    out << " (terms:";
    for (std::size_t k = 0; k < h.loss_names.size(); ++k) out << (k ? ", " : " ") << h.loss_names[k];
    out << ")";
  }
  out << "\n" << std::scientific << std::setprecision(8);
  for (std::size_t i = 0; i < rows; ++i) {
    out << h.steps[i];
    for (const auto* row : {&h.loss_train[i], &h.loss_test[i], &h.metrics_test[i]})
      for (double v : *row) out << " " << v;
    out << "\n";
  }
  detail::write_file_atomically(path.string(), out.str(), "save_loss_history");
}

}  // namespace pinnxde
