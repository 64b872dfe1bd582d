// Poisson equation in 1D with a Dirichlet and a periodic condition (port of DeepXDE's
// Poisson_periodic_1d).
//
//   -u'' = pi^2 sin(pi x),  x in [-1, 1],  u(-1) = 0,  u(1) = u(-1)  (PeriodicBC on component_x 0)
//   exact: u = sin(pi x)
//
// Full budget (gallery): 16 domain / 2 boundary points, FNN [1, 50, 50, 50, 1] tanh, Adam 1e-3 x 10000,
// then L-BFGS, in float64.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 10000, .lbfgs_iterations = 15000});

    auto pde = [](const torch::Tensor& x, const torch::Tensor& y) {
      return -dde::grad::hessian(y, x, 0, 0) - M_PI * M_PI * torch::sin(M_PI * x);
    };
    auto exact = [](const torch::Tensor& x) { return torch::sin(M_PI * x); };
    auto left = [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], -1); };
    auto right = [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 1); };

    dde::geometry::Interval geom(-1, 1);
    dde::DirichletBC bc1(geom, exact, left);
    dde::PeriodicBC bc2(geom, 0, right);  // pairs x = 1 with its image x = -1
    dde::data::PDE data(geom, pde, {bc1, bc2}, {.num_domain = 16, .num_boundary = 2, .solution = exact, .num_test = 100});
    dde::nn::FNN net({1, 50, 50, 50, 1}, "tanh", "Glorot uniform");

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
