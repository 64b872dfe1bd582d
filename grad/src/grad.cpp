#include "pinnxde/grad.hpp"

#include <torch/types.h>

#include <algorithm>
#include <functional>
#include <map>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "pinnxde/error.hpp"
#include "pinnxde/grad/engine.hpp"

namespace pinnxde::grad {

// ---------------------------------------------------------------- DerivativeSet

namespace {
template <class V, class T>
void insert_sorted(V& v, const T& x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it == v.end() || *it != x) v.insert(it, x);
}
}  // namespace

void DerivativeSet::add_first(std::int64_t j) { insert_sorted(first, j); }

void DerivativeSet::add_second(std::int64_t i, std::int64_t k) {
  const std::pair p{std::min(i, k), std::max(i, k)};
  add_first(p.first);
  add_first(p.second);
  insert_sorted(second, p);
}

void DerivativeSet::add_higher(std::int64_t j, std::int64_t n) {
  if (n < 3 || n > kMaxOrder)
    detail::fail("DerivativeSet::add_higher: order n = ", n, " (expected 3 <= n <= ", kMaxOrder, ")");
  if (n == 3) add_second(j, j);
  else add_higher(j, n - 1);
  insert_sorted(higher, std::pair{j, n});
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

std::int64_t DerivativeSet::index_of(const std::vector<std::int64_t>& dirs) const {
  const auto n = static_cast<std::int64_t>(dirs.size());
  if (n == 1) return index_of(dirs[0]);
  if (n == 2) return index_of(dirs[0], dirs[1]);
  if (n < 3 || n > kMaxOrder || dirs.front() != dirs.back()) return -1;  // sorted: pure iff ends agree
  const std::pair p{dirs.front(), n};
  auto it = std::lower_bound(higher.begin(), higher.end(), p);
  return it != higher.end() && *it == p
             ? static_cast<std::int64_t>(first.size() + second.size()) + (it - higher.begin())
             : -1;
}

bool DerivativeSet::can_hold(const std::vector<std::int64_t>& dirs) const {
  const auto n = static_cast<std::int64_t>(dirs.size());
  if (n == 1 || n == 2) return true;
  return allow_higher && n >= 3 && n <= kMaxOrder && dirs.front() == dirs.back();
}

bool DerivativeSet::add(const std::vector<std::int64_t>& dirs) {
  if (!can_hold(dirs)) return false;
  if (dirs.size() == 1) add_first(dirs[0]);
  else if (dirs.size() == 2) add_second(dirs[0], dirs[1]);
  else add_higher(dirs[0], static_cast<std::int64_t>(dirs.size()));
  return true;
}

std::string DerivativeSet::describe() const {
  if (empty()) return "none";
  std::ostringstream os;
  const char* sep = "";
  for (auto j : first) os << std::exchange(sep, " ") << "d/dx" << j;
  for (auto [i, k] : second) os << " d2/dx" << i << "dx" << k;
  for (auto [j, n] : higher) os << " d" << n << "/dx" << j << "^" << n;
  return os.str();
}

std::optional<Jets> JetNetwork::forward_jets(const torch::Tensor&, const DerivativeSet&) { return std::nullopt; }

// ---------------------------------------------------------------- the cache

namespace {

struct Entry;

// What a tensor handed out by jacobian/hessian is: derivatives of a network evaluation's outputs. Column c
// of it is the derivative of component columns[c].first of `base`'s outputs along the (sorted) directions
// columns[c].second. A derivative of it is then a derivative of the network's outputs of one order more,
// which the sweep may hold.
struct Origin {
  Entry* base;
  std::vector<std::pair<std::int64_t, std::vector<std::int64_t>>> columns;
};

// One (ys, xs) pair: the reverse-mode Jacobian rows computed so far and, when the forward engine swept the
// network, its jets. The entry keeps ys and xs alive, so their TensorImpl addresses (the key) cannot be
// reused by other tensors while the scope lives.
struct Entry {
  torch::Tensor ys, xs;
  std::vector<torch::Tensor> rows;       // rows[i]: (N, dim_x) by autograd, undefined until asked for
  std::optional<Jets> jets;
  DerivativeSet* learn = nullptr;        // requests the jets lack are recorded here
  std::optional<Origin> origin;          // when ys is itself a derivative this scope handed out
  std::function<torch::Tensor()> plain;  // the network without the sweep (jets not differentiable in x)
  torch::Tensor twin;                    // plain(), once called
  // What jacobian/hessian returned for (column, directions) of ys ({j}, {i, j}, or {-1} for a whole
  // Jacobian row): asked again, the same tensor comes back, so a derivative of it finds its entry.
  std::map<std::pair<std::int64_t, std::vector<std::int64_t>>, torch::Tensor> results;
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

// Where column `col` of an entry's ys comes from, with `extra` directions of differentiation added: the
// network evaluation's entry, the output component and the sorted directions. None for a tensor the scope
// knows nothing about (y * y).
struct Resolved {
  Entry* base;
  std::int64_t component;
  std::vector<std::int64_t> dirs;
};

std::optional<Resolved> resolve(Entry& e, std::int64_t col, const std::vector<std::int64_t>& extra) {
  std::vector<std::int64_t> dirs = extra;
  Entry* base = &e;
  std::int64_t component = col;
  if (e.origin) {
    const auto& c = e.origin->columns[static_cast<std::size_t>(col)];
    base = e.origin->base;
    component = c.first;
    dirs.insert(dirs.end(), c.second.begin(), c.second.end());
  } else if (!e.jets && !e.learn) {
    return std::nullopt;
  }
  std::sort(dirs.begin(), dirs.end());
  return Resolved{base, component, std::move(dirs)};
}

}  // namespace

struct Scope::Impl {
  std::unordered_map<Key, Entry, KeyHash> cache;  // node-based: Entry addresses are stable (Origin::base)
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

  // The result of a request, kept and marked with where it comes from.
  const torch::Tensor& keep(Entry& e, std::pair<std::int64_t, std::vector<std::int64_t>> key, torch::Tensor out,
                            std::optional<Origin> origin) {
    if (origin) {
      auto& o = entry(out, e.xs);
      if (!o.origin && !o.jets && !o.learn) o.origin = std::move(origin);
    }
    return e.results.emplace(std::move(key), std::move(out)).first->second;
  }

  // Whether a request the sweep lacks must not differentiate e.ys: e is a slice of jets that are not
  // differentiable in x.
  static bool needs_twin(const Entry& e, const std::optional<Resolved>& r) {
    return r && r->base != &e && r->base->jets && !r->base->jets->differentiable_in_x;
  }

  // A request the sweep lacks: learned (a sweep will hold it), or left to reverse mode.
  void count(bool learned, std::size_t order) {
    if (!learned) ++stats.of_derived;
    else if (order > 2) ++stats.learned_higher;
  }

  // The derivative along r.dirs of output r.component by reverse mode on the plain network evaluation,
  // each step of the chain kept, so that u_xxx and u_xxxx share their first passes.
  torch::Tensor on_twin(const Resolved& r, const torch::Tensor& xs) {
    auto& base = *r.base;
    if (!base.twin.defined()) {
      if (!base.plain) detail::fail("grad: a derivative of a sweep's slice needs the plain network, which was not given");
      base.twin = base.plain();
    }
    torch::Tensor t = base.twin;
    std::int64_t col = r.component;
    for (auto d : r.dirs) {
      auto& e = entry(t, xs);
      auto key = std::pair{col, std::vector<std::int64_t>{d}};
      auto it = e.results.find(key);
      if (it == e.results.end()) it = e.results.emplace(std::move(key), row(t, xs, col).narrow(1, d, 1)).first;
      t = it->second;
      col = 0;
    }
    return t;
  }

  // d/dx_extra of column col of e.ys, (N, 1); extra is {j} or {i, j} (sorted).
  torch::Tensor derivative(Entry& e, std::int64_t col, const std::vector<std::int64_t>& extra) {
    auto key = std::pair{col, extra};
    if (auto it = e.results.find(key); it != e.results.end()) return it->second;
    const auto r = resolve(e, col, extra);
    torch::Tensor out;
    if (r && r->base->jets) {
      if (auto idx = r->base->jets->set.index_of(r->dirs); idx >= 0) {
        out = r->base->jets->derivatives.select(0, idx).narrow(1, r->component, 1);
        ++stats.served_forward;
      }
    }
    if (!out.defined()) {
      const bool learned = r && r->base->learn && r->base->learn->add(r->dirs);
      count(learned, r ? r->dirs.size() : 0);
      if (needs_twin(e, r)) out = on_twin(*r, e.xs);
      else
        out = extra.size() == 1 ? row(e.ys, e.xs, col).narrow(1, extra[0], 1)
                                : row(row(e.ys, e.xs, col), e.xs, extra[0]).narrow(1, extra[1], 1);
    }
    std::optional<Origin> origin;
    if (r) origin = Origin{r->base, {{r->component, r->dirs}}};
    return keep(e, std::move(key), std::move(out), std::move(origin));
  }

  // Row i of dys/dxs, (N, dim_x).
  torch::Tensor whole_row(Entry& e, std::int64_t i) {
    auto key = std::pair{i, std::vector<std::int64_t>{-1}};
    if (auto it = e.results.find(key); it != e.results.end()) return it->second;
    const std::int64_t dim = e.xs.size(1);
    const auto r = resolve(e, i, {});
    std::optional<Origin> origin;
    std::vector<std::int64_t> idx;
    if (r) {
      origin = Origin{r->base, {}};
      for (std::int64_t d = 0; d < dim; ++d) {
        auto dirs = r->dirs;
        dirs.insert(std::upper_bound(dirs.begin(), dirs.end(), d), d);
        if (r->base->jets) idx.push_back(r->base->jets->set.index_of(dirs));
        origin->columns.emplace_back(r->component, std::move(dirs));
      }
    }
    torch::Tensor out;
    if (!idx.empty() && std::find(idx.begin(), idx.end(), -1) == idx.end()) {
      const auto& D = r->base->jets->derivatives;  // (K, N, dim_y)
      bool consecutive = true;
      for (std::size_t d = 1; d < idx.size(); ++d) consecutive = consecutive && idx[d] == idx[0] + std::int64_t(d);
      const auto slices = consecutive ? D.narrow(0, idx[0], dim)
                                      : D.index_select(0, torch::tensor(idx, torch::TensorOptions()
                                                                                 .dtype(torch::kLong)
                                                                                 .device(D.device())));
      out = slices.select(2, r->component).t();
      ++stats.served_forward;
    } else {
      bool learned = r && r->base->learn;
      if (learned)
        for (const auto& c : origin->columns) learned = r->base->learn->add(c.second) && learned;
      count(learned, r ? r->dirs.size() + 1 : 0);
      if (needs_twin(e, r)) {
        std::vector<torch::Tensor> cols;
        for (const auto& c : origin->columns) cols.push_back(on_twin(Resolved{r->base, c.first, c.second}, e.xs));
        out = torch::cat(cols, 1);
      } else {
        out = row(e.ys, e.xs, i);
      }
    }
    return keep(e, std::move(key), std::move(out), std::move(origin));
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

void Scope::provide(const torch::Tensor& y, const torch::Tensor& x, Jets jets, DerivativeSet* learn,
                    std::function<torch::Tensor()> plain) {
  if (jets.derivatives.defined() &&
      (jets.derivatives.dim() != 3 || jets.derivatives.size(0) != static_cast<std::int64_t>(jets.set.size()) ||
       jets.derivatives.size(1) != y.size(0) || jets.derivatives.size(2) != y.size(1)))
    detail::fail("grad::Scope::provide: derivatives have shape ", jets.derivatives.sizes(), " (expected [",
                 jets.set.size(), ", ", y.size(0), ", ", y.size(1), "])");
  auto& e = impl_->entry(y, x);
  e.jets = std::move(jets);
  e.results.clear();
  e.learn = learn;
  e.plain = std::move(plain);
  e.twin = torch::Tensor();
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
  return j ? impl.derivative(e, i, {*j}) : impl.whole_row(e, i);
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
  // d/dx_j of (dy/dx_i), by reverse mode: row i of the Jacobian of the gradient row, unless served.
  return impl.derivative(impl.entry(ys, xs), component, {std::min(i, j), std::max(i, j)});
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
      auto jets = net.forward_jets(x, s.set);
      if (!jets && !s.set.higher.empty()) {
        // This network cannot sweep third or fourth orders (e.g. through a user transform): those go to
        // reverse mode from now on, the rest stays in the sweep.
        s.set.higher.clear();
        s.set.allow_higher = false;
        jets = net.forward_jets(x, s.set);
      }
      if (jets) {
        torch::Tensor y = jets->value;
        scope.provide(y, x, std::move(*jets), &s.set, [&net, x] { return net.forward(x); });
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
         << sites_[i].set.describe() << (sites_[i].set.allow_higher ? "" : " (orders 3 and 4: reverse)");
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
