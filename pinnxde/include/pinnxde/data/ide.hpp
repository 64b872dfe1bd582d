#pragma once
// Integro-differential equations on a 1-D domain. Port of deepxde.data.IDE.
//
//   y'(x) + y(x) = ∫_0^x K(x, t) y(t) dt,  K(x, t) = exp(t - x)          (DeepXDE's Volterra_IDE.py)
//
//   auto ide = [](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& int_mat) {
//     auto rhs = torch::matmul(int_mat, y);                              // (num_f, 1): the integrals
//     auto lhs = dde::grad::jacobian(y, x) + y;                          // on every row of x
//     return lhs.slice(0, 0, rhs.size(0)) - rhs;                         // DeepXDE: (lhs1 + y)[: tf.size(rhs)] - rhs
//   };
//   auto kernel = [](const torch::Tensor& x, const torch::Tensor& t) { return torch::exp(t - x); };
//   dde::data::IDE data(geom, ide, {ic}, 20, kernel, {.num_domain = 10, .num_boundary = 2,
//                                                     .train_distribution = "uniform"});
//
// How the integral is made (as DeepXDE). For each collocation point x_i (the num_f = num_domain +
// num_boundary + anchors points of train_x_all), the integral from 0 to x_i is Gauss–Legendre quadrature
// of degree quad_deg mapped from [-1, 1] to [0, x_i]: nodes t_ij = (ξ_j + 1) x_i / 2, weights w_j x_i / 2.
// The nodes are extra network inputs: the residual sees x = [x_1 .. x_num_f | t_11 .. t_1deg | t_21 ..]
// (num_f (1 + quad_deg) rows) and y = net(x), and int_mat (num_f, num_f (1 + quad_deg)) holds
// w_j x_i / 2 · K(x_i, t_ij) in row i at t_ij's column, zero elsewhere, so matmul(int_mat, y) is the
// vector of integrals. The residual returns num_f rows (or one row per input row: the first num_f are
// taken); its loss is over the collocation rows only. A condition sees its own rows, as in data::PDE.
//
// Called through Data::losses (all rows of the batch, condition rows first, as DeepXDE's losses_train),
// x is every row of the batch and int_mat has a zero row per condition row in front, so the same residual
// code serves both, exactly as in DeepXDE.
//
// Differences from DeepXDE: the kernel takes whole batches (all num_f quad_deg pairs in one call) and is
// evaluated once per (re)sampling, not at every step (its values do not change between resamplings);
// mini-batches over the PDE points are refused (each collocation point's quadrature nodes must stay with it).
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "pinnxde/data/pde.hpp"

namespace pinnxde::data {

/// The residual: x (M, 1) requires_grad = [collocation points | quadrature nodes], y = net(x) (M, num_outputs),
/// int_mat (num_f, M) -> residual(s) with num_f rows (or M rows; the first num_f are used).
using IDEFunction =
    std::function<Residuals(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& int_mat)>;
/// The kernel K(x, t): x (P, 1) (each collocation point repeated quad_deg times), t (P, 1) its quadrature
/// nodes -> (P, 1) or (P,). No graph: its values are constants of the quadrature.
using KernelFunction = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& t)>;

/// Keyword arguments of IDE after quad_deg and kernel, in DeepXDE's order.
struct IDEOptions {
  std::int64_t num_domain = 0;
  std::int64_t num_boundary = 0;
  std::string train_distribution = "Hammersley";
  geometry::Points anchors;
  SolutionFunction solution;
  std::optional<std::int64_t> num_test;
};

/// Gauss–Legendre nodes and weights on [-1, 1] for `deg` >= 1 points (numpy.polynomial.legendre.leggauss):
/// exact for polynomials of degree <= 2 deg - 1. Nodes in increasing order.
std::pair<std::vector<double>, std::vector<double>> leggauss(std::int64_t deg);

class IDE : public PDE {
 public:
  /// geometry: 1-D (Interval or TimeDomain). quad_deg >= 1. kernel empty: K = 1 (DeepXDE's default).
  IDE(const geometry::Geometry& geometry, IDEFunction ide, std::vector<icbc::BCPtr> bcs, std::int64_t quad_deg,
      KernelFunction kernel = {}, IDEOptions options = {});
  IDE(const IDE&) = delete;  // the residual wrapper refers to this object
  IDE& operator=(const IDE&) = delete;

  Evaluation evaluate(const NetFunction& net, const Batch& batch, const std::vector<LossFunction>& loss_fns) override;
  /// Batch rows: [condition rows | collocation points (train_x_all) | quadrature nodes].
  const Batch& train_batch() override;
  const Batch& test_batch() override;
  void resample_train_points() override;
  void restore_checkpoint_points(const geometry::Points& points) override;

  std::int64_t quad_deg() const { return quad_deg_; }
  /// The integration matrix of a batch returned by train_batch()/test_batch(): (num_f, num_f (1 + quad_deg)),
  /// as the residual receives it from evaluate().
  torch::Tensor int_mat(const Batch& batch);

 protected:
  std::int64_t residual_rows(std::int64_t from, std::int64_t n) const override;
  void losses_on_all_rows(const torch::Tensor& x, const torch::Tensor& outputs, const Batch& batch,
                          const std::vector<LossFunction>& loss_fns, std::vector<torch::Tensor>& out) const override;

 private:
  struct QuadBatch {
    Batch batch;
    std::int64_t num_f = 0;
    torch::Tensor int_mat;  // (num_f, num_f (1 + quad_deg)), in the batch's dtype
    // int_mat with a zero row and column per condition row in front (DeepXDE's layout, for the residual on
    // every row of the batch); built on first use, dropped when int_mat changes dtype.
    torch::Tensor padded_mat;
  };
  QuadBatch make_quad_batch(const geometry::Points& points, bool with_solution) const;
  QuadBatch& which(const Batch& batch, const char* where);
  void refresh(QuadBatch& q) const;

  std::int64_t quad_deg_;
  KernelFunction kernel_;
  std::vector<double> quad_x_, quad_w_;
  std::optional<QuadBatch> train_, test_;
  // The batch being evaluated, for the residual wrapper and residual_rows.
  const torch::Tensor* current_int_mat_ = nullptr;
  std::int64_t current_num_f_ = 0;
};

}  // namespace pinnxde::data
