// IDE (integro-differential equations by Gauss–Legendre quadrature) and Function's online option:
// quadrature against closed forms, the assembled integral and loss on a tiny problem against a hand
// computation, both derivative engines, and the error messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <pinnxde/pinnxde.hpp>

#include "test_util.hpp"

namespace dde = pinnxde;
namespace geo = pinnxde::geometry;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

class IDETest : public dde::testing::Float64Test {};

std::vector<dde::data::LossFunction> mse() { return {dde::losses::get("MSE")}; }

TEST(LegGauss, ClosedFormsAndPolynomialExactness) {
  auto [x1, w1] = dde::data::leggauss(1);
  EXPECT_EQ(x1, std::vector<double>{0.0});
  EXPECT_EQ(w1, std::vector<double>{2.0});
  auto [x3, w3] = dde::data::leggauss(3);
  EXPECT_NEAR(x3[0], -std::sqrt(0.6), 1e-15);
  EXPECT_EQ(x3[1], 0.0);
  EXPECT_NEAR(x3[2], std::sqrt(0.6), 1e-15);
  EXPECT_NEAR(w3[0], 5.0 / 9, 1e-15);
  EXPECT_NEAR(w3[1], 8.0 / 9, 1e-15);
  EXPECT_NEAR(w3[2], 5.0 / 9, 1e-15);
  // Degree deg integrates x^k exactly for k <= 2 deg - 1, and not x^(2 deg) (an error of about
  // 2 pi deg / 4^deg: visible up to deg 5 or so).
  for (std::int64_t deg : {1, 2, 5, 10, 20, 40}) {
    auto [x, w] = dde::data::leggauss(deg);
    ASSERT_EQ(static_cast<std::int64_t>(x.size()), deg);
    for (std::size_t i = 1; i < x.size(); ++i) EXPECT_LT(x[i - 1], x[i]);
    for (std::int64_t k = 0; k <= 2 * deg; ++k) {
      double q = 0;
      for (std::size_t i = 0; i < x.size(); ++i) q += w[i] * std::pow(x[i], static_cast<double>(k));
      const double exact = k % 2 ? 0.0 : 2.0 / static_cast<double>(k + 1);
      if (k <= 2 * deg - 1) {
        EXPECT_NEAR(q, exact, 1e-13) << "deg " << deg << ", k " << k;
      } else if (k % 2 == 0 && deg <= 5) {
        EXPECT_GT(std::abs(q - exact), 1e-4) << "deg " << deg << ", k " << k;
      }
    }
  }
  // A smooth integrand: ∫_{-1}^{1} cos(x) dx = 2 sin(1) and ∫ exp = e - 1/e, to round-off at degree 20.
  auto [x, w] = dde::data::leggauss(20);
  double c = 0, e = 0;
  for (std::size_t i = 0; i < x.size(); ++i) c += w[i] * std::cos(x[i]), e += w[i] * std::exp(x[i]);
  EXPECT_NEAR(c, 2 * std::sin(1.0), 1e-14);
  EXPECT_NEAR(e, std::exp(1.0) - std::exp(-1.0), 1e-14);
  EXPECT_THAT([] { dde::data::leggauss(0); }, ThrowsMessage<dde::ValueError>(HasSubstr("leggauss: deg = 0 (expected >= 1)")));
}

// The tiny problem: y' + y = ∫_0^x K(x, t) y(t) dt with K = x t, collocation points [0.5 (anchor), 0, 1
// (boundary)], quad_deg 2, a condition y(0) = 1 at x = 0. With y = x^2 the integral is x ∫_0^x t^3 dt = x^5/4
// (degree 2 is exact for t^3), so the residual is 2x + x^2 - x^5/4.
struct Tiny {
  geo::Interval geom{0, 1};
  dde::DirichletBC bc{geom, [](const torch::Tensor& x) { return torch::ones({x.size(0), 1}, x.options()); },
                      [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 0); }};
  static dde::data::Residuals ide(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& int_mat) {
    auto rhs = torch::matmul(int_mat, y);
    return (dde::grad::jacobian(y, x) + y).slice(0, 0, rhs.size(0)) - rhs;
  }
  dde::data::IDE data{geom, ide, {bc}, 2,
                      [](const torch::Tensor& x, const torch::Tensor& t) { return x * t; },
                      {.num_boundary = 2, .anchors = geo::Points{{0.5}}}};
};

TEST_F(IDETest, BatchLayoutAndIntegrationMatrixByHand) {
  Tiny t;
  const auto& b = t.data.train_batch();
  // [condition row x = 0 | collocation 0.5, 0, 1 | nodes of 0.5 (2) | of 0 (2) | of 1 (2)]
  ASSERT_EQ(b.bcs_start, (std::vector<std::int64_t>{0, 1}));
  ASSERT_EQ(b.x.size(0), 1 + 3 + 3 * 2);
  const double r = 1 / std::sqrt(3.0);
  const std::vector<double> colloc{0.5, 0, 1};
  std::vector<double> expect_x{0, 0.5, 0, 1};
  for (double xi : colloc)
    for (double s : {-r, r}) expect_x.push_back((s + 1) * xi / 2);
  for (std::size_t i = 0; i < expect_x.size(); ++i) EXPECT_NEAR(b.x[static_cast<std::int64_t>(i)][0].item<double>(), expect_x[i], 1e-15);
  auto m = t.data.int_mat(b);
  ASSERT_EQ(m.sizes(), (std::vector<std::int64_t>{3, 9}));
  for (std::int64_t i = 0; i < 3; ++i)
    for (std::int64_t j = 0; j < 9; ++j) {
      double expect = 0;
      const auto ci = static_cast<std::size_t>(i);
      if (j >= 3 + 2 * i && j < 3 + 2 * i + 2) {
        const double tj = expect_x[static_cast<std::size_t>(1 + j)];  // node j of the residual's rows
        expect = 1.0 * colloc[ci] / 2 * (colloc[ci] * tj);           // w_j x_i / 2 * K(x_i, t_j), w_j = 1
      }
      EXPECT_NEAR(m[i][j].item<double>(), expect, 1e-15) << i << ", " << j;
    }
  // The integral of y = t^2 against K = x t: x^5 / 4.
  auto xr = b.x.detach().slice(0, 1);
  auto integral = torch::matmul(m, xr * xr);
  for (std::int64_t i = 0; i < 3; ++i) EXPECT_NEAR(integral[i][0].item<double>(), std::pow(colloc[static_cast<std::size_t>(i)], 5) / 4, 1e-15);
}

TEST_F(IDETest, AssembledLossMatchesHandComputationThroughEvaluateAndLosses) {
  Tiny t;
  const auto& b = t.data.train_batch();
  auto res = [](double x) { return 2 * x + x * x - std::pow(x, 5) / 4; };
  const double pde = (std::pow(res(0.5), 2) + std::pow(res(0.0), 2) + std::pow(res(1.0), 2)) / 3;
  const double cond = 1.0;  // (y(0) - 1)^2 with y = x^2
  auto square = [](const torch::Tensor& x) { return x * x; };
  auto ev = t.data.evaluate(square, b, mse());
  ASSERT_EQ(ev.terms.size(), 2u);
  EXPECT_NEAR(ev.terms[0].item<double>(), pde, 1e-14);
  EXPECT_NEAR(ev.terms[1].item<double>(), cond, 1e-14);
  // DeepXDE's path: every row of the batch at once, zero rows of int_mat in front for the condition.
  auto terms = t.data.losses(b.x * b.x, b, mse());
  ASSERT_EQ(terms.size(), 2u);
  EXPECT_NEAR(terms[0].item<double>(), pde, 1e-14);
  EXPECT_NEAR(terms[1].item<double>(), cond, 1e-14);
}

// Volterra_IDE's problem, a few Adam steps with each derivative engine: the same run to round-off.
std::vector<std::vector<double>> train_volterra(const std::string& derivatives, std::string* engine) {
  dde::config::set_random_seed(5);
  geo::TimeDomain geom(0, 5);
  auto ide = [](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& int_mat) -> dde::data::Residuals {
    auto rhs = torch::matmul(int_mat, y);
    return (dde::grad::jacobian(y, x) + y).slice(0, 0, rhs.size(0)) - rhs;
  };
  auto kernel = [](const torch::Tensor& x, const torch::Tensor& s) { return torch::exp(s - x); };
  auto func = [](const torch::Tensor& x) { return torch::exp(-x) * torch::cosh(x); };
  dde::IC ic(geom, func, dde::on_initial);
  dde::data::IDE data(geom, ide, {ic}, 6, kernel,
                      {.num_domain = 8, .num_boundary = 2, .train_distribution = "uniform", .solution = func});
  dde::nn::FNN net({1, 8, 8, 1}, "tanh", "Glorot uniform");
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-2, .metrics = {"l2 relative error"}, .derivatives = derivatives});
  *engine = model.derivative_engine();
  model.train({.iterations = 5, .display_every = 1, .verbose = false});
  auto out = model.losshistory().loss_train;
  for (const auto& m : model.losshistory().metrics_test) out.push_back(m);
  return out;
}

TEST_F(IDETest, BothDerivativeEnginesGiveTheSameRun) {
  std::string ef, er;
  auto f = train_volterra("forward", &ef), r = train_volterra("reverse", &er);
  EXPECT_EQ(ef, "forward");
  EXPECT_EQ(er, "reverse");
  ASSERT_EQ(f.size(), r.size());
  ASSERT_GT(f.size(), 5u);
  for (std::size_t s = 0; s < f.size(); ++s) {
    ASSERT_EQ(f[s].size(), r[s].size());
    for (std::size_t k = 0; k < f[s].size(); ++k)
      EXPECT_NEAR(f[s][k], r[s][k], 1e-10 * (1 + std::abs(r[s][k]))) << "row " << s << " term " << k;
  }
  // The loss moved: the run trained.
  EXPECT_LT(f[5][0] + f[5][1], f[0][0] + f[0][1]);
}

TEST_F(IDETest, BadInputsAreRefusedWithTheirValues) {
  geo::Interval line(0, 1);
  auto ide = [](const torch::Tensor&, const torch::Tensor& y, const torch::Tensor& m) -> dde::data::Residuals {
    return torch::matmul(m, y);
  };
  EXPECT_THAT([&] { dde::data::IDE(line, ide, {}, 0, {}, {.num_domain = 4}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("IDE: quad_deg = 0 (expected 1 <= quad_deg <= 1000)")));
  EXPECT_THAT([&] { dde::data::IDE(geo::Rectangle({0, 0}, {1, 1}), ide, {}, 4, {}, {.num_domain = 4}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("IDE: geometry is a Rectangle of dimension 2 (expected dimension 1")));
  EXPECT_THAT([&] { dde::data::IDE(line, dde::data::IDEFunction{}, {}, 4, {}, {.num_domain = 4}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("IDE: ide is empty")));
  {
    dde::data::IDE data(line, ide, {}, 3, [](const torch::Tensor& x, const torch::Tensor&) { return x.slice(0, 1); },
                        {.num_domain = 4});
    EXPECT_THAT([&] { data.train_batch(); },
                ThrowsMessage<dde::ValueError>(HasSubstr("IDE: the kernel returned shape [11, 1] for 12 pairs (expected [12, 1])")));
  }
  {
    dde::data::IDE data(line, ide, {}, 3, [](const torch::Tensor& x, const torch::Tensor& t) { return 1 / (x - t - t); },
                        {.num_domain = 4, .anchors = geo::Points{{0.0}}});
    EXPECT_THAT([&] { data.train_batch(); },
                ThrowsMessage<dde::ValueError>(HasSubstr("IDE: the kernel returned inf at x = 0, t = 0 (expected finite values)")));
  }
  {
    // A residual of the wrong length names both lengths it could have had.
    auto wrong = [](const torch::Tensor&, const torch::Tensor& y, const torch::Tensor&) -> dde::data::Residuals {
      return y.slice(0, 1);
    };
    dde::data::IDE data(line, wrong, {}, 3, {}, {.num_domain = 4});
    const auto& b = data.train_batch();
    EXPECT_THAT([&] { data.evaluate([](const torch::Tensor& x) { return x * 1.0; }, b, mse()); },
                ThrowsMessage<dde::ValueError>(HasSubstr("IDE: the PDE residual (term 0) returned shape [15, 1] for 16 points (expected [4 or 16, 1])")));
  }
  {
    dde::data::IDE data(line, ide, {}, 3, {}, {.num_domain = 8});
    dde::nn::FNN net({1, 4, 1});
    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3});
    EXPECT_THAT([&] { model.train({.iterations = 1, .batch_size = 4, .verbose = false}); },
                ThrowsMessage<dde::ValueError>(HasSubstr("mini-batches are not supported")));
  }
}

// Function's online option: every first-order step trains on newly drawn points (with their targets),
// without it the points stay.
TEST_F(IDETest, FunctionOnlineDrawsNewPointsEveryStep) {
  auto f = [](const torch::Tensor& x) { return torch::sin(3 * x); };
  for (bool online : {false, true}) {
    SCOPED_TRACE(online);
    dde::data::Function data(geo::Interval(-1, 1), f, 16, 50, {.train_distribution = "pseudo", .online = online});
    dde::nn::FNN net({1, 8, 1});
    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3});
    std::vector<torch::Tensor> seen;
    for (int step = 0; step < 3; ++step) {
      model.train({.iterations = 1, .verbose = false, .restore_best = false});
      const auto& b = data.train_batch();
      seen.push_back(b.x.detach().clone());
      EXPECT_TRUE(torch::allclose(b.y, f(b.x.detach())));
      // The recorded training loss is the MSE on this step's points.
      const double l = torch::mean(torch::square(model.predict(b.x.detach()) - b.y)).item<double>();
      EXPECT_NEAR(model.losshistory().loss_train.back()[0], l, 1e-12);
    }
    for (std::size_t s = 1; s < seen.size(); ++s) EXPECT_EQ(torch::equal(seen[s], seen[0]), !online);
  }
}

}  // namespace
