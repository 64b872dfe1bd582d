#pragma once
// func(x, y) = values at given points: measurements of an operator of the solution (a flux, a
// derivative). Port of deepxde.icbc.PointSetOperatorBC.
//
//   // measured u'(x) at five points
//   dde::PointSetOperatorBC flux(x_obs, du_obs,
//                                [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::jacobian(y, x); });
#include "pinnxde/conditions/boundary_condition.hpp"

namespace pinnxde::icbc {

/// x: all N network inputs (requires_grad), y: (N, num_outputs) -> (N, 1) or (N,); evaluated on every
/// training point and sliced to the condition's rows, as in DeepXDE.
using PointSetOperatorFunction = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& y)>;

class PointSetOperatorBC : public BC {
 public:
  /// points: (M, dim); values: (M, 1).
  PointSetOperatorBC(Points points, Points values, PointSetOperatorFunction func);

  Points collocation_points(const Points& X) const override;
  Prepared prepare(const Points& points, const torch::TensorOptions& options) const override;
  Misfit misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                const Prepared& prepared) const override;
  std::string name() const override { return "PointSetOperatorBC"; }

  const Points& points() const { return points_; }
  const Points& values() const { return values_; }

 private:
  Points points_, values_;
  PointSetOperatorFunction func_;
};

}  // namespace pinnxde::icbc
