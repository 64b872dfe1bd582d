#include "pinnxde/grad.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "pinnxde/error.hpp"
#include "pinnxde/grad/engine.hpp"

namespace pinnxde::grad {

// ---------------------------------------------------------------- DerivativeSet

void DerivativeSet::add_first(std::int64_t j) {
  auto it = std::lower_bound(first.begin(), first.end(), j);
  if (it == first.end() || *it != j) first.insert(it, j);
}

void DerivativeSet::add_second(std::int64_t i, std::int64_t k) {
  const std::pair p{std::min(i, k), std::max(i, k)};
  add_first(p.first);
  add_first(p.second);
  auto it = std::lower_bound(second.begin(), second.end(), p);
  if (it == second.end() || *it != p) second.insert(it, p);
}

std::int64_t DerivativeSet::index_of(std::int64_t j) const {
  auto it = std::lower_bound(first.begin(), first.end(), j);
  return it != first.end() && *it == j ? it - first.begin() : -1;
}

std::int64_t DerivativeSet::index_of(std::int64_t i, std::int64_t k) const {
  const std::pair p{std::min(i, k), std::max(i, k)};
  auto it = std::lower_bound(second.begin(), second.end(), p);
  return it != second.end() && *it == p ? static_cast<std::int64_t>(first.size()) + (it - second.begin()) : -1;
}

std::string DerivativeSet::describe() const {
  if (empty()) return "none";
  std::ostringstream os;
  const char* sep = "";
  for (auto j : first) os << std::exchange(sep, " ") << "d/dx" << j;
  for (auto [i, k] : second) os << " d2/dx" << i << "dx" << k;
  return os.str();
}

std::optional<Jets> JetNetwork::forward_jets(const torch::Tensor&, const DerivativeSet&) { return std::nullopt; }

// ---------------------------------------------------------------- the cache

namespace {

// One (ys, xs) pair: the reverse-mode Jacobian rows computed so far and, when the forward engine swept the
// network, its jets. The entry keeps ys and xs alive, so their TensorImpl addresses (the key) cannot be
// reused by other tensors while the scope lives.
struct Entry {
  torch::Tensor ys, xs;
  std::vector<torch::Tensor> rows;       // rows[i]: (N, dim_x) by autograd, undefined until asked for
  std::vector<torch::Tensor> jet_rows;   // rows[i] assembled from the jets (all first derivatives held)
  std::optional<Jets> jets;
  DerivativeSet* learn = nullptr;        // requests the jets lack are recorded here
};

struct Key {
  const void* ys;
  const void* xs;
  bool operator==(const Key&) const = default;
};
struct KeyHash {
  std::size_t operator()(const Key& k) const {
    return std::hash<const void*>()(k.ys) ^ (std::hash<const void*>()(k.xs) << 1);
  }
};

}  // namespace

struct Scope::Impl {
  std::unordered_map<Key, Entry, KeyHash> cache;
  Stats stats;
  Impl* outer = nullptr;

  Entry& entry(const torch::Tensor& ys, const torch::Tensor& xs) {
    auto [it, inserted] = cache.try_emplace(Key{ys.unsafeGetTensorImpl(), xs.unsafeGetTensorImpl()});
    auto& e = it->second;
    if (inserted) {
      e.ys = ys;
      e.xs = xs;
      e.rows.resize(static_cast<std::size_t>(ys.size(1)));
    }
    return e;
  }

  // Row i of dys/dxs by one reverse pass (create_graph, so it can be differentiated again).
  const torch::Tensor& row(const torch::Tensor& ys, const torch::Tensor& xs, std::int64_t i) {
    auto& r = entry(ys, xs).rows[static_cast<std::size_t>(i)];
    if (!r.defined()) {
      torch::Tensor y = ys.size(1) == 1 ? ys : ys.select(1, i);
      if (!y.requires_grad()) {
        // ys does not depend on xs (e.g. a constant output transform): the derivative is zero.
        r = torch::zeros_like(xs);
      } else {
        auto g = torch::autograd::grad({y}, {xs}, {torch::ones_like(y)}, /*retain_graph=*/true,
                                       /*create_graph=*/true, /*allow_unused=*/true)[0];
        r = g.defined() ? g : torch::zeros_like(xs);
        ++stats.reverse_passes;
      }
    }
    return r;
  }
};

namespace {

thread_local Scope::Impl* current_scope = nullptr;
thread_local Scope::Impl unscoped;  // the cache of calls made outside any Scope

Scope::Impl& current();

void check_inputs(const char* fn, const torch::Tensor& ys, const torch::Tensor& xs) {
  if (!ys.defined() || !xs.defined()) detail::fail(fn, ": ys and xs must be defined tensors");
  if (ys.dim() != 2) detail::fail(fn, ": ys has shape ", ys.sizes(), " (expected (N, dim_y))");
  if (xs.dim() != 2) detail::fail(fn, ": xs has shape ", xs.sizes(), " (expected (N, dim_x))");
  if (!xs.requires_grad())
    detail::fail(fn, ": xs does not require grad (expected the network input tensor, e.g. the x passed to the "
                     "PDE residual)");
}

}  // namespace

// ---------------------------------------------------------------- Scope

Scope::Scope() : impl_(std::make_unique<Impl>()) {
  impl_->outer = current_scope;
  current_scope = impl_.get();
}

Scope::~Scope() { current_scope = impl_->outer; }

void Scope::provide(const torch::Tensor& y, const torch::Tensor& x, Jets jets, DerivativeSet* learn) {
  if (jets.derivatives.defined() &&
      (jets.derivatives.dim() != 3 || jets.derivatives.size(0) != static_cast<std::int64_t>(jets.set.size()) ||
       jets.derivatives.size(1) != y.size(0) || jets.derivatives.size(2) != y.size(1)))
    detail::fail("grad::Scope::provide: derivatives have shape ", jets.derivatives.sizes(), " (expected [",
                 jets.set.size(), ", ", y.size(0), ", ", y.size(1), "])");
  auto& e = impl_->entry(y, x);
  e.jets = std::move(jets);
  e.jet_rows.assign(static_cast<std::size_t>(y.size(1)), torch::Tensor());
  e.learn = learn;
}

void Scope::watch(const torch::Tensor& y, const torch::Tensor& x, DerivativeSet* learn) {
  if (y.dim() != 2 || !x.defined()) return;
  impl_->entry(y, x).learn = learn;
}

const Scope::Stats& Scope::stats() const { return impl_->stats; }

namespace {
Scope::Impl& current() { return current_scope ? *current_scope : unscoped; }
}  // namespace

// ---------------------------------------------------------------- jacobian / hessian

torch::Tensor jacobian(const torch::Tensor& ys, const torch::Tensor& xs, std::int64_t i,
                       std::optional<std::int64_t> j) {
  check_inputs("jacobian", ys, xs);
  if (i < 0 || i >= ys.size(1))
    detail::fail("jacobian: i = ", i, " out of range for ys with ", ys.size(1), " columns (expected 0 <= i < ",
                 ys.size(1), ")");
  if (j && (*j < 0 || *j >= xs.size(1)))
    detail::fail("jacobian: j = ", *j, " out of range for xs with ", xs.size(1), " columns (expected 0 <= j < ",
                 xs.size(1), ")");
  auto& impl = current();
  auto& e = impl.entry(ys, xs);
  if (!e.jets && !e.learn) ++impl.stats.of_derived;
  if (e.jets) {
    const auto& set = e.jets->set;
    if (j) {
      if (auto idx = set.index_of(*j); idx >= 0) {
        ++impl.stats.served_forward;
        return e.jets->derivatives.select(0, idx).narrow(1, i, 1);
      }
    } else if (static_cast<std::int64_t>(set.first.size()) == xs.size(1)) {
      auto& r = e.jet_rows[static_cast<std::size_t>(i)];
      if (!r.defined()) {
        r = e.jets->derivatives.narrow(0, 0, xs.size(1)).select(2, i).t();  // (N, dim_x)
        ++impl.stats.served_forward;
      }
      return r;
    }
  }
  if (e.learn) {
    if (j) {
      e.learn->add_first(*j);
    } else {
      for (std::int64_t d = 0; d < xs.size(1); ++d) e.learn->add_first(d);
    }
  }
  const auto& r = impl.row(ys, xs, i);
  return j ? r.narrow(1, *j, 1) : r;
}

torch::Tensor hessian(const torch::Tensor& ys, const torch::Tensor& xs) { return hessian(ys, xs, 0, 0); }

torch::Tensor hessian(const torch::Tensor& ys, const torch::Tensor& xs, std::int64_t i, std::int64_t j) {
  check_inputs("hessian", ys, xs);
  if (ys.size(1) != 1)
    detail::fail("hessian: ys has ", ys.size(1),
                 " columns, so the component must be given: hessian(ys, xs, component, i, j)");
  return hessian(ys, xs, 0, i, j);
}

torch::Tensor hessian(const torch::Tensor& ys, const torch::Tensor& xs, std::int64_t component, std::int64_t i,
                      std::int64_t j) {
  check_inputs("hessian", ys, xs);
  if (component < 0 || component >= ys.size(1))
    detail::fail("hessian: component = ", component, " out of range for ys with ", ys.size(1),
                 " columns (expected 0 <= component < ", ys.size(1), ")");
  for (auto [name, v] : {std::pair{"i", i}, std::pair{"j", j}})
    if (v < 0 || v >= xs.size(1))
      detail::fail("hessian: ", name, " = ", v, " out of range for xs with ", xs.size(1), " columns");
  auto& impl = current();
  auto& e = impl.entry(ys, xs);
  if (!e.jets && !e.learn) ++impl.stats.of_derived;
  if (e.jets) {
    if (auto idx = e.jets->set.index_of(i, j); idx >= 0) {
      ++impl.stats.served_forward;
      return e.jets->derivatives.select(0, idx).narrow(1, component, 1);
    }
  }
  if (e.learn) e.learn->add_second(i, j);
  // d/dx_j of (dy/dx_i): row i of the Jacobian of the reverse-mode gradient row (never of a jet: a jet is
  // not differentiable in x to every order).
  const torch::Tensor dy = impl.row(ys, xs, component);
  return impl.row(dy, xs, i).narrow(1, j, 1);
}

void clear() { current().cache.clear(); }

// ---------------------------------------------------------------- engines

namespace {

class ReverseEngine final : public Engine {
 public:
  std::string name() const override { return "reverse"; }
  torch::Tensor run(JetNetwork& net, const torch::Tensor& x, Scope&, std::size_t) override { return net.forward(x); }
};

class ForwardEngine final : public Engine {
 public:
  std::string name() const override { return "forward"; }

  torch::Tensor run(JetNetwork& net, const torch::Tensor& x, Scope& scope, std::size_t site) override {
    while (sites_.size() <= site) sites_.emplace_back();
    auto& s = sites_[site];
    if (!s.set.empty() && !s.unsupported && x.requires_grad()) {
      if (auto jets = net.forward_jets(x, s.set)) {
        torch::Tensor y = jets->value;
        scope.provide(y, x, std::move(*jets), &s.set);
        return y;
      }
      s.unsupported = true;  // this network cannot sweep: reverse mode for every derivative of this site
    }
    torch::Tensor y = net.forward(x);
    if (!s.unsupported && x.requires_grad()) scope.watch(y, x, &s.set);
    return y;
  }

  std::string describe() const override {
    std::ostringstream os;
    os << "forward";
    for (std::size_t i = 0; i < sites_.size(); ++i) {
      if (sites_[i].set.empty()) continue;
      os << " | site " << i << ": " << (sites_[i].unsupported ? "reverse (network cannot sweep)" : "")
         << sites_[i].set.describe();
    }
    return os.str();
  }

  void reset() override { sites_.clear(); }

 private:
  struct Site {
    DerivativeSet set;
    bool unsupported = false;
  };
  std::deque<Site> sites_;  // a deque: the scope keeps pointers to the sets while it grows
};

}  // namespace

std::unique_ptr<Engine> make_engine(const std::string& name) {
  if (name == "reverse") return std::make_unique<ReverseEngine>();
  if (name == "forward") return std::make_unique<ForwardEngine>();
  detail::fail("grad::make_engine: unknown engine '", name, "'; valid: forward, reverse");
}

}  // namespace pinnxde::grad
