#pragma once
// Base class of every initial/boundary/data condition. Port of deepxde.icbc.BC.
//
// A condition chooses its collocation points among the candidate training points (or brings its own, as
// PointSetBC does), precomputes its targets once per (re)sampling, and returns a per-point misfit each
// step; the data object turns misfits into loss terms.
#include <torch/types.h>

#include <Eigen/Core>
#include <concepts>
#include <functional>
#include <memory>
#include <string>

#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::icbc {

using geometry::Mask;
using geometry::Points;

/// Per-point predicate, DeepXDE's `lambda x, on_boundary: ...`: x is one point (dim,), the flag says
/// whether the geometry considers it on the boundary (on the initial slice, for IC).
using Predicate = std::function<bool(const Eigen::Ref<const Eigen::RowVectorXd>& x, bool on_boundary)>;
/// Value function over a batch: x: (N, dim) -> (N, 1) or (N,).
using ValueFunction = std::function<torch::Tensor(const torch::Tensor& x)>;

/// A value function that returns `value` at every point, (N, 1) in x's dtype; throws ValueError naming
/// `cls` unless value is finite. What the conditions' constant-value constructors use.
ValueFunction constant_value(double value, const char* cls);

/// The types of on_boundary and on_initial: the conditions recognise them (Predicate::target) and give
/// each the flag its name promises.
struct OnBoundary {
  bool operator()(const Eigen::Ref<const Eigen::RowVectorXd>&, bool on) const { return on; }
};
struct OnInitial {
  bool operator()(const Eigen::Ref<const Eigen::RowVectorXd>&, bool on) const { return on; }
};
/// Every boundary point: DeepXDE's `lambda _, on_boundary: on_boundary`.
inline const Predicate on_boundary = OnBoundary{};
/// Every initial point: DeepXDE's `lambda _, on_initial: on_initial`. Means the initial slice for every
/// condition, not only IC: `OperatorBC(geomtime, f, dde::on_initial)` selects the points at t = t0 (in
/// DeepXDE an OperatorBC hands any predicate the on-boundary flag, so there the same line silently selects
/// the spatial boundary). On a geometry without time it is an error. A predicate of your own still gets
/// the condition's usual flag (on_initial for IC, on_boundary otherwise): test t yourself, e.g.
/// `[&](const auto& x, bool) { return geomtime.on_initial(x)(0); }`.
inline const Predicate on_initial = OnInitial{};

/// What a condition precomputes for its collocation points, once per (re)sampling.
struct Prepared {
  torch::Tensor values;   // targets (M, 1) (or (M, k) for a PointSetBC with k components), when it has any
  torch::Tensor normals;  // outward unit normals (M, dim), for derivative conditions
};

/// A condition's per-point prediction and target; the loss is loss(target, prediction) and the misfit
/// (DeepXDE's BC.error) is prediction - target. Losses such as "MAPE" and "mean l2 relative error" need
/// the two apart.
struct Misfit {
  torch::Tensor prediction;  // (M, k), part of the graph
  torch::Tensor target;      // (M, k); undefined when the target is zero (OperatorBC)
};

class BC {
 public:
  virtual ~BC() = default;

  /// The points of X (N, dim) where this condition applies -> (M, dim).
  virtual Points collocation_points(const Points& X) const;
  /// Targets and normals for the M collocation points.
  virtual Prepared prepare(const Points& points, const torch::TensorOptions& options) const = 0;
  /// Prediction and target at rows [beg, end) of the network's inputs (N, dim, requires_grad) and
  /// outputs (N, num_outputs). Both (end - beg, 1) for most conditions; PeriodicBC returns (end - beg) / 2
  /// rows (its points come in pairs), a PointSetBC with k components (end - beg, k).
  virtual Misfit misfit(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg,
                        std::int64_t end, const Prepared& prepared) const = 0;
  /// Whether misfit() takes derivatives of the outputs with respect to the inputs. The data object
  /// evaluates the conditions that do not on one shared network pass without derivatives (their inputs
  /// then do not require grad). A user-defined condition that does not override this gets its own pass
  /// with derivatives available.
  virtual bool needs_derivatives() const { return true; }
  /// prediction - target (DeepXDE's BC.error).
  torch::Tensor error(const torch::Tensor& inputs, const torch::Tensor& outputs, std::int64_t beg,
                      std::int64_t end, const Prepared& prepared) const;

  /// Output column this condition constrains (the highest one, for a PointSetBC with several).
  int component() const { return component_; }
  /// Class name for messages, e.g. "DirichletBC".
  virtual std::string name() const = 0;
  /// A compact form of name() for the progress table's header: "D" (Dirichlet), "N" (Neumann), "R"
  /// (Robin), "P" (periodic), "Op" (operator), "IC", "PS" (point set), "PSOp", "If" (interface).
  virtual std::string short_name() const;
  /// The name of this condition's loss column in the progress table (empty: short_name() and the
  /// condition's index, e.g. "D0"). At most 8 characters read well.
  ///
  ///   dde::DirichletBC wall(geom, 0.0, dde::on_boundary);
  ///   wall.set_label("wall");
  void set_label(std::string label) { label_ = std::move(label); }
  const std::string& label() const { return label_; }
  /// The geometry, when the condition has one (PointSetBC has none).
  const std::shared_ptr<const geometry::Geometry>& geometry() const { return geom_; }

 protected:
  BC(std::shared_ptr<const geometry::Geometry> geom, Predicate predicate, int component, const char* cls);
  /// Flags the geometry gives the predicate (on_boundary here; on_initial for IC).
  virtual Mask geometry_flags(const Points& X) const;
  /// The flags `predicate` gets: the initial slice's for dde::on_initial, geometry_flags(X) otherwise.
  Mask flags_for(const Points& X, const Predicate& predicate) const;
  /// Indices of the rows of X that `predicate` accepts, given the geometry's flags.
  std::vector<Eigen::Index> matching_rows(const Points& X, const Predicate& predicate) const;
  /// Evaluates a value function on prepared points and checks it returns (M, 1) or (M,).
  torch::Tensor evaluate_values(const ValueFunction& func, const torch::Tensor& x) const;
  /// outputs[beg:end, component], (M, 1).
  torch::Tensor output_slice(const torch::Tensor& outputs, std::int64_t beg, std::int64_t end) const;
  /// Throws unless component() < outputs.size(1).
  void check_component(const torch::Tensor& outputs) const;
  /// Checks a tensor computed by a user function over `rows` points is (rows, 1) or (rows,); -> (rows, 1).
  torch::Tensor check_column(const torch::Tensor& v, std::int64_t rows, const char* what) const;

  std::shared_ptr<const geometry::Geometry> geom_;
  Predicate predicate_;
  int component_;
  std::string label_;
};

/// A condition held by a data object: implicitly built from any condition value, so `{bc, ic}` works.
class BCPtr {
 public:
  template <class T>
    requires std::derived_from<T, BC>
  BCPtr(const T& bc) : ptr_(std::make_shared<T>(bc)) {}  // NOLINT(google-explicit-constructor)
  BCPtr(std::shared_ptr<const BC> bc) : ptr_(std::move(bc)) {}  // NOLINT(google-explicit-constructor)
  const BC& operator*() const { return *ptr_; }
  const BC* operator->() const { return ptr_.get(); }
  const std::shared_ptr<const BC>& get() const { return ptr_; }

 private:
  std::shared_ptr<const BC> ptr_;
};

}  // namespace pinnxde::icbc
