#pragma once
// dy_component/dn = func(x, y) on the selected boundary points, n the outward unit normal.
// Port of deepxde.icbc.RobinBC.
//
//   dde::RobinBC bc(geom, [](const torch::Tensor& x, const torch::Tensor& y) { return y; }, dde::on_boundary);
#include "pinnxde/conditions/boundary_condition.hpp"

namespace pinnxde::icbc {

/// x: (M, dim) boundary points (no graph), y: (M, num_outputs) network outputs there -> (M, 1) or (M,).
using RobinFunction = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& y)>;

class RobinBC : public BC {
 public:
  RobinBC(const geometry::Geometry& geom, RobinFunction func, Predicate on_boundary, int component = 0);

  Prepared prepare(const Points& points, const torch::TensorOptions& options) const override;
  /// prediction dy/dn, target func(x, y): the target depends on the network and is not detached. The
  /// first evaluation's targets must be finite (ValueError naming the point otherwise), as the other
  /// conditions' values are checked when they are computed.
  Misfit misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                const Prepared& prepared) const override;
  std::string name() const override { return "RobinBC"; }

 private:
  RobinFunction func_;
  mutable bool checked_ = false;  // the first evaluation's targets were checked finite
};

}  // namespace pinnxde::icbc
