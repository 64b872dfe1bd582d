#pragma once
// Function approximation: fit the network to a known function on a geometry, no PDE. Port of
// deepxde.data.Function.
//
//   auto f = [](const torch::Tensor& x) { return x * torch::sin(5 * x); };
//   dde::data::Function data(dde::geometry::Interval(-1, 1), f, 16, 100);
//   dde::Model model(data, net);
//   model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}});
#include <torch/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pinnxde/data/data.hpp"
#include "pinnxde/data/pde.hpp"
#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::data {

/// Keyword arguments of Function.
struct FunctionOptions {
  std::string train_distribution = "uniform";  // "uniform" or a sampler: "pseudo", "LHS", "Halton", ...
  bool online = false;  // draw num_train new training points before every first-order optimizer step
                        // (DeepXDE's online: with "pseudo", a fresh random sample each step; "uniform"
                        // and the quasi-random sequences give the same points again). L-BFGS keeps the
                        // points it starts with.
};

class Function : public Data {
 public:
  /// function: x (N, dim) -> (N, num_outputs). num_train training points (uniform grid with the boundary,
  /// or sampled), num_test uniform test points.
  Function(const geometry::Geometry& geometry, SolutionFunction function, std::int64_t num_train,
           std::int64_t num_test, FunctionOptions options = {});

  /// One loss term: loss(function(x), net(x)) on the training points.
  std::vector<torch::Tensor> losses(const torch::Tensor& outputs, const Batch& batch,
                                    const std::vector<LossFunction>& loss_fns) const override;
  std::size_t num_losses() const override { return 1; }
  const Batch& train_batch() override;
  const Batch& test_batch() override;
  void resample_train_points() override;
  /// With online: drops the training points, so the step's train_batch() draws new ones.
  void on_train_step() override;
  int input_dim() const override { return geom_->dim(); }
  const std::vector<icbc::BCPtr>& bcs() const override { return no_bcs_; }

 private:
  Batch make_batch(const geometry::Points& points) const;

  std::shared_ptr<const geometry::Geometry> geom_;
  SolutionFunction func_;
  std::int64_t num_train_, num_test_;
  FunctionOptions opts_;
  std::vector<icbc::BCPtr> no_bcs_;
  std::optional<Batch> train_, test_;
};

}  // namespace pinnxde::data
