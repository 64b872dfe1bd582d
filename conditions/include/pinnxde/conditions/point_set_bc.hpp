#pragma once
// y_component = values at given points (measurements, for inverse problems). Port of
// deepxde.icbc.PointSetBC.
//
//   Points t(5, 1); t << 0, 0.5, 1, 1.5, 2;
//   Points u = (-2.5 * t.array()).exp().matrix();
//   dde::PointSetBC observe(t, u);           // component 0
#include "pinnxde/conditions/boundary_condition.hpp"

namespace pinnxde::icbc {

class PointSetBC : public BC {
 public:
  /// points: (M, dim); values: (M, 1), one value per point.
  PointSetBC(Points points, Points values, int component = 0);

  /// Its own points, whatever the candidates.
  Points collocation_points(const Points& X) const override;
  Prepared prepare(const Points& points, const torch::TensorOptions& options) const override;
  torch::Tensor error(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg,
                      std::int64_t end, const Prepared& prepared) const override;
  std::string name() const override { return "PointSetBC"; }

  const Points& points() const { return points_; }
  const Points& values() const { return values_; }

 private:
  Points points_, values_;
};

}  // namespace pinnxde::icbc
