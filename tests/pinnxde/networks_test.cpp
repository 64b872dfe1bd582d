// The networks and embeddings of issue 11 (float64): output shapes, parameter counts against hand counts,
// derivatives against finite differences and the forward engine against reverse mode (first, second,
// mixed, and the parameter gradients through them), seeded reproducibility, checkpoints, regularisation,
// and the error messages of bad arguments.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include <pinnxde/pinnxde.hpp>

#include "test_util.hpp"

namespace dde = pinnxde;
using namespace pinnxde::testing;  // NOLINT(google-build-using-namespace)
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

class NetworksTest : public dde::testing::Float64Test {
 protected:
  std::uint64_t seed() const override { return 11; }
  void TearDown() override {
    Float64Test::TearDown();
    dde::grad::clear();
  }
};

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a.detach() - b.detach()).abs().max().item<double>();
}

std::int64_t count(const dde::nn::NNImpl& net) {
  std::int64_t n = 0;
  for (const auto& p : net.parameters()) n += p.numel();
  return n;
}

// The same by central differences: first derivatives of the value, second ones of the (reverse-mode) first.
torch::Tensor finite_difference_jets(dde::nn::NNImpl& net, const torch::Tensor& x0, const dde::grad::DerivativeSet& set) {
  const double h = 1e-5;
  auto x = x0.detach();
  auto first = [&](const torch::Tensor& at, std::int64_t j) {
    auto xs = at.detach().clone().requires_grad_(true);
    dde::grad::Scope scope;
    auto y = net.forward(xs);
    std::vector<torch::Tensor> cols;
    for (std::int64_t c = 0; c < y.size(1); ++c) cols.push_back(dde::grad::jacobian(y, xs, c, j));
    return torch::cat(cols, 1).detach();
  };
  auto shift = [&](std::int64_t j, double s) {
    auto e = x.clone();
    e.select(1, j).add_(s);
    return e;
  };
  std::vector<torch::Tensor> out;
  torch::NoGradGuard no_grad;
  for (auto j : set.first) out.push_back((net.forward(shift(j, h)) - net.forward(shift(j, -h))) / (2 * h));
  for (auto [i, k] : set.second) {
    torch::Tensor d;
    {
      torch::AutoGradMode on(true);
      d = (first(shift(k, h), i) - first(shift(k, -h), i)) / (2 * h);
    }
    out.push_back(d);
  }
  return torch::stack(out);
}

// The forward engine's sweep against reverse mode (1e-10) and finite differences, values and parameter
// gradients of a scalar built from every derivative.
void check_derivatives(dde::nn::NNImpl& net, std::int64_t dim, std::int64_t n = 13) {
  auto x = inputs(n, dim);
  auto set = full_set(dim);
  ASSERT_TRUE(net.can_sweep());
  auto jets = net.forward_jets(x, set);
  ASSERT_TRUE(jets.has_value());
  auto ref = reverse_jets(net, x, set);
  EXPECT_LT(max_diff(jets->value, net.forward(x)), 1e-12);
  EXPECT_LT(max_diff(jets->derivatives, ref), 1e-10);
  auto fd = finite_difference_jets(net, x, set);
  const double scale = 1 + ref.abs().max().item<double>();
  EXPECT_LT(max_diff(fd, ref), 1e-6 * scale);
  auto w = torch::rand(ref.sizes(), torch::kFloat64);
  auto params = net.parameters();
  auto g_fwd = torch::autograd::grad({(jets->derivatives * w).sum() + jets->value.pow(2).sum()}, params);
  auto ref2 = reverse_jets(net, x, set);
  auto g_rev = torch::autograd::grad({(ref2 * w).sum() + net.forward(x).pow(2).sum()}, params);
  for (std::size_t p = 0; p < params.size(); ++p) EXPECT_LT(max_diff(g_fwd[p], g_rev[p]), 1e-10) << "parameter " << p;
  // Third and fourth orders (Faa di Bruno through the activations, Leibniz through products), against
  // reverse mode's derivatives of derivatives, values and parameter gradients.
  auto high = full_set(dim, /*higher=*/true);
  auto hj = net.forward_jets(x, high);
  ASSERT_TRUE(hj.has_value());
  auto href = reverse_jets(net, x, high);
  const double hscale = 1 + href.abs().max().item<double>();
  EXPECT_LT(max_diff(hj->derivatives, href), 1e-10 * hscale);
  auto hw = torch::rand(href.sizes(), torch::kFloat64);
  auto hg_fwd = torch::autograd::grad({(hj->derivatives * hw).sum()}, params, {}, true, false, true);
  auto hg_rev = torch::autograd::grad({(reverse_jets(net, x, high) * hw).sum()}, params, {}, true, false, true);
  for (std::size_t p = 0; p < params.size(); ++p) {  // unused (undefined): zero
    auto f = hg_fwd[p].defined() ? hg_fwd[p] : torch::zeros_like(params[p]);
    auto r = hg_rev[p].defined() ? hg_rev[p] : torch::zeros_like(params[p]);
    EXPECT_LT(max_diff(f, r), 1e-10 * hscale) << "parameter " << p << " (orders 3 and 4)";
  }
}

// ---------------------------------------------------------------- shapes and counts

TEST_F(NetworksTest, OutputShapesAndParameterCountsMatchHandCounts) {
  auto x3 = inputs(7, 3), x2 = inputs(7, 2);
  {
    dde::nn::FNN net({3, 5, 4, 2}, {"tanh", "sin"});
    EXPECT_EQ(count(*net), 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2);
    EXPECT_EQ(net->forward(x3).sizes(), (std::vector<std::int64_t>{7, 2}));
    dde::nn::FNN deepxde_list({3, 5, 4, 2}, {"tanh", "sin", "linear"});  // DeepXDE's one per layer
    EXPECT_EQ(count(*deepxde_list), 54);
    dde::nn::FNN laaf({3, 5, 4, 2}, "LAAF-10 tanh");
    EXPECT_EQ(count(*laaf), 54 + 2);  // one slope per hidden layer
    dde::nn::FNN rwf({3, 5, 4, 2}, "tanh", "Glorot normal", {.weight_factorization = {1.0, 0.1}});
    EXPECT_EQ(count(*rwf), 54 + 5 + 4 + 2);  // one scale per output row of every kernel
  }
  {
    dde::nn::PFNN net({2, {3, 4}, {5, 6}, 2});
    EXPECT_EQ(count(*net), (2 * 3 + 3) + (2 * 4 + 4) + (3 * 5 + 5) + (4 * 6 + 6) + (5 + 1) + (6 + 1));
    EXPECT_EQ(net->forward(x2).sizes(), (std::vector<std::int64_t>{7, 2}));
    dde::nn::PFNN shared({2, 8, {3, 4}, 2});
    EXPECT_EQ(count(*shared), (2 * 8 + 8) + (8 * 3 + 3) + (8 * 4 + 4) + (3 + 1) + (4 + 1));
    dde::nn::PFNN plain({2, 8, 8, 3});  // no split: an FNN
    EXPECT_EQ(count(*plain), (2 * 8 + 8) + (8 * 8 + 8) + (8 * 3 + 3));
  }
  {
    dde::nn::ResNet net(2, 3, 5, 2);
    EXPECT_EQ(count(*net), (2 * 5 + 5) + 2 * 2 * (5 * 5 + 5) + (5 * 3 + 3));
    EXPECT_EQ(net->forward(x2).sizes(), (std::vector<std::int64_t>{7, 3}));
  }
  {
    dde::nn::MsFFN net({2, 8, 6, 1}, "tanh", "Glorot normal", {1.0, 10.0});
    EXPECT_EQ(count(*net), (8 * 6 + 6) + (6 * 2 + 1));
    EXPECT_EQ(net->named_buffers().size(), 2u);
    EXPECT_EQ(net->forward(x2).sizes(), (std::vector<std::int64_t>{7, 1}));
    dde::nn::STMsFFN st({3, 8, 6, 1}, "tanh", "Glorot normal", {1.0}, {1.0, 10.0});
    EXPECT_EQ(count(*st), (8 * 6 + 6) + (6 * 2 + 1));  // 1 x 2 products of branches
    EXPECT_EQ(st->named_buffers().size(), 3u);
    EXPECT_EQ(st->forward(x3).sizes(), (std::vector<std::int64_t>{7, 1}));
    // Spatial features ignore time, temporal ones space.
    const auto& b = st->fourier_matrices();
    EXPECT_EQ(b[0][2].abs().sum().item<double>(), 0.0);
    EXPECT_EQ(b[1].narrow(0, 0, 2).abs().sum().item<double>(), 0.0);
  }
  {
    dde::nn::ModifiedMLP net({2, 6, 6, 1});
    EXPECT_EQ(count(*net), (2 * 6 + 6) + (6 * 6 + 6) + (6 + 1) + 2 * (2 * 6 + 6));
    EXPECT_EQ(net->forward(x2).sizes(), (std::vector<std::int64_t>{7, 1}));
  }
  {
    dde::nn::FourierFeatures ff(3, 4, 2.0);
    EXPECT_EQ(ff->forward(x3).sizes(), (std::vector<std::int64_t>{7, 8}));
    EXPECT_EQ(ff->parameters().size(), 0u);
    dde::nn::PeriodicEmbedding pe(3, {0, 2}, {1.0, 2.0}, 2);
    EXPECT_EQ(pe->output_dim(), 1 + 2 * 2 * 2);
    EXPECT_EQ(pe->forward(x3).sizes(), (std::vector<std::int64_t>{7, 9}));
    dde::nn::FNN net({8, 5, 1}, "tanh");
    net->apply_embedding(ff);
    EXPECT_EQ(count(*net), 8 * 5 + 5 + 5 + 1);  // the embedding adds no parameter
    EXPECT_EQ(net->named_buffers().size(), 1u);
    EXPECT_EQ(net->named_buffers().begin()->key(), "embedding.B");
    EXPECT_EQ(net->forward(x3).sizes(), (std::vector<std::int64_t>{7, 1}));
  }
}

TEST_F(NetworksTest, EmbeddingsAreTheirClosedForms) {
  auto x = inputs(9, 2).detach();
  dde::nn::FourierFeatures ff(2, 3, 1.5);
  auto z = 2 * M_PI * x.matmul(ff->B);
  EXPECT_LT(max_diff(ff->forward(x), torch::cat({torch::cos(z), torch::sin(z)}, 1)), 1e-14);
  dde::nn::PeriodicEmbedding pe(2, {1}, {0.5}, 2);
  auto t = 2 * M_PI * x.narrow(1, 1, 1) / 0.5;
  auto expect = torch::cat({x.narrow(1, 0, 1), torch::cos(t), torch::cos(2 * t), torch::sin(t), torch::sin(2 * t)}, 1);
  EXPECT_LT(max_diff(pe->forward(x), expect), 1e-14);
  // Any network behind it is exactly periodic in the chosen column.
  dde::nn::FNN net({5, 8, 1}, "tanh");
  net->apply_embedding(pe);
  auto shifted = x.clone();
  shifted.select(1, 1).add_(0.5);
  EXPECT_LT(max_diff(net->forward(x), net->forward(shifted)), 1e-13);
}

TEST_F(NetworksTest, LaafAndWeightFactorizationAreTheirFormulas) {
  auto x = inputs(6, 2).detach();
  dde::nn::FNN laaf({2, 4, 1}, "LAAF-5 sin");
  const auto& l0 = laaf->layers()[0];
  EXPECT_DOUBLE_EQ(l0.laaf.item<double>(), 0.2);  // starts at 1/n: n a = 1
  {
    torch::NoGradGuard g;
    l0.laaf.fill_(0.3);
  }
  const auto& W0 = laaf->linears()[0];
  const auto& W1 = laaf->linears()[1];
  auto expect = torch::linear(torch::sin(5 * 0.3 * torch::linear(x, W0->weight, W0->bias)), W1->weight, W1->bias);
  EXPECT_LT(max_diff(laaf->forward(x), expect), 1e-14);

  dde::nn::FNN rwf({2, 4, 1}, "tanh", "Glorot normal", {.weight_factorization = {1.0, 0.1}});
  const auto& d0 = rwf->layers()[0];
  ASSERT_TRUE(d0.log_scale.defined());
  EXPECT_LT(max_diff(d0.weight(), torch::exp(d0.log_scale).unsqueeze(1) * d0.linear->weight), 1e-15);
  const auto& d1 = rwf->layers()[1];
  auto e2 = torch::linear(torch::tanh(torch::linear(x, d0.weight(), d0.linear->bias)), d1.weight(), d1.linear->bias);
  EXPECT_LT(max_diff(rwf->forward(x), e2), 1e-14);
  // Trained through s and V both.
  auto g = torch::autograd::grad({rwf->forward(x).sum()}, {d0.log_scale, d0.linear->weight});
  EXPECT_GT(g[0].abs().sum().item<double>(), 0.0);
  EXPECT_GT(g[1].abs().sum().item<double>(), 0.0);
}

// ---------------------------------------------------------------- derivatives: both engines, finite differences

TEST_F(NetworksTest, FnnVariantsDerivativesMatchReverseModeAndFiniteDifferences) {
  {
    SCOPED_TRACE("per-layer activations");
    dde::nn::FNN net({3, 7, 6, 5, 2}, {"tanh", "sin", "silu"});
    check_derivatives(*net, 3);
  }
  {
    SCOPED_TRACE("LAAF");
    dde::nn::FNN net({3, 7, 6, 2}, "LAAF-10 tanh");
    {
      torch::NoGradGuard g;
      net->layers()[0].laaf.fill_(0.13);  // n a != 1, so the slope matters
    }
    check_derivatives(*net, 3);
  }
  {
    SCOPED_TRACE("weight factorization");
    dde::nn::FNN net({3, 7, 6, 2}, "sin", "Glorot normal", {.weight_factorization = {0.5, 0.1}});
    check_derivatives(*net, 3);
  }
  {
    SCOPED_TRACE("no hidden layer");
    dde::nn::FNN net({3, 2});
    check_derivatives(*net, 3);
  }
}

TEST_F(NetworksTest, OtherNetworksDerivativesMatchReverseModeAndFiniteDifferences) {
  {
    SCOPED_TRACE("PFNN split");
    dde::nn::PFNN net({2, {5, 4}, {3, 6}, 2}, "tanh");
    check_derivatives(*net, 2);
  }
  {
    SCOPED_TRACE("PFNN shared then split");
    dde::nn::PFNN net({3, 6, {4, 5, 3}, 3}, "LAAF-2 sin");
    check_derivatives(*net, 3);
  }
  {
    SCOPED_TRACE("ResNet");
    dde::nn::ResNet net(2, 2, 6, 2, "tanh");
    check_derivatives(*net, 2);
  }
  {
    SCOPED_TRACE("MsFFN");
    dde::nn::MsFFN net({2, 8, 6, 2}, "tanh", "Glorot normal", {1.0, 3.0});
    check_derivatives(*net, 2);
  }
  {
    SCOPED_TRACE("STMsFFN");
    dde::nn::STMsFFN net({3, 8, 6, 1}, "tanh", "Glorot normal", {1.0, 2.0}, {1.0, 3.0});
    check_derivatives(*net, 3);
  }
  {
    SCOPED_TRACE("ModifiedMLP");
    dde::nn::ModifiedMLP net({3, 6, 6, 6, 2}, "tanh");
    check_derivatives(*net, 3);
  }
}

TEST_F(NetworksTest, EmbeddingsDerivativesMatchReverseModeAndFiniteDifferences) {
  {
    SCOPED_TRACE("Fourier features + FNN");
    dde::nn::FNN net({10, 6, 2}, "tanh");
    net->apply_embedding(dde::nn::FourierFeatures(3, 5, 1.0));
    check_derivatives(*net, 3);
  }
  {
    SCOPED_TRACE("periodic embedding (with pass-through columns) + ResNet");
    dde::nn::ResNet net(1 + 2 * 2 * 2, 1, 5, 1, "sin");
    net->apply_embedding(dde::nn::PeriodicEmbedding(3, {2, 0}, {2.0, 1.5}, 2));
    check_derivatives(*net, 3);
  }
  {
    SCOPED_TRACE("periodic embedding, every column periodic + ModifiedMLP");
    dde::nn::ModifiedMLP net({4, 5, 5, 1}, "tanh");
    net->apply_embedding(dde::nn::PeriodicEmbedding(2, {0, 1}, {1.0, 1.0}));
    check_derivatives(*net, 2);
  }
}

// A PDE trained with each engine: the same losses and parameters to round-off, step by step.
std::vector<std::vector<double>> train_with(const std::string& derivatives, const std::function<std::shared_ptr<dde::nn::NNImpl>()>& make) {
  dde::config::set_random_seed(5);
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) {
    return dde::grad::hessian(y, x, 0, 0, 0) + dde::grad::hessian(y, x, 0, 0, 1) + dde::grad::jacobian(y, x, 0, 1) -
           torch::sin(x.narrow(1, 0, 1));
  };
  dde::geometry::Rectangle geom({0, 0}, {1, 1});
  dde::DirichletBC bc(geom, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                      dde::on_boundary);
  dde::data::PDE data(geom, pde, {bc}, {.num_domain = 40, .num_boundary = 16});
  dde::Model model(data, make());
  model.compile("adam", {.lr = 1e-3, .derivatives = derivatives});
  EXPECT_EQ(model.derivative_engine(), derivatives);
  model.train({.iterations = 4, .display_every = 1, .verbose = false});
  auto out = model.losshistory().loss_train;
  std::vector<double> params;
  for (const auto& p : model.trainable_variables()) {
    auto f = p.detach().flatten();
    for (std::int64_t i = 0; i < f.numel(); ++i) params.push_back(f[i].item<double>());
  }
  out.push_back(params);
  return out;
}

TEST_F(NetworksTest, TrainingWithEitherEngineGivesTheSameRunForEveryNetwork) {
  const auto nets = dde::testing::every_network();
  for (const auto& [name, make] : nets) {
    SCOPED_TRACE(name);
    auto f = train_with("forward", make), r = train_with("reverse", make);
    ASSERT_EQ(f.size(), r.size());
    for (std::size_t s = 0; s < f.size(); ++s) {
      ASSERT_EQ(f[s].size(), r[s].size());
      for (std::size_t k = 0; k < f[s].size(); ++k)
        EXPECT_NEAR(f[s][k], r[s][k], 1e-10 * (1 + std::abs(r[s][k]))) << "row " << s << " entry " << k;
    }
  }
}

// ---------------------------------------------------------------- seeds, checkpoints, regularisation

TEST_F(NetworksTest, SeededConstructionReproducesTheRandomFeatures) {
  auto make = [](std::uint64_t seed) {
    dde::config::set_random_seed(seed);
    dde::nn::FNN net({8, 5, 1}, "tanh", "Glorot normal", {.weight_factorization = {1.0, 0.1}});
    net->apply_embedding(dde::nn::FourierFeatures(2, 4, 3.0));
    dde::nn::STMsFFN st({2, 6, 5, 1}, "tanh", "Glorot normal", {1.0}, {1.0, 2.0});
    std::vector<torch::Tensor> all;
    for (const auto& t : net->parameters()) all.push_back(t.detach().flatten());
    for (const auto& t : net->buffers()) all.push_back(t.flatten());
    for (const auto& t : st->buffers()) all.push_back(t.flatten());
    return torch::cat(all);
  };
  auto a = make(3), b = make(3), c = make(4);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
}

TEST_F(NetworksTest, CheckpointRoundTripRestoresParametersAndFixedFeatures) {
  const dde::testing::ScratchDir dir;
  const auto path = dir.file("net.ckpt");
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0) + 1; };
  dde::geometry::Interval geom(0, 1);
  dde::DirichletBC bc(geom, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                      dde::on_boundary);
  dde::data::PDE data(geom, pde, {bc}, {.num_domain = 16, .num_boundary = 2});
  auto make = [](std::uint64_t seed) {
    dde::config::set_random_seed(seed);
    dde::nn::MsFFN net({6, 6, 5, 1}, "LAAF-4 tanh", "Glorot normal", {1.0, 4.0});
    net->apply_embedding(dde::nn::FourierFeatures(1, 3, 2.0));
    return net;
  };
  auto x = torch::linspace(0, 1, 11, torch::kFloat64).unsqueeze(1);
  torch::Tensor before;
  {
    auto net = make(1);
    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-2});
    model.train({.iterations = 3, .verbose = false});
    model.save(path);
    before = model.predict(x);
  }
  auto other = make(2);  // other weights AND other Fourier matrices
  dde::Model model(data, other);
  model.compile("adam", {.lr = 1e-2});
  EXPECT_GT(max_diff(model.predict(x), before), 1e-3);
  model.restore(path);
  EXPECT_LT(max_diff(model.predict(x), before), 1e-15);
  // A network of another shape is refused, naming the buffer or parameter.
  dde::nn::FNN wrong({4, 5, 1});
  wrong->apply_embedding(dde::nn::FourierFeatures(1, 2, 1.0));
  dde::Model model2(data, wrong);
  model2.compile("adam");
  EXPECT_THAT([&] { model2.restore(path); }, ThrowsMessage<dde::ValueError>(HasSubstr("expected a checkpoint of the same network")));
}

TEST_F(NetworksTest, L2RegularizationIsAddedToTheTrainingLoss) {
  dde::nn::FNN net({1, 6, 6, 1}, "tanh", "Glorot normal", {.regularization = {"l2", 1e-2}});
  double hand = 0;
  for (const auto& l : net->linears()) hand += 1e-2 * l->weight.pow(2).sum().item<double>();  // kernels, not biases
  EXPECT_NEAR(net->regularization_loss().item<double>(), hand, 1e-14);
  dde::nn::FNN l1({1, 6, 1}, "tanh", "Glorot normal", {.regularization = {"l1+l2", 1e-3, 1e-2}});
  double hand1 = 0;
  for (const auto& l : l1->linears())
    hand1 += 1e-3 * l->weight.abs().sum().item<double>() + 1e-2 * l->weight.pow(2).sum().item<double>();
  EXPECT_NEAR(l1->regularization_loss().item<double>(), hand1, 1e-14);
  EXPECT_FALSE(dde::nn::FNN({1, 4, 1})->regularization_loss().defined());

  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0) + 1; };
  dde::geometry::Interval geom(0, 1);
  dde::DirichletBC bc(geom, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                      dde::on_boundary);
  dde::data::PDE data(geom, pde, {bc}, {.num_domain = 16, .num_boundary = 2});
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-3, .loss_weights = {1.0, 2.0}});
  auto [history, state] = model.train({.iterations = 0, .verbose = false});
  const auto& terms = history.loss_train.back();
  EXPECT_NEAR(state.loss_train, terms[0] + 2 * terms[1] + hand, 1e-12);
  // And it is part of what the optimizer minimises: one SGD-like Adam step moves the kernels toward zero
  // faster with it than without (gradient of the total includes 2 l2 W).
  auto g = torch::autograd::grad({net->regularization_loss()}, {net->linears()[0]->weight});
  EXPECT_LT(max_diff(g[0], 2e-2 * net->linears()[0]->weight), 1e-15);
}

// ---------------------------------------------------------------- bad arguments

TEST_F(NetworksTest, BadArgumentsAreRefusedWithTheirValues) {
  using dde::ValueError;
  auto throws = [](const std::function<void()>& f, const std::string& text) {
    EXPECT_THAT(f, ThrowsMessage<ValueError>(HasSubstr(text))) << text;
  };
  throws([] { dde::nn::FNN({2, 4, 1}, "LAAF-x tanh"); }, "FNN: activation 'LAAF-x tanh' is not of the form 'LAAF-<n> <activation>'");
  throws([] { dde::nn::FNN({2, 4, 1}, "LAAF-0 tanh"); }, "with n > 0");
  throws([] { dde::nn::FNN({2, 4, 1}, "LAAF-10 tanhh"); }, "FNN: unknown activation 'tanhh'");
  throws([] { dde::nn::FNN({2, 4, 4, 1}, {"tanh", "sin", "tanh", "sin"}); }, "FNN: 4 activations for 2 hidden layers");
  throws([] { dde::nn::FNN({2, 4, 1}, "tanh", "Glorot normal", {.regularization = {"l3", 1e-4}}); },
         "FNN: regularization = 'l3' (expected 'l1', 'l2' or 'l1+l2')");
  throws([] { dde::nn::FNN({2, 4, 1}, "tanh", "Glorot normal", {.regularization = {"l2", -1}}); },
         "FNN: regularization factor = -1 (expected finite >= 0");
  throws([] { dde::nn::FNN({2, 4, 1}, "tanh", "Glorot normal", {.weight_factorization = {1.0, -0.1}}); },
         "FNN: weight_factorization = {mean 1, stddev -0.1}");
  throws([] { dde::nn::PFNN({2, {4, 4}, 8, 2}); }, "PFNN: layer_sizes[2] = 8 follows a split layer");
  throws([] { dde::nn::PFNN({2, {4, 4, 4}, 2}); }, "PFNN: layer_sizes[1] has 3 widths for 2 outputs");
  throws([] { dde::nn::PFNN({{2, 2}, 4, 2}); }, "PFNN: layer_sizes[0] is a list");
  throws([] { dde::nn::PFNN({2, {4, 0}, 2}); }, "PFNN: layer_sizes[1] has a width 0 (expected >= 1)");
  throws([] { dde::nn::ResNet(2, 1, 0, 2); }, "ResNet: num_neurons = 0 (expected >= 1)");
  throws([] { dde::nn::ResNet(2, 1, 5, -1); }, "ResNet: num_blocks = -1 (expected >= 0)");
  throws([] { dde::nn::ResNet(2, 1, 5, 1, "LAAF-10 tanh"); }, "ResNet: activation = 'LAAF-10 tanh'");
  throws([] { dde::nn::MsFFN({2, 7, 1}, "tanh", "Glorot normal", {1.0}); }, "MsFFN: layer_sizes[1] = 7 (expected an even number");
  throws([] { dde::nn::MsFFN({2, 8, 1}, "tanh", "Glorot normal", {}); }, "MsFFN: sigmas is empty");
  throws([] { dde::nn::MsFFN({2, 8, 1}, "tanh", "Glorot normal", {1.0, -2.0}); }, "MsFFN: sigmas[1] = -2 (expected finite > 0)");
  throws([] { dde::nn::MsFFN({2, 8}, "tanh", "Glorot normal", {1.0}); }, "MsFFN: layer_sizes has 2 entries");
  throws([] { dde::nn::STMsFFN({2, 8, 1}, "tanh", "Glorot normal", {1.0}, {}); }, "STMsFFN: sigmas_t is empty");
  throws([] { dde::nn::STMsFFN({1, 8, 1}, "tanh", "Glorot normal", {1.0}, {1.0}); },
         "STMsFFN: layer_sizes[0] = 1 (expected >= 2: space dimensions, then time)");
  throws([] { dde::nn::ModifiedMLP({2, 6, 5, 1}); }, "ModifiedMLP: layer_sizes[2] = 5 but layer_sizes[1] = 6");
  throws([] { dde::nn::ModifiedMLP({2, 1}); }, "ModifiedMLP: layer_sizes has 2 entries");
  throws([] { dde::nn::FourierFeatures(2, 4, 0.0); }, "FourierFeatures: sigma = 0 (expected finite > 0)");
  throws([] { dde::nn::FourierFeatures(0, 4, 1.0); }, "FourierFeatures: input_dim = 0 (expected >= 1)");
  throws([] { dde::nn::PeriodicEmbedding(2, {2}, {1.0}); }, "PeriodicEmbedding: columns[0] = 2 (expected 0 <= column < input_dim = 2)");
  throws([] { dde::nn::PeriodicEmbedding(2, {0}, {1.0, 2.0}); }, "PeriodicEmbedding: 2 periods for 1 columns");
  throws([] { dde::nn::PeriodicEmbedding(2, {0}, {-1.0}); }, "PeriodicEmbedding: periods[0] = -1 (expected finite > 0)");
  throws([] { dde::nn::PeriodicEmbedding(2, {0, 0}, {1.0, 1.0}); }, "PeriodicEmbedding: column 0 appears twice");
  throws([] { dde::nn::PeriodicEmbedding(2, {0}, {1.0}, 0); }, "PeriodicEmbedding: harmonics = 0 (expected >= 1)");
  throws([] {
    dde::nn::FNN net({5, 4, 1});
    net->apply_embedding(dde::nn::FourierFeatures(2, 3, 1.0));
  }, "apply_embedding: the embedding has 6 outputs but the network takes 5 inputs");
  throws([] {
    dde::nn::FNN net({6, 4, 1});
    net->apply_embedding(dde::nn::FourierFeatures(2, 3, 1.0));
    net->forward(torch::zeros({4, 3}, torch::kFloat64));
  }, "FourierFeatures: input has shape [4, 3] (expected (N, 2))");
}

}  // namespace
