#pragma once
// Saves and plots a training run. Port of deepxde.saveplot (files) plus PNG plots through gnuplot.
//
//   dde::saveplot(model, {.output_dir = "out"});
//   // out/loss.dat, out/loss.json, out/train.dat, out/test.dat and, when gnuplot is installed,
//   // out/loss.png and out/solution.png (prediction, reference and |error| for 1-D and 2-D inputs)
//
// gnuplot (Debian: gnuplot-nox) is an optional run-time dependency: without it the data files are
// still written and a message says how to get the plots. The plots come from out/loss.gp and
// out/solution.gp (kept, to edit and re-run: `cd out && gnuplot loss.gp`). gnuplot is started without a
// shell (posix_spawnp, an argv) in output_dir, and the scripts name only fixed relative file names, so
// no part of output_dir is ever parsed by a shell or by gnuplot: any directory name is safe.
//
// Errors: ValueError for an empty output_dir; Error naming the path when output_dir exists and is not a
// directory, cannot be created or a file cannot be written.
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace pinnxde {

class Model;

struct SaveplotOptions {
  bool issave = true;            // write loss.dat, loss.json, train.dat, test.dat
  bool isplot = true;            // write loss.png and solution.png (needs gnuplot)
  std::string output_dir = ".";
};

/// Writes the files and plots; returns the number of PNG files written.
int saveplot(Model& model, const SaveplotOptions& options = {});

/// Writes `script` to output_dir/script_name and runs gnuplot on it with output_dir as the working
/// directory, without a shell (what saveplot does for its own plots). The script names its files relative
/// to output_dir, so no part of the directory's name is ever parsed. Returns whether gnuplot ran and
/// succeeded (false when gnuplot is not installed).
bool plot_script(const std::string& output_dir, const std::string& script_name, const std::string& script);
/// Writes `columns` side by side as a text table (a "# header" line, then one line per row, 9 digits) to
/// output_dir/file_name, atomically, creating output_dir if needed: the data of an example's own
/// plot_script figure. Each column is a tensor of N rows ((N) or (N, k), any dtype and device).
/// ValueError when file_name is not a plain file name or the columns' row counts differ; Error naming
/// the path when it cannot write.
void save_table(const std::string& output_dir, const std::string& file_name, const std::string& header,
                const std::vector<at::Tensor>& columns);
/// True when a `gnuplot` executable is on PATH.
bool gnuplot_available();

}  // namespace pinnxde
