#include <filesystem>
#include <fstream>
#include <iomanip>

#include "pinnxde/error.hpp"
#include "pinnxde/model.hpp"

namespace pinnxde {

void save_loss_history(const LossHistory& h, const std::string& output_dir) {
  std::filesystem::create_directories(output_dir);
  const auto path = std::filesystem::path(output_dir) / "loss.dat";
  std::ofstream out(path);
  if (!out) detail::fail<Error>("save_loss_history: cannot write ", path.string());
  out << "# step, loss_train, loss_test, metrics_test\n" << std::scientific << std::setprecision(8);
  for (std::size_t i = 0; i < h.steps.size(); ++i) {
    out << h.steps[i];
    for (const auto* row : {&h.loss_train[i], &h.loss_test[i], &h.metrics_test[i]})
      for (double v : *row) out << " " << v;
    out << "\n";
  }
}

}  // namespace pinnxde
