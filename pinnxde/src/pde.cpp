#include "pinnxde/data/pde.hpp"

#include <torch/types.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "pinnxde/conditions/convert.hpp"
#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/geometry/geometry.hpp"
#include "pinnxde/geometry/sampler.hpp"

namespace pinnxde::data {
namespace {

geometry::Points vstack(const geometry::Points& a, const geometry::Points& b) {
  if (a.rows() == 0) return b;
  if (b.rows() == 0) return a;
  geometry::Points out(a.rows() + b.rows(), a.cols());
  out << a, b;
  return out;
}

void check_count(const char* cls, const char* name, std::int64_t v) {
  if (v < 0) detail::fail(cls, ": ", name, " = ", v, " (expected >= 0)");
  if (v > geometry::kMaxPoints)
    detail::fail(cls, ": ", name, " = ", v, " (expected <= ", geometry::kMaxPoints, ", pinnxde's limit on one sampling call)");
}

// Anchors and exclusions are user points: non-finite entries are refused when they are given.
void require_finite(const geometry::Points& p, const std::string& where, const char* what) {
  for (Eigen::Index i = 0; i < p.rows(); ++i)
    for (Eigen::Index j = 0; j < p.cols(); ++j)
      if (!std::isfinite(p(i, j)))
        detail::fail(where, ": ", what, "[", i, ", ", j, "] = ", p(i, j), " (expected finite values)");
}

// TimePDE needs a geometry with an initial slice (GeometryXTime): one whose on_initial answers.
std::shared_ptr<const geometry::Geometry> require_time(const geometry::Geometry& g) {
  try {
    g.on_initial(geometry::Points(0, g.dim()));
  } catch (const NotImplementedError&) {
    detail::fail("TimePDE: geometry is a ", g.name(), " (expected a GeometryXTime; use data::PDE for ", g.name(),
                 ")");
  }
  return g.clone();
}

PDEOptions to_pde_options(TimePDEOptions o) {
  return {o.num_domain,          o.num_boundary,        std::move(o.train_distribution),
          std::move(o.anchors),  std::move(o.exclusions), std::move(o.solution),
          o.num_test,            std::move(o.auxiliary_var_function)};
}

// A residual without auxiliary variables, seen as one with them.
PDEAuxFunction ignore_aux(PDEFunction f) {
  if (!f) return {};
  return [f = std::move(f)](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor&) { return f(x, y); };
}

PDEAuxFunction require_aux(PDEAuxFunction f, const PDEOptions& o, const char* cls) {
  if (f && !o.auxiliary_var_function)
    detail::fail(cls, ": the residual takes auxiliary variables (x, y, aux) but auxiliary_var_function is empty");
  return f;
}

}  // namespace

PDE::PDE(const geometry::Geometry& geometry, PDEFunction pde, std::vector<icbc::BCPtr> bcs, PDEOptions options)
    : PDE(geometry.clone(), ignore_aux(std::move(pde)), std::move(bcs), std::move(options), 0, "PDE") {}

PDE::PDE(const geometry::Geometry& geometry, PDEAuxFunction pde, std::vector<icbc::BCPtr> bcs, PDEOptions options)
    : PDE(geometry.clone(), std::move(pde), std::move(bcs), std::move(options), 0, "PDE") {
  require_aux(pde_, opts_, "PDE");
}

PDE::PDE(std::shared_ptr<const geometry::Geometry> geometry, PDEAuxFunction pde, std::vector<icbc::BCPtr> bcs,
         PDEOptions options, std::int64_t num_initial, const char* cls)
    : geom_(std::move(geometry)),
      pde_(std::move(pde)),
      bcs_(std::move(bcs)),
      opts_(std::move(options)),
      num_initial_(num_initial),
      cls_(cls) {
  check_count(cls, "num_domain", opts_.num_domain);
  check_count(cls, "num_boundary", opts_.num_boundary);
  check_count(cls, "num_initial", num_initial_);
  if (opts_.num_test) {
    if (*opts_.num_test <= 0) detail::fail(cls, ": num_test = ", *opts_.num_test, " (expected > 0)");
    check_count(cls, "num_test", *opts_.num_test);
  }
  static const char* dists[] = {"uniform", "pseudo", "LHS", "Halton", "Hammersley", "Sobol"};
  if (std::find(std::begin(dists), std::end(dists), opts_.train_distribution) == std::end(dists))
    detail::fail(cls, ": train_distribution = '", opts_.train_distribution,
                 "'; valid: uniform, pseudo, LHS, Halton, Hammersley, Sobol");
  if (opts_.anchors.rows() > 0 && opts_.anchors.cols() != geom_->dim())
    detail::fail(cls, ": anchors has ", opts_.anchors.cols(), " columns but the geometry has dimension ",
                 geom_->dim());
  require_finite(opts_.anchors, cls, "anchors");
  require_finite(opts_.exclusions, cls, "exclusions");
  if (opts_.exclusions.rows() > 0 && opts_.exclusions.cols() != geom_->dim())
    detail::fail(cls, ": exclusions has ", opts_.exclusions.cols(), " columns but the geometry has dimension ",
                 geom_->dim());
  for (std::size_t k = 0; k < bcs_.size(); ++k) {
    if (!bcs_[k].get()) detail::fail(cls, ": condition ", k, " is empty (expected a condition object)");
    const auto& g = bcs_[k]->geometry();
    if (g && g->dim() != geom_->dim())
      detail::fail(cls, ": condition ", k, " (", bcs_[k]->name(), ") is on a geometry of dimension ", g->dim(),
                   " but the data's geometry has dimension ", geom_->dim());
  }
  if (opts_.num_domain + opts_.num_boundary + num_initial_ + opts_.anchors.rows() == 0 && pde_)
    detail::fail(cls, ": num_domain, num_boundary", std::string(cls) == "TimePDE" ? ", num_initial" : "",
                 " and anchors are all empty (expected collocation points for the PDE residual)");
}

geometry::Points PDE::train_points() const {
  geometry::Points X(0, geom_->dim());
  const bool uniform = opts_.train_distribution == "uniform";
  if (opts_.num_domain > 0)
    X = exclude(uniform ? geom_->uniform_points(opts_.num_domain, false)
                        : geom_->random_points(opts_.num_domain, opts_.train_distribution));
  if (opts_.num_boundary > 0)
    X = vstack(exclude(uniform ? geom_->uniform_boundary_points(opts_.num_boundary)
                               : geom_->random_boundary_points(opts_.num_boundary, opts_.train_distribution)),
               X);
  if (opts_.anchors.rows() > 0) X = vstack(opts_.anchors, X);
  return X;
}

geometry::Points PDE::exclude(const geometry::Points& X) const {
  const auto& ex = opts_.exclusions;
  if (ex.rows() == 0 || X.rows() == 0) return X;
  geometry::Mask keep = geometry::Mask::Ones(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index e = 0; e < ex.rows() && keep(i); ++e) {
      bool same = true;  // numpy.allclose(x, exclusion)
      for (Eigen::Index j = 0; j < X.cols() && same; ++j) same = geometry::isclose(X(i, j), ex(e, j));
      keep(i) = !same;
    }
  return geometry::select_rows(X, keep);
}

void PDE::add_anchors(const geometry::Points& anchors) {
  if (anchors.rows() == 0) return;
  if (anchors.cols() != geom_->dim())
    detail::fail(cls_, ".add_anchors: anchors has ", anchors.cols(), " columns but the geometry has dimension ",
                 geom_->dim());
  require_finite(anchors, std::string(cls_) + ".add_anchors", "anchors");
  train_x_all();  // sample the current points first: the new anchors go in front of them
  opts_.anchors = vstack(anchors, opts_.anchors);
  train_x_all_ = vstack(anchors, *train_x_all_);
  train_.reset();
}

void PDE::replace_with_anchors(const geometry::Points& anchors) {
  if (anchors.rows() == 0 || anchors.cols() != geom_->dim())
    detail::fail(cls_, ".replace_with_anchors: anchors has shape [", anchors.rows(), ", ", anchors.cols(),
                 "] (expected [N >= 1, ", geom_->dim(), "])");
  require_finite(anchors, std::string(cls_) + ".replace_with_anchors", "anchors");
  opts_.anchors = anchors;
  train_x_all_ = anchors;
  train_.reset();
}

geometry::Points PDE::test_points() const { return geom_->uniform_points(*opts_.num_test, true); }

const geometry::Points& PDE::train_x_all() {
  if (!train_x_all_) {
    std::optional<geometry::RandomShiftScope> shift;
    if (shift_quasi_random_) shift.emplace();
    train_x_all_ = train_points();
  }
  return *train_x_all_;
}

Batch PDE::make_batch(const geometry::Points& points, bool with_solution, const Batch* train_rows) const {
  const auto options = config::options();
  Batch b;
  std::vector<geometry::Points> parts;
  b.bcs_start.push_back(0);
  for (std::size_t k = 0; k < bcs_.size(); ++k) {
    parts.push_back(bcs_[k]->collocation_points(points));
    if (parts.back().rows() == 0 && train_rows && train_rows->bcs_start[k + 1] > train_rows->bcs_start[k]) {
      // A test set without points of this condition (a CSG geometry's uniform test points have no
      // boundary points): its test loss is taken on its training points, as DeepXDE's test set includes
      // them, rather than reading 0.
      const auto& tb = *train_rows;
      parts.back() = to_points(tb.x.slice(0, tb.bcs_start[k], tb.bcs_start[k + 1]));
    }
    if (parts.back().rows() == 0)
      std::cerr << "pinnxde: warning: " << cls_ << ": condition " << k << " (" << bcs_[k]->name()
                << ") selects none of the " << points.rows() << " candidate points; its loss is 0\n";
    if (parts.back().cols() != geom_->dim())
      detail::fail(cls_, ": condition ", k, " (", bcs_[k]->name(), ") has points of dimension ",
                   parts.back().cols(), " (expected ", geom_->dim(), ")");
    b.prepared.push_back(bcs_[k]->prepare(parts.back(), options));
    b.bcs_start.push_back(b.bcs_start.back() + parts.back().rows());
  }
  geometry::Points X(b.bcs_start.back() + points.rows(), geom_->dim());
  Eigen::Index row = 0;
  for (const auto& p : parts) {
    X.middleRows(row, p.rows()) = p;
    row += p.rows();
  }
  X.bottomRows(points.rows()) = points;
  b.x = to_tensor(X, options).requires_grad_(true);
  if (with_solution && opts_.solution) {
    torch::NoGradGuard no_grad;
    try {
      b.y = opts_.solution(b.x.detach());
    } catch (const std::exception& e) {
      detail::fail<Error>(cls_, ": while evaluating the solution on ", X.rows(), " points: ", e.what());
    }
    if (!b.y.defined()) detail::fail(cls_, ": solution returned an undefined tensor for ", X.rows(), " points");
    if (b.y.dim() == 1) b.y = b.y.unsqueeze(1);
    if (b.y.dim() != 2 || b.y.size(0) != X.rows())
      detail::fail(cls_, ": solution returned shape ", b.y.sizes(), " for ", X.rows(), " points (expected [",
                   X.rows(), ", num_outputs])");
    b.y = b.y.to(options);
    // A non-finite reference would make every metric NaN: refuse it, naming the point.
    if (const auto bad = b.y.isfinite().logical_not().any(1); bad.any().item<bool>()) {
      const auto i = bad.nonzero()[0][0].item<std::int64_t>();
      std::ostringstream at;
      for (Eigen::Index j = 0; j < X.cols(); ++j) at << (j ? ", " : "") << X(i, j);
      detail::fail(cls_, ": solution returned a non-finite value at point ", i, " x = (", at.str(),
                   ") (expected a finite reference solution)");
    }
  }
  if (opts_.auxiliary_var_function) {
    torch::NoGradGuard no_grad;
    try {
      b.aux = opts_.auxiliary_var_function(b.x.detach());
    } catch (const std::exception& e) {
      detail::fail<Error>(cls_, ": while evaluating auxiliary_var_function on ", X.rows(), " points: ", e.what());
    }
    if (b.aux.defined() && b.aux.dim() == 1) b.aux = b.aux.unsqueeze(1);
    if (!b.aux.defined() || b.aux.dim() != 2 || b.aux.size(0) != X.rows())
      detail::fail(cls_, ": auxiliary_var_function returned shape ",
                   b.aux.defined() ? c10::str(b.aux.sizes()) : std::string("undefined"), " for ", X.rows(),
                   " points (expected [", X.rows(), ", k])");
    b.aux = b.aux.to(options);
  }
  return b;
}

// After a change of float type (e.g. Adam in float32, then L-BFGS in float64) the training batch is rebuilt
// from the same float64 points, so that it is exact in float64 (a cast would keep float32's rounding) and a
// run resumed from a checkpoint, which rebuilds it so, sees the same numbers. The test batch is converted:
// rebuilding it would redraw the test points of a geometry whose uniform points are random.
const Batch& PDE::train_batch() {
  if (train_ && !has_options(*train_, config::options())) train_.reset();
  if (!train_) train_ = make_batch(train_x_all(), !opts_.num_test.has_value());
  return *train_;
}

const Batch& PDE::test_batch() {
  if (!opts_.num_test) return train_batch();
  if (!test_) test_ = make_batch(test_points(), true, &train_batch());
  ensure_options(*test_, config::options());
  return *test_;
}

void PDE::resample_train_points() {
  shift_quasi_random_ = true;
  train_x_all_.reset();
  train_.reset();
}

std::size_t PDE::num_losses() const { return (pde_ ? num_pde_terms_ : 0) + bcs_.size() + globals_.size(); }

std::vector<std::string> PDE::loss_names() const {
  std::vector<std::string> names;
  if (pde_)
    for (std::size_t i = 0; i < num_pde_terms_; ++i)
      names.push_back(num_pde_terms_ == 1 ? std::string("pde") : "pde" + std::to_string(i));
  for (std::size_t k = 0; k < bcs_.size(); ++k)
    names.push_back(bcs_[k]->label().empty() ? bcs_[k]->short_name() + std::to_string(k) : bcs_[k]->label());
  for (const auto& g : globals_) names.push_back(g.name);
  return names;
}

void PDE::residual_losses(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& aux,
                          std::int64_t from, const std::vector<LossFunction>& loss_fns,
                          std::vector<torch::Tensor>& out) const {
  const std::int64_t n = x.size(0), rows = residual_rows(from, n);
  Residuals r{torch::Tensor()};
  try {
    r = pde_(x, y, aux);
  } catch (const c10::Error& e) {
    detail::fail<Error>("while evaluating the PDE residual on ", n, " points: ", e.what_without_backtrace());
  } catch (const std::exception& e) {
    detail::fail<Error>("while evaluating the PDE residual on ", n, " points: ", e.what());
  }
  if (r.terms.empty()) detail::fail(cls_, ": the PDE residual returned no tensors");
  num_pde_terms_ = r.terms.size();
  if (loss_fns.size() != 1 && loss_fns.size() < num_losses())
    detail::fail(cls_, ": ", loss_fns.size(), " loss functions for ", num_losses(), " loss terms");
  for (std::size_t k = 0; k < r.terms.size(); ++k) {
    auto& t = r.terms[k];
    if (t.defined() && !t.is_floating_point())
      detail::fail(cls_, ": the PDE residual (term ", k, ") has dtype ", t.scalar_type(),
                   " (expected a floating-point tensor, e.g. computed from y)");
    auto rows_ok = [&](std::int64_t m) {
      return t.defined() && ((t.dim() == 2 && t.size(0) == m && t.size(1) == 1) || (t.dim() == 1 && t.size(0) == m));
    };
    if (!rows_ok(n) && !rows_ok(rows))
      detail::fail(cls_, ": the PDE residual (term ", k, ") returned shape ",
                   t.defined() ? c10::str(t.sizes()) : std::string("undefined"), " for ", n, " points (expected [",
                   rows == n ? std::to_string(n) : std::to_string(rows) + " or " + std::to_string(n), ", 1])");
    auto rk = t.reshape({-1, 1});
    if (from > 0 || rk.size(0) != rows) rk = rk.slice(0, from, rows);
    const auto& loss = loss_fns[loss_fns.size() == 1 ? 0 : k];
    if (residual_loss_) out.push_back(residual_loss_(x.slice(0, from, rows), rk, loss));
    else out.push_back(loss(torch::Tensor(), rk));  // undefined target = 0
  }
}

torch::Tensor PDE::condition_loss(std::size_t k, std::size_t term, const torch::Tensor& inputs,
                                  const torch::Tensor& outputs, std::int64_t beg, std::int64_t end,
                                  const Batch& batch, const std::vector<LossFunction>& loss_fns) const {
  if (beg == end) return torch::zeros({}, outputs.options());
  auto m = bcs_[k]->misfit(inputs, outputs, beg, end, batch.prepared[k]);
  return loss_fns[loss_fns.size() == 1 ? 0 : term](m.target, m.prediction);  // an undefined target means 0
}

void PDE::require_terms() const {
  // A PDE without residual and conditions is a valid container (for predict, adaptive sampling), but
  // has nothing to train: say so instead of an empty loss list failing inside LibTorch.
  if (!pde_ && bcs_.empty() && globals_.empty())
    detail::fail(cls_, ": neither a PDE residual nor conditions, so no loss terms (expected a residual "
                 "function, at least one condition, or both)");
}

std::vector<torch::Tensor> PDE::losses(const torch::Tensor& outputs, const Batch& batch,
                                       const std::vector<LossFunction>& loss_fns) const {
  require_terms();
  if (!globals_.empty())
    detail::fail(cls_, ".losses: global term '", globals_.front().name,
                 "' needs the network on its quadrature points (use evaluate(), as Model does)");
  std::vector<torch::Tensor> out;
  losses_on_all_rows(batch.x, outputs, batch, loss_fns, out);
  return out;
}

void PDE::losses_on_all_rows(const torch::Tensor& x, const torch::Tensor& outputs, const Batch& batch,
                             const std::vector<LossFunction>& loss_fns, std::vector<torch::Tensor>& out) const {
  if (pde_) residual_losses(x, outputs, batch.aux, batch.bcs_start.back(), loss_fns, out);
  const std::size_t first_bc = out.size();
  for (std::size_t k = 0; k < bcs_.size(); ++k)
    out.push_back(condition_loss(k, first_bc + k, x, outputs, batch.bcs_start[k], batch.bcs_start[k + 1], batch,
                                 loss_fns));
}

// Each term on its own rows with only what it needs: the residual on the domain rows (train_x_all) with
// derivatives; the conditions that use values only on one shared pass whose inputs need no gradient; each
// derivative condition on a pass of its own rows. DeepXDE evaluates the residual on every row of X and
// slices; the losses are the same. A batch of at most one_pass_rows() rows (512) is evaluated as DeepXDE
// does, on one pass over every row: there a step's cost is the number of operations, not their size, and
// one pass (with one reverse pass and one derivative cache) is cheaper than the 2 + (derivative conditions)
// passes of the split (the Euler beam: 1 pass instead of 5).
namespace {
// The largest batch evaluated on one pass: 512 rows, or PINNXDE_ONE_PASS_ROWS (0: always term by term, which
// a ctest uses to keep the split covered by the small problems of the engine tests).
std::int64_t one_pass_rows() {
  static const std::int64_t rows = [] {
    const char* v = std::getenv("PINNXDE_ONE_PASS_ROWS");
    if (!v) return std::int64_t{512};
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(v, &end, 10);
    if (end == v || *end != '\0' || errno == ERANGE || n < 0)
      detail::fail("PINNXDE_ONE_PASS_ROWS = '", v, "' (expected a non-negative integer: the largest batch "
                   "evaluated on one network pass)");
    return static_cast<std::int64_t>(n);
  }();
  return rows;
}
}  // namespace

Evaluation PDE::evaluate(const NetFunction& net, const Batch& batch, const std::vector<LossFunction>& loss_fns) {
  require_terms();
  const std::int64_t n = batch.x.size(0), pde_start = batch.bcs_start.back();
  const auto base = batch.x.detach();
  auto leaf = [&](std::int64_t beg, std::int64_t end) { return base.slice(0, beg, end).detach().requires_grad_(true); };
  Evaluation ev;
  if (n <= one_pass_rows() && pde_start > 0) {
    const auto x = batch.x.requires_grad() ? batch.x : leaf(0, n);
    auto y = net(x);
    losses_on_all_rows(x, y, batch, loss_fns, ev.terms);
    global_losses(net, batch.x.options(), loss_fns, ev.terms);
    if (batch.y.defined()) ev.outputs = y.detach();
    return ev;
  }
  // Site order (the derivative engine learns per network call): domain rows, value-only rows, then each
  // derivative condition in turn.
  torch::Tensor y_domain;
  if (pde_) {
    auto x = leaf(pde_start, n);
    y_domain = net(x);
    residual_losses(x, y_domain, batch.aux.defined() ? batch.aux.slice(0, pde_start, n) : batch.aux, 0, loss_fns,
                    ev.terms);
  } else if (n > pde_start) {
    y_domain = net(base.slice(0, pde_start, n));
  }
  const std::size_t first_bc = ev.terms.size();
  std::vector<torch::Tensor> pieces(bcs_.size());  // outputs on each condition's rows, for ev.outputs
  std::vector<std::size_t> values_only;
  std::vector<torch::Tensor> value_rows;
  for (std::size_t k = 0; k < bcs_.size(); ++k)
    if (!bcs_[k]->needs_derivatives() && batch.bcs_start[k + 1] > batch.bcs_start[k]) {
      values_only.push_back(k);
      value_rows.push_back(base.slice(0, batch.bcs_start[k], batch.bcs_start[k + 1]));
    }
  torch::Tensor x_values, y_values;
  if (!values_only.empty()) {
    // Usually the value-only conditions' rows are one block of X (a view); otherwise they are gathered.
    const auto first = values_only.front(), last = values_only.back();
    const bool block = last - first + 1 == values_only.size();
    x_values = block ? base.slice(0, batch.bcs_start[first], batch.bcs_start[last + 1])
                     : torch::cat(value_rows);
    y_values = net(x_values);
  }
  ev.terms.resize(first_bc + bcs_.size());
  std::int64_t offset = 0;
  for (auto k : values_only) {
    const auto rows = batch.bcs_start[k + 1] - batch.bcs_start[k];
    ev.terms[first_bc + k] = condition_loss(k, first_bc + k, x_values, y_values, offset, offset + rows, batch, loss_fns);
    pieces[k] = y_values.slice(0, offset, offset + rows);
    offset += rows;
  }
  for (std::size_t k = 0; k < bcs_.size(); ++k) {
    if (ev.terms[first_bc + k].defined()) continue;
    const auto beg = batch.bcs_start[k], end = batch.bcs_start[k + 1];
    if (beg == end) {
      ev.terms[first_bc + k] = torch::zeros({}, batch.x.options());
      continue;
    }
    auto x = leaf(beg, end);
    auto y = net(x);
    ev.terms[first_bc + k] = condition_loss(k, first_bc + k, x, y, 0, end - beg, batch, loss_fns);
    pieces[k] = y;
  }
  global_losses(net, batch.x.options(), loss_fns, ev.terms);
  // The network's outputs on every row of batch.x, in its order: only metrics use them (against batch.y),
  // so a batch without a reference solution skips the copy.
  if (!batch.y.defined()) return ev;
  std::vector<torch::Tensor> rows;
  for (auto& p : pieces)
    if (p.defined()) rows.push_back(p.detach());
  if (y_domain.defined()) rows.push_back(y_domain.detach());
  if (rows.empty()) ev.outputs = net(base);
  else ev.outputs = rows.size() == 1 ? rows[0] : torch::cat(rows);
  return ev;
}

// Global loss terms (add_global_term): each on its own quadrature points, one network call (site) each,
// after the residual's and the conditions' sites.
void PDE::add_global_term(std::string name, quadrature::Rule rule, GlobalFunction functional) {
  const std::string who = std::string(cls_) + ".add_global_term";
  if (name.empty()) detail::fail(who, ": name is empty (expected a short name for the loss column)");
  for (const auto& g : globals_)
    if (g.name == name) detail::fail(who, ": name = '", name, "' is already a global term (expected a new name)");
  if (!functional) detail::fail(who, ": '", name, "': functional is empty (expected a function of (x, y, w))");
  if (rule.size() == 0)
    detail::fail(who, ": '", name, "': the rule has no points (expected a rule from pinnxde::quadrature)");
  if (rule.dim() != geom_->dim())
    detail::fail(who, ": '", name, "': the rule's points have dimension ", rule.dim(), " but the geometry has dimension ",
                 geom_->dim());
  if (rule.weights.size() != rule.size())
    detail::fail(who, ": '", name, "': the rule has ", rule.size(), " points but ", rule.weights.size(),
                 " weights (expected one weight per point)");
  require_finite(rule.points, who + ": '" + name + "'", "points");
  for (Eigen::Index i = 0; i < rule.weights.size(); ++i)
    if (!std::isfinite(rule.weights(i)))
      detail::fail(who, ": '", name, "': weights[", i, "] = ", rule.weights(i), " (expected finite values)");
  globals_.push_back({std::move(name), std::move(rule), std::move(functional), {}, {}});
}

void PDE::global_losses(const NetFunction& net, const torch::TensorOptions& options,
                        const std::vector<LossFunction>& loss_fns, std::vector<torch::Tensor>& out) {
  for (auto& g : globals_) {
    if (!g.x.defined() || g.x.scalar_type() != options.dtype().toScalarType() || g.x.device() != options.device()) {
      const auto opts = options.requires_grad(false);
      g.x = to_tensor(g.rule.points, opts);
      g.w = torch::from_blob(const_cast<double*>(g.rule.weights.data()), {g.rule.size(), 1}, torch::kFloat64)
                .to(opts, /*non_blocking=*/false, /*copy=*/true);
    }
    const auto x = g.x.detach().requires_grad_(true);
    const auto y = net(x);
    torch::Tensor v;
    const auto where = [&] { return c10::str("while evaluating global term '", g.name, "' on ", g.rule.size(), " quadrature points: "); };
    try {
      v = g.functional(x, y, g.w);
    } catch (const c10::Error& e) {
      detail::fail<Error>(where(), e.what_without_backtrace());
    } catch (const std::exception& e) {
      detail::fail<Error>(where(), e.what());
    }
    const bool ok = v.defined() && v.is_floating_point() && v.numel() >= 1 &&
                    (v.dim() <= 1 || (v.dim() == 2 && v.size(1) == 1));
    if (!ok)
      detail::fail(cls_, ": global term '", g.name, "' returned ",
                   v.defined() ? c10::str("shape ", v.sizes(), " and dtype ", v.scalar_type())
                               : std::string("an undefined tensor"),
                   " (expected a floating-point scalar, (k) or (k, 1): the functional's value(s), target 0)");
    const auto term = out.size();
    if (loss_fns.size() != 1 && term >= loss_fns.size())
      detail::fail(cls_, ": ", loss_fns.size(), " loss functions for ", num_losses(), " loss terms");
    out.push_back(loss_fns[loss_fns.size() == 1 ? 0 : term](torch::Tensor(), v.reshape({-1, 1})));
  }
}

TimePDE::TimePDE(const geometry::Geometry& geometry, PDEFunction pde, std::vector<icbc::BCPtr> bcs,
                 TimePDEOptions options)
    : PDE(require_time(geometry), ignore_aux(std::move(pde)), std::move(bcs), to_pde_options(options),
          options.num_initial, "TimePDE") {}

TimePDE::TimePDE(const geometry::Geometry& geometry, PDEAuxFunction pde, std::vector<icbc::BCPtr> bcs,
                 TimePDEOptions options)
    : PDE(require_time(geometry), require_aux(std::move(pde), to_pde_options(options), "TimePDE"), std::move(bcs),
          to_pde_options(options), options.num_initial, "TimePDE") {}

geometry::Points TimePDE::train_points() const {
  geometry::Points X = PDE::train_points();
  if (num_initial_ > 0) {
    X = vstack(opts_.train_distribution == "uniform"
                   ? geom_->uniform_initial_points(num_initial_)
                   : geom_->random_initial_points(num_initial_, opts_.train_distribution),
               X);
  }
  return X;
}

}  // namespace pinnxde::data
