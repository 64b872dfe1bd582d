#pragma once
// func(x, y, X) = 0 on the selected boundary points, for any operator of the network's output (higher
// derivatives, combinations of components). Port of deepxde.icbc.OperatorBC.
//
//   // Euler beam, free end: u''(1) = 0 and u'''(1) = 0
//   auto ddy = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0); };
//   dde::OperatorBC bc(geom, [&](const auto& x, const auto& y, const auto&) { return ddy(x, y); }, right);
#include "pinnxde/conditions/boundary_condition.hpp"

namespace pinnxde::icbc {

/// x: all N network inputs (requires_grad; differentiate y with respect to it), y: (N, num_outputs) the
/// network outputs, X: the same inputs detached (DeepXDE's numpy X) -> (N, 1) or (N,). It is evaluated on
/// every training point, as in DeepXDE, and the condition's rows are taken from the result.
using OperatorFunction =
    std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& X)>;

class OperatorBC : public BC {
 public:
  OperatorBC(const geometry::Geometry& geom, OperatorFunction func, Predicate on_boundary);

  Prepared prepare(const Points& points, const torch::TensorOptions& options) const override;
  /// prediction func(x, y, X)[beg:end], target zero (undefined).
  Misfit misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                const Prepared& prepared) const override;
  std::string name() const override { return "OperatorBC"; }

 private:
  OperatorFunction func_;
};

}  // namespace pinnxde::icbc
