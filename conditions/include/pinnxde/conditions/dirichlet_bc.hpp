#pragma once
// y_component(x) = func(x) on the selected boundary points. Port of deepxde.icbc.DirichletBC.
//
//   dde::DirichletBC bc(geom, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}); },
//                       dde::on_boundary);
#include "pinnxde/conditions/boundary_condition.hpp"

namespace pinnxde::icbc {

class DirichletBC : public BC {
 public:
  /// geom: any geometry (copied); func: x (M, dim) -> (M, 1); on_boundary: predicate; component: output column.
  DirichletBC(const geometry::Geometry& geom, ValueFunction func, Predicate on_boundary, int component = 0);
  /// A constant value, DeepXDE's `lambda x: 0`: `DirichletBC(geom, 0.0, dde::on_boundary)`.
  DirichletBC(const geometry::Geometry& geom, double value, Predicate on_boundary, int component = 0)
      : DirichletBC(geom, constant_value(value, "DirichletBC"), std::move(on_boundary), component) {}

  Prepared prepare(const Points& points, const torch::TensorOptions& options) const override;
  Misfit misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                const Prepared& prepared) const override;
  bool needs_derivatives() const override { return false; }
  std::string name() const override { return "DirichletBC"; }

 private:
  ValueFunction func_;
};

}  // namespace pinnxde::icbc
