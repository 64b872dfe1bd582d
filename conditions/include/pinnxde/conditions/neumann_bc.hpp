#pragma once
// dy_component/dn(x) = func(x) on the selected boundary points, n the outward unit normal.
// Port of deepxde.icbc.NeumannBC.
#include "pinnxde/conditions/boundary_condition.hpp"

namespace pinnxde::icbc {

class NeumannBC : public BC {
 public:
  NeumannBC(const geometry::Geometry& geom, ValueFunction func, Predicate on_boundary, int component = 0);
  /// A constant value, DeepXDE's `lambda x: 0`: `NeumannBC(geom, 0.0, dde::on_boundary)`.
  NeumannBC(const geometry::Geometry& geom, double value, Predicate on_boundary, int component = 0)
      : NeumannBC(geom, constant_value(value, "NeumannBC"), std::move(on_boundary), component) {}

  Prepared prepare(const Points& points, const torch::TensorOptions& options) const override;
  Misfit misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                const Prepared& prepared) const override;
  std::string name() const override { return "NeumannBC"; }

 private:
  ValueFunction func_;
};

}  // namespace pinnxde::icbc
