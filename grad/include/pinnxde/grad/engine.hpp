#pragma once
// The derivative engines behind grad::jacobian / grad::hessian, and the per-step scope that owns their
// cache. Model uses these; a user needs them only to drive a network outside Model.
//
//   grad::Scope scope;                                        // this step's cache; freed at the closing brace
//   auto engine = grad::make_engine("forward");
//   auto y = engine->run(*net, x, scope, 0);                  // y = net(x), plus the derivatives site 0 asked for
//   auto r = grad::jacobian(y, x, 0, 1) - grad::hessian(y, x, 0, 0) + y;
//
// Reverse mode computes every derivative by autograd (create_graph), lazily, as DeepXDE does. The forward
// engine learns, per network evaluation ("site"), which derivatives of the network's outputs the residual
// and the conditions ask for (first, second, and pure third and fourth orders), and from then on
// propagates exactly those through the network in one forward sweep ("jets"); jacobian/hessian then return
// slices of the sweep. A derivative of a derivative the scope handed out (jacobian(hessian(y, x), x), i.e.
// u_xxx) is known as such and served from the sweep too. Whatever the sweep does not hold (a derivative
// first asked for, a mixed third order, a derivative of another derived tensor such as y * y, a network
// that cannot propagate jets) is computed in reverse mode for that derivative alone, so results never
// depend on the engine beyond round-off.
#include <torch/types.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pinnxde::grad {

/// Which derivatives of a network's outputs one evaluation asks for: first derivatives along the input
/// directions in `first`, second derivatives d2/dx_i dx_k for the pairs in `second` (i <= k), and pure
/// derivatives of order 3 and 4 along one direction, d^n/dx_j^n, in `higher` (as (j, n)). Every lower
/// order a request builds on is in the set too (the chain rule needs it): d2/dx_i dx_k adds d/dx_i and
/// d/dx_k; d^3/dx_j^3 adds d2/dx_j dx_j; d^4/dx_j^4 adds d^3/dx_j^3.
struct DerivativeSet {
  static constexpr std::int64_t kMaxOrder = 4;

  std::vector<std::int64_t> first;                            // sorted, unique
  std::vector<std::pair<std::int64_t, std::int64_t>> second;  // sorted, unique, i <= k
  std::vector<std::pair<std::int64_t, std::int64_t>> higher;  // sorted, unique (j, n), n = 3 or 4
  /// False once a network could not sweep this set's higher orders: add() then leaves them out (they are
  /// computed in reverse mode).
  bool allow_higher = true;

  void add_first(std::int64_t j);
  void add_second(std::int64_t i, std::int64_t k);
  void add_higher(std::int64_t j, std::int64_t n);
  bool empty() const { return first.empty() && second.empty() && higher.empty(); }
  std::size_t size() const { return first.size() + second.size() + higher.size(); }
  /// Position of d/dx_j in a Jets' derivatives, or -1.
  std::int64_t index_of(std::int64_t j) const;
  /// Position of d2/dx_i dx_k (either order), or -1.
  std::int64_t index_of(std::int64_t i, std::int64_t k) const;
  /// Position of the derivative along the directions `dirs` (sorted, one entry per order: {0, 0, 0} is
  /// d^3/dx_0^3), or -1.
  std::int64_t index_of(const std::vector<std::int64_t>& dirs) const;
  /// Whether a sweep can hold the derivative along `dirs` (sorted): any first or second derivative, and a
  /// pure one of order 3 or 4 while allow_higher.
  bool can_hold(const std::vector<std::int64_t>& dirs) const;
  /// Adds the derivative along `dirs` when can_hold(dirs); returns whether it did.
  bool add(const std::vector<std::int64_t>& dirs);
  /// "d/dx0 d/dx1 d2/dx0dx0 d3/dx0^3", or "none".
  std::string describe() const;
  bool operator==(const DerivativeSet&) const = default;
};

/// y = net(x) and the derivatives of `set`, computed together by a forward sweep.
struct Jets {
  DerivativeSet set;
  torch::Tensor value;        // y, (N, dim_y)
  torch::Tensor derivatives;  // (set.size(), N, dim_y): first derivatives in set.first's order, then the pairs,
                              // then the higher orders
  /// False when the slices are not differentiable in x (a transform's partial derivatives taken on x as a
  /// constant): a derivative of a slice that the sweep lacks is then taken by reverse mode on the plain
  /// network evaluation (Scope::provide's `plain`), never through the slices.
  bool differentiable_in_x = true;
};

/// A network the engines can run. pinnxde::nn::NNImpl implements it.
class JetNetwork {
 public:
  virtual ~JetNetwork() = default;
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  /// y and the derivatives in `set` in one sweep, or nullopt when this network cannot propagate them.
  /// The value must be computed from x by ordinary autograd operations (reverse mode differentiates it
  /// for whatever the sweep lacks).
  virtual std::optional<Jets> forward_jets(const torch::Tensor& x, const DerivativeSet& set);
};

/// The derivative cache of one evaluation (RAII). Scopes nest; the innermost one on this thread is where
/// jacobian/hessian cache and look up. Not copyable or movable.
class Scope {
 public:
  Scope();
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  /// Serves the derivatives of (y, x) from `jets`. A request the jets lack is computed in reverse mode
  /// and, when `learn` is given, added to *learn (which must outlive the scope).
  /// `plain` evaluates the network without the sweep (net.forward(x)); it is called at most once, and only
  /// when the jets are not differentiable in x and a derivative of a slice is asked for that they lack.
  void provide(const torch::Tensor& y, const torch::Tensor& x, Jets jets, DerivativeSet* learn,
               std::function<torch::Tensor()> plain = {});
  /// Records the requests on (y, x) into *learn without serving any (the first evaluation of a site).
  void watch(const torch::Tensor& y, const torch::Tensor& x, DerivativeSet* learn);

  struct Stats {
    std::int64_t served_forward = 0;  // derivatives handed out from jets
    std::int64_t reverse_passes = 0;  // autograd passes (rows) computed
    // Derivatives the forward engine's sweep cannot hold: of tensors that no network evaluation of this
    // scope provided or watched (y * y), or of derivatives beyond the sweep's orders (a mixed third order),
    // which reverse mode computes through the sweep's graph.
    std::int64_t of_derived = 0;
    // Third and fourth orders recorded for a sweep to hold (whether the network can sweep them shows at
    // its next evaluation).
    std::int64_t learned_higher = 0;
  };
  const Stats& stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// How a network evaluation produces its derivatives.
class Engine {
 public:
  virtual ~Engine() = default;
  /// "reverse" or "forward".
  virtual std::string name() const = 0;
  /// y = net(x) inside `scope`. `site` numbers the network evaluations of one loss evaluation (0, 1, ...
  /// in a fixed order), so that the engine learns what each of them asks for.
  virtual torch::Tensor run(JetNetwork& net, const torch::Tensor& x, Scope& scope, std::size_t site) = 0;
  /// What the engine did so far, e.g. "forward (site 0: d/dx0 d/dx1 d2/dx0dx0)".
  virtual std::string describe() const { return name(); }
  /// Forgets what was learned (the next evaluation learns again).
  virtual void reset() {}
};

/// "reverse" or "forward"; anything else throws ValueError listing the valid names.
std::unique_ptr<Engine> make_engine(const std::string& name);

}  // namespace pinnxde::grad
