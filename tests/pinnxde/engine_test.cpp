// The forward derivative engine against reverse mode (float64, 1e-10): jets of every activation, the fused
// loops against their reference formulas, parameter gradients, fallbacks (third order, derived tensors,
// transforms), and whole training runs through Model with both engines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pinnxde/nn/jets.hpp>
#include <pinnxde/pinnxde.hpp>

#include "test_util.hpp"

namespace dde = pinnxde;
using namespace pinnxde::testing;  // NOLINT(google-build-using-namespace)
using ::testing::HasSubstr;

namespace {

// autograd::grad with allow_unused, an unused input's gradient as zeros.
std::vector<torch::Tensor> grads(const torch::Tensor& out, const std::vector<torch::Tensor>& in,
                                 const torch::Tensor& g = {}, bool create = false) {
  if (!out.requires_grad()) {
    std::vector<torch::Tensor> z;
    for (const auto& t : in) z.push_back(torch::zeros_like(t));
    return z;
  }
  auto r = torch::autograd::grad({out}, in, {g}, /*retain_graph=*/true, create, /*allow_unused=*/true);
  for (std::size_t i = 0; i < r.size(); ++i)
    if (!r[i].defined()) r[i] = torch::zeros_like(in[i]);
  return r;
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a.detach() - b.detach()).abs().max().item<double>();
}

class EngineTest : public dde::testing::Float64Test {
 protected:
  std::uint64_t seed() const override { return 7; }
  void TearDown() override {
    Float64Test::TearDown();
    dde::grad::clear();
  }
};

TEST_F(EngineTest, JetsOfEveryActivationMatchReverseModeWithParameterGradients) {
  for (const auto& act : dde::nn::activation_names()) {
    SCOPED_TRACE(act);
    dde::nn::FNN net({3, 9, 7, 2}, act, "Glorot normal");
    auto x = inputs(23, 3);
    auto set = full_set(3);
    auto jets = net->forward_jets(x, set);
    ASSERT_TRUE(jets.has_value());
    auto ref = reverse_jets(net, x, set);
    EXPECT_LT(max_diff(jets->value, net->forward(x)), 1e-12);
    EXPECT_LT(max_diff(jets->derivatives, ref), 1e-10);
    // A scalar built from every jet: its parameter gradient by the fused backward equals reverse mode's.
    auto w = torch::rand(ref.sizes(), torch::kFloat64);
    auto params = net->parameters();
    auto g_fwd = torch::autograd::grad({(jets->derivatives * w).sum() + jets->value.pow(2).sum()}, params);
    auto ref2 = reverse_jets(net, x, set);
    auto g_rev = torch::autograd::grad({(ref2 * w).sum() + net->forward(x).pow(2).sum()}, params);
    for (std::size_t p = 0; p < params.size(); ++p) EXPECT_LT(max_diff(g_fwd[p], g_rev[p]), 1e-10) << "parameter " << p;
  }
}

TEST_F(EngineTest, FusedLoopsMatchReferenceFormulasIncludingBackward) {
  for (const auto& act : dde::nn::activation_names()) {
    SCOPED_TRACE(act);
    dde::grad::DerivativeSet set;
    set.add_first(2);
    set.add_second(0, 1);
    set.add_second(1, 1);
    for (bool has_second : {false, true}) {
      const auto K = static_cast<std::int64_t>(has_second ? set.size() : set.first.size());
      auto z = torch::randn({31, 5}, torch::kFloat64).requires_grad_(true);
      auto dz = torch::randn({K, 31, 5}, torch::kFloat64).requires_grad_(true);
      auto a = dde::nn::get_activation(act)(z);
      auto fused = dde::nn::activation_jets(act, z, a, dz, set, has_second);
      auto ref = dde::nn::activation_jets_reference(act, z, dz, set, has_second);
      EXPECT_LT(max_diff(fused, ref), 1e-12);
      auto G = torch::randn(fused.sizes(), torch::kFloat64);
      auto gf = grads(fused, {z, dz}, G);
      auto gr = grads(ref, {z, dz}, G);
      EXPECT_LT(max_diff(gf[0], gr[0]), 1e-12);
      EXPECT_LT(max_diff(gf[1], gr[1]), 1e-12);
    }
  }
}

// The sweep's packed form: value and jets in one (1 + K, N, w) tensor, the value's gradient folded into the
// fused backward, the bias of a packed linear layer on slice 0 only; large enough that LibTorch's threads
// split the loops (and the AVX2 loops' tail handling runs: N w is not a multiple of the vector width).
TEST_F(EngineTest, PackedActivationAndLinearMatchReferenceOnEveryThreadCount) {
  const int before = torch::get_num_threads();
  dde::grad::DerivativeSet set;
  set.add_first(0);
  set.add_first(2);
  set.add_second(0, 0);
  set.add_second(0, 2);
  for (int threads : {1, 2, 3}) {
    torch::set_num_threads(threads);
    for (const auto& act : dde::nn::activation_names()) {
      SCOPED_TRACE(act + ", threads " + std::to_string(threads));
      for (bool has_second : {false, true}) {
        const auto K = static_cast<std::int64_t>(has_second ? set.size() : set.first.size());
        auto z = torch::randn({701, 9}, torch::kFloat64);
        auto dz = torch::randn({K, 701, 9}, torch::kFloat64);
        auto packed = torch::cat({z.unsqueeze(0), dz}).requires_grad_(true);
        auto fused = dde::nn::activation_packed(act, packed, torch::Tensor(), set, has_second);
        auto zr = packed.select(0, 0), dzr = packed.narrow(0, 1, K);
        auto ref = torch::cat({dde::nn::get_activation(act)(zr).unsqueeze(0),
                               dde::nn::activation_jets_reference(act, zr, dzr, set, has_second)});
        ASSERT_EQ(fused.sizes(), ref.sizes());
        EXPECT_LT(max_diff(fused, ref), 1e-12);
        auto G = torch::randn(ref.sizes(), torch::kFloat64);
        EXPECT_LT(max_diff(grads(fused, {packed}, G)[0], grads(ref, {packed}, G)[0]), 1e-11);
        // The same from separate z and dz.
        auto z2 = z.clone().requires_grad_(true), dz2 = dz.clone().requires_grad_(true);
        auto fused2 = dde::nn::activation_packed(act, z2, dz2, set, has_second);
        EXPECT_LT(max_diff(fused2, ref), 1e-12);
        auto g2 = grads(fused2, {z2, dz2}, G), gr = grads(ref, {packed}, G);
        EXPECT_LT(max_diff(g2[0], gr[0].select(0, 0)), 1e-11);
        EXPECT_LT(max_diff(g2[1], gr[0].narrow(0, 1, K)), 1e-11);
      }
    }
    // One matrix product for value and slices; the bias on the value slice only.
    auto P = torch::randn({4, 333, 17}, torch::kFloat64).requires_grad_(true);
    auto W = torch::randn({6, 17}, torch::kFloat64).requires_grad_(true);
    auto b = torch::randn({6}, torch::kFloat64).requires_grad_(true);
    auto lf = dde::nn::jets_linear_packed(P, W, b);
    auto lr = torch::cat({torch::linear(P.select(0, 0), W, b).unsqueeze(0), torch::matmul(P.narrow(0, 1, 3), W.t())});
    EXPECT_LT(max_diff(lf, lr), 1e-12);
    auto G = torch::randn(lr.sizes(), torch::kFloat64);
    auto gf = grads(lf, {P, W, b}, G), gr = grads(lr, {P, W, b}, G);
    for (int k = 0; k < 3; ++k) EXPECT_LT(max_diff(gf[k], gr[k]), 1e-10) << k;
  }
  torch::set_num_threads(before);
}

TEST_F(EngineTest, JetsLinearMatchesMatmulWithGradientsOnEveryThreadCount) {
  const int before = torch::get_num_threads();
  for (int threads : {1, 2, 3}) {
    torch::set_num_threads(threads);
    auto A = torch::randn({3, 1001, 17}, torch::kFloat64).requires_grad_(true);
    auto W = torch::randn({9, 17}, torch::kFloat64).requires_grad_(true);
    auto fused = dde::nn::jets_linear(A, W), ref = torch::matmul(A, W.t());
    EXPECT_LT(max_diff(fused, ref), 1e-12);
    auto G = torch::randn(ref.sizes(), torch::kFloat64).requires_grad_(true);
    auto gf = grads(fused, {A, W}, G), gr = grads(ref, {A, W}, G);
    EXPECT_LT(max_diff(gf[0], gr[0]), 1e-11);
    EXPECT_LT(max_diff(gf[1], gr[1]), 1e-10);
    // 2-D with a bias: torch::linear.
    auto h = torch::randn({777, 17}, torch::kFloat64).requires_grad_(true);
    auto b = torch::randn({9}, torch::kFloat64).requires_grad_(true);
    auto lf = dde::nn::jets_linear(h, W, b), lr = torch::linear(h, W, b);
    EXPECT_LT(max_diff(lf, lr), 1e-12);
    auto G2 = torch::randn(lr.sizes(), torch::kFloat64);
    auto bf = grads(lf, {h, W, b}, G2), br = grads(lr, {h, W, b}, G2);
    for (int k = 0; k < 3; ++k) EXPECT_LT(max_diff(bf[k], br[k]), 1e-10) << k;
    // With a graph of the backward (second order), the ordinary operations take over.
    auto hf = grads(grads(fused, {A, W}, G, true)[1].pow(2).sum(), {G});
    auto hr = grads(grads(ref, {A, W}, G, true)[1].pow(2).sum(), {G});
    EXPECT_LT(max_diff(hf[0], hr[0]), 1e-8);
  }
  torch::set_num_threads(before);
}

TEST_F(EngineTest, ActivationDerivativesMatchAutograd) {
  auto z = torch::linspace(-2.5, 2.5, 41, torch::kFloat64).add(0.013).requires_grad_(true);
  for (const auto& act : dde::nn::activation_names()) {
    SCOPED_TRACE(act);
    auto d = dde::nn::activation_derivatives(act, z);
    auto s = dde::nn::get_activation(act)(z);
    torch::Tensor prev = s;
    for (int order = 0; order < 4; ++order) {
      auto g = grads(prev.sum(), {z}, {}, true)[0];
      EXPECT_LT(max_diff(g, d[order]), 1e-12) << "order " << order + 1;
      prev = d[order];
    }
  }
}

// Derivatives of derivatives the scope handed out are derivatives of the network of a higher order: the
// forward engine learns pure third and fourth orders and serves them from the sweep, including through a
// whole Jacobian row and a multi-output network; a mixed third order and a derivative of y * y stay in
// reverse mode through the sweep's graph. Values and parameter gradients equal the reverse engine's.
TEST_F(EngineTest, ThirdAndFourthOrdersAreSweptOtherDerivedTensorsFallBackToReverseMode) {
  dde::nn::FNN net({2, 10, 10, 2}, "tanh");
  auto x = inputs(17, 2);
  auto engine = dde::grad::make_engine("forward");
  auto eval = [&](dde::grad::Engine& e, dde::grad::Scope& scope) {
    auto y = e.run(*net.ptr(), x, scope, 0);
    auto dy_xx = dde::grad::hessian(y, x, 1, 0, 0);
    auto dy_xxx = dde::grad::jacobian(dy_xx, x, 0, 0);   // third order: a derivative of a jet
    auto dy_xxxx = dde::grad::hessian(dy_xx, x, 0, 0);   // fourth
    auto row = dde::grad::jacobian(y, x, 0);              // (N, 2): d/dx0, d/dx1 of y0
    auto dy_ttt = dde::grad::hessian(row, x, 1, 1, 1);    // d3 y0/dx1^3 through the whole row
    auto mixed = dde::grad::jacobian(dy_xx, x, 0, 1);     // d3 y1/dx0^2 dx1: mixed, reverse mode
    auto u = y * y;                                       // a derived tensor of another kind
    auto du_t = dde::grad::jacobian(u, x, 0, 1);
    EXPECT_TRUE(dde::grad::jacobian(dy_xx, x, 0, 0).is_same(dy_xxx));  // asked again: the same tensor
    return torch::cat({dy_xx, dy_xxx, dy_xxxx, dy_ttt, mixed, du_t}, 1);
  };
  auto reverse = dde::grad::make_engine("reverse");
  torch::Tensor r_rev;
  {
    dde::grad::Scope scope;
    r_rev = eval(*reverse, scope);
  }
  torch::Tensor r_learn, r_fwd;
  {
    dde::grad::Scope scope;  // first evaluation: learns what the sweep can hold
    r_learn = eval(*engine, scope);
    EXPECT_EQ(scope.stats().served_forward, 0);
    EXPECT_EQ(scope.stats().of_derived, 2);  // the mixed third order, d/dt of y * y
  }
  {
    dde::grad::Scope scope;
    r_fwd = eval(*engine, scope);
    // The hessian, the row, the third and fourth orders along x0, the third along x1.
    EXPECT_EQ(scope.stats().served_forward, 5);
    EXPECT_EQ(scope.stats().of_derived, 2);
  }
  EXPECT_THAT(engine->describe(), HasSubstr("d/dx0 d/dx1 d2/dx0dx0 d2/dx1dx1 d3/dx0^3 d4/dx0^4 d3/dx1^3"));
  EXPECT_LT(max_diff(r_learn, r_rev), 1e-10);
  EXPECT_LT(max_diff(r_fwd, r_rev), 1e-10);
  auto params = net->parameters();
  auto total_grad = [&](dde::grad::Engine& e) {
    dde::grad::Scope scope;
    auto g = torch::autograd::grad({eval(e, scope).pow(2).sum()}, params);
    for (auto& t : g) t = t.flatten();
    return torch::cat(g);
  };
  EXPECT_LT(max_diff(total_grad(*engine), total_grad(*reverse)), 1e-9);
}

// A network that cannot sweep third orders (here: through an output transform) keeps its first and second
// derivatives in the sweep and computes the higher ones in reverse mode, to the reverse engine's values.
TEST_F(EngineTest, HigherOrdersThroughAnOutputTransformFallBackToReverseMode) {
  dde::nn::FNN net({1, 8, 8, 1}, "sin");
  net->apply_output_transform([](const torch::Tensor& x, const torch::Tensor& y) { return x * (1 - x) * y; });
  auto x = inputs(9, 1);
  auto eval = [&](dde::grad::Engine& e) {
    dde::grad::Scope scope;
    auto y = e.run(*net.ptr(), x, scope, 0);
    auto d2 = dde::grad::hessian(y, x);
    return torch::cat({d2, dde::grad::hessian(d2, x)}, 1);
  };
  auto engine = dde::grad::make_engine("forward");
  auto reverse = dde::grad::make_engine("reverse");
  auto r = eval(*reverse);
  eval(*engine);  // learns
  auto f = eval(*engine);
  EXPECT_LT(max_diff(f, r), 1e-10);
  EXPECT_THAT(engine->describe(), HasSubstr("d2/dx0dx0 (orders 3 and 4: reverse)"));
}

// One training problem with several outputs, mixed derivatives and a Neumann condition, trained with each
// engine: the same losses and parameters to round-off, step by step.
struct Run {
  std::vector<std::vector<double>> losses;
  std::vector<torch::Tensor> params;
  std::string engine;
};

enum class Transform { none, output, output_not_row_wise, feature, affine };

// A hard constraint that couples both outputs and both inputs nonlinearly (every partial of f matters).
torch::Tensor coupled_transform(const torch::Tensor& x, const torch::Tensor& y) {
  auto x0 = x.narrow(1, 0, 1), x1 = x.narrow(1, 1, 1), y0 = y.narrow(1, 0, 1), y1 = y.narrow(1, 1, 1);
  return torch::cat({y0 * x0 * (1 - x0) + x1 * x1, torch::tanh(y1) * x1 + y0 * y1 * torch::sin(x0)}, 1);
}

// A hard constraint affine in y that couples the outputs and inputs: z = A(x) + sum_b B_b(x) y_b with every
// coefficient a nonlinear function of x (the forward engine takes the coefficients' jets once per input).
torch::Tensor affine_transform(const torch::Tensor& x, const torch::Tensor& y) {
  auto x0 = x.narrow(1, 0, 1), x1 = x.narrow(1, 1, 1), y0 = y.narrow(1, 0, 1), y1 = y.narrow(1, 1, 1);
  return torch::cat({torch::sin(x0) * x1 + x0 * (1 - x0) * y0 + x1 * x1 * y1,
                     torch::exp(x1 * x0) * y1 - torch::cos(x1) * y0 + x0 * x1 * x1},
                    1);
}

// A feature map that couples the inputs (mixed second derivatives of the features are not zero).
torch::Tensor coupled_features(const torch::Tensor& x) {
  auto x0 = x.narrow(1, 0, 1), x1 = x.narrow(1, 1, 1);
  return torch::cat({torch::sin(x0) * x1, x0 + x1 * x1 * x0}, 1);
}

Run train_system(const std::string& derivatives, std::int64_t batch_size, Transform transform = Transform::none,
                 const std::string& optimizer = "adam") {
  dde::config::set_random_seed(3);
  dde::testing::TwoOutputSystem sys;
  auto& data = sys.data;
  dde::nn::FNN net({2, 12, 12, 2}, "sin");
  if (transform == Transform::output) net->apply_output_transform(coupled_transform);
  if (transform == Transform::output_not_row_wise)
    net->apply_output_transform([](const torch::Tensor& x, const torch::Tensor& y) {
      return coupled_transform(x, y) - y.mean(0, /*keepdim=*/true);
    });
  if (transform == Transform::feature)
    net->apply_feature_transform(coupled_features);
  if (transform == Transform::affine) net->apply_output_transform(affine_transform);
  dde::Model model(data, net);
  model.compile(optimizer, {.lr = 1e-3, .derivatives = derivatives});
  Run r;
  r.engine = model.derivative_engine();
  if (optimizer == "adam") model.train({.iterations = 6, .batch_size = batch_size, .display_every = 1, .verbose = false});
  else model.train({.iterations = 6, .display_every = 1, .verbose = false});
  r.losses = model.losshistory().loss_train;
  for (const auto& p : model.trainable_variables()) r.params.push_back(p.detach().clone());
  return r;
}

TEST_F(EngineTest, TrainingWithEitherEngineGivesTheSameRun) {
  for (std::int64_t batch : {0, 20}) {
    SCOPED_TRACE(batch);
    auto f = train_system("forward", batch), r = train_system("reverse", batch);
    EXPECT_EQ(f.engine, "forward");
    EXPECT_EQ(r.engine, "reverse");
    ASSERT_EQ(f.losses.size(), r.losses.size());
    for (std::size_t s = 0; s < f.losses.size(); ++s)
      for (std::size_t k = 0; k < f.losses[s].size(); ++k)
        EXPECT_NEAR(f.losses[s][k], r.losses[s][k], 1e-10 * (1 + std::abs(r.losses[s][k]))) << "step " << s;
    for (std::size_t p = 0; p < f.params.size(); ++p) EXPECT_LT(max_diff(f.params[p], r.params[p]), 1e-10);
  }
}

void expect_same_run(const Run& f, const Run& r) {
  ASSERT_EQ(f.losses.size(), r.losses.size());
  for (std::size_t s = 0; s < f.losses.size(); ++s)
    for (std::size_t k = 0; k < f.losses[s].size(); ++k)
      EXPECT_NEAR(f.losses[s][k], r.losses[s][k], 1e-10 * (1 + std::abs(r.losses[s][k]))) << "step " << s;
  for (std::size_t p = 0; p < f.params.size(); ++p) EXPECT_LT(max_diff(f.params[p], r.params[p]), 1e-10);
}

// The sweep's value and jets against reverse mode, and the parameter gradient of a scalar built from them.
void expect_jets_match_reverse(dde::nn::NNImpl& net, const torch::Tensor& x, const dde::grad::DerivativeSet& set) {
  auto jets = net.forward_jets(x, set);
  ASSERT_TRUE(jets.has_value());
  auto rev = reverse_jets(net, x, set);
  EXPECT_LT(max_diff(jets->value, net.forward(x)), 1e-12);
  EXPECT_LT(max_diff(jets->derivatives, rev), 1e-10);
  auto params = net.parameters();
  auto weights = torch::rand_like(rev);
  auto g_fwd = grads((jets->derivatives * weights).sum() + jets->value.pow(2).sum(), params);
  auto g_rev = grads((rev * weights).sum() + net.forward(x).pow(2).sum(), params);
  for (std::size_t i = 0; i < params.size(); ++i) EXPECT_LT(max_diff(g_fwd[i], g_rev[i]), 1e-10) << i;
}

TEST_F(EngineTest, JetsThroughAnOutputTransformMatchReverseModeWithParameterGradients) {
  dde::nn::FNN net({3, 9, 9, 2}, "tanh");
  net->apply_output_transform([](const torch::Tensor& x, const torch::Tensor& y) {
    return coupled_transform(x.narrow(1, 0, 2), y) * torch::exp(x.narrow(1, 2, 1));
  });
  EXPECT_TRUE(net->can_sweep());
  expect_jets_match_reverse(*net, inputs(13, 3), full_set(3));
}

TEST_F(EngineTest, TrainingThroughAnOutputTransformGivesTheSameRunWithEitherEngine) {
  for (std::int64_t batch : {0, 20}) {
    SCOPED_TRACE(batch);
    auto a = train_system("auto", batch, Transform::output), r = train_system("reverse", batch, Transform::output);
    EXPECT_EQ(a.engine, "forward");  // a hard constraint no longer costs the forward engine
    expect_same_run(a, r);
  }
}

TEST_F(EngineTest, LBFGSThroughAnOutputTransformGivesTheSameRunWithEitherEngine) {
  // The derivative paths through a transform can leave a parameter's gradient non-contiguous, which
  // LibTorch's L-BFGS cannot flatten (view(-1)): the closure hands it contiguous gradients.
  auto f = train_system("forward", 0, Transform::output, "L-BFGS");
  auto r = train_system("reverse", 0, Transform::output, "L-BFGS");
  ASSERT_FALSE(f.losses.empty());
  expect_same_run(f, r);
}

TEST_F(EngineTest, JetsThroughAnAffineOutputTransformMatchReverseModeAndReuseItsCoefficients) {
  dde::nn::FNN net({3, 9, 9, 2}, "tanh");
  int calls = 0;  // evaluations of the transform
  net->apply_output_transform([&calls](const torch::Tensor& x, const torch::Tensor& y) {
    ++calls;
    return affine_transform(x.narrow(1, 0, 2), y) * torch::exp(x.narrow(1, 2, 1));
  });
  auto x = inputs(13, 3);
  const auto set = full_set(3);  // every first derivative, every pure and mixed second
  auto check = [&](const torch::Tensor& xs) { expect_jets_match_reverse(*net, xs, set); };
  check(x);
  // The same input again: the coefficients are reused, so the transform runs once (for the value).
  int before = calls;
  ASSERT_TRUE(net->forward_jets(x, set).has_value());
  EXPECT_EQ(calls - before, 1);
  // A view of the same memory is the same input.
  before = calls;
  ASSERT_TRUE(net->forward_jets(x.narrow(0, 0, 13), set).has_value());
  EXPECT_EQ(calls - before, 1);
  // Changed in place: the coefficients are taken anew, and the jets are those of the new points.
  {
    torch::NoGradGuard no_grad;
    x.mul_(0.5);
  }
  before = calls;
  check(x);
  EXPECT_GT(calls - before, 1);
  // Other points, then both again: both stay cached (a step evaluates the network on several row ranges).
  auto other = inputs(7, 3);
  check(other);
  before = calls;
  ASSERT_TRUE(net->forward_jets(x, set).has_value());
  ASSERT_TRUE(net->forward_jets(other, set).has_value());
  EXPECT_EQ(calls - before, 2);
}

TEST_F(EngineTest, AnAffineTransformWithATrainableCoefficientKeepsItsGradient) {
  // The coefficient c is trainable (a Variable in an inverse problem): the coefficients' jets depend on it,
  // so they are not reused, and d/dc of the jets is reverse mode's.
  dde::nn::FNN net({2, 7, 1}, "sin");
  auto c = torch::tensor({0.7}, torch::kFloat64).requires_grad_(true);
  net->apply_output_transform([c](const torch::Tensor& x, const torch::Tensor& y) {
    return c * x.narrow(1, 0, 1) * y + torch::sin(c * x.narrow(1, 1, 1));
  });
  auto x = inputs(9, 2);
  const auto set = full_set(2);
  for (int pass = 0; pass < 2; ++pass) {
    auto jets = net->forward_jets(x, set);
    ASSERT_TRUE(jets.has_value());
    auto rev = reverse_jets(net, x, set);
    EXPECT_LT(max_diff(jets->derivatives, rev), 1e-10);
    auto weights = torch::rand_like(rev);
    EXPECT_LT(max_diff(grads((jets->derivatives * weights).sum(), {c})[0], grads((rev * weights).sum(), {c})[0]),
              1e-10);
  }
}

TEST_F(EngineTest, AnOutputTransformNotAffineInYTakesThePathsThroughIt) {
  // y^2 is not affine: the probes see it, and the jets come from the paths through f (still exact).
  dde::nn::FNN net({2, 6, 1}, "tanh");
  net->apply_output_transform([](const torch::Tensor& x, const torch::Tensor& y) { return x.narrow(1, 0, 1) * y * y; });
  auto x = inputs(8, 2);
  auto jets = net->forward_jets(x, full_set(2));
  ASSERT_TRUE(jets.has_value());
  EXPECT_LT(max_diff(jets->derivatives, reverse_jets(net, x, full_set(2))), 1e-10);
}

TEST_F(EngineTest, TrainingThroughAnAffineOutputTransformGivesTheSameRunWithEitherEngine) {
  for (std::int64_t batch : {0, 20}) {  // full batch: the coefficients reused; mini-batches: taken each step
    SCOPED_TRACE(batch);
    auto a = train_system("auto", batch, Transform::affine), r = train_system("reverse", batch, Transform::affine);
    EXPECT_EQ(a.engine, "forward");
    expect_same_run(a, r);
  }
}

TEST_F(EngineTest, AnOutputTransformThatMixesRowsFallsBackToReverseMode) {
  // y - mean(y) is not row-wise: per-row derivatives through it would be wrong, so the network sweeps no
  // jets and every derivative is taken in reverse mode (the same run as the reverse engine).
  dde::nn::FNN net({2, 5, 2}, "tanh");
  net->apply_output_transform([](const torch::Tensor&, const torch::Tensor& y) { return y - y.mean(0, true); });
  EXPECT_FALSE(net->forward_jets(inputs(9, 2), full_set(2)).has_value());
  expect_same_run(train_system("forward", 0, Transform::output_not_row_wise),
                  train_system("reverse", 0, Transform::output_not_row_wise));
}

TEST_F(EngineTest, JetsThroughAFeatureTransformMatchReverseMode) {
  dde::nn::FNN net({3, 8, 8, 2}, "sin");
  net->apply_feature_transform([](const torch::Tensor& x) {
    return torch::cat({coupled_features(x.narrow(1, 0, 2)), torch::cos(x.narrow(1, 2, 1) * x.narrow(1, 0, 1))}, 1);
  });
  net->apply_output_transform(coupled_transform);
  auto x = inputs(11, 3);
  const auto set = full_set(3);
  auto jets = net->forward_jets(x, set);
  ASSERT_TRUE(jets.has_value());
  auto rev = reverse_jets(net, x, set);
  EXPECT_LT(max_diff(jets->derivatives, rev), 1e-10);
  auto params = net->parameters();
  auto g_fwd = grads(jets->derivatives.pow(2).sum(), params), g_rev = grads(rev.pow(2).sum(), params);
  for (std::size_t i = 0; i < params.size(); ++i) EXPECT_LT(max_diff(g_fwd[i], g_rev[i]), 1e-10) << i;
}

TEST_F(EngineTest, TrainingThroughAFeatureTransformGivesTheSameRunWithEitherEngine) {
  auto a = train_system("auto", 20, Transform::feature), r = train_system("reverse", 20, Transform::feature);
  EXPECT_EQ(a.engine, "forward");
  expect_same_run(a, r);
}

// A network that only has a plain forward (no forward_jets_core): the forward engine cannot run it.
struct PlainNetImpl : dde::nn::NNImpl {
  PlainNetImpl() : layer(register_module("layer", torch::nn::Linear(2, 1))) { layer->to(torch::kFloat64); }
  std::int64_t input_dim() const override { return 2; }
  std::int64_t output_dim() const override { return 1; }
  torch::Tensor forward_core(const torch::Tensor& x) override { return torch::tanh(layer(x)); }
  torch::nn::Linear layer;
};

TEST_F(EngineTest, ANetworkWithoutJetsMakesAutoChooseReverseAndForwardRefuse) {
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x) - 1; };
  dde::geometry::Rectangle geom({0, 0}, {1, 1});
  dde::data::PDE data(geom, pde, {}, {.num_domain = 10});
  auto net = std::make_shared<PlainNetImpl>();
  EXPECT_FALSE(net->can_sweep());
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-3});
  EXPECT_EQ(model.derivative_engine(), "reverse");
  EXPECT_THAT([&] { model.compile("adam", {.lr = 1e-3, .derivatives = "forward"}); },
              ::testing::ThrowsMessage<dde::ValueError>(HasSubstr("cannot propagate jets")));
  EXPECT_THAT([] { train_system("jets", 0); },
              ::testing::ThrowsMessage<dde::ValueError>(HasSubstr("derivatives = 'jets'; valid: auto, forward, reverse")));
  EXPECT_EQ(train_system("auto", 0).engine, "forward");
}

// d4u/dx4 = -1 with u''(1) = 0 and u'''(1) = 0 (the Euler beam: a hessian of a hessian, a jacobian of a
// hessian): every engine gives the reverse engine's run to round-off, and "auto" keeps the forward engine,
// whose sweep holds the third and fourth orders. A derivative the sweep cannot hold (of y * y) makes "auto"
// run reverse mode.
Run train_beam(const std::string& derivatives, bool derived_of_product = false, bool hard = false) {
  dde::config::set_random_seed(5);
  auto pde = [derived_of_product](const torch::Tensor& x, const torch::Tensor& y) {
    auto u_xx = dde::grad::hessian(y, x);
    auto u_xxxx = dde::grad::hessian(u_xx, x);
    if (derived_of_product) return u_xxxx + 1 + 1e-3 * dde::grad::jacobian(y * y, x);
    return u_xxxx + 1;
  };
  dde::geometry::Interval geom(0, 1);
  auto zero = [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); };
  auto right = [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 1); };
  dde::DirichletBC bc(geom, zero, dde::on_boundary);
  dde::OperatorBC u3(
      geom, [](const auto& x, const auto& y, const auto&) { return dde::grad::jacobian(dde::grad::hessian(y, x), x); },
      right);
  dde::data::PDE data(geom, pde, {bc, u3}, {.num_domain = 12, .num_boundary = 2});
  dde::nn::FNN net({1, 10, 10, 1}, "tanh");
  if (hard) net->apply_output_transform([](const torch::Tensor& x, const torch::Tensor& y) { return x * (1 - x) * y; });
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-3, .derivatives = derivatives});
  EXPECT_EQ(model.derivative_engine(), derivatives == "reverse" ? "reverse" : "forward");
  model.train({.iterations = 4, .display_every = 1, .verbose = false});
  Run r;
  r.engine = model.derivative_engine();
  r.losses = model.losshistory().loss_train;
  for (const auto& p : model.trainable_variables()) r.params.push_back(p.detach().clone());
  return r;
}

TEST_F(EngineTest, AutoKeepsTheSweepForHigherOrdersAndRunsReverseForOtherDerivedTensors) {
  auto a = train_beam("auto"), f = train_beam("forward"), r = train_beam("reverse");
  EXPECT_EQ(a.engine, "forward");
  EXPECT_EQ(f.engine, "forward");
  expect_same_run(a, r);
  expect_same_run(f, r);
  auto ap = train_beam("auto", true), fp = train_beam("forward", true), rp = train_beam("reverse", true);
  EXPECT_EQ(ap.engine, "reverse");
  EXPECT_EQ(fp.engine, "forward");
  expect_same_run(ap, rp);
  expect_same_run(fp, rp);
  // Through a hard constraint the third and fourth orders cannot be swept: "auto" sees that at its second
  // evaluation and runs reverse mode; "forward" takes them on the plain network.
  auto ah = train_beam("auto", false, true), fh = train_beam("forward", false, true), rh = train_beam("reverse", false, true);
  EXPECT_EQ(ah.engine, "reverse");
  EXPECT_EQ(fh.engine, "forward");
  expect_same_run(ah, rh);
  expect_same_run(fh, rh);
  // Second derivatives alone: "auto" keeps the forward engine after its first evaluation.
  dde::config::set_random_seed(5);
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x) + 1; };
  dde::geometry::Interval geom(0, 1);
  dde::data::PDE data(geom, pde, {}, {.num_domain = 12});
  dde::nn::FNN net({1, 10, 1}, "tanh");
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-3});
  model.train({.iterations = 2, .verbose = false});
  EXPECT_EQ(model.derivative_engine(), "forward");
}

TEST_F(EngineTest, HessianDefaultsAreDeepXDEs) {
  auto x = inputs(5, 2);
  auto y = x.narrow(1, 0, 1).pow(3) * x.narrow(1, 1, 1);
  EXPECT_LT(max_diff(dde::grad::hessian(y, x), 6 * x.detach().narrow(1, 0, 1) * x.detach().narrow(1, 1, 1)), 1e-12);
}

}  // namespace

// PDE::evaluate takes a small batch (<= 512 rows) on one network pass over every row of X, a larger one
// term by term on each term's own rows (ctest engine.term_by_term runs this with every batch term by term).
// Either way the loss terms and their parameter gradients are DeepXDE's: PDE::losses on the network's
// outputs over all of X. The problem has a value-only condition, a Neumann and an operator condition
// whose derivatives the residual does not ask for, and a third-order operator.
class PdeEvaluationTest : public EngineTest {};

TEST_F(PdeEvaluationTest, EveryTermEqualsDeepXDEsAllRowsEvaluation) {
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x) + y; };
  auto zero = [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); };
  dde::geometry::Interval geom(0, 1);
  auto left = [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 0); };
  auto right = [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 1); };
  dde::DirichletBC d(geom, [](const torch::Tensor& x) { return torch::ones({x.size(0), 1}, x.options()); }, left);
  dde::NeumannBC n(geom, zero, right);
  dde::OperatorBC third(geom, [](const auto& x, const auto& y, const auto&) {
    return dde::grad::jacobian(dde::grad::hessian(y, x), x) - y;
  }, right);
  for (std::int64_t domain : {30, 700}) {  // 34 and 704 rows of X
    SCOPED_TRACE(domain);
    dde::data::PDE data(geom, pde, {d, n, third}, {.num_domain = domain, .num_boundary = 2});
    dde::nn::FNN net({1, 16, 16, 1}, "tanh");
    const auto& batch = data.train_batch();
    auto mse = std::vector<dde::data::LossFunction>{dde::losses::get("MSE")};
    auto params = net->parameters();
    auto total = [](const std::vector<torch::Tensor>& t) {
      torch::Tensor s = t[0];
      for (std::size_t k = 1; k < t.size(); ++k) s = s + t[k];
      return s;
    };
    std::vector<torch::Tensor> split, all;
    {
      dde::grad::Scope scope;
      split = data.evaluate([&](const torch::Tensor& x) { return net->forward(x); }, batch, mse).terms;
    }
    {
      dde::grad::Scope scope;
      auto x = batch.x.detach().requires_grad_(true);
      dde::data::Batch b = batch;
      b.x = x;
      all = data.losses(net->forward(x), b, mse);
    }
    ASSERT_EQ(split.size(), 4u);
    ASSERT_EQ(all.size(), 4u);
    for (std::size_t k = 0; k < 4; ++k) {
      EXPECT_NEAR(split[k].item<double>(), all[k].item<double>(), 1e-12 * (1 + all[k].item<double>())) << k;
      EXPECT_GT(all[k].item<double>(), 0) << k;
    }
    auto g1 = grads(total(split), params), g2 = grads(total(all), params);
    for (std::size_t i = 0; i < params.size(); ++i) EXPECT_LT(max_diff(g1[i], g2[i]), 1e-12) << i;
  }
}
