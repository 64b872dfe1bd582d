#pragma once
// y (derivative_order 0) or dy/dx_{component_x} (derivative_order 1) equal on the two opposite faces of
// coordinate component_x. Port of deepxde.icbc.PeriodicBC.
//
// Each selected boundary point is paired with its image under geometry.periodic_point(x, component_x);
// the collocation points are [selected | images] and the misfit is value(selected) - value(image).
// The geometry must implement periodic_point (Interval, Hypercube/Rectangle/Cuboid, GeometryXTime).
//
//   auto left_right = [](const auto& x, bool on) { return on && (dde::utils::isclose(x[0], 0) ||
//                                                                 dde::utils::isclose(x[0], 1)); };
//   dde::PeriodicBC bc(rect, 0, left_right);                  // u(0, y) = u(1, y)
//   dde::PeriodicBC dbc(rect, 0, left_right, 1);              // u_x(0, y) = u_x(1, y)
#include "pinnxde/conditions/boundary_condition.hpp"

namespace pinnxde::icbc {

class PeriodicBC : public BC {
 public:
  /// component_x: the periodic coordinate, 0 <= component_x < geom.dim(); derivative_order: 0 or 1.
  PeriodicBC(const geometry::Geometry& geom, int component_x, Predicate on_boundary, int derivative_order = 0,
             int component = 0);

  /// [selected points | their periodic images], 2M rows.
  Points collocation_points(const Points& X) const override;
  Prepared prepare(const Points& points, const torch::TensorOptions& options) const override;
  /// prediction: value at the selected half, target: value at the images; (M, 1) each for 2M rows.
  Misfit misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                const Prepared& prepared) const override;
  bool needs_derivatives() const override { return derivative_order_ != 0; }
  std::string name() const override { return "PeriodicBC"; }

  int component_x() const { return component_x_; }
  int derivative_order() const { return derivative_order_; }

 private:
  int component_x_, derivative_order_;
};

}  // namespace pinnxde::icbc
