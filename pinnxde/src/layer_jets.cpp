// Jets through the layers networks are built from (nn/layer_jets.hpp). The dense layers and activations
// use the fused kernels of jets.cpp; sums, products and concatenations are a few ordinary operations each.
#include "pinnxde/nn/layer_jets.hpp"

#include <torch/nn/init.h>
#include <torch/types.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/nn/jets.hpp"

namespace pinnxde::nn {
namespace {

std::int64_t num_first(const grad::DerivativeSet& set) { return static_cast<std::int64_t>(set.first.size()); }
std::int64_t num_pairs(const grad::DerivativeSet& set) { return static_cast<std::int64_t>(set.second.size()); }
// The slices after the first derivatives: the pairs' second derivatives and the pure higher orders, all zero
// for a quantity affine in x.
std::int64_t num_beyond_first(const grad::DerivativeSet& set) {
  return static_cast<std::int64_t>(set.second.size() + set.higher.size());
}

}  // namespace

namespace jet {

std::pair<torch::Tensor, torch::Tensor> pair_positions(const grad::DerivativeSet& set, const torch::Device& device) {
  std::vector<std::int64_t> pi, pk;
  for (auto [i, k] : set.second) {
    pi.push_back(set.index_of(i));
    pk.push_back(set.index_of(k));
  }
  const auto opts = torch::TensorOptions().dtype(torch::kLong).device(device);
  return {torch::tensor(pi, opts), torch::tensor(pk, opts)};
}

namespace {
// A packed (1 + K, N, w) tensor as HiddenJets: value and d are views of it.
HiddenJets unpack(const torch::Tensor& packed, bool has_second) {
  HiddenJets out;
  out.packed = packed;
  out.value = packed.select(0, 0);
  out.d = packed.narrow(0, 1, packed.size(0) - 1);
  out.has_second = has_second;
  return out;
}
}  // namespace

HiddenJets input(const torch::Tensor& x) { return HiddenJets{x, torch::Tensor(), false, true}; }

HiddenJets linear(const HiddenJets& h, const torch::Tensor& W, const torch::Tensor& b, const grad::DerivativeSet& set) {
  HiddenJets out;
  if (h.packed.defined()) return unpack(jets_linear_packed(h.packed, W, b), h.has_second);
  out.value = jets_linear(h.value, W, b);
  if (!h.identity) {
    out.d = jets_linear(h.d, W);
    out.has_second = h.has_second;
    return out;
  }
  // Affine in x: dz/dx_f = W[:, f] on every row, second derivatives zero. The directions are usually
  // consecutive (then a view of W), else gathered.
  const std::int64_t N = h.value.size(0), nf = num_first(set), w = W.size(0);
  const bool consecutive = nf > 0 && set.first.back() - set.first.front() + 1 == nf;
  const auto wt = W.t();
  const auto cols =
      consecutive ? wt.narrow(0, set.first.front(), nf)
                  : wt.index_select(0, torch::tensor(set.first, torch::TensorOptions().dtype(torch::kLong).device(W.device())));
  out.d = cols.unsqueeze(1).expand({nf, N, w}).contiguous();
  out.has_second = false;
  return out;
}

HiddenJets full(const HiddenJets& h, const grad::DerivativeSet& set) {
  const std::int64_t N = h.value.size(0), w = h.value.size(1), nf = num_first(set), np = num_beyond_first(set);
  HiddenJets out{h.value, h.d, true, false};
  if (h.identity) {
    auto eye = torch::eye(w, h.value.options());
    auto rows = set.first.empty()
                    ? torch::empty({0, w}, h.value.options())
                    : eye.index_select(0, torch::tensor(set.first, torch::TensorOptions().dtype(torch::kLong).device(h.value.device())));
    out.d = rows.unsqueeze(1).expand({nf, N, w});
    if (np > 0) out.d = torch::cat({out.d, torch::zeros({np, N, w}, h.value.options())}, 0);
    return out;
  }
  if (!h.has_second && np > 0) out.d = torch::cat({h.d, torch::zeros({np, N, w}, h.d.options())}, 0);
  return out;
}

HiddenJets activate(const HiddenJets& z, const std::string& name, const Activation& /*fn*/,
                    const grad::DerivativeSet& set) {
  const HiddenJets in = z.identity ? full(z, set) : z;
  if (in.packed.defined()) return unpack(activation_packed(name, in.packed, torch::Tensor(), set, in.has_second), true);
  return unpack(activation_packed(name, in.value, in.d, set, in.has_second), true);
}

HiddenJets scale(const HiddenJets& h, const torch::Tensor& s) {
  if (h.identity) detail::fail("jet::scale: scale the output of a layer, not the network input");
  if (h.packed.defined()) return unpack(h.packed * s, h.has_second);
  return HiddenJets{h.value * s, h.d * s, h.has_second, false};
}

HiddenJets add(const HiddenJets& a, const HiddenJets& b, const grad::DerivativeSet& set) {
  if (a.value.sizes() != b.value.sizes())
    detail::fail("jet::add: values of shapes ", a.value.sizes(), " and ", b.value.sizes(), " (expected equal)");
  if (!a.identity && !b.identity && a.has_second == b.has_second)
    return HiddenJets{a.value + b.value, a.d + b.d, a.has_second, false};
  const auto fa = full(a, set), fb = full(b, set);
  return HiddenJets{a.value + b.value, fa.d + fb.d, true, false};
}

HiddenJets mul(const HiddenJets& a0, const HiddenJets& b0, const grad::DerivativeSet& set) {
  const HiddenJets a = a0.identity ? full(a0, set) : a0, b = b0.identity ? full(b0, set) : b0;
  if (a.value.sizes() != b.value.sizes())
    detail::fail("jet::mul: values of shapes ", a.value.sizes(), " and ", b.value.sizes(), " (expected equal)");
  const std::int64_t nf = num_first(set), np = num_pairs(set);
  const auto da = a.d.narrow(0, 0, nf), db = b.d.narrow(0, 0, nf);
  auto first = da * b.value + a.value * db;
  HiddenJets out{a.value * b.value, first, true, false};
  if (np == 0) return out;
  auto [pi, pk] = pair_positions(set, a.value.device());
  auto second = da.index_select(0, pi) * db.index_select(0, pk) + da.index_select(0, pk) * db.index_select(0, pi);
  if (a.has_second) second = second + a.d.narrow(0, nf, np) * b.value;
  if (b.has_second) second = second + a.value * b.d.narrow(0, nf, np);
  std::vector<torch::Tensor> parts{first, second};
  // Pure orders n along x_j by Leibniz's rule: (ab)^(n) = sum_k C(n, k) a^(k) b^(n-k).
  auto pure = [&](const HiddenJets& h, std::int64_t j, std::int64_t k) {
    if (k == 0) return h.value;
    if (k > 1 && !h.has_second) return torch::Tensor();  // zero: h affine in x
    return h.d[set.index_of(std::vector<std::int64_t>(static_cast<std::size_t>(k), j))];
  };
  for (auto [j, n] : set.higher) {
    torch::Tensor t;
    for (std::int64_t k = 0, c = 1; k <= n; c = c * (n - k) / (k + 1), ++k) {
      auto ak = pure(a, j, k), bk = pure(b, j, n - k);
      if (!ak.defined() || !bk.defined()) continue;
      auto term = c == 1 ? ak * bk : c * (ak * bk);
      t = t.defined() ? t + term : term;
    }
    parts.push_back((t.defined() ? t : torch::zeros_like(a.value)).unsqueeze(0));
  }
  out.d = torch::cat(parts, 0);
  return out;
}

HiddenJets cat(const std::vector<HiddenJets>& parts, const grad::DerivativeSet& set) {
  if (parts.empty()) detail::fail("jet::cat: no parts");
  bool same = true;
  for (const auto& p : parts) same = same && !p.identity && p.has_second == parts.front().has_second;
  std::vector<torch::Tensor> values, ds;
  for (const auto& p : parts) {
    values.push_back(p.value);
    ds.push_back(same ? p.d : full(p, set).d);
  }
  return HiddenJets{torch::cat(values, 1), torch::cat(ds, 2), same ? parts.front().has_second : true, false};
}

grad::Jets finish(const HiddenJets& y, const grad::DerivativeSet& set) {
  return grad::Jets{set, y.value, full(y, set).d};
}

}  // namespace jet

// ---------------------------------------------------------------- activation specs

ActivationSpec parse_activation(const std::string& name, const std::string& where) {
  ActivationSpec spec;
  std::string base = name;
  if (name.rfind("LAAF-", 0) == 0) {
    const auto space = name.find(' ');
    const std::string n = name.substr(5, space == std::string::npos ? std::string::npos : space - 5);
    char* end = nullptr;
    const double v = std::strtod(n.c_str(), &end);
    if (space == std::string::npos || n.empty() || *end || !(v > 0) || !std::isfinite(v))
      detail::fail(where, ": activation '", name, "' is not of the form 'LAAF-<n> <activation>' with n > 0 (e.g. "
                   "'LAAF-10 tanh')");
    spec.laaf_n = v;
    base = name.substr(space + 1);
  }
  const auto& names = activation_names();
  if (std::find(names.begin(), names.end(), base) == names.end())
    detail::fail(where, ": unknown activation '", base, "'; valid: ", detail::join(names),
                 ", or 'LAAF-<n> <activation>'");
  spec.base = base;
  return spec;
}

// ---------------------------------------------------------------- regularisation

void check_regularization(const Regularization& r, const std::string& where) {
  if (r.name.empty()) return;
  if (r.name != "l1" && r.name != "l2" && r.name != "l1+l2")
    detail::fail(where, ": regularization = '", r.name, "' (expected 'l1', 'l2' or 'l1+l2')");
  if (!(r.a >= 0) || !std::isfinite(r.a))
    detail::fail(where, ": regularization factor = ", r.a, " (expected finite >= 0, e.g. {\"l2\", 1e-4})");
  if (!(r.b >= 0) || !std::isfinite(r.b))
    detail::fail(where, ": regularization l2 factor = ", r.b, " (expected finite >= 0)");
}

torch::Tensor regularization_term(const Regularization& r, const std::vector<torch::Tensor>& kernels) {
  if (r.name.empty() || kernels.empty()) return torch::Tensor();
  const double l1 = r.name == "l1" ? r.a : r.name == "l1+l2" ? r.a : 0.0;
  const double l2 = r.name == "l2" ? r.a : r.name == "l1+l2" ? r.b : 0.0;
  torch::Tensor total;
  for (const auto& w : kernels) {
    torch::Tensor t;
    if (l2 > 0) t = l2 * w.pow(2).sum();
    if (l1 > 0) t = t.defined() ? t + l1 * w.abs().sum() : l1 * w.abs().sum();
    if (t.defined()) total = total.defined() ? total + t : t;
  }
  return total.defined() ? total : torch::zeros({}, kernels.front().options());
}

// ---------------------------------------------------------------- Dense

torch::Tensor Dense::weight() const {
  if (!log_scale.defined()) return linear->weight;
  return torch::exp(log_scale).unsqueeze(1) * linear->weight;
}

bool Dense::has_jets() const { return activation.empty() || nn::has_jets(activation); }

torch::Tensor Dense::forward(const torch::Tensor& h) const {
  torch::Tensor z = torch::linear(h, weight(), linear->bias);
  if (laaf.defined()) z = z * (laaf_n * laaf);
  return activation.empty() ? z : fn(z);
}

HiddenJets Dense::jets(const HiddenJets& h, const grad::DerivativeSet& set) const {
  HiddenJets z = jet::linear(h, weight(), linear->bias, set);
  if (laaf.defined()) z = jet::scale(z, laaf_n * laaf);
  return activation.empty() ? z : jet::activate(z, activation, fn, set);
}

Dense make_dense(torch::nn::Module& owner, const std::string& name, std::int64_t in, std::int64_t out,
                 const std::string& activation, const Initializer& init, const WeightFactorization& wf,
                 const std::string& where) {
  if (!(wf.stddev >= 0) || !std::isfinite(wf.stddev) || !std::isfinite(wf.mean))
    detail::fail(where, ": weight_factorization = {mean ", wf.mean, ", stddev ", wf.stddev,
                 "} (expected finite numbers, stddev >= 0)");
  Dense d;
  d.linear = owner.register_module(name, torch::nn::Linear(in, out));
  d.linear->to(config::real());
  torch::NoGradGuard no_grad;
  init(d.linear->weight);
  torch::nn::init::zeros_(d.linear->bias);
  if (wf.enabled()) {
    // W0 = diag(exp(s)) V: the factorised layer starts as the plain one.
    auto s = torch::randn({out}, torch::TensorOptions().dtype(config::real())) * wf.stddev + wf.mean;
    d.linear->weight.div_(torch::exp(s).unsqueeze(1));
    d.log_scale = owner.register_parameter(name + "_s", s);
  }
  if (!activation.empty()) {
    const ActivationSpec spec = parse_activation(activation, where);
    d.activation = spec.base;
    d.fn = get_activation(spec.base);
    if (spec.laaf_n > 0) {
      d.laaf_n = spec.laaf_n;
      d.laaf = owner.register_parameter(name + "_a", torch::full({}, 1.0 / spec.laaf_n,
                                                                 torch::TensorOptions().dtype(config::real())));
    }
  }
  return d;
}

}  // namespace pinnxde::nn
