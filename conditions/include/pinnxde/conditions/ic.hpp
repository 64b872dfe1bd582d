#pragma once
// y_component(x, t0) = func(x, t0) on the initial slice of a GeometryXTime. Port of deepxde.icbc.IC.
//
//   dde::IC ic(geomtime, [](const torch::Tensor& x) { return torch::sin(M_PI * x.slice(1, 0, 1)); },
//              dde::on_initial);
#include "pinnxde/conditions/boundary_condition.hpp"

namespace pinnxde::icbc {

class IC : public BC {
 public:
  /// geom must have an initial slice (GeometryXTime, TimeDomain); on_initial receives its on_initial flag.
  IC(const geometry::Geometry& geom, ValueFunction func, Predicate on_initial, int component = 0);
  /// A constant value, DeepXDE's `lambda x: 0`: `IC(geom, 0.0, dde::on_initial)`.
  IC(const geometry::Geometry& geom, double value, Predicate on_initial, int component = 0)
      : IC(geom, constant_value(value, "IC"), std::move(on_initial), component) {}

  Prepared prepare(const Points& points, const torch::TensorOptions& options) const override;
  Misfit misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                const Prepared& prepared) const override;
  bool needs_derivatives() const override { return false; }
  std::string name() const override { return "IC"; }

 protected:
  Mask geometry_flags(const Points& X) const override;

 private:
  ValueFunction func_;
};

}  // namespace pinnxde::icbc
