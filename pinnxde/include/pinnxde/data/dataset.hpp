#pragma once
// Supervised data: fit the network to (X, y) pairs, no PDE. Port of deepxde.data.DataSet.
//
//   dde::data::DataSet data({.X_train = X, .y_train = y, .X_test = Xt, .y_test = yt, .standardize = true});
//   // or from whitespace-separated text files (numpy.loadtxt), columns picked by index:
//   dde::data::DataSet data({.fname_train = "train.dat", .fname_test = "test.dat", .col_x = {0}, .col_y = {1}});
//   ...
//   model.predict(data.transform_inputs(X_new));   // standardised inputs, as the network was trained
//
// standardize = true rescales each input column to zero mean and unit variance with the training set's
// statistics (scikit-learn's StandardScaler, as DeepXDE); outputs are not rescaled.
#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

#include "pinnxde/data/data.hpp"
#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::data {

/// Keyword arguments of DataSet, in DeepXDE's order. Either the arrays or the files (with col_x, col_y).
/// Without test data the training data doubles as the test set.
struct DataSetOptions {
  geometry::Points X_train, y_train, X_test, y_test;  // (N, dim), (N, num_outputs)
  std::string fname_train, fname_test;               // text files: one row per sample, numbers by whitespace
  std::vector<int> col_x, col_y;                     // columns of the files holding x and y
  bool standardize = false;
};

class DataSet : public Data {
 public:
  explicit DataSet(DataSetOptions options);

  /// One loss term: loss(y_train, net(X_train)).
  std::vector<torch::Tensor> losses(const torch::Tensor& outputs, const Batch& batch,
                                    const std::vector<LossFunction>& loss_fns) const override;
  std::size_t num_losses() const override { return 1; }
  const Batch& train_batch() override;
  const Batch& test_batch() override;
  void resample_train_points() override {}  // fixed data: nothing to resample
  int input_dim() const override { return static_cast<int>(train_x_.cols()); }
  const std::vector<icbc::BCPtr>& bcs() const override { return no_bcs_; }

  /// Applies the training set's standardisation (identity when standardize = false). x: (N, dim).
  geometry::Points transform_inputs(const geometry::Points& x) const;
  /// Per-column mean and standard deviation used by standardize (0 and 1 without it).
  const Eigen::RowVectorXd& scaler_mean() const { return mean_; }
  const Eigen::RowVectorXd& scaler_std() const { return std_; }
  /// The (standardised) training and test inputs and their targets.
  const geometry::Points& train_x() const { return train_x_; }
  const geometry::Points& train_y() const { return train_y_; }
  const geometry::Points& test_x() const { return test_x_; }
  const geometry::Points& test_y() const { return test_y_; }

 private:
  Batch make_batch(const geometry::Points& x, const geometry::Points& y) const;

  geometry::Points train_x_, train_y_, test_x_, test_y_;
  Eigen::RowVectorXd mean_, std_;
  std::vector<icbc::BCPtr> no_bcs_;
  std::optional<Batch> train_, test_;
};

/// Reads a whitespace-separated numeric text file (numpy.loadtxt; lines starting with '#' skipped).
geometry::Points loadtxt(const std::string& fname);

}  // namespace pinnxde::data
