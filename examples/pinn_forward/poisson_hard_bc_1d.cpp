// Poisson equation in 1D with the Dirichlet conditions built into the network (hard constraint; port of
// DeepXDE's Poisson_Dirichlet_1d_exactBC).
//
//   -u'' = sum_{i=1..4} i sin(i x) + 8 sin(8 x),  x in [0, pi],  u(0) = 0,  u(pi) = pi
//   exact: u = x + sum_{i=1..4} sin(i x) / i + sin(8 x) / 8
//   network: u = x (pi - x) N(x) + x   (apply_output_transform: both conditions hold exactly, no BC terms)
//
// Full budget (gallery): 64 domain points, FNN [1, 50, 50, 50, 1] tanh, Adam 1e-3 x 10000, then L-BFGS,
// in float64.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 10000, .lbfgs_iterations = 15000});

    auto pde = [](const torch::Tensor& x, const torch::Tensor& y) {
      auto source = 8 * torch::sin(8 * x);
      for (int i = 1; i <= 4; ++i) source = source + i * torch::sin(i * x);
      return -dde::grad::hessian(y, x, 0, 0) - source;
    };
    auto exact = [](const torch::Tensor& x) {
      auto u = x + torch::sin(8 * x) / 8;
      for (int i = 1; i <= 4; ++i) u = u + torch::sin(i * x) / i;
      return u;
    };

    dde::geometry::Interval geom(0, M_PI);
    dde::data::PDE data(geom, pde, {}, {.num_domain = 64, .solution = exact, .num_test = 400});
    dde::nn::FNN net({1, 50, 50, 50, 1}, "tanh", "Glorot uniform");
    net->apply_output_transform([](const torch::Tensor& x, const torch::Tensor& y) { return x * (M_PI - x) * y + x; });

    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.metrics = {"l2 relative error"}});
      model.train({.display_every = args.display_every});
    }

    auto x = dde::to_tensor(geom.uniform_points(1000, true), dde::config::options());
    auto u = model.predict(x);
    std::cout << "u(0) = " << u[0].item<double>() << ", u(pi) = " << u[-1].item<double>() << " (exactly 0 and pi)\n";
    return dde::examples::finish(model, "L2 relative error", dde::metrics::l2_relative_error(exact(x), u), args);
  });
}
