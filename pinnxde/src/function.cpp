#include "pinnxde/data/function.hpp"

#include <torch/types.h>

#include <sstream>

#include "pinnxde/conditions/convert.hpp"
#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"

namespace pinnxde::data {

Function::Function(const geometry::Geometry& geometry, SolutionFunction function, std::int64_t num_train,
                   std::int64_t num_test, FunctionOptions options)
    : geom_(geometry.clone()),
      func_(std::move(function)),
      num_train_(num_train),
      num_test_(num_test),
      opts_(std::move(options)) {
  if (!func_) detail::fail("Function: function is empty (expected x (N, dim) -> (N, num_outputs))");
  if (num_train_ < 1) detail::fail("Function: num_train = ", num_train_, " (expected >= 1)");
  if (num_test_ < 1) detail::fail("Function: num_test = ", num_test_, " (expected >= 1)");
  static const char* dists[] = {"uniform", "pseudo", "LHS", "Halton", "Hammersley", "Sobol"};
  if (std::find(std::begin(dists), std::end(dists), opts_.train_distribution) == std::end(dists))
    detail::fail("Function: train_distribution = '", opts_.train_distribution,
                 "'; valid: uniform, pseudo, LHS, Halton, Hammersley, Sobol");
}

Batch Function::make_batch(const geometry::Points& points) const {
  const auto options = config::options();
  Batch b;
  b.bcs_start = {0};
  b.x = to_tensor(points, options);
  torch::NoGradGuard no_grad;
  try {
    b.y = func_(b.x);
  } catch (const std::exception& e) {
    detail::fail<Error>("Function: while evaluating the function on ", points.rows(), " points: ", e.what());
  }
  if (b.y.defined() && b.y.dim() == 1) b.y = b.y.unsqueeze(1);
  if (!b.y.defined() || b.y.dim() != 2 || b.y.size(0) != points.rows())
    detail::fail("Function: the function returned shape ",
                 b.y.defined() ? c10::str(b.y.sizes()) : std::string("undefined"), " for ", points.rows(),
                 " points (expected [", points.rows(), ", num_outputs])");
  b.y = b.y.to(options);
  if (const auto bad = b.y.isfinite().logical_not().any(1); bad.any().item<bool>()) {
    const auto i = bad.nonzero()[0][0].item<std::int64_t>();
    std::ostringstream at;
    for (Eigen::Index j = 0; j < points.cols(); ++j) at << (j ? ", " : "") << points(i, j);
    detail::fail("Function: the function returned a non-finite value at point ", i, " x = (", at.str(),
                 ") (expected finite targets)");
  }
  return b;
}

const Batch& Function::train_batch() {
  if (!train_) {
    train_ = make_batch(opts_.train_distribution == "uniform"
                            ? geom_->uniform_points(num_train_, true)
                            : geom_->random_points(num_train_, opts_.train_distribution));
  }
  ensure_options(*train_, config::options());
  return *train_;
}

const Batch& Function::test_batch() {
  if (!test_) test_ = make_batch(geom_->uniform_points(num_test_, true));
  ensure_options(*test_, config::options());
  return *test_;
}

void Function::resample_train_points() { train_.reset(); }

void Function::on_train_step() {
  if (opts_.online) train_.reset();
}

std::vector<torch::Tensor> Function::losses(const torch::Tensor& outputs, const Batch& batch,
                                            const std::vector<LossFunction>& loss_fns) const {
  if (outputs.sizes() != batch.y.sizes())
    detail::fail("Function: the network returns shape ", outputs.sizes(), " but the function gives ",
                 batch.y.sizes(), " (expected the network's last layer to have ", batch.y.size(1), " outputs)");
  return {loss_fns.front()(batch.y, outputs)};
}

}  // namespace pinnxde::data
