// Fused jet loops for the forward derivative engine (see nn/jets.hpp). One pass over a layer's elements
// computes sigma', sigma'' (and sigma''' backwards) once and applies them to every derivative slice, where
// ordinary LibTorch operations would launch a dozen kernels per layer and read every slice several times.
#include "host_loops.hpp"
#include "pinnxde/nn/jets.hpp"

#include <ATen/Parallel.h>
#include <torch/types.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define PINNXDE_AVX2_KERNELS 1
#else
#define PINNXDE_AVX2_KERNELS 0
#endif

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <type_traits>

#include "pinnxde/error.hpp"
#include "pinnxde/nn/activations.hpp"

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

#if PINNXDE_AVX2_KERNELS
// a = tanh(z) for one block, by glibc's vector math library (libmvec: 8 floats or 4 doubles per call,
// within 1 ulp here, about twice as fast as LibTorch's kernel). Only called from the AVX2 loops.
extern "C" __m256 _ZGVdN8v_tanhf(__m256);
extern "C" __m256d _ZGVdN4v_tanh(__m256d);

template <class T>
__attribute__((target("avx2,fma"))) inline void tanh_block_avx2(const T* z, T* a, std::int64_t n) {
  std::int64_t e = 0;
  if constexpr (std::is_same_v<T, float>) {
    for (; e + 8 <= n; e += 8) _mm256_storeu_ps(a + e, _ZGVdN8v_tanhf(_mm256_loadu_ps(z + e)));
  } else {
    for (; e + 4 <= n; e += 4) _mm256_storeu_pd(a + e, _ZGVdN4v_tanh(_mm256_loadu_pd(z + e)));
  }
  for (; e < n; ++e) a[e] = std::tanh(z[e]);
}
#endif

// The loops below are compiled twice (target attributes on thin wrappers): for the baseline x86-64 ISA and
// for AVX2 + FMA, which the wrappers pick at run time (kernels_avx2()). `make_a`: the loop computes
// a = tanh(z) itself (AVX2 only); otherwise a was filled before.
template <Act A, class T, bool Avx2>
inline __attribute__((always_inline)) void forward_body(const Layout& L, const T* __restrict z, T* __restrict a,
                                                         bool make_a, const T* b0, const T* b1,
                                                         const T* __restrict dz, T* __restrict out,
                                                         std::int64_t begin, std::int64_t end) {
  T s1[kBlock], s2[kBlock], s3[kBlock];
  for (std::int64_t e0 = begin; e0 < end; e0 += kBlock) {
    const std::int64_t n = std::min(kBlock, end - e0);
#if PINNXDE_AVX2_KERNELS
    if constexpr (Avx2 && A == Act::Tanh) {
      if (make_a) tanh_block_avx2<T>(z + e0, a + e0, n);
    }
#endif
    for (std::int64_t e = 0; e < n; ++e)
      derivs<A, T>(z[e0 + e], a[e0 + e], b0 ? b0[e0 + e] : T(0), b1 ? b1[e0 + e] : T(0), s1[e], s2[e], s3[e]);
    for (std::int64_t f = 0; f < L.nf; ++f) {
      const T* __restrict d = dz + f * L.M + e0;
      T* __restrict o = out + f * L.M + e0;
      for (std::int64_t e = 0; e < n; ++e) o[e] = s1[e] * d[e];
    }
    for (std::int64_t p = 0; p < L.np; ++p) {
      const T* di = dz + L.pi[p] * L.M + e0;
      const T* dk = dz + L.pk[p] * L.M + e0;
      T* __restrict o = out + (L.nf + p) * L.M + e0;
      if (L.has_second) {
        const T* d2 = dz + (L.nf + p) * L.M + e0;
        for (std::int64_t e = 0; e < n; ++e) o[e] = s2[e] * di[e] * dk[e] + s1[e] * d2[e];
      } else {
        for (std::int64_t e = 0; e < n; ++e) o[e] = s2[e] * di[e] * dk[e];
      }
    }
  }
}

// Gradients of sum(Ga * a) + sum(G * out) with respect to z and dz (Ga may be null: the value unused).
template <Act A, class T>
inline __attribute__((always_inline)) void backward_body(const Layout& L, const T* z, const T* a, const T* b0,
                                                          const T* b1, const T* dz, const T* Ga, const T* G,
                                                          T* gz, T* gdz, std::int64_t begin, std::int64_t end) {
  T s1[kBlock], s2[kBlock], s3[kBlock], acc[kBlock];
  for (std::int64_t e0 = begin; e0 < end; e0 += kBlock) {
    const std::int64_t n = std::min(kBlock, end - e0);
    for (std::int64_t e = 0; e < n; ++e)
      derivs<A, T>(z[e0 + e], a[e0 + e], b0 ? b0[e0 + e] : T(0), b1 ? b1[e0 + e] : T(0), s1[e], s2[e], s3[e]);
    if (Ga) {
      for (std::int64_t e = 0; e < n; ++e) acc[e] = s1[e] * Ga[e0 + e];
    } else {
      for (std::int64_t e = 0; e < n; ++e) acc[e] = T(0);
    }
    for (std::int64_t f = 0; f < L.nf; ++f) {
      const T* __restrict g = G + f * L.M + e0;
      const T* __restrict d = dz + f * L.M + e0;
      T* __restrict gd = gdz + f * L.M + e0;
      for (std::int64_t e = 0; e < n; ++e) {
        gd[e] = s1[e] * g[e];
        acc[e] += s2[e] * g[e] * d[e];
      }
    }
    for (std::int64_t p = 0; p < L.np; ++p) {
      const T* __restrict g = G + (L.nf + p) * L.M + e0;
      const T* __restrict di = dz + L.pi[p] * L.M + e0;
      T* __restrict gdi = gdz + L.pi[p] * L.M + e0;
      if (L.pi[p] == L.pk[p]) {  // a pure second derivative: both directions the same slice
        for (std::int64_t e = 0; e < n; ++e) {
          const T t = s2[e] * g[e];
          gdi[e] += T(2) * t * di[e];
          acc[e] += s3[e] * g[e] * di[e] * di[e];
        }
      } else {
        const T* __restrict dk = dz + L.pk[p] * L.M + e0;
        T* __restrict gdk = gdz + L.pk[p] * L.M + e0;
        for (std::int64_t e = 0; e < n; ++e) {
          const T t = s2[e] * g[e];
          gdi[e] += t * dk[e];
          gdk[e] += t * di[e];
          acc[e] += s3[e] * g[e] * di[e] * dk[e];
        }
      }
      if (L.has_second) {
        const T* __restrict d2 = dz + (L.nf + p) * L.M + e0;
        T* __restrict gd2 = gdz + (L.nf + p) * L.M + e0;
        for (std::int64_t e = 0; e < n; ++e) {
          gd2[e] = s1[e] * g[e];
          acc[e] += s2[e] * g[e] * d2[e];
        }
      }
    }
    for (std::int64_t e = 0; e < n; ++e) gz[e0 + e] = acc[e];
  }
}

#if PINNXDE_AVX2_KERNELS
#define PINNXDE_TARGET_AVX2 __attribute__((target("avx2,fma")))
#else
#define PINNXDE_TARGET_AVX2
#endif
template <Act A, class T>
PINNXDE_TARGET_AVX2 void forward_avx2(const Layout& L, const T* z, T* a, bool make_a, const T* b0,
                                                      const T* b1, const T* dz, T* out, std::int64_t begin,
                                                      std::int64_t end) {
  forward_body<A, T, true>(L, z, a, make_a, b0, b1, dz, out, begin, end);
}
template <Act A, class T>
void forward_generic(const Layout& L, const T* z, T* a, const T* b0, const T* b1, const T* dz, T* out,
                     std::int64_t begin, std::int64_t end) {
  forward_body<A, T, false>(L, z, a, false, b0, b1, dz, out, begin, end);
}
template <Act A, class T>
PINNXDE_TARGET_AVX2 void backward_avx2(const Layout& L, const T* z, const T* a, const T* b0,
                                                       const T* b1, const T* dz, const T* Ga, const T* G, T* gz,
                                                       T* gdz, std::int64_t begin, std::int64_t end) {
  backward_body<A, T>(L, z, a, b0, b1, dz, Ga, G, gz, gdz, begin, end);
}
template <Act A, class T>
void backward_generic(const Layout& L, const T* z, const T* a, const T* b0, const T* b1, const T* dz, const T* Ga,
                      const T* G, T* gz, T* gdz, std::int64_t begin, std::int64_t end) {
  backward_body<A, T>(L, z, a, b0, b1, dz, Ga, G, gz, gdz, begin, end);
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

constexpr std::int64_t kGrain = 2048;  // elements per task: small layers stay on one thread

// The AVX2 + FMA loops where the CPU has them (and PINNXDE_KERNELS is not "generic", which tests use to
// check the baseline loops on a machine that has AVX2).
bool kernels_avx2() {
  static const bool avx2 = [] {
    const char* env = std::getenv("PINNXDE_KERNELS");
    if (env && std::string(env) == "generic") return false;
#if PINNXDE_AVX2_KERNELS
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
  }();
  return avx2;
}

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Each pair's two directions as positions among the first derivatives (the slices the loops read).
struct PairSlices {
  std::vector<std::int64_t> pi, pk;
};
PairSlices pair_slices(const grad::DerivativeSet& set) {
  PairSlices out;
  for (auto [i, k] : set.second) {
    const auto a = set.index_of(i), b = set.index_of(k);
    if (a < 0 || b < 0) detail::fail("activation_jets: pair (", i, ", ", k, ") uses a direction not in set.first");
    out.pi.push_back(a);
    out.pk.push_back(b);
  }
  return out;
}

// a = sigma(z) and its jets in one (1 + K, N, w) tensor (slice 0 the value). The input is z (N, w) with
// dz (Kin, N, w), or (packed) one (1 + Kin, N, w) tensor holding both; Kin = K without has_second, the
// first derivatives only. The value's gradient and the jets' gradients come back in one fused loop.
struct ActivationJetFunction : torch::autograd::Function<ActivationJetFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& zin, const torch::Tensor& dzin,
                               const std::string& name, const grad::DerivativeSet& set, bool has_second,
                               bool packed) {
    const Act act = parse_or_fail(name);
    const auto zc = zin.contiguous();
    const auto dzc = packed ? torch::Tensor() : dzin.contiguous();
    const auto z = packed ? zc.select(0, 0) : zc;
    const std::int64_t N = z.size(0), w = z.size(1), K = static_cast<std::int64_t>(set.size());
    auto out = torch::empty({1 + K, N, w}, z.options());
    auto a = out.select(0, 0);
    const bool avx2 = kernels_avx2();
    const bool make_a = avx2 && act == Act::Tanh;
    if (!make_a) {
      if (act == Act::Tanh) at::tanh_out(a, z);
      else a.copy_(get_activation(name)(z));
    }
    auto h = helpers(act, z);
    const auto [pi, pk] = pair_slices(set);
    const Layout lay{N * w, static_cast<std::int64_t>(set.first.size()),
                     static_cast<std::int64_t>(set.second.size()), pi.data(), pk.data(), has_second};
    AT_DISPATCH_FLOATING_TYPES(z.scalar_type(), "activation_jets", [&] {
      const scalar_t* zp = zc.data_ptr<scalar_t>();
      const scalar_t* dzp = packed ? zp + lay.M : dzc.data_ptr<scalar_t>();
      scalar_t* op = out.data_ptr<scalar_t>();
      const scalar_t *h0 = ptr<scalar_t>(h[0]), *h1 = ptr<scalar_t>(h[1]);
      dispatch_act(act, [&]<Act A>() {
        at::parallel_for(0, lay.M, kGrain, [&](std::int64_t b, std::int64_t e) {
          if (avx2) forward_avx2<A, scalar_t>(lay, zp, op, make_a, h0, h1, dzp, op + lay.M, b, e);
          else forward_generic<A, scalar_t>(lay, zp, op, h0, h1, dzp, op + lay.M, b, e);
        });
      });
    });
    ctx->save_for_backward({zin, dzin, out});
    ctx->saved_data["name"] = name;
    ctx->saved_data["first"] = set.first;
    std::vector<std::int64_t> flat;
    for (auto [i, k] : set.second) {
      flat.push_back(i);
      flat.push_back(k);
    }
    ctx->saved_data["second"] = flat;
    ctx->saved_data["has_second"] = has_second;
    ctx->saved_data["packed"] = packed;
    if (h[0].defined()) ctx->saved_data["h0"] = h[0];
    if (h[1].defined()) ctx->saved_data["h1"] = h[1];
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto& zin = saved[0];
    const auto& dzin = saved[1];
    const auto& out = saved[2];
    const std::string name = ctx->saved_data["name"].toStringRef();
    grad::DerivativeSet set;
    set.first = ctx->saved_data["first"].toIntVector();
    const auto flat = ctx->saved_data["second"].toIntVector();
    for (std::size_t p = 0; p < flat.size(); p += 2) set.second.emplace_back(flat[p], flat[p + 1]);
    const bool has_second = ctx->saved_data["has_second"].toBool();
    const bool packed = ctx->saved_data["packed"].toBool();
    auto G = grads[0];
    const tensor_list none(6);
    if (!G.defined()) return none;
    const std::int64_t Kin = packed ? zin.size(0) - 1 : dzin.size(0);
    if (torch::GradMode::is_enabled()) {
      // A graph of this backward is being built (a derivative of a jet taken in reverse mode): differentiate
      // the reference formulas, whose every operation autograd knows to any order.
      const auto z = packed ? zin.select(0, 0) : zin;
      const auto dz = packed ? zin.narrow(0, 1, Kin) : dzin;
      auto ref = torch::cat({get_activation(name)(z).unsqueeze(0), activation_jets_reference(name, z, dz, set,
                                                                                              has_second)});
      if (packed) {
        auto g = torch::autograd::grad({ref}, {zin}, {G}, true, true, true);
        return {g[0], torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
      }
      auto g = torch::autograd::grad({ref}, {zin, dzin}, {G}, true, true, true);
      return {g[0], g[1], torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
    const Act act = parse_or_fail(name);
    torch::Tensor h0 = ctx->saved_data.count("h0") ? ctx->saved_data["h0"].toTensor() : torch::Tensor();
    torch::Tensor h1 = ctx->saved_data.count("h1") ? ctx->saved_data["h1"].toTensor() : torch::Tensor();
    G = G.contiguous();
    const auto zc = zin.contiguous();
    const auto dzc = packed ? torch::Tensor() : dzin.contiguous();
    const std::int64_t N = out.size(1), w = out.size(2);
    const auto [pi, pk] = pair_slices(set);
    const Layout lay{N * w, static_cast<std::int64_t>(set.first.size()),
                     static_cast<std::int64_t>(set.second.size()), pi.data(), pk.data(), has_second};
    // packed: one (1 + Kin, N, w) gradient, z's in slice 0; else z's (N, w) and dz's (Kin, N, w)
    auto gin = packed ? torch::empty({1 + Kin, N, w}, G.options()) : torch::empty({N, w}, G.options());
    auto gdz = packed ? torch::Tensor() : torch::empty({Kin, N, w}, G.options());
    const bool avx2 = kernels_avx2();
    AT_DISPATCH_FLOATING_TYPES(G.scalar_type(), "activation_jets_backward", [&] {
      const scalar_t* zp = zc.data_ptr<scalar_t>();
      const scalar_t* dzp = packed ? zp + lay.M : dzc.data_ptr<scalar_t>();
      const scalar_t* ap = out.data_ptr<scalar_t>();
      const scalar_t* gp = G.data_ptr<scalar_t>();
      scalar_t* gzp = gin.data_ptr<scalar_t>();
      scalar_t* gdzp = packed ? gzp + lay.M : gdz.data_ptr<scalar_t>();
      const scalar_t *h0p = ptr<scalar_t>(h0), *h1p = ptr<scalar_t>(h1);
      dispatch_act(act, [&]<Act A>() {
        at::parallel_for(0, lay.M, kGrain, [&](std::int64_t b, std::int64_t e) {
          if (avx2) backward_avx2<A, scalar_t>(lay, zp, ap, h0p, h1p, dzp, gp, gp + lay.M, gzp, gdzp, b, e);
          else backward_generic<A, scalar_t>(lay, zp, ap, h0p, h1p, dzp, gp, gp + lay.M, gzp, gdzp, b, e);
        });
      });
    });
    return {gin, gdz, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// D = A W^T over the stacked derivative slices, its rows split among LibTorch's threads: LibTorch runs a
// matrix product on one thread (OpenBLAS is single-threaded inside its parallel regions, see runtime.cpp),
// and these products are most of a forward-engine step.
std::int64_t row_grain(std::int64_t rows) {
  const std::int64_t t = at::get_num_threads();
  return std::max<std::int64_t>(256, (rows + t - 1) / t);
}

// A W^T (+ b) for A (..., in): the rows split among LibTorch's threads. The bias goes to the first
// `bias_rows` rows of A's (R, in) view (all when negative): a packed (1 + K, N, in) input takes it on its
// value slice only, derivatives of an affine map losing the bias.
struct JetLinearFunction : torch::autograd::Function<JetLinearFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& A, const torch::Tensor& W,
                               const torch::Tensor& b, std::int64_t bias_rows) {
    ctx->save_for_backward({A, W});
    const bool has_bias = b.numel() > 0;  // an empty tensor stands for "no bias" (apply needs defined inputs)
    const auto a = A.reshape({-1, A.size(-1)});
    const std::int64_t R = a.size(0), nb = !has_bias ? 0 : bias_rows < 0 ? R : std::min(bias_rows, R);
    ctx->saved_data["bias_rows"] = nb;
    ctx->saved_data["bias"] = has_bias;
    auto out = torch::empty({R, W.size(0)}, A.options());
    const auto wt = W.t();
    at::parallel_for(0, R, row_grain(R), [&](std::int64_t beg, std::int64_t end) {
      torch::NoGradGuard no_grad;  // grad mode is per thread: LibTorch's workers start with it on
      at::AutoDispatchBelowADInplaceOrView below_autograd;
      const std::int64_t mid = std::clamp(nb, beg, end);
      if (mid > beg) {
        auto o = out.slice(0, beg, mid);
        at::addmm_out(o, b, a.slice(0, beg, mid), wt);
      }
      if (end > mid) {
        auto o = out.slice(0, mid, end);
        at::mm_out(o, a.slice(0, mid, end), wt);
      }
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
    const std::int64_t nb = ctx->saved_data["bias_rows"].toInt();
    auto G = grads[0];
    if (!G.defined()) return {torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    const auto g2 = G.reshape({-1, W.size(0)});
    if (torch::GradMode::is_enabled())  // a graph of this backward is being built: ordinary operations
      return {torch::matmul(G, W), g2.t().mm(A.reshape({-1, W.size(1)})),
              bias ? g2.narrow(0, 0, nb).sum(0) : torch::Tensor(), torch::Tensor()};
    const auto g = g2.contiguous();
    const auto a = A.reshape({-1, W.size(1)});
    const bool need_a = ctx->needs_input_grad(0);
    torch::Tensor gA = need_a ? torch::empty({g.size(0), W.size(1)}, G.options()) : torch::Tensor();
    const std::int64_t threads = at::get_num_threads();
    auto partial = torch::zeros({threads, W.size(0), W.size(1)}, G.options());
    at::parallel_for(0, g.size(0), row_grain(g.size(0)), [&](std::int64_t beg, std::int64_t end) {
      torch::NoGradGuard no_grad;
      at::AutoDispatchBelowADInplaceOrView below_autograd;
      if (need_a) {
        auto ga = gA.slice(0, beg, end);
        at::mm_out(ga, g.slice(0, beg, end), W);
      }
      auto p = partial[at::get_thread_num()];
      p.addmm_(g.slice(0, beg, end).t(), a.slice(0, beg, end));
    });
    return {need_a ? gA.view(A.sizes()) : torch::Tensor(), threads == 1 ? partial[0] : partial.sum(0),
            bias ? g.narrow(0, 0, nb).sum(0) : torch::Tensor(), torch::Tensor()};
  }
};

void check_linear(const char* where, const torch::Tensor& h, const torch::Tensor& weight, const torch::Tensor& bias,
                  std::int64_t min_dim) {
  if (h.dim() < min_dim || weight.dim() != 2 || h.size(-1) != weight.size(1) ||
      (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0))))
    detail::fail(where, ": h ", h.sizes(), ", weight ", weight.sizes(), ", bias ",
                 bias.defined() ? c10::str(bias.sizes()) : std::string("none"),
                 min_dim == 3 ? " (expected h (1 + K, N, in), weight (out, in), bias (out))"
                              : " (expected h (..., in), weight (out, in), bias (out))");
}

}  // namespace

torch::Tensor jets_linear(const torch::Tensor& h, const torch::Tensor& weight, const torch::Tensor& bias) {
  check_linear("jets_linear", h, weight, bias, 2);
  if (!detail::host_loops(h)) return bias.defined() ? torch::matmul(h, weight.t()) + bias : torch::matmul(h, weight.t());
  return JetLinearFunction::apply(h, weight, bias.defined() ? bias : torch::empty({0}, weight.options()), -1);
}

torch::Tensor jets_linear_packed(const torch::Tensor& packed, const torch::Tensor& weight, const torch::Tensor& bias) {
  check_linear("jets_linear_packed", packed, weight, bias, 3);
  if (packed.dim() != 3) detail::fail("jets_linear_packed: h ", packed.sizes(), " (expected (1 + K, N, in))");
  if (!detail::host_loops(packed)) {  // one product on the device; the bias on the value slice only
    auto out = torch::matmul(packed, weight.t());
    if (bias.defined()) out.select(0, 0).add_(bias);
    return out;
  }
  return JetLinearFunction::apply(packed, weight, bias.defined() ? bias : torch::empty({0}, weight.options()),
                                  packed.size(1));
}

bool has_jets(const std::string& activation) {
  Act act{};
  return parse(activation, act);
}

std::array<torch::Tensor, 4> activation_derivatives(const std::string& activation, const torch::Tensor& z) {
  switch (parse_or_fail(activation)) {
    case Act::Tanh: {
      auto t = torch::tanh(z), t2 = t * t, s1 = 1 - t2;
      return {s1, -2 * t * s1, -2 * s1 * (s1 - 2 * t2), 8 * t * s1 * (2 * s1 - t2)};
    }
    case Act::Sin: {
      auto c = torch::cos(z), sn = torch::sin(z);
      return {c, -sn, -c, sn};
    }
    case Act::Sigmoid: {
      auto g = torch::sigmoid(z), s1 = g * (1 - g);
      return {s1, s1 * (1 - 2 * g), s1 * (1 - 6 * g + 6 * g * g), s1 * (1 - 14 * g + 36 * g * g - 24 * g * g * g)};
    }
    case Act::Silu: {  // z g(z): (z g)^(n) = n g^(n-1) + z g^(n)
      auto g = torch::sigmoid(z), g1 = g * (1 - g), g2 = g1 * (1 - 2 * g), g3 = g1 * (1 - 6 * g + 6 * g * g);
      auto g4 = g1 * (1 - 14 * g + 36 * g * g - 24 * g * g * g);
      return {g + z * g1, 2 * g1 + z * g2, 3 * g2 + z * g3, 4 * g3 + z * g4};
    }
    case Act::Gelu: {  // z Phi(z); Phi' = phi, phi' = -z phi
      auto phi = torch::exp(-0.5 * z * z) * (1.0 / std::sqrt(2.0 * M_PI));
      auto Phi = 0.5 * (1.0 + torch::erf(z * M_SQRT1_2));
      auto z2 = z * z;
      return {Phi + z * phi, phi * (2 - z2), phi * (z2 * z - 4 * z), phi * (7 * z2 - z2 * z2 - 4)};
    }
    case Act::Relu: {
      auto s1 = (z > 0).to(z.scalar_type());
      auto zero = torch::zeros_like(z);
      return {s1, zero, zero, zero};
    }
    case Act::Elu: {
      auto pos = z > 0, e = torch::exp(torch::clamp_max(z, 0));
      auto s2 = torch::where(pos, torch::zeros_like(z), e);
      return {torch::where(pos, torch::ones_like(z), e), s2, s2, s2};
    }
    case Act::Selu: {
      auto pos = z > 0, e = kSeluScale * kSeluAlpha * torch::exp(torch::clamp_max(z, 0));
      auto s2 = torch::where(pos, torch::zeros_like(z), e);
      return {torch::where(pos, torch::full_like(z, kSeluScale), e), s2, s2, s2};
    }
    case Act::Linear: {
      auto zero = torch::zeros_like(z);
      return {torch::ones_like(z), zero, zero, zero};
    }
  }
  return {torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
}

torch::Tensor activation_jets_reference(const std::string& activation, const torch::Tensor& z,
                                        const torch::Tensor& dz, const grad::DerivativeSet& set, bool has_second) {
  auto [s1, s2, s3, s4] = activation_derivatives(activation, z);
  const auto nf = static_cast<std::int64_t>(set.first.size());
  // Slice `idx` of dz, or undefined where z's higher derivatives are zero (z affine in x).
  auto slice = [&](std::int64_t idx) { return idx < nf || has_second ? dz[idx] : torch::Tensor(); };
  std::vector<torch::Tensor> out;
  for (std::int64_t f = 0; f < nf; ++f) out.push_back(s1 * dz[f]);
  for (auto [i, k] : set.second) {
    auto t = s2 * dz[set.index_of(i)] * dz[set.index_of(k)];
    if (auto zik = slice(set.index_of(i, k)); zik.defined()) t = t + s1 * zik;
    out.push_back(t);
  }
  // Pure orders along x_j by Faa di Bruno's formula, with z1 = dz/dx_j, z2 = d2z/dx_j2, ... (s1 = sigma'):
  //   d3a/dx_j3 = s3 z1^3 + 3 s2 z1 z2 + s1 z3
  //   d4a/dx_j4 = s4 z1^4 + 6 s3 z1^2 z2 + s2 (4 z1 z3 + 3 z2^2) + s1 z4
  for (auto [j, n] : set.higher) {
    const auto z1 = dz[set.index_of(j)];
    const auto z2 = slice(set.index_of(j, j));
    const auto z1_2 = z1 * z1;
    torch::Tensor t;
    if (n == 3) {
      t = s3 * z1_2 * z1;
      if (z2.defined()) t = t + 3 * s2 * z1 * z2 + s1 * dz[set.index_of(std::vector<std::int64_t>{j, j, j})];
    } else {
      t = s4 * z1_2 * z1_2;
      if (z2.defined())
        t = t + 6 * s3 * z1_2 * z2 +
            s2 * (4 * z1 * dz[set.index_of(std::vector<std::int64_t>{j, j, j})] + 3 * z2 * z2) +
            s1 * dz[set.index_of(std::vector<std::int64_t>{j, j, j, j})];
    }
    out.push_back(t);
  }
  if (out.empty()) return torch::empty({0, z.size(0), z.size(1)}, z.options());
  return torch::stack(out);
}

torch::Tensor activation_packed(const std::string& activation, const torch::Tensor& z, const torch::Tensor& dz,
                                const grad::DerivativeSet& set, bool has_second) {
  const bool packed = !dz.defined();
  const auto K = static_cast<std::int64_t>(has_second ? set.size() : set.first.size());
  const bool ok = packed ? z.dim() == 3 && z.size(0) == 1 + K
                         : z.dim() == 2 && dz.dim() == 3 && dz.size(0) == K && dz.size(1) == z.size(0) &&
                               dz.size(2) == z.size(1);
  if (!ok) {
    if (packed)
      detail::fail("activation_jets: packed z ", z.sizes(), " (expected (1 + ", K, ", N, w))");
    detail::fail("activation_jets: z ", z.sizes(), ", dz ", dz.sizes(), " (expected z (N, w), dz (", K, ", N, w))");
  }
  if (!set.higher.empty() || !detail::host_loops(z)) {
    // Third and fourth orders (a beam's u''''), or z on a device the fused loops cannot read (CUDA):
    // ordinary operations, which autograd differentiates.
    const auto zv = packed ? z.select(0, 0) : z;
    return torch::cat({get_activation(activation)(zv).unsqueeze(0),
                       activation_jets_reference(activation, zv, packed ? z.narrow(0, 1, K) : dz, set, has_second)},
                      0);
  }
  return ActivationJetFunction::apply(z, packed ? torch::empty({0}, z.options()) : dz, activation, set, has_second,
                                      packed);
}

torch::Tensor activation_jets(const std::string& activation, const torch::Tensor& z, const torch::Tensor& a,
                              const torch::Tensor& dz, const grad::DerivativeSet& set, bool has_second) {
  const auto K = static_cast<std::int64_t>(has_second ? set.size() : set.first.size());
  if (z.dim() != 2 || a.sizes() != z.sizes() || dz.dim() != 3 || dz.size(0) != K || dz.size(1) != z.size(0) ||
      dz.size(2) != z.size(1))
    detail::fail("activation_jets: z ", z.sizes(), ", a ", a.sizes(), ", dz ", dz.sizes(), " (expected z and a (N, w), dz (",
                 K, ", N, w))");
  if (set.empty()) return torch::empty({0, z.size(0), z.size(1)}, z.options());
  return activation_packed(activation, z, dz, set, has_second).narrow(0, 1, static_cast<std::int64_t>(set.size()));
}

}  // namespace pinnxde::nn
