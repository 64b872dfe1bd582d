#pragma once
// Building blocks of pinnxde's networks, each with its forward-engine rule: a hidden quantity carried
// together with its derivatives along the input directions a DerivativeSet asks for ("jets"), and the
// operations networks are made of (dense layers, activations, sums, products, concatenations, scalings).
// A network written with these propagates value and derivatives in one sweep (grad/engine.hpp), and its
// plain forward uses the same layers without the derivatives.
//
//   HiddenJets h = jet::input(x);                 // x itself: dx/dx_j = e_j
//   h = dense.jets(h, set);                       // sigma(n a (h W^T + b))
//   return jet::finish(dense_out.jets(h, set), set);
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "pinnxde/grad/engine.hpp"
#include "pinnxde/nn/activations.hpp"
#include "pinnxde/nn/initializers.hpp"

namespace pinnxde::nn {

/// A hidden quantity h (N, w) with its derivatives along `set`.
struct HiddenJets {
  torch::Tensor value;      // (N, w)
  /// (K, N, w): the first derivatives in set.first's order, then (when has_second) the set.second pairs'
  /// second derivatives. Without has_second only the first ones (the second ones are zero: h affine in x).
  /// Undefined when `identity`.
  torch::Tensor d;
  bool has_second = false;
  bool identity = false;    // h is the network input x itself (dh/dx_j = e_j), nothing materialised
  /// (1 + K, N, w) when a dense layer or an activation made value and d as one tensor (value = packed[0],
  /// d = packed[1:], views): the next dense layer then takes one matrix product for all of them.
  torch::Tensor packed;
};

namespace jet {

/// The network input: value x, derivatives the unit vectors (not materialised).
HiddenJets input(const torch::Tensor& x);
/// h W^T + b. W (out, in), b (out) or undefined. From the input the derivatives are W's columns.
HiddenJets linear(const HiddenJets& h, const torch::Tensor& W, const torch::Tensor& b, const grad::DerivativeSet& set);
/// sigma(z) for an activation with closed-form derivatives (has_jets); `a` = sigma(z.value) when the caller
/// has it (else computed by `fn`).
HiddenJets activate(const HiddenJets& z, const std::string& name, const Activation& fn, const grad::DerivativeSet& set);
/// s * h for a scalar tensor s (e.g. a trainable LAAF slope): differentiable in s.
HiddenJets scale(const HiddenJets& h, const torch::Tensor& s);
/// a + b (same width).
HiddenJets add(const HiddenJets& a, const HiddenJets& b, const grad::DerivativeSet& set);
/// a * b elementwise (same width), by the product rule.
HiddenJets mul(const HiddenJets& a, const HiddenJets& b, const grad::DerivativeSet& set);
/// Concatenation along the width.
HiddenJets cat(const std::vector<HiddenJets>& parts, const grad::DerivativeSet& set);
/// The same jets with the second derivatives held explicitly (zeros where there were none) and the
/// identity materialised.
HiddenJets full(const HiddenJets& h, const grad::DerivativeSet& set);
/// What the engine receives: y and all set.size() derivatives.
grad::Jets finish(const HiddenJets& y, const grad::DerivativeSet& set);
/// For each second-derivative pair (i, k) of `set`, the positions of d/dx_i and of d/dx_k among its first
/// derivatives, as two index tensors (set.second.size()) on `device`.
std::pair<torch::Tensor, torch::Tensor> pair_positions(const grad::DerivativeSet& set, const torch::Device& device);

}  // namespace jet

/// "tanh" -> {"tanh", 0}; "LAAF-10 tanh" -> {"tanh", 10} (Jagtap et al.'s layer-wise locally adaptive
/// activation sigma(n a z) with a trainable slope a per layer, starting at 1/n; DeepXDE's spelling).
/// Throws ValueError for an unknown base activation or a malformed LAAF prefix.
struct ActivationSpec {
  std::string base;
  double laaf_n = 0;  // 0: plain activation
};
ActivationSpec parse_activation(const std::string& name, const std::string& where = "FNN");

/// Random weight factorisation (Wang et al. 2022, "Random weight factorization improves the training of
/// continuous neural representations"): each kernel W = diag(exp(s)) V, with s ~ N(mean, stddev^2) drawn at
/// construction and V = W0 / exp(s) for the initialiser's W0 (so the net starts as the plain one).
struct WeightFactorization {
  double mean = 0;
  double stddev = 0;  // 0 and mean 0 together: off
  bool enabled() const { return mean != 0 || stddev != 0; }
};

/// DeepXDE's `regularization=["l2", 1e-4]`: "l2" adds l2 * sum W^2 over the kernels (not the biases, as
/// DeepXDE's TensorFlow backends do) to the training loss, "l1" l1 * sum |W|, "l1+l2" both (factors a, b).
struct Regularization {
  std::string name;  // "" (none), "l1", "l2", "l1+l2"
  double a = 0;      // the factor (l1 for "l1+l2")
  double b = 0;      // the l2 factor of "l1+l2"
};
/// Validates the name and factors (ValueError naming `where`).
void check_regularization(const Regularization& r, const std::string& where);
/// The regularisation term for `kernels`, or an undefined tensor when none.
torch::Tensor regularization_term(const Regularization& r, const std::vector<torch::Tensor>& kernels);

/// One dense layer h -> sigma(n a (h W^T + b)) with W = diag(exp(s)) V when factorised. The owning module
/// registers its tensors (make_dense), so they are parameters, saved and moved like any other.
struct Dense {
  torch::nn::Linear linear{nullptr};  // weight: W, or V when factorised
  torch::Tensor log_scale;            // s (out), when factorised
  torch::Tensor laaf;                 // a (scalar), for a LAAF activation
  double laaf_n = 0;
  std::string activation;             // base name; "" for a linear (output) layer
  Activation fn;

  /// The effective kernel W (out, in).
  torch::Tensor weight() const;
  torch::Tensor forward(const torch::Tensor& h) const;
  HiddenJets jets(const HiddenJets& h, const grad::DerivativeSet& set) const;
  /// True when the forward engine can propagate through it.
  bool has_jets() const;
};

/// Registers a Dense layer in `owner` under `name` (a Linear; "<name>_s" for the factorisation, "<name>_a"
/// for LAAF). activation: "" (linear) or an activation spec (parse_activation). Weights by `init`, biases 0,
/// in config::real().
Dense make_dense(torch::nn::Module& owner, const std::string& name, std::int64_t in, std::int64_t out,
                 const std::string& activation, const Initializer& init, const WeightFactorization& wf,
                 const std::string& where);

}  // namespace pinnxde::nn
