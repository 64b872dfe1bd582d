#pragma once
// PDE data on a spatial or space-time geometry. Port of deepxde.data.PDE and deepxde.data.TimePDE.
//
//   auto pde = [](const torch::Tensor& x, const torch::Tensor& y) {
//     return dde::grad::hessian(y, x, 0, 0) + torch::sin(x);          // u'' + sin(x) = 0
//   };
//   dde::data::PDE data(geom, pde, {bc}, {.num_domain = 16, .num_boundary = 2, .solution = exact,
//                                        .num_test = 100});
//
// With auxiliary variables (DeepXDE's auxiliary_var_function), the residual takes a third argument:
//
//   auto pde = [](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& q) {
//     return dde::grad::hessian(y, x, 0, 0) + q;                      // q = f(x), evaluated once per sampling
//   };
//   dde::data::PDE data(geom, pde, {bc}, {.num_domain = 16, .auxiliary_var_function = f});
//
// Training points, as in DeepXDE: train_x_all = [initial | anchors | boundary | domain], and the network
// input X = [points of condition 0 | condition 1 | ... | train_x_all]. The residual's loss is taken over the
// train_x_all rows, each condition's over its own rows, as in DeepXDE; but where DeepXDE runs the network
// and the residual with its derivatives on every row of X and slices, pinnxde evaluates each term on its
// own rows only: the residual on train_x_all, the conditions that need values only (Dirichlet, IC,
// PointSetBC, ...) on one pass without derivatives, each derivative condition (Neumann, Robin, OperatorBC,
// ...) on its rows. A residual or operator therefore sees the rows it is evaluated on, not all of X.
// A small batch (at most 512 rows of X) is evaluated as DeepXDE does, on one pass over every
// row, the residual and each condition taking their rows from it: for a few dozen points a step costs the
// number of operations, not their size, and one pass is cheaper than several.
//
// Global loss terms: a functional of the whole solution, such as a normalisation int psi^2 dx = 1 or an
// orthogonality int psi0 psi dx = 0, evaluated on its own quadrature rule (not on the collocation rows,
// so mini-batches and resampling leave it exact), one loss term each, after the conditions' terms:
//
//   auto q = dde::quadrature::gauss_legendre(128, -L, L);
//   data.add_global_term("norm", q, [](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& w) {
//     return (w * y.square()).sum() - 1;                              // int psi^2 dx - 1, target 0
//   });
#include <torch/types.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pinnxde/conditions/boundary_condition.hpp"
#include "pinnxde/data/data.hpp"
#include "pinnxde/geometry/geometry.hpp"
#include "pinnxde/quadrature.hpp"

namespace pinnxde::data {

/// What a residual returns: one tensor (N, 1), or several for a system (`return std::vector{r1, r2};`).
struct Residuals {
  std::vector<torch::Tensor> terms;
  Residuals(torch::Tensor t) : terms{std::move(t)} {}                 // NOLINT(google-explicit-constructor)
  Residuals(std::vector<torch::Tensor> ts) : terms(std::move(ts)) {}  // NOLINT(google-explicit-constructor)
  Residuals(std::initializer_list<torch::Tensor> ts) : terms(ts) {}
};

/// The residual: x (N, dim) with requires_grad, y = net(x) (N, num_outputs) -> residual(s) (N, 1).
using PDEFunction = std::function<Residuals(const torch::Tensor& x, const torch::Tensor& y)>;
/// The residual with auxiliary variables: aux = auxiliary_var_function(x), (N, k), no graph.
using PDEAuxFunction =
    std::function<Residuals(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& aux)>;
/// Exact/reference solution: x (N, dim) -> (N, num_outputs).
using SolutionFunction = std::function<torch::Tensor(const torch::Tensor& x)>;
/// Auxiliary variables of the residual: x (N, dim) -> (N, k). Port of DeepXDE's auxiliary_var_function.
using AuxiliaryVarFunction = std::function<torch::Tensor(const torch::Tensor& x)>;

/// A global loss term's functional: x (M, dim) the rule's points (requires_grad, so grad::jacobian and
/// grad::hessian of y work), y = net(x) (M, num_outputs), w (M, 1) the rule's weights. Returns the
/// functional's value(s) with target 0: a scalar, or (k) / (k, 1) for k conditions in one term. The term's
/// loss is the loss function on them against 0 (MSE: the mean of their squares).
using GlobalFunction =
    std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& w)>;

/// Keyword arguments of PDE, in DeepXDE's order and with its defaults.
struct PDEOptions {
  std::int64_t num_domain = 0;
  std::int64_t num_boundary = 0;
  std::string train_distribution = "Hammersley";  // "uniform", "pseudo", "LHS", "Halton", "Hammersley", "Sobol"
  geometry::Points anchors;                       // extra training points (N, dim)
  geometry::Points exclusions;                    // sampled domain/boundary points equal (allclose) to one of
                                                  // these rows are dropped (N, dim)
  SolutionFunction solution;                      // for test metrics
  std::optional<std::int64_t> num_test;           // test points (uniform); default: the training points
  AuxiliaryVarFunction auxiliary_var_function;    // required by a PDEAuxFunction residual
};

/// Keyword arguments of TimePDE: PDEOptions plus num_initial.
struct TimePDEOptions {
  std::int64_t num_domain = 0;
  std::int64_t num_boundary = 0;
  std::int64_t num_initial = 0;
  std::string train_distribution = "Hammersley";
  geometry::Points anchors;
  geometry::Points exclusions;
  SolutionFunction solution;
  std::optional<std::int64_t> num_test;
  AuxiliaryVarFunction auxiliary_var_function;
};

class PDE : public Data {
 public:
  /// pde may be empty (no residual: pure data fitting through the conditions).
  PDE(const geometry::Geometry& geometry, PDEFunction pde, std::vector<icbc::BCPtr> bcs, PDEOptions options = {});
  /// A residual with auxiliary variables; options.auxiliary_var_function must be given.
  PDE(const geometry::Geometry& geometry, PDEAuxFunction pde, std::vector<icbc::BCPtr> bcs, PDEOptions options);
  /// No residual (DeepXDE's pde=None): the conditions alone.
  PDE(const geometry::Geometry& geometry, std::nullptr_t, std::vector<icbc::BCPtr> bcs, PDEOptions options = {})
      : PDE(geometry, PDEFunction{}, std::move(bcs), std::move(options)) {}

  std::vector<torch::Tensor> losses(const torch::Tensor& outputs, const Batch& batch,
                                    const std::vector<LossFunction>& loss_fns) const override;
  /// What Model calls: each term on its own rows (see the comment at the top of this file).
  Evaluation evaluate(const NetFunction& net, const Batch& batch, const std::vector<LossFunction>& loss_fns) override;
  std::size_t num_losses() const override;
  /// "pde" (or "pde0", "pde1", ...), then each condition's label with its index, e.g. "D0", "IC1", then the
  /// global terms' names.
  std::vector<std::string> loss_names() const override;
  const Batch& train_batch() override;
  const Batch& test_batch() override;
  /// Redraws the training points on the next batch. The first draw is DeepXDE's (a quasi-random
  /// distribution gives its deterministic set); every draw after a resample shifts a quasi-random set by a
  /// random vector modulo 1 (geometry::RandomShiftScope), so that it is a new set, not DeepXDE's identical
  /// one. "uniform" stays the same grid; "pseudo" and "LHS" are random anyway.
  void resample_train_points() override;
  geometry::Points checkpoint_points() const override {
    return train_x_all_ ? *train_x_all_ : geometry::Points();
  }
  void restore_checkpoint_points(const geometry::Points& points) override {
    train_x_all_ = points;
    train_.reset();
  }
  int input_dim() const override { return geom_->dim(); }
  const std::vector<icbc::BCPtr>& bcs() const override { return bcs_; }

  /// train_x_all: the candidate points before the conditions pick theirs (float64).
  const geometry::Points& train_x_all();
  /// Adds training points (kept across resampling) in front of the current ones. Port of
  /// deepxde.data.PDE.add_anchors (e.g. residual-based adaptive refinement).
  void add_anchors(const geometry::Points& anchors);
  /// Makes `anchors` the only training points until the next resampling, which samples num_domain /
  /// num_boundary points again besides them. Port of deepxde.data.PDE.replace_with_anchors.
  void replace_with_anchors(const geometry::Points& anchors);
  /// How a residual term becomes a loss: x (M, dim) its rows, residual (M, 1), loss the term's loss
  /// function -> scalar. Unset (the default): loss(undefined, residual). Model sets it for causal training
  /// (CompileOptions::causal); an empty function restores the default.
  using ResidualLoss =
      std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& residual, const LossFunction& loss)>;
  void set_residual_loss(ResidualLoss f) { residual_loss_ = std::move(f); }
  /// Adds a global loss term named `name` (unique, non-empty; it names the term's column in the loss
  /// history): functional(x, y, w) on the points and weights of `rule` (see quadrature.hpp), evaluated each
  /// step on all of the rule's points whatever the batch size. Its loss term comes after the conditions',
  /// in the order added (loss_weights and per-term losses count it). Throws ValueError for an empty or
  /// repeated name, an empty functional, or a rule with no points, non-finite entries, weights not one per
  /// point, or a dimension other than the geometry's.
  void add_global_term(std::string name, quadrature::Rule rule, GlobalFunction functional);
  std::size_t num_global_terms() const { return globals_.size(); }
  /// Number of PDE equations (1 until the residual has been evaluated once).
  std::size_t num_pde_terms() const { return num_pde_terms_; }
  const geometry::Geometry& geometry() const { return *geom_; }

 protected:
  PDE(std::shared_ptr<const geometry::Geometry> geometry, PDEAuxFunction pde, std::vector<icbc::BCPtr> bcs,
      PDEOptions options, std::int64_t num_initial, const char* cls);
  /// Drops sampled rows equal to an exclusion.
  geometry::Points exclude(const geometry::Points& X) const;
  /// DeepXDE's train_points(): [anchors | boundary | domain]; TimePDE prepends the initial points.
  virtual geometry::Points train_points() const;
  virtual geometry::Points test_points() const;
  /// The batch of `points`; with train_rows (the test set), a condition that selects none of the points
  /// takes its rows of train_rows instead.
  Batch make_batch(const geometry::Points& points, bool with_solution, const Batch* train_rows = nullptr) const;
  /// The rows a residual evaluated on N rows is taken over (its loss over [from, R)). N for a PDE; IDE
  /// evaluates on collocation and quadrature points and takes the collocation rows only.
  virtual std::int64_t residual_rows(std::int64_t /*from*/, std::int64_t n) const { return n; }
  /// Throws unless there is a residual or a condition (something to train).
  void require_terms() const;
  /// The residual and every condition's misfit from outputs = net(x) on all rows of the batch (DeepXDE's
  /// evaluation; IDE pads its integration matrix for the condition rows).
  virtual void losses_on_all_rows(const torch::Tensor& x, const torch::Tensor& outputs, const Batch& batch,
                                  const std::vector<LossFunction>& loss_fns, std::vector<torch::Tensor>& out) const;
  /// Appends the residual's loss terms: residual(x, y, aux) with the loss over rows [from, R), where
  /// R = residual_rows(from, N) (N = x.size(0)); a term may have N or R rows.
  void residual_losses(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& aux, std::int64_t from,
                       const std::vector<LossFunction>& loss_fns, std::vector<torch::Tensor>& out) const;
  /// Condition k's loss term (loss term number `term`) from its misfit at rows [beg, end) of inputs/outputs.
  torch::Tensor condition_loss(std::size_t k, std::size_t term, const torch::Tensor& inputs,
                               const torch::Tensor& outputs, std::int64_t beg, std::int64_t end, const Batch& batch,
                               const std::vector<LossFunction>& loss_fns) const;

  std::shared_ptr<const geometry::Geometry> geom_;
  PDEAuxFunction pde_;
  std::vector<icbc::BCPtr> bcs_;
  PDEOptions opts_;
  std::int64_t num_initial_ = 0;
  const char* cls_;
  mutable std::size_t num_pde_terms_ = 1;
  ResidualLoss residual_loss_;

 private:
  struct GlobalTerm {
    std::string name;
    quadrature::Rule rule;
    GlobalFunction functional;
    torch::Tensor x, w;  // the rule as tensors of the batch's dtype/device (converted when that changes)
  };
  /// Appends the global terms' losses, each from one network call on its rule's points.
  void global_losses(const NetFunction& net, const torch::TensorOptions& options,
                     const std::vector<LossFunction>& loss_fns, std::vector<torch::Tensor>& out);
  std::vector<GlobalTerm> globals_;
  std::optional<geometry::Points> train_x_all_;
  std::optional<Batch> train_, test_;
  // Set by the first resample_train_points: from then on a quasi-random distribution is drawn with a
  // random shift (geometry::RandomShiftScope), so that a resample gives new points.
  bool shift_quasi_random_ = false;
};

class TimePDE : public PDE {
 public:
  /// geometry must be a GeometryXTime.
  TimePDE(const geometry::Geometry& geometry, PDEFunction pde, std::vector<icbc::BCPtr> bcs,
          TimePDEOptions options = {});
  TimePDE(const geometry::Geometry& geometry, PDEAuxFunction pde, std::vector<icbc::BCPtr> bcs,
          TimePDEOptions options);
  TimePDE(const geometry::Geometry& geometry, std::nullptr_t, std::vector<icbc::BCPtr> bcs, TimePDEOptions options = {})
      : TimePDE(geometry, PDEFunction{}, std::move(bcs), std::move(options)) {}

 protected:
  geometry::Points train_points() const override;
};

}  // namespace pinnxde::data
