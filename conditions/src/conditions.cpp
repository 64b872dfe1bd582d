#include <torch/types.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <numeric>

#include "pinnxde/conditions/boundary_condition.hpp"
#include "pinnxde/conditions/convert.hpp"
#include "pinnxde/conditions/dirichlet_bc.hpp"
#include "pinnxde/conditions/ic.hpp"
#include "pinnxde/conditions/interface_2d_bc.hpp"
#include "pinnxde/conditions/neumann_bc.hpp"
#include "pinnxde/conditions/operator_bc.hpp"
#include "pinnxde/conditions/periodic_bc.hpp"
#include "pinnxde/conditions/point_set_bc.hpp"
#include "pinnxde/conditions/point_set_operator_bc.hpp"
#include "pinnxde/conditions/robin_bc.hpp"
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

namespace {
// Non-finite user data is refused where it enters (construction, or the first evaluation of a value
// function), naming the input, the entry and its value, instead of surfacing later as a NaN loss.
void require_finite(const Points& p, const char* cls, const char* what) {
  for (Eigen::Index i = 0; i < p.rows(); ++i)
    for (Eigen::Index j = 0; j < p.cols(); ++j)
      if (!std::isfinite(p(i, j)))
        detail::fail(cls, ": ", what, "[", i, ", ", j, "] = ", p(i, j), " (expected finite values)");
}
}  // namespace

ValueFunction constant_value(double value, const char* cls) {
  if (!std::isfinite(value)) detail::fail(cls, ": value = ", value, " (expected a finite constant)");
  return [value](const torch::Tensor& x) { return torch::full({x.size(0), 1}, value, x.options()); };
}

BC::BC(std::shared_ptr<const geometry::Geometry> geom, Predicate predicate, int component, const char* cls)
    : geom_(std::move(geom)), predicate_(std::move(predicate)), component_(component) {
  if (component < 0) detail::fail(cls, ": component = ", component, " (expected >= 0)");
  if (geom_ && !predicate_) detail::fail(cls, ": the predicate is empty (expected e.g. dde::on_boundary)");
}

Mask BC::geometry_flags(const Points& X) const { return geom_->on_boundary(X); }

std::string BC::short_name() const {
  const std::string n = name();
  if (n == "DirichletBC") return "D";
  if (n == "NeumannBC") return "N";
  if (n == "RobinBC") return "R";
  if (n == "PeriodicBC") return "P";
  if (n == "OperatorBC") return "Op";
  if (n == "PointSetBC") return "PS";
  if (n == "PointSetOperatorBC") return "PSOp";
  if (n == "Interface2DBC") return "If";
  return n;  // "IC", and a user-defined condition's own name
}

Mask BC::flags_for(const Points& X, const Predicate& predicate) const {
  if (predicate.target<OnInitial>() == nullptr) return geometry_flags(X);
  try {
    return geom_->on_initial(X);
  } catch (const NotImplementedError&) {
    detail::fail(name(), ": the predicate is dde::on_initial but the geometry (", geom_->name(),
                 ") has no initial slice (expected a GeometryXTime or TimeDomain; for boundary points use "
                 "dde::on_boundary)");
  }
}

std::vector<Eigen::Index> BC::matching_rows(const Points& X, const Predicate& predicate) const {
  const Mask flags = flags_for(X, predicate);
  std::vector<Eigen::Index> rows;
  Eigen::Index i = 0;
  try {
    for (; i < X.rows(); ++i)
      if (predicate(X.row(i), flags(i))) rows.push_back(i);
  } catch (const std::exception& e) {  // a user predicate that throws: say which condition and point
    detail::fail<Error>(name(), ": while evaluating the predicate at point ", i, " of ", X.rows(), ": ", e.what());
  }
  return rows;
}

Points BC::collocation_points(const Points& X) const { return geometry::take_rows(X, matching_rows(X, predicate_)); }

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
  v = v.reshape({x.size(0), 1}).to(x.options());
  if (x.size(0) > 0) {
    const auto bad = v.isfinite().logical_not().reshape({-1});
    if (bad.any().item<bool>()) {
      const auto i = bad.nonzero()[0][0].item<std::int64_t>();
      std::ostringstream at;
      const auto xi = x[i].to(torch::kCPU, torch::kFloat64);
      for (std::int64_t j = 0; j < xi.size(0); ++j) at << (j ? ", " : "") << xi[j].item<double>();
      detail::fail(name(), ": the value function returned ", v[i][0].item<double>(), " at point ", i, " x = (",
                   at.str(), ") (expected finite values)");
    }
  }
  return v;
}

void BC::check_component(const torch::Tensor& outputs) const {
  if (component_ >= outputs.size(1))
    detail::fail(name(), ": component = ", component_, " out of range for a network with ", outputs.size(1),
                 " outputs (expected 0 <= component < ", outputs.size(1), ")");
}

torch::Tensor BC::output_slice(const torch::Tensor& outputs, std::int64_t beg, std::int64_t end) const {
  check_component(outputs);
  return outputs.slice(0, beg, end).narrow(1, component_, 1);
}

torch::Tensor BC::check_column(const torch::Tensor& v, std::int64_t rows, const char* what) const {
  const bool ok = v.defined() && ((v.dim() == 2 && v.size(0) == rows && v.size(1) == 1) ||
                                  (v.dim() == 1 && v.size(0) == rows));
  if (!ok)
    detail::fail(name(), ": ", what, " returned shape ", v.defined() ? c10::str(v.sizes()) : std::string("undefined"),
                 " for ", rows, " points (expected [", rows, ", 1] or [", rows, "])");
  return v.reshape({rows, 1});
}

torch::Tensor BC::error(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg,
                        std::int64_t end, const Prepared& prepared) const {
  auto m = misfit(inputs, outputs, beg, end, prepared);
  return m.target.defined() ? m.prediction - m.target : m.prediction;
}

namespace {
// Runs a user callback and rethrows its failure with the condition and the number of points.
template <class F>
torch::Tensor call_user(const std::string& cls, const char* what, std::int64_t n, F&& f) {
  try {
    return f();
  } catch (const c10::Error& e) {
    detail::fail<Error>(cls, ": while evaluating ", what, " on ", n, " points: ", e.what_without_backtrace());
  } catch (const ValueError&) {
    throw;
  } catch (const std::exception& e) {
    detail::fail<Error>(cls, ": while evaluating ", what, " on ", n, " points: ", e.what());
  }
}

}  // namespace

// ---------------------------------------------------------------- DirichletBC

DirichletBC::DirichletBC(const geometry::Geometry& geom, ValueFunction func, Predicate on_boundary, int component)
    : BC(geom.clone(), std::move(on_boundary), component, "DirichletBC"), func_(std::move(func)) {
  if (!func_) detail::fail("DirichletBC: the value function is empty");
}

Prepared DirichletBC::prepare(const Points& points, const torch::TensorOptions& options) const {
  return {evaluate_values(func_, to_tensor(points, options)), {}};
}

Misfit DirichletBC::misfit(const torch::Tensor&, const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                           const Prepared& prepared) const {
  return {output_slice(outputs, beg, end), prepared.values};
}

// ---------------------------------------------------------------- NeumannBC

NeumannBC::NeumannBC(const geometry::Geometry& geom, ValueFunction func, Predicate on_boundary, int component)
    : BC(geom.clone(), std::move(on_boundary), component, "NeumannBC"), func_(std::move(func)) {
  if (!func_) detail::fail("NeumannBC: the value function is empty");
}

Prepared NeumannBC::prepare(const Points& points, const torch::TensorOptions& options) const {
  return {evaluate_values(func_, to_tensor(points, options)), to_tensor(geom_->boundary_normal(points), options)};
}

namespace {
// dy_component/dn at rows [beg, end): the Jacobian row (cached for the whole step) dotted with the normals.
torch::Tensor normal_derivative(const torch::Tensor& inputs, const torch::Tensor& outputs, int component,
                                std::int64_t beg, std::int64_t end, const torch::Tensor& normals) {
  const auto dydx = grad::jacobian(outputs, inputs, component).slice(0, beg, end);
  return (dydx * normals).sum(1, /*keepdim=*/true);
}
}  // namespace

Misfit NeumannBC::misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg,
                         std::int64_t end, const Prepared& prepared) const {
  check_component(outputs);
  return {normal_derivative(inputs, outputs, component_, beg, end, prepared.normals), prepared.values};
}

// ---------------------------------------------------------------- RobinBC

RobinBC::RobinBC(const geometry::Geometry& geom, RobinFunction func, Predicate on_boundary, int component)
    : BC(geom.clone(), std::move(on_boundary), component, "RobinBC"), func_(std::move(func)) {
  if (!func_) detail::fail("RobinBC: the function is empty (expected func(x, y) -> (M, 1))");
}

Prepared RobinBC::prepare(const Points& points, const torch::TensorOptions& options) const {
  return {{}, to_tensor(geom_->boundary_normal(points), options)};
}

Misfit RobinBC::misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg,
                       std::int64_t end, const Prepared& prepared) const {
  check_component(outputs);
  const auto n = end - beg;
  auto x = inputs.slice(0, beg, end).detach();
  auto y = outputs.slice(0, beg, end);
  auto target = check_column(call_user(name(), "the Robin function", n, [&] { return func_(x, y); }), n,
                             "the Robin function");
  if (!checked_ && n > 0) {
    const auto bad = target.detach().isfinite().logical_not().reshape({-1});
    if (bad.any().item<bool>()) {
      const auto i = bad.nonzero()[0][0].item<std::int64_t>();
      std::ostringstream at;
      const auto xi = x[i].to(torch::kCPU, torch::kFloat64);
      for (std::int64_t j = 0; j < xi.size(0); ++j) at << (j ? ", " : "") << xi[j].item<double>();
      detail::fail(name(), ": the Robin function returned ", target[i][0].item<double>(), " at point ", i,
                   " x = (", at.str(), ") (expected finite values)");
    }
    checked_ = true;
  }
  return {normal_derivative(inputs, outputs, component_, beg, end, prepared.normals), target};
}

// ---------------------------------------------------------------- PeriodicBC

namespace {
int check_derivative_order(int order) {
  if (order != 0 && order != 1)
    detail::fail("PeriodicBC: derivative_order = ", order,
                 " (expected 0 or 1; higher orders are not supported, as in DeepXDE)");
  return order;
}
std::shared_ptr<const geometry::Geometry> periodic_geometry(const geometry::Geometry& geom, int component_x) {
  if (component_x < 0 || component_x >= geom.dim())
    detail::fail("PeriodicBC: component_x = ", component_x, " out of range for a ", geom.name(), " of dimension ",
                 geom.dim(), " (expected 0 <= component_x < ", geom.dim(), ")");
  bool has_time = true;
  try {
    geom.on_initial(Points(0, geom.dim()));
  } catch (const NotImplementedError&) {
    has_time = false;
  }
  if (has_time && component_x == geom.dim() - 1)
    detail::fail("PeriodicBC: component_x = ", component_x, " is the time axis of the ", geom.name(),
                 " (expected a spatial axis, 0 <= component_x < ", geom.dim() - 1, ")");
  try {
    geom.periodic_point(Points(0, geom.dim()), component_x);
  } catch (const NotImplementedError&) {
    detail::fail("PeriodicBC: geometry is a ", geom.name(),
                 ", which has no periodic_point (expected an Interval, a box or a GeometryXTime of one)");
  }
  return geom.clone();
}
}  // namespace

PeriodicBC::PeriodicBC(const geometry::Geometry& geom, int component_x, Predicate on_boundary,
                       int derivative_order, int component)
    : BC(periodic_geometry(geom, component_x), std::move(on_boundary), component, "PeriodicBC"),
      component_x_(component_x),
      derivative_order_(check_derivative_order(derivative_order)) {}

Points PeriodicBC::collocation_points(const Points& X) const {
  const Points x1 = BC::collocation_points(X);
  const Points x2 = geom_->periodic_point(x1, component_x_);
  Points out(2 * x1.rows(), X.cols());
  out << x1, x2;
  return out;
}

Prepared PeriodicBC::prepare(const Points& points, const torch::TensorOptions&) const {
  if (points.rows() % 2 != 0)
    detail::fail("PeriodicBC: ", points.rows(), " collocation points (expected an even number: pairs)");
  return {};
}

Misfit PeriodicBC::misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg,
                          std::int64_t end, const Prepared&) const {
  check_component(outputs);
  const auto mid = beg + (end - beg) / 2;
  if (derivative_order_ == 0) {
    auto y = outputs.narrow(1, component_, 1);
    return {y.slice(0, beg, mid), y.slice(0, mid, end)};
  }
  auto dydx = grad::jacobian(outputs, inputs, component_, component_x_);
  return {dydx.slice(0, beg, mid), dydx.slice(0, mid, end)};
}

// ---------------------------------------------------------------- OperatorBC

OperatorBC::OperatorBC(const geometry::Geometry& geom, OperatorFunction func, Predicate on_boundary)
    : BC(geom.clone(), std::move(on_boundary), 0, "OperatorBC"), func_(std::move(func)) {
  if (!func_) detail::fail("OperatorBC: the function is empty (expected func(x, y, X) -> (N, 1))");
}

Prepared OperatorBC::prepare(const Points&, const torch::TensorOptions&) const { return {}; }

Misfit OperatorBC::misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg,
                          std::int64_t end, const Prepared&) const {
  const auto n = inputs.size(0);
  auto r = check_column(call_user(name(), "the operator", n, [&] { return func_(inputs, outputs, inputs.detach()); }),
                        n, "the operator");
  return {r.slice(0, beg, end), {}};
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

Misfit IC::misfit(const torch::Tensor&, const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                  const Prepared& prepared) const {
  return {output_slice(outputs, beg, end), prepared.values};
}

// ---------------------------------------------------------------- PointSetBC

namespace {
int highest(const Components& c) {
  if (c.list.empty()) detail::fail("PointSetBC: component is an empty list (expected one or more output columns)");
  for (int k : c.list)
    if (k < 0) detail::fail("PointSetBC: component = ", k, " (expected >= 0)");
  return *std::max_element(c.list.begin(), c.list.end());
}
}  // namespace

PointSetBC::PointSetBC(Points points, Points values, Components component, std::optional<std::int64_t> batch_size,
                       bool shuffle)
    : BC(nullptr, nullptr, highest(component), "PointSetBC"),
      points_(std::move(points)),
      values_(std::move(values)),
      components_(component.list),
      batch_size_(batch_size),
      shuffle_(shuffle) {
  if (points_.rows() != values_.rows())
    detail::fail("PointSetBC: points has ", points_.rows(), " rows but values has ", values_.rows(),
                 " (expected one value row per point)");
  const auto k = static_cast<Eigen::Index>(components_.size());
  if (values_.cols() != k)
    detail::fail("PointSetBC: values has ", values_.cols(), " columns (expected ", k, ": one per component, ",
                 k == 1 ? "the values of output component " + std::to_string(components_[0]) : std::string("in order"),
                 ")");
  if (points_.rows() == 0) detail::fail("PointSetBC: points is empty (expected at least one point)");
  require_finite(points_, "PointSetBC", "points");
  require_finite(values_, "PointSetBC", "values");
  if (batch_size_ && (*batch_size_ < 1 || *batch_size_ > points_.rows()))
    detail::fail("PointSetBC: batch_size = ", *batch_size_, " (expected 1 <= batch_size <= ", points_.rows(),
                 ", the number of points)");
  batch_indices_.resize(static_cast<std::size_t>(points_.rows()));
  std::iota(batch_indices_.begin(), batch_indices_.end(), 0);
}

Points PointSetBC::collocation_points(const Points&) const {
  if (!batch_size_) return points_;
  // DeepXDE's BatchSampler.get_next: walk an epoch's order; at its end, start a new (re-shuffled) epoch.
  const auto n = static_cast<std::size_t>(points_.rows());
  auto new_epoch = [&] {
    order_.resize(n);
    if (shuffle_) {
      auto perm = torch::randperm(static_cast<std::int64_t>(n), torch::kLong);
      std::copy_n(perm.data_ptr<std::int64_t>(), n, order_.begin());
    } else {
      std::iota(order_.begin(), order_.end(), 0);
    }
    pos_ = 0;
  };
  if (order_.empty()) new_epoch();
  const auto bs = static_cast<std::size_t>(*batch_size_);
  batch_indices_.clear();
  while (batch_indices_.size() < bs) {
    if (pos_ == n) new_epoch();
    batch_indices_.push_back(order_[pos_++]);
  }
  return geometry::take_rows(points_, batch_indices_);
}

Prepared PointSetBC::prepare(const Points& points, const torch::TensorOptions& options) const {
  if (points.rows() != static_cast<Eigen::Index>(batch_indices_.size()))
    detail::fail("PointSetBC: prepare got ", points.rows(), " points (expected the ", batch_indices_.size(),
                 " of the last collocation_points call)");
  return {to_tensor(batch_size_ ? geometry::take_rows(values_, batch_indices_) : values_, options), {}};
}

Misfit PointSetBC::misfit(const torch::Tensor&, const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                          const Prepared& prepared) const {
  check_component(outputs);
  auto rows = outputs.slice(0, beg, end);
  if (components_.size() == 1) return {rows.narrow(1, components_[0], 1), prepared.values};
  std::vector<torch::Tensor> cols;
  for (int c : components_) cols.push_back(rows.narrow(1, c, 1));
  return {torch::cat(cols, 1), prepared.values};
}

// ---------------------------------------------------------------- PointSetOperatorBC

PointSetOperatorBC::PointSetOperatorBC(Points points, Points values, PointSetOperatorFunction func)
    : BC(nullptr, nullptr, 0, "PointSetOperatorBC"),
      points_(std::move(points)),
      values_(std::move(values)),
      func_(std::move(func)) {
  if (points_.rows() != values_.rows())
    detail::fail("PointSetOperatorBC: points has ", points_.rows(), " rows but values has ", values_.rows(),
                 " (expected one value row per point)");
  if (values_.cols() != 1)
    detail::fail("PointSetOperatorBC: values has ", values_.cols(), " columns (expected 1: one value per point)");
  if (points_.rows() == 0) detail::fail("PointSetOperatorBC: points is empty (expected at least one point)");
  require_finite(points_, "PointSetOperatorBC", "points");
  require_finite(values_, "PointSetOperatorBC", "values");
  if (!func_) detail::fail("PointSetOperatorBC: the function is empty (expected func(x, y) -> (N, 1))");
}

Points PointSetOperatorBC::collocation_points(const Points&) const { return points_; }

Prepared PointSetOperatorBC::prepare(const Points&, const torch::TensorOptions& options) const {
  return {to_tensor(values_, options), {}};
}

Misfit PointSetOperatorBC::misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg,
                                  std::int64_t end, const Prepared& prepared) const {
  const auto n = inputs.size(0);
  auto r = check_column(call_user(name(), "the operator", n, [&] { return func_(inputs, outputs); }), n,
                        "the operator");
  return {r.slice(0, beg, end), prepared.values};
}

// ---------------------------------------------------------------- Interface2DBC

namespace {
std::shared_ptr<const geometry::Geometry> require_2d(const geometry::Geometry& geom) {
  if (geom.dim() != 2)
    detail::fail("Interface2DBC: geometry is a ", geom.name(), " of dimension ", geom.dim(), " (expected dimension 2)");
  return geom.clone();
}
bool parse_direction(const std::string& d) {
  if (d != "normal" && d != "tangent")
    detail::fail("Interface2DBC: direction = '", d, "'; valid: normal, tangent");
  return d == "tangent";
}
}  // namespace

Interface2DBC::Interface2DBC(const geometry::Geometry& geom, ValueFunction func, Predicate on_boundary1,
                             Predicate on_boundary2, std::string direction)
    : BC(require_2d(geom), std::move(on_boundary1), 0, "Interface2DBC"),
      func_(std::move(func)),
      on_boundary2_(std::move(on_boundary2)),
      tangent_(parse_direction(direction)) {
  if (!func_) detail::fail("Interface2DBC: the value function is empty");
  if (!on_boundary2_) detail::fail("Interface2DBC: on_boundary2 is empty (expected the second edge's predicate)");
}

Points Interface2DBC::collocation_points(const Points& X) const {
  const Points x1 = BC::collocation_points(X);
  auto rows = matching_rows(X, on_boundary2_);
  if (geom_->name() == "Polygon") std::reverse(rows.begin(), rows.end());
  const Points x2 = geometry::take_rows(X, rows);
  if (x1.rows() != x2.rows())
    detail::fail("Interface2DBC: ", x1.rows(), " points on the first edge but ", x2.rows(),
                 " on the second (expected as many: edges of the same length with train_distribution = \"uniform\")");
  Points out(x1.rows() + x2.rows(), X.cols());
  out << x1, x2;
  return out;
}

Prepared Interface2DBC::prepare(const Points& points, const torch::TensorOptions& options) const {
  const auto half = points.rows() / 2;
  return {evaluate_values(func_, to_tensor(points.topRows(half), options)),
          to_tensor(geom_->boundary_normal(points), options)};
}

Misfit Interface2DBC::misfit(const torch::Tensor&, const torch::Tensor& outputs, std::int64_t beg,
                             std::int64_t end, const Prepared& prepared) const {
  if (outputs.size(1) != 2)
    detail::fail("Interface2DBC: the network has ", outputs.size(1), " outputs (expected 2: a 2-D vector field)");
  const auto mid = beg + (end - beg) / 2, half = mid - beg;
  auto d = prepared.normals;
  if (tangent_) d = torch::stack({d.select(1, 1), -d.select(1, 0)}, 1);  // n turned 90 degrees clockwise
  auto side = [&](std::int64_t from, std::int64_t to, std::int64_t off) {
    return (outputs.slice(0, from, to) * d.slice(0, off, off + (to - from))).sum(1, /*keepdim=*/true);
  };
  return {side(beg, mid, 0) + side(mid, end, half), prepared.values};
}

}  // namespace icbc
}  // namespace pinnxde
