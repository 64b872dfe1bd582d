// Jets through a user's output transform z = f(x, y) (hard constraints) and feature transform phi(x), for
// the forward engine.
//
// The network's sweep gives y and its derivatives along the input directions. f is arbitrary user code, so
// its partial derivatives are taken by reverse mode, but only through f (a handful of elementwise operations
// on N rows), never through the network: along a direction j, the second-order path
//   s -> f(x + s e_j, y + s dy/dx_j + s^2/2 d2y/dx_j^2)
// has first derivative dz/dx_j and second derivative d2z/dx_j^2 at s = 0 (the chain rule in one line), and
// for a mixed pair (i, k) the path in (s, r) with y + s y_i + r y_k + s r y_ik has d2/ds dr = d2z/dx_i dx_k.
// With one s per row and f row-wise (row n of z depends on row n of x and y only, as every hard constraint
// is), the gradient of a column sum with respect to s is the per-row derivative. Whether f is row-wise is
// checked once per network (transform_is_row_wise); a transform that is not makes the network fall back to
// reverse mode.
#include <torch/torch.h>

#include "pinnxde/nn/jets.hpp"

namespace pinnxde::nn {

namespace {

// d(column sums of z)/d(s), one column per output: the per-row derivative of a row-wise z along s.
torch::Tensor per_row_derivative(const torch::Tensor& z, const torch::Tensor& s) {
  if (!z.requires_grad()) return torch::zeros({s.size(0), z.size(1)}, s.options());  // constant along s
  std::vector<torch::Tensor> columns;
  columns.reserve(static_cast<std::size_t>(z.size(1)));
  for (std::int64_t a = 0; a < z.size(1); ++a) {
    auto g = torch::autograd::grad({z.select(1, a).sum()}, {s}, {}, /*retain_graph=*/true, /*create_graph=*/true,
                                   /*allow_unused=*/true)[0];
    columns.push_back(g.defined() ? g : torch::zeros_like(s));
  }
  return torch::cat(columns, 1);
}

}  // namespace

bool transform_is_row_wise(const OutputTransformFn& f, const torch::Tensor& x, const torch::Tensor& y) {
  const std::int64_t n = x.size(0);
  if (n < 2) return true;
  torch::NoGradGuard no_grad;
  // The last rows in reverse order: a transform that mixes rows (a mean, a row index, row 0) differs.
  const std::int64_t k = std::min<std::int64_t>(n, 8);
  auto rows = torch::arange(n - 1, n - 1 - k, -1, torch::TensorOptions().dtype(torch::kLong));
  auto full = f(x.detach(), y.detach());
  if (!full.defined() || full.dim() != 2 || full.size(0) != n) return false;
  auto part = f(x.detach().index_select(0, rows), y.detach().index_select(0, rows));
  if (!part.defined() || part.sizes() != full.index_select(0, rows).sizes()) return false;
  const double tol = x.scalar_type() == torch::kFloat64 ? 1e-12 : 1e-5;
  return torch::allclose(part, full.index_select(0, rows), tol, tol);
}

grad::Jets output_transform_jets(const OutputTransformFn& f, const torch::Tensor& x, const grad::Jets& core) {
  const auto& set = core.set;
  const torch::Tensor xd = x.detach();
  const torch::Tensor eye = torch::eye(x.size(1), x.options());  // row j: the unit vector e_j
  auto unit = [&](std::int64_t j) { return eye.narrow(0, j, 1); };
  const torch::Tensor& y = core.value;
  auto slice = [&](std::int64_t position) { return core.derivatives.select(0, position); };
  grad::Jets out;
  out.set = set;
  out.value = f(x, y);
  std::vector<torch::Tensor> derivatives(set.size());
  const auto n_first = static_cast<std::int64_t>(set.first.size());
  auto column = [&] { return torch::zeros({x.size(0), 1}, x.options()).requires_grad_(); };
  for (std::int64_t p = 0; p < n_first; ++p) {
    const std::int64_t j = set.first[static_cast<std::size_t>(p)];
    const std::int64_t pure = set.index_of(j, j);
    auto s = column();
    auto ys = y + s * slice(p);
    if (pure >= 0) ys = ys + 0.5 * s * s * slice(pure);
    auto z = f(xd + s * unit(j), ys);
    auto dz = per_row_derivative(z, s);
    if (pure >= 0) derivatives[static_cast<std::size_t>(pure)] = per_row_derivative(dz, s);
    derivatives[static_cast<std::size_t>(p)] = dz;
  }
  for (std::size_t q = 0; q < set.second.size(); ++q) {
    const auto [i, k] = set.second[q];
    if (i == k) continue;
    auto s = column(), r = column();
    const auto pi = set.index_of(i), pk = set.index_of(k);
    const auto position = static_cast<std::int64_t>(set.first.size() + q);
    auto ys = y + s * slice(pi) + r * slice(pk) + s * r * slice(position);
    auto z = f(xd + s * unit(i) + r * unit(k), ys);
    derivatives[set.first.size() + q] = per_row_derivative(per_row_derivative(z, s), r);
  }
  out.derivatives = derivatives.empty() ? torch::zeros({0, out.value.size(0), out.value.size(1)}, out.value.options())
                                        : torch::stack(derivatives, 0);
  return out;
}

grad::Jets feature_transform_jets(const std::function<torch::Tensor(const torch::Tensor&)>& phi,
                                  const torch::Tensor& x, const grad::DerivativeSet& set) {
  // phi as a transform that ignores y: y and its derivatives are constants (zeros) along every path.
  grad::Jets none;
  none.set = set;
  none.value = torch::zeros({x.size(0), 1}, x.options());
  none.derivatives = torch::zeros({static_cast<std::int64_t>(set.size()), x.size(0), 1}, x.options());
  return output_transform_jets([&](const torch::Tensor& xs, const torch::Tensor&) { return phi(xs); }, x, none);
}

}  // namespace pinnxde::nn
