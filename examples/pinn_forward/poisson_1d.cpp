// Poisson equation in 1D with Dirichlet conditions (port of DeepXDE's Poisson_Dirichlet_1d, with the
// source -sin x).
//
//   u'' = -sin x,  x in [0, pi],  u(0) = u(pi) = 0
//   exact: u = sin x
//
// Full budget (gallery): 16 domain / 2 boundary points, FNN [1, 50, 50, 50, 1] tanh, Adam 1e-3 x 10000,
// then L-BFGS, in float64 (the 1e-4 target is below float32's reach for a second-derivative residual).
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 10000, .lbfgs_iterations = 15000});

    auto pde = [](const torch::Tensor& x, const torch::Tensor& y) {
      return dde::grad::hessian(y, x, 0, 0) + torch::sin(x);
    };
    auto exact = [](const torch::Tensor& x) { return torch::sin(x); };

    dde::geometry::Interval geom(0, M_PI);
    dde::DirichletBC bc(geom, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                        dde::on_boundary);
    dde::data::PDE data(geom, pde, {bc}, {.num_domain = 16, .num_boundary = 2, .solution = exact, .num_test = 100});
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
