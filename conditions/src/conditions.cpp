#include <torch/torch.h>

#include "pinnxde/conditions/boundary_condition.hpp"
#include "pinnxde/conditions/convert.hpp"
#include "pinnxde/conditions/dirichlet_bc.hpp"
#include "pinnxde/conditions/ic.hpp"
#include "pinnxde/conditions/neumann_bc.hpp"
#include "pinnxde/conditions/point_set_bc.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/geometry/geometry.hpp"
#include "pinnxde/grad.hpp"

namespace pinnxde {

torch::Tensor to_tensor(const geometry::Points& x, const torch::TensorOptions& options) {
  if (x.size() == 0) return torch::empty({x.rows(), x.cols()}, options);
  auto t = torch::from_blob(const_cast<double*>(x.data()), {x.rows(), x.cols()}, torch::kFloat64);
  return t.to(options, /*non_blocking=*/false, /*copy=*/true);
}

geometry::Points to_points(const torch::Tensor& x) {
  auto t = x.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  if (t.dim() == 1) t = t.unsqueeze(1);
  if (t.dim() != 2) detail::fail("to_points: tensor has shape ", x.sizes(), " (expected (N, dim) or (N,))");
  geometry::Points p(t.size(0), t.size(1));
  std::copy_n(t.data_ptr<double>(), t.numel(), p.data());
  return p;
}

namespace icbc {

BC::BC(std::shared_ptr<const geometry::Geometry> geom, Predicate predicate, int component, const char* cls)
    : geom_(std::move(geom)), predicate_(std::move(predicate)), component_(component) {
  if (component < 0) detail::fail(cls, ": component = ", component, " (expected >= 0)");
  if (geom_ && !predicate_) detail::fail(cls, ": the predicate is empty (expected e.g. dde::on_boundary)");
}

Mask BC::geometry_flags(const Points& X) const { return geom_->on_boundary(X); }

Points BC::collocation_points(const Points& X) const {
  const Mask flags = geometry_flags(X);
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    if (predicate_(X.row(i), flags(i))) rows.push_back(i);
  Points out(static_cast<Eigen::Index>(rows.size()), X.cols());
  for (std::size_t k = 0; k < rows.size(); ++k) out.row(static_cast<Eigen::Index>(k)) = X.row(rows[k]);
  return out;
}

torch::Tensor BC::evaluate_values(const ValueFunction& func, const torch::Tensor& x) const {
  torch::Tensor v;
  try {
    torch::NoGradGuard no_grad;
    v = func(x);
  } catch (const c10::Error& e) {
    detail::fail<Error>(name(), ": while evaluating the value function on ", x.size(0),
                        " points: ", e.what_without_backtrace());
  } catch (const std::exception& e) {
    detail::fail<Error>(name(), ": while evaluating the value function on ", x.size(0), " points: ", e.what());
  }
  if (!v.defined()) detail::fail(name(), ": the value function returned an undefined tensor");
  const bool ok = (v.dim() == 2 && v.size(0) == x.size(0) && v.size(1) == 1) ||
                  (v.dim() == 1 && v.size(0) == x.size(0)) || (x.size(0) == 0 && v.numel() == 0);
  if (!ok)
    detail::fail(name(), ": the value function returned shape ", v.sizes(), " for ", x.size(0),
                 " points (expected [", x.size(0), ", 1] or [", x.size(0), "])");
  return v.reshape({x.size(0), 1}).to(x.options());
}

torch::Tensor BC::output_slice(const torch::Tensor& outputs, std::int64_t beg, std::int64_t end) const {
  if (component_ >= outputs.size(1))
    detail::fail(name(), ": component = ", component_, " out of range for a network with ", outputs.size(1),
                 " outputs");
  return outputs.slice(0, beg, end).narrow(1, component_, 1);
}

// ---------------------------------------------------------------- DirichletBC

DirichletBC::DirichletBC(const geometry::Geometry& geom, ValueFunction func, Predicate on_boundary, int component)
    : BC(geom.clone(), std::move(on_boundary), component, "DirichletBC"), func_(std::move(func)) {
  if (!func_) detail::fail("DirichletBC: the value function is empty");
}

Prepared DirichletBC::prepare(const Points& points, const torch::TensorOptions& options) const {
  return {evaluate_values(func_, to_tensor(points, options)), {}};
}

torch::Tensor DirichletBC::error(const torch::Tensor&, const torch::Tensor& outputs, std::int64_t beg,
                                 std::int64_t end, const Prepared& prepared) const {
  return output_slice(outputs, beg, end) - prepared.values;
}

// ---------------------------------------------------------------- NeumannBC

NeumannBC::NeumannBC(const geometry::Geometry& geom, ValueFunction func, Predicate on_boundary, int component)
    : BC(geom.clone(), std::move(on_boundary), component, "NeumannBC"), func_(std::move(func)) {
  if (!func_) detail::fail("NeumannBC: the value function is empty");
}

Prepared NeumannBC::prepare(const Points& points, const torch::TensorOptions& options) const {
  return {evaluate_values(func_, to_tensor(points, options)), to_tensor(geom_->boundary_normal(points), options)};
}

torch::Tensor NeumannBC::error(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg,
                               std::int64_t end, const Prepared& prepared) const {
  output_slice(outputs, beg, end);  // validates the component
  const auto dydx = grad::jacobian(outputs, inputs, component_).slice(0, beg, end);
  return (dydx * prepared.normals).sum(1, /*keepdim=*/true) - prepared.values;
}

// ---------------------------------------------------------------- IC

namespace {
// IC needs a geometry with an initial slice (GeometryXTime, TimeDomain): one whose on_initial answers.
std::shared_ptr<const geometry::Geometry> require_time(const geometry::Geometry& geom) {
  try {
    geom.on_initial(Points(0, geom.dim()));
  } catch (const NotImplementedError&) {
    detail::fail("IC: geometry is a ", geom.name(),
                 " (expected a GeometryXTime or TimeDomain, which has an initial slice)");
  }
  return geom.clone();
}
}  // namespace

IC::IC(const geometry::Geometry& geom, ValueFunction func, Predicate on_initial, int component)
    : BC(require_time(geom), std::move(on_initial), component, "IC"), func_(std::move(func)) {
  if (!func_) detail::fail("IC: the value function is empty");
}

Mask IC::geometry_flags(const Points& X) const { return geom_->on_initial(X); }

Prepared IC::prepare(const Points& points, const torch::TensorOptions& options) const {
  return {evaluate_values(func_, to_tensor(points, options)), {}};
}

torch::Tensor IC::error(const torch::Tensor&, const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                        const Prepared& prepared) const {
  return output_slice(outputs, beg, end) - prepared.values;
}

// ---------------------------------------------------------------- PointSetBC

PointSetBC::PointSetBC(Points points, Points values, int component)
    : BC(nullptr, nullptr, component, "PointSetBC"), points_(std::move(points)), values_(std::move(values)) {
  if (points_.rows() != values_.rows())
    detail::fail("PointSetBC: points has ", points_.rows(), " rows but values has ", values_.rows(),
                 " (expected one value row per point)");
  if (values_.cols() != 1)
    detail::fail("PointSetBC: values has ", values_.cols(), " columns (expected 1: the values of output component ",
                 component, ")");
  if (points_.rows() == 0) detail::fail("PointSetBC: points is empty (expected at least one point)");
}

Points PointSetBC::collocation_points(const Points&) const { return points_; }

Prepared PointSetBC::prepare(const Points&, const torch::TensorOptions& options) const {
  return {to_tensor(values_, options), {}};
}

torch::Tensor PointSetBC::error(const torch::Tensor&, const torch::Tensor& outputs, std::int64_t beg,
                                std::int64_t end, const Prepared& prepared) const {
  return output_slice(outputs, beg, end) - prepared.values;
}

}  // namespace icbc
}  // namespace pinnxde
