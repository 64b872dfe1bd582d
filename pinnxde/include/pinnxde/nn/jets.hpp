#pragma once
// Jets through activations: what the forward derivative engine needs of a network's nonlinearity.
//
// A hidden layer maps h -> a = sigma(z), z = h W^T + b. Given the derivatives of z along input directions
// (first: dz/dx_f; second: d2z/dx_i dx_k), the chain rule gives
//   da/dx_f        = sigma'(z) dz/dx_f
//   d2a/dx_i dx_k  = sigma''(z) dz/dx_i dz/dx_k + sigma'(z) d2z/dx_i dx_k
// and the parameter gradient of anything built from them needs sigma'''. Every activation FNN offers has
// these in closed form; activation_jets evaluates them in one fused, multithreaded loop per layer (and
// its backward in another), which is what makes the forward engine fast. See docs/performance.md.
#include <torch/types.h>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pinnxde/grad/engine.hpp"

namespace pinnxde::nn {

/// True when `activation` (a get_activation name) has closed-form derivatives for the forward engine.
bool has_jets(const std::string& activation);

/// sigma', sigma'', sigma''', sigma'''' at z by ordinary (differentiable) LibTorch operations.
std::array<torch::Tensor, 4> activation_derivatives(const std::string& activation, const torch::Tensor& z);

/// Derivatives of a = sigma(z) from those of z.
///   z, a:  (N, w) pre-activation and activation (a = sigma(z), computed by the caller);
///   dz:    (K, N, w): set.first.size() first derivatives in set.first's order, then (when has_second) the
///          set.second pairs' second derivatives; without has_second only the first ones (K = set.first.size()),
///          the second derivatives of z being zero (the first layer: z is affine in x).
/// Returns (set.size(), N, w) in the same order. Differentiable in z and dz (by a fused backward loop; when
/// a graph of the backward itself is being built, by ordinary operations, so any order is exact).
torch::Tensor activation_jets(const std::string& activation, const torch::Tensor& z, const torch::Tensor& a,
                              const torch::Tensor& dz, const grad::DerivativeSet& set, bool has_second);

/// h W^T (+ bias) for h (..., in) and a layer's weight (out, in) -> (..., out): a linear layer whose rows
/// are split among LibTorch's threads (LibTorch runs a matrix product on one thread). The sweep uses it for
/// the values (with the bias) and for the stacked derivative slices (K, N, in) (without: derivatives of an
/// affine map lose the bias). Differentiable in h, weight and bias to any order.
torch::Tensor jets_linear(const torch::Tensor& h, const torch::Tensor& weight,
                          const torch::Tensor& bias = torch::Tensor());

/// The sweep's own forms of the two above, for a hidden quantity carried as one (1 + K, N, w) tensor, its
/// value in slice 0 and the K derivative slices after it (nn/layer_jets.hpp's HiddenJets::packed):
/// - jets_linear_packed: one matrix product for the value and every slice, the bias added to slice 0 only;
/// - activation_packed: a = sigma(z) and its jets, (1 + set.size(), N, w), from z (N, w) with dz (K, N, w),
///   or from a packed z (1 + K, N, w) when dz is undefined; the value's gradient and the jets' come back in
///   one fused loop. For tanh, the AVX2 loop computes a itself (glibc's vector tanh, within 1 ulp of
///   LibTorch's).
torch::Tensor jets_linear_packed(const torch::Tensor& packed, const torch::Tensor& weight,
                                 const torch::Tensor& bias = torch::Tensor());
torch::Tensor activation_packed(const std::string& activation, const torch::Tensor& z, const torch::Tensor& dz,
                                const grad::DerivativeSet& set, bool has_second);

/// The same by ordinary LibTorch operations (the reference the fused loops are tested against).
torch::Tensor activation_jets_reference(const std::string& activation, const torch::Tensor& z,
                                        const torch::Tensor& dz, const grad::DerivativeSet& set, bool has_second);

/// A network's output transform (x, y) -> z (nn.hpp's OutputTransform).
using OutputTransformFn = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& y)>;

/// Jets of z = f(x, y) from the network's jets of y (src/transform_jets.cpp): f's partial derivatives by
/// reverse mode through f alone, one path per direction and per mixed pair. Requires f row-wise.
grad::Jets output_transform_jets(const OutputTransformFn& f, const torch::Tensor& x, const grad::Jets& core);

/// What the forward engine keeps about an output transform f between steps (NNImpl holds one per transform):
/// whether f is affine in y, z = A(x) + sum_b B_b(x) y_b (every hard constraint is: g(x) + d(x) y), decided
/// on the first sweep; and then the jets of A and of each B_b, which depend on x alone, for the last few
/// inputs (a step evaluates the network on several row ranges: the residual's, a derivative condition's, the
/// test set's).
struct AffineTransformCache {
  struct Entry {
    torch::Tensor x;              // the input the coefficients were taken on (kept alive, so its memory with
    std::uint32_t x_version = 0;  // its shape, layout and version identify it)
    grad::DerivativeSet set;
    torch::Tensor A, dA;          // (N, dim_z), (K, N, dim_z)
    torch::Tensor B, dB;          // (dim_y, N, dim_z), (dim_y, K, N, dim_z)
    // The second-derivative pairs (i, k): the positions of i and of k among the first derivatives, and dB
    // at those slices, (dim_y, pairs, N, dim_z) each.
    torch::Tensor pair_i, pair_k, dB_i, dB_k;
  };
  static constexpr std::size_t kMaxEntries = 8;
  std::optional<bool> affine;
  std::vector<Entry> entries;  // most recently used last
};

/// Jets of z = f(x, y) when f is affine in y (checked on the first call with `cache`; nullopt otherwise, and
/// on every later call): z_j = A_j + sum_b (B_b,j y_b + B_b y_b,j), and the product rule alike for the second
/// derivatives, with the jets of A and B_b taken on x alone (by the paths of output_transform_jets, all in
/// one evaluation of f on stacked rows) and reused for as long as x is the same unmodified tensor and f
/// captures no trainable tensor. A step then pays a few products for the transform instead of f's reverse
/// passes and their second differentiation in the parameter gradient. Requires f row-wise.
std::optional<grad::Jets> affine_output_transform_jets(const OutputTransformFn& f, const torch::Tensor& x,
                                                       const grad::Jets& core, AffineTransformCache& cache);

/// Jets of a feature transform phi(x) (value (N, w), derivatives (set.size(), N, w), the second ones
/// included), by the same paths with no y. Requires phi row-wise.
grad::Jets feature_transform_jets(const std::function<torch::Tensor(const torch::Tensor&)>& phi,
                                  const torch::Tensor& x, const grad::DerivativeSet& set);

/// Whether f is row-wise (row n of f(x, y) depends on row n of x and y only), checked on x, y: f on the last
/// rows in reverse order must equal those rows of f on all of them.
bool transform_is_row_wise(const OutputTransformFn& f, const torch::Tensor& x, const torch::Tensor& y);

}  // namespace pinnxde::nn
