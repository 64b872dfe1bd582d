// Quadrature rules against closed-form integrals, and PDE's global loss terms (add_global_term): value and
// parameter gradient on a tiny network against a hand computation, both derivative engines, mini-batches,
// loss names and bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <pinnxde/pinnxde.hpp>

#include "test_util.hpp"

namespace dde = pinnxde;
namespace geo = pinnxde::geometry;
namespace quad = pinnxde::quadrature;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

class GlobalTermTest : public dde::testing::Float64Test {};

double integrate(const quad::Rule& q, const std::function<double(const Eigen::RowVectorXd&)>& f) {
  double s = 0;
  for (Eigen::Index i = 0; i < q.points.rows(); ++i) s += q.weights(i) * f(q.points.row(i));
  return s;
}

TEST(Quadrature, GaussLegendreIsExactToDegree2nMinus1) {
  for (std::int64_t n : {1, 2, 3, 4, 7, 20}) {
    const auto q = quad::gauss_legendre(n, -0.5, 2.0);
    ASSERT_EQ(q.size(), n);
    for (Eigen::Index i = 1; i < q.points.rows(); ++i) EXPECT_LT(q.points(i - 1, 0), q.points(i, 0));
    for (int k = 0; k <= 2 * n - 1; ++k) {
      const double exact = (std::pow(2.0, k + 1) - std::pow(-0.5, k + 1)) / (k + 1);
      EXPECT_NEAR(integrate(q, [&](const Eigen::RowVectorXd& x) { return std::pow(x(0), k); }), exact,
                  1e-13 * std::max(1.0, std::abs(exact)))
          << "n = " << n << ", degree " << k;
    }
    // Degree 2n is not integrated exactly (the rule is Gaussian, no better).
    const int k = 2 * static_cast<int>(n);
    const double exact = (std::pow(2.0, k + 1) - std::pow(-0.5, k + 1)) / (k + 1);
    EXPECT_GT(std::abs(integrate(q, [&](const Eigen::RowVectorXd& x) { return std::pow(x(0), k); }) - exact), 1e-10);
  }
  // Known nodes: n = 2 on [-1, 1] is +-1/sqrt(3), weights 1.
  const auto q2 = quad::gauss_legendre(2, -1, 1);
  EXPECT_NEAR(q2.points(1, 0), 1 / std::sqrt(3.0), 1e-15);
  EXPECT_NEAR(q2.weights(0), 1.0, 1e-15);
  // A Gaussian on [-5, 5]: sqrt(pi) erf(5) with 60 nodes; 200 nodes stay accurate (no drift in Newton).
  for (std::int64_t n : {60, 200})
    EXPECT_NEAR(integrate(quad::gauss_legendre(n, -5, 5), [](auto x) { return std::exp(-x(0) * x(0)); }),
                std::sqrt(M_PI) * std::erf(5.0), 1e-13);
}

TEST(Quadrature, TrapezoidErrorAndPeriodicExactness) {
  // int_0^1 x^2 = 1/3; the composite trapezoid rule's error is exactly h^2 / 6 for x^2.
  const auto q = quad::trapezoid(11, 0, 1);
  EXPECT_NEAR(integrate(q, [](auto x) { return x(0) * x(0); }), 1.0 / 3 + 0.01 / 6, 1e-15);
  EXPECT_NEAR(q.weights.sum(), 1.0, 1e-15);
  EXPECT_EQ(q.points(10, 0), 1.0);
  // A trigonometric polynomial over its period: exact (to round-off) with 9 nodes for degree <= 7.
  EXPECT_NEAR(integrate(quad::trapezoid(9, 0, 2 * M_PI),
                        [](auto x) { return std::pow(std::sin(x(0)), 2) + std::cos(3 * x(0)); }),
              M_PI, 1e-14);
}

TEST(Quadrature, TensorProductsAndBoxGeometries) {
  // int_0^1 int_0^2 x^2 y^3 dy dx = (1/3)(4) = 4/3.
  auto f = [](const Eigen::RowVectorXd& p) { return p(0) * p(0) * std::pow(p(1), 3); };
  const auto q = quad::tensor_product({quad::gauss_legendre(2, 0, 1), quad::gauss_legendre(3, 0, 2)});
  ASSERT_EQ(q.size(), 6);
  ASSERT_EQ(q.dim(), 2);
  EXPECT_NEAR(integrate(q, f), 4.0 / 3, 1e-14);
  EXPECT_NEAR(integrate(quad::gauss_legendre(geo::Rectangle({0, 0}, {1, 2}), 3), f), 4.0 / 3, 1e-14);
  // Per-axis counts; a 5-D Hypercube: int over [0,1]^5 of prod x_i^2 = 3^-5.
  EXPECT_NEAR(integrate(quad::gauss_legendre(geo::Rectangle({0, 0}, {1, 2}), {2, 2}), f), 4.0 / 3, 1e-14);
  const auto q5 = quad::gauss_legendre(geo::Hypercube(std::vector<double>(5, 0.0), std::vector<double>(5, 1.0)), 2);
  EXPECT_EQ(q5.size(), 32);
  EXPECT_NEAR(integrate(q5, [](auto x) { return x.array().square().prod(); }), std::pow(3.0, -5), 1e-15);
  // Space-time: int_{-1}^{1} int_0^2 x^2 t dt dx = (2/3)(2) = 4/3.
  const geo::GeometryXTime gt(geo::Interval(-1, 1), geo::TimeDomain(0, 2));
  EXPECT_NEAR(integrate(quad::gauss_legendre(gt, 4), [](auto x) { return x(0) * x(0) * x(1); }), 4.0 / 3, 1e-14);
}

TEST(Quadrature, MonteCarloOnADisk) {
  // Area pi and int x^2 = pi/4 over the unit disk; Hammersley points converge ~1/n.
  const auto q = quad::monte_carlo(geo::Disk({0, 0}, 1), 20000);
  EXPECT_NEAR(q.weights.sum(), M_PI, 2e-3);
  EXPECT_NEAR(integrate(q, [](auto x) { return x(0) * x(0); }), M_PI / 4, 2e-3);
  const auto inside = geo::Disk({0, 0}, 1).inside(q.points);
  EXPECT_TRUE(inside.all());
  EXPECT_DOUBLE_EQ(q.weights(0), 4.0 / 20000);
}

TEST(Quadrature, BadInputIsRejected) {
  EXPECT_THAT([] { quad::gauss_legendre(0, 0, 1); },
              ThrowsMessage<dde::ValueError>(HasSubstr("quadrature::gauss_legendre: n = 0 (expected >= 1)")));
  EXPECT_THAT([] { quad::gauss_legendre(4, 1, 0); },
              ThrowsMessage<dde::ValueError>(HasSubstr("[a, b] = [1, 0] (expected finite a < b)")));
  EXPECT_THAT([] { quad::trapezoid(1, 0, 1); },
              ThrowsMessage<dde::ValueError>(HasSubstr("quadrature::trapezoid: n = 1 (expected >= 2)")));
  EXPECT_THAT([] { quad::gauss_legendre(geo::Disk({0, 0}, 1), 8); },
              ThrowsMessage<dde::ValueError>(HasSubstr("geometry is a Disk (expected a box")));
  EXPECT_THAT([] { quad::gauss_legendre(geo::Rectangle({0, 0}, {1, 1}), std::vector<std::int64_t>{4}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("n has 1 entries but the Rectangle has dimension 2")));
  EXPECT_THAT([] { quad::tensor_product({}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("rules is empty")));
  EXPECT_THAT([] { quad::monte_carlo(geo::Disk({0, 0}, 1), 0); },
              ThrowsMessage<dde::ValueError>(HasSubstr("quadrature::monte_carlo: n = 0")));
  EXPECT_THAT([] { quad::monte_carlo(geo::Disk({0, 0}, 1), 10, "Sobolev"); },
              ThrowsMessage<dde::ValueError>(HasSubstr("unknown sampler 'Sobolev'")));
}

// A tiny network y = W2 tanh(W1 x + b1) + b2 with 2 hidden units and fixed parameters.
dde::nn::FNN tiny_net() {
  dde::nn::FNN net({1, 2, 1}, "tanh", "Glorot normal");
  torch::NoGradGuard no_grad;
  const std::vector<std::vector<double>> values = {{0.7, -1.3}, {0.1, 0.4}, {1.1, 0.6}, {-0.2}};
  auto params = net->parameters();
  EXPECT_EQ(params.size(), 4u);
  for (std::size_t k = 0; k < params.size(); ++k)
    params[k].copy_(torch::tensor(values[k], params[k].options()).view(params[k].sizes()));
  return net;
}

struct Hand {
  double value = 0;                 // the loss
  std::vector<double> grad;         // d loss / d (W1_0, W1_1, b1_0, b1_1, W2_0, W2_1, b2)
};

// Norm term: L = (sum_i w_i y_i^2 - 1)^2, by hand (chain rule on the two hidden units).
Hand hand_norm(const quad::Rule& q) {
  const double W1[2] = {0.7, -1.3}, b1[2] = {0.1, 0.4}, W2[2] = {1.1, 0.6}, b2 = -0.2;
  double I = 0;
  std::vector<double> dI(7, 0.0);
  for (Eigen::Index i = 0; i < q.size(); ++i) {
    const double x = q.points(i, 0), w = q.weights(i);
    double h[2], y = b2;
    for (int j = 0; j < 2; ++j) y += W2[j] * (h[j] = std::tanh(W1[j] * x + b1[j]));
    I += w * y * y;
    const double dy = 2 * w * y;  // d(w y^2)/dy
    for (int j = 0; j < 2; ++j) {
      const double s = W2[j] * (1 - h[j] * h[j]);
      dI[j] += dy * s * x;      // W1_j
      dI[2 + j] += dy * s;      // b1_j
      dI[4 + j] += dy * h[j];   // W2_j
    }
    dI[6] += dy;
  }
  Hand out{(I - 1) * (I - 1), {}};
  for (double d : dI) out.grad.push_back(2 * (I - 1) * d);
  return out;
}

// Dirichlet energy term: L = (int y'^2 dx)^2 with y' = sum_j W2_j (1 - h_j^2) W1_j.
double hand_energy(const quad::Rule& q) {
  const double W1[2] = {0.7, -1.3}, b1[2] = {0.1, 0.4}, W2[2] = {1.1, 0.6};
  double I = 0;
  for (Eigen::Index i = 0; i < q.size(); ++i) {
    double dy = 0;
    for (int j = 0; j < 2; ++j) {
      const double h = std::tanh(W1[j] * q.points(i, 0) + b1[j]);
      dy += W2[j] * (1 - h * h) * W1[j];
    }
    I += q.weights(i) * dy * dy;
  }
  return I * I;
}

std::vector<double> flat_grads(const std::vector<torch::Tensor>& params, const torch::Tensor& loss) {
  auto g = torch::autograd::grad({loss}, params, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                 /*allow_unused=*/true);  // the energy does not depend on b2
  std::vector<double> out;
  for (std::size_t i = 0; i < g.size(); ++i)
    for (std::int64_t k = 0; k < params[i].numel(); ++k)
      out.push_back(g[i].defined() ? g[i].flatten()[k].item<double>() : 0.0);
  return out;
}

dde::data::GlobalFunction norm_term() {
  return [](const torch::Tensor&, const torch::Tensor& y, const torch::Tensor& w) { return (w * y.square()).sum() - 1; };
}
dde::data::GlobalFunction energy_term() {
  return [](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& w) {
    return (w * dde::grad::jacobian(y, x, 0, 0).square()).sum();
  };
}

TEST_F(GlobalTermTest, ValueAndGradientMatchAHandComputationWithBothEngines) {
  const geo::Interval geom(-2, 1.5);
  const auto q = quad::gauss_legendre(9, -2, 1.5);
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0) + y; };
  dde::data::PDE data(geom, pde, {}, {.num_domain = 12});
  data.add_global_term("norm", q, norm_term());
  data.add_global_term("energy", q, energy_term());
  ASSERT_EQ(data.num_losses(), 3u);
  const auto hand = hand_norm(q);
  const double energy = hand_energy(q);
  auto net = tiny_net();
  const std::vector<dde::data::LossFunction> mse{dde::losses::get("MSE")};
  for (const std::string engine_name : {"reverse", "forward"}) {
    auto engine = dde::grad::make_engine(engine_name);
    for (int pass = 0; pass < 2; ++pass) {  // the forward engine learns on the first pass, sweeps on the second
      dde::grad::Scope scope;
      std::size_t site = 0;
      auto ev = data.evaluate([&](const torch::Tensor& x) { return engine->run(*net, x, scope, site++); },
                              data.train_batch(), mse);
      ASSERT_EQ(ev.terms.size(), 3u);
      EXPECT_NEAR(ev.terms[1].item<double>(), hand.value, 1e-13) << engine_name;
      EXPECT_NEAR(ev.terms[2].item<double>(), energy, 1e-13) << engine_name;
      const auto g = flat_grads(net->parameters(), ev.terms[1]);
      ASSERT_EQ(g.size(), hand.grad.size());
      for (std::size_t k = 0; k < g.size(); ++k) EXPECT_NEAR(g[k], hand.grad[k], 1e-12) << engine_name << " " << k;
      // The energy term's gradient: the same under both engines (checked against reverse below).
      if (engine_name == "forward" && pass == 1) {
        EXPECT_GT(scope.stats().served_forward, 0);
      }
    }
  }
  // Energy gradient, forward vs reverse engine.
  std::vector<std::vector<double>> eg;
  for (const std::string engine_name : {"reverse", "forward"}) {
    auto engine = dde::grad::make_engine(engine_name);
    std::vector<double> last;
    for (int pass = 0; pass < 2; ++pass) {
      dde::grad::Scope scope;
      std::size_t site = 0;
      auto ev = data.evaluate([&](const torch::Tensor& x) { return engine->run(*net, x, scope, site++); },
                              data.train_batch(), mse);
      last = flat_grads(net->parameters(), ev.terms[2]);
    }
    eg.push_back(last);
  }
  for (std::size_t k = 0; k < eg[0].size(); ++k) EXPECT_NEAR(eg[0][k], eg[1][k], 1e-13);
}

TEST_F(GlobalTermTest, TermIsIndependentOfTheBatchAndAddsNoRows) {
  const geo::Interval geom(-1, 1);
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0) - 1; };
  dde::DirichletBC bc(geom, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                      dde::on_boundary);
  dde::data::PDE data(geom, pde, {bc}, {.num_domain = 40, .num_boundary = 2});
  const auto rows_before = data.train_batch().x.size(0);
  const auto q = quad::gauss_legendre(9, -1, 1);
  data.add_global_term("norm", q, norm_term());
  const auto& full = data.train_batch();
  EXPECT_EQ(full.x.size(0), rows_before);  // the rule's points are not collocation rows
  // A mini-batch as Model makes one: all condition rows, 5 of the PDE rows.
  dde::data::Batch mini = full;
  const auto nb = full.bcs_start.back();
  mini.x = torch::cat({full.x.detach().slice(0, 0, nb), full.x.detach().slice(0, nb, nb + 5)}).requires_grad_(true);
  auto net = tiny_net();
  std::vector<dde::data::LossFunction> mse{dde::losses::get("MSE")};
  auto plain = [&](const torch::Tensor& x) { return net->forward(x); };
  dde::grad::Scope scope;
  const auto a = data.evaluate(plain, full, mse), b = data.evaluate(plain, mini, mse);
  ASSERT_EQ(a.terms.size(), 3u);
  EXPECT_NE(a.terms[0].item<double>(), b.terms[0].item<double>());  // the residual sees its rows
  EXPECT_EQ(a.terms[2].item<double>(), b.terms[2].item<double>());  // the global term does not
  EXPECT_NEAR(a.terms[2].item<double>(), hand_norm(q).value, 1e-13);
  EXPECT_EQ(data.loss_names(), (std::vector<std::string>{"pde", "D0", "norm"}));

  // Training with batch_size: the history names the term, and the final record's value is the
  // functional of the trained network on the full rule.
  dde::Model model(data, tiny_net());
  model.compile("adam", {.lr = 1e-3});
  model.train({.iterations = 20, .batch_size = 8, .display_every = 10, .verbose = false, .restore_best = false});
  const auto& h = model.losshistory();
  EXPECT_EQ(h.loss_names, (std::vector<std::string>{"pde", "D0", "norm"}));
  const auto xq = dde::to_tensor(q.points, dde::config::options());
  const auto wq = torch::from_blob(const_cast<double*>(q.weights.data()), {q.size(), 1}, torch::kFloat64).clone();
  const double I = (wq * model.predict(xq).square()).sum().item<double>();
  EXPECT_NEAR(h.loss_train.back()[2], (I - 1) * (I - 1), 1e-13);
  const dde::testing::ScratchDir dir;
  dde::save_loss_history(h, dir.string());
  std::ifstream in(dir.file("loss.dat"));
  std::string header;
  std::getline(in, header);
  EXPECT_THAT(header, HasSubstr("(terms: pde, D0, norm)"));
}

TEST_F(GlobalTermTest, SeveralValuesInOneTermAndLossWeights) {
  // A term returning (k): MSE is the mean of the squares; loss_weights count the global term.
  const geo::Interval geom(-1, 1);
  dde::data::PDE data(geom, nullptr, {}, {});
  data.add_global_term("moments", quad::gauss_legendre(4, -1, 1),
                       [](const torch::Tensor& x, const torch::Tensor&, const torch::Tensor& w) {
                         return torch::stack({(w * x).sum() - 1, (w * x.square()).sum()});  // (0 - 1), 2/3
                       });
  auto net = tiny_net();
  auto ev = data.evaluate([&](const torch::Tensor& x) { return net->forward(x); }, data.train_batch(),
                          {dde::losses::get("MSE")});
  ASSERT_EQ(ev.terms.size(), 1u);
  EXPECT_NEAR(ev.terms[0].item<double>(), (1.0 + 4.0 / 9) / 2, 1e-14);
}

TEST_F(GlobalTermTest, BadInputIsRejected) {
  const geo::Interval geom(-1, 1);
  dde::data::PDE data(geom, nullptr, {}, {});
  const auto q = quad::gauss_legendre(4, -1, 1);
  EXPECT_THAT([&] { data.add_global_term("", q, norm_term()); },
              ThrowsMessage<dde::ValueError>(HasSubstr("PDE.add_global_term: name is empty")));
  EXPECT_THAT([&] { data.add_global_term("norm", q, {}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("'norm': functional is empty")));
  EXPECT_THAT([&] { data.add_global_term("norm", quad::Rule{}, norm_term()); },
              ThrowsMessage<dde::ValueError>(HasSubstr("'norm': the rule has no points")));
  EXPECT_THAT(
      [&] { data.add_global_term("norm", quad::gauss_legendre(geo::Rectangle({0, 0}, {1, 1}), 2), norm_term()); },
      ThrowsMessage<dde::ValueError>(HasSubstr("the rule's points have dimension 2 but the geometry has dimension 1")));
  auto bad = q;
  bad.weights.conservativeResize(3);
  EXPECT_THAT([&] { data.add_global_term("norm", bad, norm_term()); },
              ThrowsMessage<dde::ValueError>(HasSubstr("the rule has 4 points but 3 weights")));
  bad = q;
  bad.weights(2) = NAN;
  EXPECT_THAT([&] { data.add_global_term("norm", bad, norm_term()); },
              ThrowsMessage<dde::ValueError>(HasSubstr("weights[2] = nan (expected finite values)")));
  bad = q;
  bad.points(1, 0) = INFINITY;
  EXPECT_THAT([&] { data.add_global_term("norm", bad, norm_term()); },
              ThrowsMessage<dde::ValueError>(HasSubstr("points[1, 0] = inf (expected finite values)")));
  data.add_global_term("norm", q, norm_term());
  EXPECT_THAT([&] { data.add_global_term("norm", q, norm_term()); },
              ThrowsMessage<dde::ValueError>(HasSubstr("name = 'norm' is already a global term")));
  // A functional that returns per-point values instead of an integral is refused at evaluation.
  data.add_global_term("pointwise", q, [](const torch::Tensor&, const torch::Tensor& y, const torch::Tensor&) {
    return torch::cat({y, y}, 1);
  });
  auto net = tiny_net();
  const std::vector<dde::data::LossFunction> mse{dde::losses::get("MSE")};
  EXPECT_THAT([&] { data.evaluate([&](const torch::Tensor& x) { return net->forward(x); }, data.train_batch(), mse); },
              ThrowsMessage<dde::ValueError>(HasSubstr("global term 'pointwise' returned shape [4, 2]")));
  // A throwing functional: rethrown with the term's name.
  dde::data::PDE data2(geom, nullptr, {}, {});
  data2.add_global_term("boom", q, [](const torch::Tensor&, const torch::Tensor& y, const torch::Tensor&) {
    return y.slice(1, 3, 4).sum() + torch::ones({2}).mm(torch::ones({3, 3}));
  });
  EXPECT_THAT([&] { data2.evaluate([&](const torch::Tensor& x) { return net->forward(x); }, data2.train_batch(), mse); },
              ThrowsMessage<dde::Error>(HasSubstr("while evaluating global term 'boom' on 4 quadrature points: ")));
  // losses() has no network to run the term with.
  EXPECT_THAT([&] { data.losses(torch::zeros({0, 1}), data.train_batch(), mse); },
              ThrowsMessage<dde::ValueError>(HasSubstr("global term 'norm' needs the network")));
}

}  // namespace
