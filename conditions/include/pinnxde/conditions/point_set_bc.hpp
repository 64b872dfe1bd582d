#pragma once
// y_component = values at given points (measurements, for inverse problems). Port of
// deepxde.icbc.PointSetBC.
//
//   Points t(5, 1); t << 0, 0.5, 1, 1.5, 2;
//   Points u = (-2.5 * t.array()).exp().matrix();
//   dde::PointSetBC observe(t, u);                  // component 0
//   dde::PointSetBC both(x, uv, {0, 1});            // two components: values (M, 2)
//   dde::PointSetBC mini(x, u, 0, 64);              // 64 random points of x per (re)sampling
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

#include "pinnxde/conditions/boundary_condition.hpp"

namespace pinnxde::icbc {

/// One output column or several: `0`, `{0, 2}` (DeepXDE's component=0 / component=[0, 2]).
struct Components {
  std::vector<int> list;
  bool is_list = false;
  Components(int c) : list{c} {}                                                   // NOLINT
  Components(std::initializer_list<int> cs) : list(cs), is_list(true) {}           // NOLINT
  Components(std::vector<int> cs) : list(std::move(cs)), is_list(true) {}          // NOLINT
};

class PointSetBC : public BC {
 public:
  /// points: (M, dim); values: (M, k), one column per component (k = 1 for a single component).
  /// batch_size: use only this many points, a new batch each time the training points are (re)sampled
  /// (DeepXDE's PDEPointResampler(bc_points=True)); shuffle: draw batches in random order (else in order).
  PointSetBC(Points points, Points values, Components component = 0,
             std::optional<std::int64_t> batch_size = std::nullopt, bool shuffle = true);

  /// Its own points (or the next batch of them), whatever the candidates.
  Points collocation_points(const Points& X) const override;
  Prepared prepare(const Points& points, const torch::TensorOptions& options) const override;
  Misfit misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                const Prepared& prepared) const override;
  bool needs_derivatives() const override { return false; }
  std::string name() const override { return "PointSetBC"; }

  const Points& points() const { return points_; }
  const Points& values() const { return values_; }
  /// Output columns, in the order of values' columns.
  const std::vector<int>& components() const { return components_; }
  /// Row indices into points() of the last collocation_points() call (all rows without batch_size).
  const std::vector<std::int64_t>& batch_indices() const { return batch_indices_; }

 private:
  Points points_, values_;
  std::vector<int> components_;
  std::optional<std::int64_t> batch_size_;
  bool shuffle_;
  // Batch sampler state (DeepXDE's BatchSampler): an epoch's order and the position in it.
  mutable std::vector<std::int64_t> order_, batch_indices_;
  mutable std::size_t pos_ = 0;
};

}  // namespace pinnxde::icbc
