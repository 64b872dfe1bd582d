// Fused jet loops for the forward derivative engine (see nn/jets.hpp). One pass over a layer's elements
// computes sigma', sigma'' (and sigma''' backwards) once and applies them to every derivative slice, where
// ordinary LibTorch operations would launch a dozen kernels per layer and read every slice several times.
#include "pinnxde/nn/jets.hpp"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "pinnxde/error.hpp"

namespace pinnxde::nn {
namespace {

enum class Act { Tanh, Sin, Relu, Sigmoid, Silu, Gelu, Elu, Selu, Linear };

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

bool parse(const std::string& name, Act& act) {
  if (name == "tanh") act = Act::Tanh;
  else if (name == "sin") act = Act::Sin;
  else if (name == "relu") act = Act::Relu;
  else if (name == "sigmoid") act = Act::Sigmoid;
  else if (name == "silu" || name == "swish") act = Act::Silu;
  else if (name == "gelu") act = Act::Gelu;
  else if (name == "elu") act = Act::Elu;
  else if (name == "selu") act = Act::Selu;
  else if (name == "linear") act = Act::Linear;
  else return false;
  return true;
}

Act parse_or_fail(const std::string& name) {
  Act act{};
  if (!parse(name, act)) detail::fail("activation_jets: activation '", name, "' has no closed-form derivatives");
  return act;
}

// Per-element helper values an activation's derivatives are polynomials of, computed by vectorised
// LibTorch kernels before the fused loop: tanh and sigmoid need only a = sigma(z); the others one or two
// transcendental functions of z.
std::array<torch::Tensor, 2> helpers(Act act, const torch::Tensor& z) {
  torch::NoGradGuard no_grad;
  switch (act) {
    case Act::Sin: return {torch::cos(z), torch::Tensor()};
    case Act::Silu: return {torch::sigmoid(z), torch::Tensor()};
    case Act::Gelu: {
      auto phi = torch::exp(-0.5 * z * z) * (1.0 / std::sqrt(2.0 * M_PI));
      auto Phi = 0.5 * (1.0 + torch::erf(z * M_SQRT1_2));
      return {Phi, phi};
    }
    default: return {torch::Tensor(), torch::Tensor()};
  }
}

// sigma', sigma'', sigma''' of one element from z, a = sigma(z) and the helpers.
template <Act A, class T>
inline __attribute__((always_inline)) void derivs(T z, T a, T b0, T b1, T& s1, T& s2, T& s3) {
  if constexpr (A == Act::Tanh) {
    s1 = T(1) - a * a;
    s2 = T(-2) * a * s1;
    s3 = T(-2) * s1 * (s1 - T(2) * a * a);
  } else if constexpr (A == Act::Sin) {
    s1 = b0;
    s2 = -a;
    s3 = -b0;
  } else if constexpr (A == Act::Sigmoid) {
    s1 = a * (T(1) - a);
    s2 = s1 * (T(1) - T(2) * a);
    s3 = s1 * (T(1) - T(6) * a + T(6) * a * a);
  } else if constexpr (A == Act::Silu) {  // z g(z): (z g)^(n) = n g^(n-1) + z g^(n)
    const T g = b0, g1 = g * (T(1) - g), g2 = g1 * (T(1) - T(2) * g), g3 = g1 * (T(1) - T(6) * g + T(6) * g * g);
    s1 = g + z * g1;
    s2 = T(2) * g1 + z * g2;
    s3 = T(3) * g2 + z * g3;
  } else if constexpr (A == Act::Gelu) {  // z Phi(z); Phi' = phi, phi' = -z phi
    const T Phi = b0, phi = b1;
    s1 = Phi + z * phi;
    s2 = phi * (T(2) - z * z);
    s3 = phi * (z * z * z - T(4) * z);
  } else if constexpr (A == Act::Relu) {
    s1 = z > T(0) ? T(1) : T(0);
    s2 = T(0);
    s3 = T(0);
  } else if constexpr (A == Act::Elu) {  // alpha = 1: e^z = a + 1 for z <= 0
    const bool pos = z > T(0);
    const T e = a + T(1);
    s1 = pos ? T(1) : e;
    s2 = pos ? T(0) : e;
    s3 = s2;
  } else if constexpr (A == Act::Selu) {  // scale * alpha * e^z = a + scale * alpha for z <= 0
    const bool pos = z > T(0);
    const T e = a + T(kSeluScale * kSeluAlpha);
    s1 = pos ? T(kSeluScale) : e;
    s2 = pos ? T(0) : e;
    s3 = s2;
  } else {
    s1 = T(1);
    s2 = T(0);
    s3 = T(0);
  }
}

// The layout every loop shares: slice s of a (K, N, w) tensor starts at s * M (M = N * w); a pair p's
// directions are the slices pi[p], pk[p] of the first derivatives.
struct Layout {
  std::int64_t M, nf, np;
  const std::int64_t* pi;
  const std::int64_t* pk;
  bool has_second;
};

constexpr std::int64_t kBlock = 256;

template <Act A, class T>
void forward_loop(const Layout& L, const T* z, const T* a, const T* b0, const T* b1, const T* dz, T* out,
                  std::int64_t begin, std::int64_t end) {
  T s1[kBlock], s2[kBlock], s3[kBlock];
  for (std::int64_t e0 = begin; e0 < end; e0 += kBlock) {
    const std::int64_t n = std::min(kBlock, end - e0);
    for (std::int64_t e = 0; e < n; ++e)
      derivs<A, T>(z[e0 + e], a[e0 + e], b0 ? b0[e0 + e] : T(0), b1 ? b1[e0 + e] : T(0), s1[e], s2[e], s3[e]);
    for (std::int64_t f = 0; f < L.nf; ++f) {
      const T* d = dz + f * L.M + e0;
      T* o = out + f * L.M + e0;
      for (std::int64_t e = 0; e < n; ++e) o[e] = s1[e] * d[e];
    }
    for (std::int64_t p = 0; p < L.np; ++p) {
      const T* di = dz + L.pi[p] * L.M + e0;
      const T* dk = dz + L.pk[p] * L.M + e0;
      T* o = out + (L.nf + p) * L.M + e0;
      if (L.has_second) {
        const T* d2 = dz + (L.nf + p) * L.M + e0;
        for (std::int64_t e = 0; e < n; ++e) o[e] = s2[e] * di[e] * dk[e] + s1[e] * d2[e];
      } else {
        for (std::int64_t e = 0; e < n; ++e) o[e] = s2[e] * di[e] * dk[e];
      }
    }
  }
}

// Gradients of sum(G * out) with respect to z and dz.
template <Act A, class T>
void backward_loop(const Layout& L, const T* z, const T* a, const T* b0, const T* b1, const T* dz, const T* G,
                   T* gz, T* gdz, std::int64_t begin, std::int64_t end) {
  T s1[kBlock], s2[kBlock], s3[kBlock], acc[kBlock];
  for (std::int64_t e0 = begin; e0 < end; e0 += kBlock) {
    const std::int64_t n = std::min(kBlock, end - e0);
    for (std::int64_t e = 0; e < n; ++e) {
      derivs<A, T>(z[e0 + e], a[e0 + e], b0 ? b0[e0 + e] : T(0), b1 ? b1[e0 + e] : T(0), s1[e], s2[e], s3[e]);
      acc[e] = T(0);
    }
    for (std::int64_t f = 0; f < L.nf; ++f) {
      const T* g = G + f * L.M + e0;
      const T* d = dz + f * L.M + e0;
      T* gd = gdz + f * L.M + e0;
      for (std::int64_t e = 0; e < n; ++e) {
        gd[e] = s1[e] * g[e];
        acc[e] += s2[e] * g[e] * d[e];
      }
    }
    for (std::int64_t p = 0; p < L.np; ++p) {
      const T* g = G + (L.nf + p) * L.M + e0;
      const T* di = dz + L.pi[p] * L.M + e0;
      const T* dk = dz + L.pk[p] * L.M + e0;
      T* gdi = gdz + L.pi[p] * L.M + e0;
      T* gdk = gdz + L.pk[p] * L.M + e0;
      for (std::int64_t e = 0; e < n; ++e) {
        const T t = s2[e] * g[e];
        gdi[e] += t * dk[e];
        gdk[e] += t * di[e];
        acc[e] += s3[e] * g[e] * di[e] * dk[e];
      }
      if (L.has_second) {
        const T* d2 = dz + (L.nf + p) * L.M + e0;
        T* gd2 = gdz + (L.nf + p) * L.M + e0;
        for (std::int64_t e = 0; e < n; ++e) {
          gd2[e] = s1[e] * g[e];
          acc[e] += s2[e] * g[e] * d2[e];
        }
      }
    }
    for (std::int64_t e = 0; e < n; ++e) gz[e0 + e] = acc[e];
  }
}

template <class F>
void dispatch_act(Act act, F&& f) {
  switch (act) {
    case Act::Tanh: return f.template operator()<Act::Tanh>();
    case Act::Sin: return f.template operator()<Act::Sin>();
    case Act::Relu: return f.template operator()<Act::Relu>();
    case Act::Sigmoid: return f.template operator()<Act::Sigmoid>();
    case Act::Silu: return f.template operator()<Act::Silu>();
    case Act::Gelu: return f.template operator()<Act::Gelu>();
    case Act::Elu: return f.template operator()<Act::Elu>();
    case Act::Selu: return f.template operator()<Act::Selu>();
    case Act::Linear: return f.template operator()<Act::Linear>();
  }
}

template <class T>
const T* ptr(const torch::Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

// Pair directions as positions among the first derivatives.
std::vector<std::int64_t> pair_slices(const grad::DerivativeSet& set) {
  std::vector<std::int64_t> out;
  for (auto [i, k] : set.second) {
    const auto a = set.index_of(i), b = set.index_of(k);
    if (a < 0 || b < 0) detail::fail("activation_jets: pair (", i, ", ", k, ") uses a direction not in set.first");
    out.push_back(a);
    out.push_back(b);
  }
  return out;
}

constexpr std::int64_t kGrain = 2048;  // elements per task: small layers stay on one thread

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

struct ActivationJetFunction : torch::autograd::Function<ActivationJetFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& z, const torch::Tensor& a,
                               const torch::Tensor& dz, const std::string& name, const grad::DerivativeSet& set,
                               bool has_second) {
    const Act act = parse_or_fail(name);
    auto h = helpers(act, z);
    const auto slices = pair_slices(set);
    const std::int64_t K = static_cast<std::int64_t>(set.size());
    auto zc = z.contiguous(), ac = a.contiguous(), dzc = dz.contiguous();
    auto out = torch::empty({K, z.size(0), z.size(1)}, z.options());
    std::vector<std::int64_t> pi, pk;
    for (std::size_t p = 0; p < slices.size(); p += 2) {
      pi.push_back(slices[p]);
      pk.push_back(slices[p + 1]);
    }
    const Layout lay{z.numel(), static_cast<std::int64_t>(set.first.size()),
                     static_cast<std::int64_t>(set.second.size()), pi.data(), pk.data(), has_second};
    AT_DISPATCH_FLOATING_TYPES(z.scalar_type(), "activation_jets", [&] {
      dispatch_act(act, [&]<Act A>() {
        at::parallel_for(0, lay.M, kGrain, [&](std::int64_t b, std::int64_t e) {
          forward_loop<A, scalar_t>(lay, ptr<scalar_t>(zc), ptr<scalar_t>(ac), ptr<scalar_t>(h[0]), ptr<scalar_t>(h[1]),
                                    ptr<scalar_t>(dzc), out.data_ptr<scalar_t>(), b, e);
        });
      });
    });
    ctx->save_for_backward({z, ac, dz});
    ctx->saved_data["name"] = name;
    ctx->saved_data["first"] = set.first;
    std::vector<std::int64_t> flat;
    for (auto [i, k] : set.second) {
      flat.push_back(i);
      flat.push_back(k);
    }
    ctx->saved_data["second"] = flat;
    ctx->saved_data["has_second"] = has_second;
    if (h[0].defined()) ctx->saved_data["h0"] = h[0];
    if (h[1].defined()) ctx->saved_data["h1"] = h[1];
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto& z = saved[0];
    const auto& a = saved[1];
    const auto& dz = saved[2];
    // (contiguous() is a no-op for the tensors the networks pass: linear and matmul outputs)
    const std::string name = ctx->saved_data["name"].toStringRef();
    grad::DerivativeSet set;
    set.first = ctx->saved_data["first"].toIntVector();
    const auto flat = ctx->saved_data["second"].toIntVector();
    for (std::size_t p = 0; p < flat.size(); p += 2) set.second.emplace_back(flat[p], flat[p + 1]);
    const bool has_second = ctx->saved_data["has_second"].toBool();
    auto G = grads[0];
    if (!G.defined()) return {torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(),
                              torch::Tensor()};
    if (torch::GradMode::is_enabled()) {
      // A graph of this backward is being built (a derivative of a jet taken in reverse mode): differentiate
      // the reference formulas, whose every operation autograd knows to any order.
      auto ref = activation_jets_reference(name, z, dz, set, has_second);
      auto g = torch::autograd::grad({ref}, {z, dz}, {G}, /*retain_graph=*/true, /*create_graph=*/true,
                                     /*allow_unused=*/true);
      return {g[0], torch::Tensor(), g[1], torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
    const Act act = parse_or_fail(name);
    torch::Tensor h0 = ctx->saved_data.count("h0") ? ctx->saved_data["h0"].toTensor() : torch::Tensor();
    torch::Tensor h1 = ctx->saved_data.count("h1") ? ctx->saved_data["h1"].toTensor() : torch::Tensor();
    G = G.contiguous();
    const auto zc = z.contiguous(), dzc = dz.contiguous();
    const auto slices = pair_slices(set);
    std::vector<std::int64_t> pi, pk;
    for (std::size_t p = 0; p < slices.size(); p += 2) {
      pi.push_back(slices[p]);
      pk.push_back(slices[p + 1]);
    }
    const Layout lay{z.numel(), static_cast<std::int64_t>(set.first.size()), static_cast<std::int64_t>(set.second.size()),
                     pi.data(), pk.data(), has_second};
    auto gz = torch::empty_like(zc);
    auto gdz = torch::empty_like(dzc);
    AT_DISPATCH_FLOATING_TYPES(z.scalar_type(), "activation_jets_backward", [&] {
      dispatch_act(act, [&]<Act A>() {
        at::parallel_for(0, lay.M, kGrain, [&](std::int64_t b, std::int64_t e) {
          backward_loop<A, scalar_t>(lay, ptr<scalar_t>(zc), ptr<scalar_t>(a), ptr<scalar_t>(h0), ptr<scalar_t>(h1),
                                     ptr<scalar_t>(dzc), G.data_ptr<scalar_t>(), gz.data_ptr<scalar_t>(),
                                     gdz.data_ptr<scalar_t>(), b, e);
        });
      });
    });
    return {gz, torch::Tensor(), gdz, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// D = A W^T over the stacked derivative slices, its rows split among LibTorch's threads: LibTorch runs a
// matrix product on one thread (OpenBLAS is single-threaded inside its parallel regions, see runtime.cpp),
// and these products are most of a forward-engine step.
std::int64_t row_grain(std::int64_t rows) {
  const std::int64_t t = at::get_num_threads();
  return std::max<std::int64_t>(256, (rows + t - 1) / t);
}

// A W^T (+ b) for A (..., in): the rows split among LibTorch's threads.
struct JetLinearFunction : torch::autograd::Function<JetLinearFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& A, const torch::Tensor& W,
                               const torch::Tensor& b) {
    ctx->save_for_backward({A, W});
    const bool has_bias = b.numel() > 0;  // an empty tensor stands for "no bias" (apply needs defined inputs)
    ctx->saved_data["bias"] = has_bias;
    const auto a = A.reshape({-1, A.size(-1)});
    auto out = torch::empty({a.size(0), W.size(0)}, A.options());
    const auto wt = W.t();
    at::parallel_for(0, a.size(0), row_grain(a.size(0)), [&](std::int64_t beg, std::int64_t end) {
      auto o = out.slice(0, beg, end);
      if (has_bias) at::addmm_out(o, b, a.slice(0, beg, end), wt);
      else at::mm_out(o, a.slice(0, beg, end), wt);
    });
    auto sizes = A.sizes().vec();
    sizes.back() = W.size(0);
    return out.view(sizes);
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto& A = saved[0];
    const auto& W = saved[1];
    const bool bias = ctx->saved_data["bias"].toBool();
    auto G = grads[0];
    if (!G.defined()) return {torch::Tensor(), torch::Tensor(), torch::Tensor()};
    const auto g2 = G.reshape({-1, W.size(0)});
    if (torch::GradMode::is_enabled())  // a graph of this backward is being built: ordinary operations
      return {torch::matmul(G, W), g2.t().mm(A.reshape({-1, W.size(1)})),
              bias ? g2.sum(0) : torch::Tensor()};
    const auto g = g2.contiguous();
    const auto a = A.reshape({-1, W.size(1)});
    const bool need_a = ctx->needs_input_grad(0);
    torch::Tensor gA = need_a ? torch::empty({g.size(0), W.size(1)}, G.options()) : torch::Tensor();
    const std::int64_t threads = at::get_num_threads();
    auto partial = torch::zeros({threads, W.size(0), W.size(1)}, G.options());
    at::parallel_for(0, g.size(0), row_grain(g.size(0)), [&](std::int64_t beg, std::int64_t end) {
      if (need_a) {
        auto ga = gA.slice(0, beg, end);
        at::mm_out(ga, g.slice(0, beg, end), W);
      }
      auto p = partial[at::get_thread_num()];
      p.addmm_(g.slice(0, beg, end).t(), a.slice(0, beg, end));
    });
    return {need_a ? gA.view(A.sizes()) : torch::Tensor(), threads == 1 ? partial[0] : partial.sum(0),
            bias ? g.sum(0) : torch::Tensor()};
  }
};

}  // namespace

torch::Tensor jets_linear(const torch::Tensor& h, const torch::Tensor& weight, const torch::Tensor& bias) {
  if (h.dim() < 2 || weight.dim() != 2 || h.size(-1) != weight.size(1) ||
      (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0))))
    detail::fail("jets_linear: h ", h.sizes(), ", weight ", weight.sizes(), ", bias ",
                 bias.defined() ? c10::str(bias.sizes()) : std::string("none"),
                 " (expected h (..., in), weight (out, in), bias (out))");
  return JetLinearFunction::apply(h, weight, bias.defined() ? bias : torch::empty({0}, weight.options()));
}

bool has_jets(const std::string& activation) {
  Act act{};
  return parse(activation, act);
}

std::array<torch::Tensor, 3> activation_derivatives(const std::string& activation, const torch::Tensor& z) {
  switch (parse_or_fail(activation)) {
    case Act::Tanh: {
      auto t = torch::tanh(z), s1 = 1 - t * t;
      return {s1, -2 * t * s1, -2 * s1 * (s1 - 2 * t * t)};
    }
    case Act::Sin: return {torch::cos(z), -torch::sin(z), -torch::cos(z)};
    case Act::Sigmoid: {
      auto g = torch::sigmoid(z), s1 = g * (1 - g);
      return {s1, s1 * (1 - 2 * g), s1 * (1 - 6 * g + 6 * g * g)};
    }
    case Act::Silu: {
      auto g = torch::sigmoid(z), g1 = g * (1 - g), g2 = g1 * (1 - 2 * g), g3 = g1 * (1 - 6 * g + 6 * g * g);
      return {g + z * g1, 2 * g1 + z * g2, 3 * g2 + z * g3};
    }
    case Act::Gelu: {
      auto phi = torch::exp(-0.5 * z * z) * (1.0 / std::sqrt(2.0 * M_PI));
      auto Phi = 0.5 * (1.0 + torch::erf(z * M_SQRT1_2));
      return {Phi + z * phi, phi * (2 - z * z), phi * (z * z * z - 4 * z)};
    }
    case Act::Relu: {
      auto s1 = (z > 0).to(z.scalar_type());
      return {s1, torch::zeros_like(z), torch::zeros_like(z)};
    }
    case Act::Elu: {
      auto pos = z > 0, e = torch::exp(torch::clamp_max(z, 0));
      auto zero = torch::zeros_like(z);
      return {torch::where(pos, torch::ones_like(z), e), torch::where(pos, zero, e), torch::where(pos, zero, e)};
    }
    case Act::Selu: {
      auto pos = z > 0, e = kSeluScale * kSeluAlpha * torch::exp(torch::clamp_max(z, 0));
      auto zero = torch::zeros_like(z);
      return {torch::where(pos, torch::full_like(z, kSeluScale), e), torch::where(pos, zero, e),
              torch::where(pos, zero, e)};
    }
    case Act::Linear: return {torch::ones_like(z), torch::zeros_like(z), torch::zeros_like(z)};
  }
  return {torch::Tensor(), torch::Tensor(), torch::Tensor()};
}

torch::Tensor activation_jets_reference(const std::string& activation, const torch::Tensor& z,
                                        const torch::Tensor& dz, const grad::DerivativeSet& set, bool has_second) {
  auto [s1, s2, s3] = activation_derivatives(activation, z);
  const auto nf = static_cast<std::int64_t>(set.first.size());
  std::vector<torch::Tensor> out;
  for (std::int64_t f = 0; f < nf; ++f) out.push_back(s1 * dz[f]);
  for (std::size_t p = 0; p < set.second.size(); ++p) {
    auto [i, k] = set.second[p];
    auto t = s2 * dz[set.index_of(i)] * dz[set.index_of(k)];
    if (has_second) t = t + s1 * dz[nf + static_cast<std::int64_t>(p)];
    out.push_back(t);
  }
  return torch::stack(out);
}

torch::Tensor activation_jets(const std::string& activation, const torch::Tensor& z, const torch::Tensor& a,
                              const torch::Tensor& dz, const grad::DerivativeSet& set, bool has_second) {
  const auto K = static_cast<std::int64_t>(has_second ? set.size() : set.first.size());
  if (z.dim() != 2 || a.sizes() != z.sizes() || dz.dim() != 3 || dz.size(0) != K || dz.size(1) != z.size(0) ||
      dz.size(2) != z.size(1))
    detail::fail("activation_jets: z ", z.sizes(), ", a ", a.sizes(), ", dz ", dz.sizes(), " (expected z and a (N, w), dz (",
                 K, ", N, w))");
  if (set.empty()) return torch::empty({0, z.size(0), z.size(1)}, z.options());
  return ActivationJetFunction::apply(z, a.detach(), dz, activation, set, has_second);
}

}  // namespace pinnxde::nn
