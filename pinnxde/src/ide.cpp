#include "pinnxde/data/ide.hpp"

#include <torch/types.h>

#include <cmath>

#include "pinnxde/conditions/convert.hpp"
#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/quadrature.hpp"

namespace pinnxde::data {

std::pair<std::vector<double>, std::vector<double>> leggauss(std::int64_t deg) {
  if (deg < 1) detail::fail("leggauss: deg = ", deg, " (expected >= 1)");
  if (deg > 1000) detail::fail("leggauss: deg = ", deg, " (expected <= 1000)");
  // The rule of quadrature.hpp on [-1, 1] (global loss terms use the same one).
  const auto rule = quadrature::gauss_legendre(deg, -1, 1);
  return {std::vector<double>(rule.points.data(), rule.points.data() + deg),
          std::vector<double>(rule.weights.data(), rule.weights.data() + deg)};
}

namespace {

PDEOptions to_pde_options(const IDEOptions& o) {
  PDEOptions p;
  p.num_domain = o.num_domain;
  p.num_boundary = o.num_boundary;
  p.train_distribution = o.train_distribution;
  p.anchors = o.anchors;
  p.solution = o.solution;
  p.num_test = o.num_test;
  return p;
}

std::shared_ptr<const geometry::Geometry> require_1d(const geometry::Geometry& g) {
  if (g.dim() != 1)
    detail::fail("IDE: geometry is a ", g.name(), " of dimension ", g.dim(),
                 " (expected dimension 1: an Interval or a TimeDomain; the integral runs from 0 to x)");
  return g.clone();
}

}  // namespace

IDE::IDE(const geometry::Geometry& geometry, IDEFunction ide, std::vector<icbc::BCPtr> bcs, std::int64_t quad_deg,
         KernelFunction kernel, IDEOptions options)
    : PDE(require_1d(geometry),
          [this, ide](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor&) -> Residuals {
            return ide(x, y, *current_int_mat_);
          },
          std::move(bcs), to_pde_options(options), 0, "IDE"),
      quad_deg_(quad_deg),
      kernel_(std::move(kernel)) {
  if (!ide) detail::fail("IDE: ide is empty (expected a residual (x, y, int_mat) -> (num_f, 1))");
  if (quad_deg < 1 || quad_deg > 1000) detail::fail("IDE: quad_deg = ", quad_deg, " (expected 1 <= quad_deg <= 1000)");
  std::tie(quad_x_, quad_w_) = leggauss(quad_deg);
}

IDE::QuadBatch IDE::make_quad_batch(const geometry::Points& points, bool with_solution) const {
  const auto options = config::options();
  QuadBatch q;
  q.num_f = points.rows();
  const auto deg = quad_deg_;
  geometry::Points nodes(q.num_f * deg, 1);
  for (Eigen::Index i = 0; i < q.num_f; ++i)
    for (std::int64_t j = 0; j < deg; ++j)
      nodes(i * deg + j, 0) = (quad_x_[static_cast<std::size_t>(j)] + 1) * points(i, 0) / 2;
  // Conditions pick their rows from the collocation points only; the nodes follow them.
  q.batch = make_batch(points, with_solution);
  auto xq = to_tensor(nodes, options);
  q.batch.x = torch::cat({q.batch.x.detach(), xq}).requires_grad_(true);
  if (q.batch.y.defined()) {
    torch::NoGradGuard no_grad;
    torch::Tensor yq;
    try {
      yq = opts_.solution(xq);
    } catch (const std::exception& e) {
      detail::fail<Error>("IDE: while evaluating the solution on ", nodes.rows(), " quadrature nodes: ", e.what());
    }
    if (yq.defined() && yq.dim() == 1) yq = yq.unsqueeze(1);
    if (!yq.defined() || yq.dim() != 2 || yq.size(0) != nodes.rows() || yq.size(1) != q.batch.y.size(1))
      detail::fail("IDE: solution returned shape ", yq.defined() ? c10::str(yq.sizes()) : std::string("undefined"),
                   " for ", nodes.rows(), " quadrature nodes (expected [", nodes.rows(), ", ", q.batch.y.size(1), "])");
    q.batch.y = torch::cat({q.batch.y, yq.to(options)});
  }
  // The kernel on every (x_i, t_ij) pair at once, in float64.
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  auto xi = to_tensor(points, f64).repeat_interleave(deg, 0);
  auto t = to_tensor(nodes, f64);
  torch::Tensor K;
  if (kernel_) {
    torch::NoGradGuard no_grad;
    try {
      K = kernel_(xi, t);
    } catch (const c10::Error& e) {
      detail::fail<Error>("IDE: while evaluating the kernel on ", nodes.rows(), " quadrature pairs: ",
                          e.what_without_backtrace());
    } catch (const std::exception& e) {
      detail::fail<Error>("IDE: while evaluating the kernel on ", nodes.rows(), " quadrature pairs: ", e.what());
    }
    if (!K.defined() || !(K.numel() == nodes.rows() && (K.dim() == 1 || (K.dim() == 2 && K.size(1) == 1))))
      detail::fail("IDE: the kernel returned shape ", K.defined() ? c10::str(K.sizes()) : std::string("undefined"),
                   " for ", nodes.rows(), " pairs (expected [", nodes.rows(), ", 1])");
    K = K.to(torch::kFloat64).reshape({-1});
    if (const auto bad = K.isfinite().logical_not(); bad.any().item<bool>()) {
      const auto p = bad.nonzero()[0][0].item<std::int64_t>();
      detail::fail("IDE: the kernel returned ", K[p].item<double>(), " at x = ", xi[p][0].item<double>(),
                   ", t = ", t[p][0].item<double>(), " (expected finite values)");
    }
  } else {
    K = torch::ones({nodes.rows()}, f64);
  }
  auto w = torch::tensor(quad_w_, f64).repeat({q.num_f}) * xi.reshape({-1}) / 2 * K;  // (num_f deg)
  auto mat = torch::zeros({q.num_f, q.num_f * (1 + deg)}, f64);
  auto rows = torch::arange(q.num_f, torch::kLong).repeat_interleave(deg);
  auto cols = q.num_f + torch::arange(q.num_f * deg, torch::kLong);
  mat.index_put_({rows, cols}, w);
  q.int_mat = mat.to(options);
  return q;
}

void IDE::refresh(QuadBatch& q) const {
  ensure_options(q.batch, config::options());
  if (q.int_mat.scalar_type() != q.batch.x.scalar_type() || q.int_mat.device() != q.batch.x.device()) {
    q.int_mat = q.int_mat.to(q.batch.x.options().requires_grad(false));
    q.padded_mat = torch::Tensor();
  }
}

const Batch& IDE::train_batch() {
  if (!train_) train_ = make_quad_batch(train_x_all(), !opts_.num_test.has_value());
  refresh(*train_);
  return train_->batch;
}

const Batch& IDE::test_batch() {
  if (!opts_.num_test) return train_batch();
  if (!test_) test_ = make_quad_batch(test_points(), true);
  refresh(*test_);
  return test_->batch;
}

void IDE::resample_train_points() {
  PDE::resample_train_points();
  train_.reset();
}

void IDE::restore_checkpoint_points(const geometry::Points& points) {
  PDE::restore_checkpoint_points(points);
  train_.reset();
}

IDE::QuadBatch& IDE::which(const Batch& batch, const char* where) {
  if (train_ && &batch == &train_->batch) return *train_;
  if (test_ && &batch == &test_->batch) return *test_;
  detail::fail("IDE::", where, ": the batch is not one of this IDE's training or test batches (mini-batches are "
               "not supported: each collocation point's ", quad_deg_, " quadrature nodes must stay with it; train "
               "with batch_size = 0)");
}

torch::Tensor IDE::int_mat(const Batch& batch) {
  auto& q = which(batch, "int_mat");
  refresh(q);
  return q.int_mat;
}

std::int64_t IDE::residual_rows(std::int64_t from, std::int64_t n) const {
  return current_int_mat_ ? from + current_num_f_ : n;
}

namespace {
// Points the residual wrapper at one batch's int_mat for the duration of one evaluation.
// (Nested: evaluate's one-pass path calls losses_on_all_rows, which points it at the padded matrix.)
struct Current {
  const torch::Tensor*& mat;
  std::int64_t& num_f;
  const torch::Tensor* saved_mat;
  std::int64_t saved_num_f;
  Current(const torch::Tensor*& m, std::int64_t& nf, const torch::Tensor* value, std::int64_t f)
      : mat(m), num_f(nf), saved_mat(m), saved_num_f(nf) {
    mat = value;
    num_f = f;
  }
  ~Current() {
    mat = saved_mat;
    num_f = saved_num_f;
  }
};
}  // namespace

Evaluation IDE::evaluate(const NetFunction& net, const Batch& batch, const std::vector<LossFunction>& loss_fns) {
  auto& q = which(batch, "evaluate");
  refresh(q);
  Current c(current_int_mat_, current_num_f_, &q.int_mat, q.num_f);
  return PDE::evaluate(net, batch, loss_fns);
}

void IDE::losses_on_all_rows(const torch::Tensor& x, const torch::Tensor& outputs, const Batch& batch,
                             const std::vector<LossFunction>& loss_fns, std::vector<torch::Tensor>& out) const {
  auto& q = const_cast<IDE*>(this)->which(batch, "losses");
  const_cast<IDE*>(this)->refresh(q);
  if (!q.padded_mat.defined()) {  // DeepXDE's layout: a zero row and a zero column per condition row in front
    const auto nb = batch.bcs_start.back();
    q.padded_mat = torch::zeros({nb + q.num_f, nb + q.int_mat.size(1)}, q.int_mat.options());
    q.padded_mat.slice(0, nb).slice(1, nb).copy_(q.int_mat);
  }
  Current c(const_cast<IDE*>(this)->current_int_mat_, const_cast<IDE*>(this)->current_num_f_, &q.padded_mat,
            q.num_f);
  PDE::losses_on_all_rows(x, outputs, batch, loss_fns, out);
}

}  // namespace pinnxde::data
