#include "pinnxde/grad.hpp"

#include <torch/torch.h>

#include <unordered_map>
#include <vector>

#include "pinnxde/error.hpp"

namespace pinnxde::grad {
namespace {

// One cached Jacobian: the rows of dys/dxs computed so far. The entry keeps ys and xs alive, so their
// TensorImpl addresses (the key) cannot be reused by other tensors before clear().
struct JacobianEntry {
  torch::Tensor ys, xs;
  std::vector<torch::Tensor> rows;  // rows[i]: (N, dim_x), undefined until asked for
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

thread_local std::unordered_map<Key, JacobianEntry, KeyHash> cache;

void check_inputs(const char* fn, const torch::Tensor& ys, const torch::Tensor& xs) {
  if (!ys.defined() || !xs.defined()) detail::fail(fn, ": ys and xs must be defined tensors");
  if (ys.dim() != 2) detail::fail(fn, ": ys has shape ", ys.sizes(), " (expected (N, dim_y))");
  if (xs.dim() != 2) detail::fail(fn, ": xs has shape ", xs.sizes(), " (expected (N, dim_x))");
  if (!xs.requires_grad())
    detail::fail(fn, ": xs does not require grad (expected the network input tensor, e.g. the x passed to the "
                     "PDE residual)");
}

const torch::Tensor& row(const torch::Tensor& ys, const torch::Tensor& xs, std::int64_t i) {
  auto [it, inserted] = cache.try_emplace(Key{ys.unsafeGetTensorImpl(), xs.unsafeGetTensorImpl()});
  auto& entry = it->second;
  if (inserted) {
    entry.ys = ys;
    entry.xs = xs;
    entry.rows.resize(static_cast<std::size_t>(ys.size(1)));
  }
  auto& r = entry.rows[static_cast<std::size_t>(i)];
  if (!r.defined()) {
    torch::Tensor y = ys.size(1) == 1 ? ys : ys.select(1, i);
    if (!y.requires_grad()) {
      // ys does not depend on xs (e.g. a constant output transform): the derivative is zero.
      r = torch::zeros_like(xs);
    } else {
      auto g = torch::autograd::grad({y}, {xs}, {torch::ones_like(y)}, /*retain_graph=*/true,
                                     /*create_graph=*/true, /*allow_unused=*/true)[0];
      r = g.defined() ? g : torch::zeros_like(xs);
    }
  }
  return r;
}

}  // namespace

torch::Tensor jacobian(const torch::Tensor& ys, const torch::Tensor& xs, std::int64_t i,
                       std::optional<std::int64_t> j) {
  check_inputs("jacobian", ys, xs);
  if (i < 0 || i >= ys.size(1))
    detail::fail("jacobian: i = ", i, " out of range for ys with ", ys.size(1), " columns (expected 0 <= i < ",
                 ys.size(1), ")");
  if (j && (*j < 0 || *j >= xs.size(1)))
    detail::fail("jacobian: j = ", *j, " out of range for xs with ", xs.size(1), " columns (expected 0 <= j < ",
                 xs.size(1), ")");
  const auto& r = row(ys, xs, i);
  return j ? r.narrow(1, *j, 1) : r;
}

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
  // d/dx_j of (dy/dx_i): row i of the Jacobian of the cached gradient row.
  const auto& dy = row(ys, xs, component);
  return row(dy, xs, i).narrow(1, j, 1);
}

void clear() { cache.clear(); }

}  // namespace pinnxde::grad
