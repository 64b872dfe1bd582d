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
#include <torch/types.h>

#include <algorithm>
#include <tuple>

#include "pinnxde/nn/jets.hpp"
#include "pinnxde/nn/layer_jets.hpp"

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

namespace {

// Fixed probe values for the affinity check (the global generator must not move: a seeded run draws what it
// drew before).
torch::Tensor probe(std::int64_t n, std::int64_t m, double phase, const torch::TensorOptions& options) {
  return 2 * torch::sin(torch::arange(n * m, options).reshape({n, m}) * 1.618033988749895 + phase);
}

bool close(const torch::Tensor& a, const torch::Tensor& b) {
  if (!a.defined() || !b.defined() || a.sizes() != b.sizes()) return false;
  const double tol = a.scalar_type() == torch::kFloat64 ? 1e-9 : 1e-4;
  return torch::allclose(a, b, tol, tol);
}

// f(x, y1 + y2) + f(x, 0) = f(x, y1) + f(x, y2) and f(x, a y2) = a f(x, y2) + (1 - a) f(x, 0) on probes.
bool is_affine_in_y(const OutputTransformFn& f, const torch::Tensor& xd, std::int64_t dim_y) {
  torch::NoGradGuard no_grad;
  const auto o = xd.options();
  const std::int64_t n = xd.size(0);
  const auto y1 = probe(n, dim_y, 0.3, o), y2 = probe(n, dim_y, 1.7, o);
  const auto f0 = f(xd, torch::zeros({n, dim_y}, o)), f1 = f(xd, y1), f2 = f(xd, y2);
  if (!f0.defined() || f0.dim() != 2 || f0.size(0) != n) return false;
  return close(f(xd, y1 + y2) + f0, f1 + f2) && close(f(xd, -2.5 * y2) + 2.5 * f2, 3.5 * f0);
}

}  // namespace

std::optional<grad::Jets> affine_output_transform_jets(const OutputTransformFn& f, const torch::Tensor& x,
                                                       const grad::Jets& core, AffineTransformCache& cache) {
  const auto& set = core.set;
  const torch::Tensor& y = core.value;
  const std::int64_t n = x.size(0), dim_y = y.size(1), K = static_cast<std::int64_t>(set.size());
  if (!cache.affine) cache.affine = is_affine_in_y(f, x.detach(), dim_y);
  if (!*cache.affine) return std::nullopt;
  grad::Jets out;
  out.set = set;
  out.value = f(x, y);
  // The same input: the same memory, shape and layout, unmodified since (a view of the training points taken
  // anew each step is the same input; an entry holds its input, so that memory cannot have been reused).
  auto same_input = [&](const AffineTransformCache::Entry& e) {
    return e.x.data_ptr() == x.data_ptr() && e.x.sizes() == x.sizes() && e.x.strides() == x.strides() &&
           e.x.scalar_type() == x.scalar_type() && x._version() == e.x_version && e.set.first == set.first &&
           e.set.second == set.second;
  };
  auto& entries = cache.entries;
  auto it = std::find_if(entries.begin(), entries.end(), same_input);
  AffineTransformCache::Entry coefficients;
  if (it != entries.end()) {
    std::rotate(it, it + 1, entries.end());  // most recently used last
    coefficients = entries.back();
  } else {
    // One evaluation of f on 1 + dim_y stacked copies of x: block 0 with y = 0 gives A, block b + 1 with
    // y = e_b gives A + B_b.
    auto ys = torch::zeros({(1 + dim_y) * n, dim_y}, x.options());
    for (std::int64_t b = 0; b < dim_y; ++b) ys.narrow(0, (1 + b) * n, n).select(1, b).fill_(1);
    auto g = feature_transform_jets([&](const torch::Tensor& xs) { return f(xs, ys); },
                                    x.detach().repeat({1 + dim_y, 1}), set);
    const std::int64_t dim_z = g.value.size(1);
    auto V = g.value.view({1 + dim_y, n, dim_z});
    auto D = g.derivatives.view({K, 1 + dim_y, n, dim_z}).transpose(0, 1);
    auto& c = coefficients;
    c.A = V.select(0, 0);
    c.dA = D.select(0, 0);
    c.B = V.narrow(0, 1, dim_y) - c.A;
    c.dB = D.narrow(0, 1, dim_y) - c.dA;
    if (!set.second.empty()) std::tie(c.pair_i, c.pair_k) = jet::pair_positions(set, x.device());
    // The check that f is what the probes said, on this x and y: its value from the coefficients.
    {
      torch::NoGradGuard no_grad;
      if (!close(out.value, c.A + torch::einsum("bna,nb->na", {c.B, y}))) {
        cache = AffineTransformCache{};
        cache.affine = false;
        return std::nullopt;
      }
    }
    // Without a trainable tensor inside f the coefficients are constants of x: keep them for the next steps.
    // With one (g.value then requires grad) they are taken again every step, with their graph.
    if (!g.value.requires_grad()) {
      for (auto* t : {&c.A, &c.dA, &c.B, &c.dB}) *t = t->detach().contiguous();
      c.x = x;
      c.x_version = x._version();
      c.set = set;
    }
    if (c.pair_i.defined()) {
      c.dB_i = c.dB.index_select(1, c.pair_i);
      c.dB_k = c.dB.index_select(1, c.pair_k);
    }
    if (c.x.defined()) {
      entries.push_back(c);
      if (entries.size() > AffineTransformCache::kMaxEntries) entries.erase(entries.begin());
    }
  }
  const auto& c = coefficients;
  if (K == 0) {
    out.derivatives = torch::zeros({0, n, out.value.size(1)}, out.value.options());
    return out;
  }
  const auto& Yd = core.derivatives;  // (K, n, dim_y)
  // z_p = A_p + sum_b (B_b,p y_b + B_b y_b,p) for every slice p; the pairs add B_b,i y_b,k + B_b,k y_b,i.
  auto dz = c.dA + torch::einsum("bkna,nb->kna", {c.dB, y}) + torch::einsum("bna,knb->kna", {c.B, Yd});
  if (c.pair_i.defined()) {  // dz is this step's own sum: its pair slices take the cross terms in place
    const auto nf = static_cast<std::int64_t>(set.first.size());
    dz.narrow(0, nf, K - nf)
        .add_(torch::einsum("bqna,qnb->qna", {c.dB_i, Yd.index_select(0, c.pair_k)}) +
              torch::einsum("bqna,qnb->qna", {c.dB_k, Yd.index_select(0, c.pair_i)}));
  }
  out.derivatives = dz;
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
