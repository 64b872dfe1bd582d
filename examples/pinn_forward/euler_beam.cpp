// Euler-Bernoulli beam, clamped at x = 0 and free at x = 1 (port of DeepXDE's Euler_beam): a 4th-order
// equation whose free-end conditions are OperatorBCs on u'' and u'''.
//
//   u'''' + 1 = 0,  x in [0, 1]
//   u(0) = 0,  u'(0) = 0 (clamped),  u''(1) = 0,  u'''(1) = 0 (free)
//   exact: u = -x^4/24 + x^3/6 - x^2/4
//
// Full budget (gallery): 10 domain / 2 boundary points, FNN [1, 20, 20, 20, 1] tanh, Adam 1e-3 x 10000,
// then L-BFGS, in float64.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 10000, .lbfgs_iterations = 15000});

    auto ddy = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0); };
    auto dddy = [ddy](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::jacobian(ddy(x, y), x); };
    auto pde = [ddy](const torch::Tensor& x, const torch::Tensor& y) {
      return dde::grad::hessian(ddy(x, y), x, 0, 0) + 1;
    };
    auto exact = [](const torch::Tensor& x) { return -x.pow(4) / 24 + x.pow(3) / 6 - x.square() / 4; };
    auto zero = [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); };
    auto left = [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 0); };
    auto right = [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 1); };

    dde::geometry::Interval geom(0, 1);
    dde::DirichletBC bc1(geom, zero, left);
    dde::NeumannBC bc2(geom, zero, left);
    dde::OperatorBC bc3(geom, [ddy](const auto& x, const auto& y, const auto&) { return ddy(x, y); }, right);
    dde::OperatorBC bc4(geom, [dddy](const auto& x, const auto& y, const auto&) { return dddy(x, y); }, right);
    dde::data::PDE data(geom, pde, {bc1, bc2, bc3, bc4},
                        {.num_domain = 10, .num_boundary = 2, .solution = exact, .num_test = 100});
    dde::nn::FNN net({1, 20, 20, 20, 1}, "tanh", "Glorot uniform");

    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.metrics = {"l2 relative error"}});
      model.train({.display_every = args.display_every});
    }

    auto x = dde::to_tensor(geom.uniform_points(1000, true), dde::config::options());
    return dde::examples::finish(model, "L2 relative error",
                                 dde::metrics::l2_relative_error(exact(x), model.predict(x)), args);
  });
}
