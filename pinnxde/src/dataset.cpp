#include "pinnxde/data/dataset.hpp"

#include <torch/types.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pinnxde/conditions/convert.hpp"
#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"

namespace pinnxde::data {

geometry::Points loadtxt(const std::string& fname) {
  {
    std::error_code ec;
    if (std::filesystem::is_directory(fname, ec))
      detail::fail("loadtxt: '", fname, "' is a directory (expected a text file of numbers)");
  }
  std::ifstream in(fname);
  if (!in) detail::fail("loadtxt: cannot open '", fname, "'");
  std::vector<std::vector<double>> rows;
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream ls(line);
    std::vector<double> row;
    std::string tok;
    while (ls >> tok) {
      char* end = nullptr;
      const double v = std::strtod(tok.c_str(), &end);
      if (end == tok.c_str() || *end)
        detail::fail("loadtxt: '", fname, "' line ", lineno, ": '", tok, "' is not a number");
      row.push_back(v);
    }
    if (!rows.empty() && row.size() != rows.front().size())
      detail::fail("loadtxt: '", fname, "' line ", lineno, " has ", row.size(), " columns (expected ",
                   rows.front().size(), " like the first row)");
    rows.push_back(std::move(row));
  }
  if (rows.empty()) detail::fail("loadtxt: '", fname, "' has no data rows");
  geometry::Points p(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.front().size()));
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < rows[i].size(); ++j)
      p(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
  return p;
}

namespace {

geometry::Points columns(const geometry::Points& m, const std::vector<int>& cols, const char* what,
                         const std::string& fname) {
  if (cols.empty()) detail::fail("DataSet: ", what, " is empty (expected the column indices of '", fname, "')");
  geometry::Points out(m.rows(), static_cast<Eigen::Index>(cols.size()));
  for (std::size_t j = 0; j < cols.size(); ++j) {
    if (cols[j] < 0 || cols[j] >= m.cols())
      detail::fail("DataSet: ", what, "[", j, "] = ", cols[j], " out of range for '", fname, "' with ", m.cols(),
                   " columns (expected 0 <= ", what, " < ", m.cols(), ")");
    out.col(static_cast<Eigen::Index>(j)) = m.col(cols[j]);
  }
  return out;
}

void check_pair(const geometry::Points& x, const geometry::Points& y, const char* xn, const char* yn) {
  if (x.rows() != y.rows())
    detail::fail("DataSet: ", xn, " has ", x.rows(), " rows but ", yn, " has ", y.rows(),
                 " (expected one target row per input row)");
  if (x.rows() == 0 || x.cols() == 0 || y.cols() == 0)
    detail::fail("DataSet: ", xn, " / ", yn, " have shapes [", x.rows(), ", ", x.cols(), "] / [", y.rows(), ", ",
                 y.cols(), "] (expected non-empty data)");
}

// Non-finite targets or inputs would only show up as a NaN loss: refuse them here, naming the entry.
void require_finite(const geometry::Points& m, const char* what, const std::string& fname) {
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      if (!std::isfinite(m(i, j)))
        detail::fail("DataSet: ", what, "[", i, ", ", j, "] = ", m(i, j),
                     fname.empty() ? std::string() : " (row " + std::to_string(i) + " of '" + fname + "')",
                     " (expected finite values)");
}

}  // namespace

DataSet::DataSet(DataSetOptions o) {
  if (!o.fname_train.empty()) {
    const auto m = loadtxt(o.fname_train);
    train_x_ = columns(m, o.col_x, "col_x", o.fname_train);
    train_y_ = columns(m, o.col_y, "col_y", o.fname_train);
  } else {
    train_x_ = std::move(o.X_train);
    train_y_ = std::move(o.y_train);
  }
  if (!o.fname_test.empty()) {
    const auto m = loadtxt(o.fname_test);
    test_x_ = columns(m, o.col_x, "col_x", o.fname_test);
    test_y_ = columns(m, o.col_y, "col_y", o.fname_test);
  } else if (o.X_test.rows() > 0 || o.y_test.rows() > 0) {
    test_x_ = std::move(o.X_test);
    test_y_ = std::move(o.y_test);
  } else {
    test_x_ = train_x_;
    test_y_ = train_y_;
  }
  check_pair(train_x_, train_y_, "X_train", "y_train");
  check_pair(test_x_, test_y_, "X_test", "y_test");
  require_finite(train_x_, "X_train", o.fname_train);
  require_finite(train_y_, "y_train", o.fname_train);
  require_finite(test_x_, "X_test", o.fname_test.empty() ? o.fname_train : o.fname_test);
  require_finite(test_y_, "y_test", o.fname_test.empty() ? o.fname_train : o.fname_test);
  if (test_x_.cols() != train_x_.cols() || test_y_.cols() != train_y_.cols())
    detail::fail("DataSet: test data has ", test_x_.cols(), " input and ", test_y_.cols(),
                 " output columns but training data has ", train_x_.cols(), " and ", train_y_.cols(),
                 " (expected the same)");
  mean_ = Eigen::RowVectorXd::Zero(train_x_.cols());
  std_ = Eigen::RowVectorXd::Ones(train_x_.cols());
  if (o.standardize) {
    // StandardScaler: population standard deviation; a constant column keeps scale 1.
    mean_ = train_x_.colwise().mean();
    const geometry::Points c = train_x_.rowwise() - mean_;
    std_ = (c.array().square().colwise().sum() / static_cast<double>(train_x_.rows())).sqrt().matrix();
    for (Eigen::Index j = 0; j < std_.size(); ++j)
      if (std_(j) == 0) std_(j) = 1;
    train_x_ = transform_inputs(train_x_);
    test_x_ = transform_inputs(test_x_);
  }
}

geometry::Points DataSet::transform_inputs(const geometry::Points& x) const {
  if (x.cols() != mean_.size())
    detail::fail("DataSet.transform_inputs: x has ", x.cols(), " columns (expected ", mean_.size(), ")");
  return ((x.rowwise() - mean_).array().rowwise() / std_.array()).matrix();
}

Batch DataSet::make_batch(const geometry::Points& x, const geometry::Points& y) const {
  const auto options = config::options();
  Batch b;
  b.bcs_start = {0};
  b.x = to_tensor(x, options);
  b.y = to_tensor(y, options);
  return b;
}

const Batch& DataSet::train_batch() {
  if (!train_) train_ = make_batch(train_x_, train_y_);
  ensure_options(*train_, config::options());
  return *train_;
}

const Batch& DataSet::test_batch() {
  if (!test_) test_ = make_batch(test_x_, test_y_);
  ensure_options(*test_, config::options());
  return *test_;
}

std::vector<torch::Tensor> DataSet::losses(const torch::Tensor& outputs, const Batch& batch,
                                           const std::vector<LossFunction>& loss_fns) const {
  if (outputs.sizes() != batch.y.sizes())
    detail::fail("DataSet: the network returns shape ", outputs.sizes(), " but y has shape ", batch.y.sizes(),
                 " (expected the network's last layer to have ", batch.y.size(1), " outputs)");
  return {loss_fns.front()(batch.y, outputs)};
}

}  // namespace pinnxde::data
