#pragma once
// A jump condition between two edges of equal length of a 2-D geometry, for a network with two outputs
// (a vector field). Port of deepxde.icbc.Interface2DBC.
//
// Points on the first edge are paired with points on the second (DeepXDE's pairing: uniform boundary
// points, so train_distribution = "uniform"; on a Polygon the second edge's points are taken in reverse
// order). With d1, d2 the edges' outward normals ("normal") or the normals turned 90 degrees clockwise,
// t = [n_y, -n_x] ("tangent"), the condition is
//     <y(x1), d1> + <y(x2), d2> = func(x1)
// e.g. func = 0 asks for a continuous normal (or tangential) component across the interface.
//
//   auto left = [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 0); };
//   auto right = [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 1); };
//   dde::icbc::Interface2DBC bc(rect, zero, left, right, "normal");
#include "pinnxde/conditions/boundary_condition.hpp"

namespace pinnxde::icbc {

class Interface2DBC : public BC {
 public:
  /// geom: a 2-D geometry with boundary normals (Rectangle, Polygon); func: target on the first edge,
  /// x (M, 2) -> (M, 1); direction: "normal" or "tangent".
  Interface2DBC(const geometry::Geometry& geom, ValueFunction func, Predicate on_boundary1, Predicate on_boundary2,
                std::string direction = "normal");

  /// [points of edge 1 | points of edge 2] (the second reversed on a Polygon).
  Points collocation_points(const Points& X) const override;
  Prepared prepare(const Points& points, const torch::TensorOptions& options) const override;
  /// prediction <y1, d1> + <y2, d2>, target func(edge-1 points); (M/2, 1) each.
  Misfit misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                const Prepared& prepared) const override;
  bool needs_derivatives() const override { return false; }
  std::string name() const override { return "Interface2DBC"; }

 private:
  ValueFunction func_;
  Predicate on_boundary2_;
  bool tangent_;
};

}  // namespace pinnxde::icbc
