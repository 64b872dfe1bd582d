// An integro-differential equation with the integral of the solution itself (port of DeepXDE's ide.py).
//
//   ∫_0^x y(t) dt + y'(x) = 2 pi cos(2 pi x) + sin^2(pi x) / pi,  x in [0, 1],  y(0) = 0
//   exact: y = sin(2 pi x)
//
// dde::data::IDE with the default kernel K = 1 and Gauss–Legendre quadrature of degree 16 on [0, x].
// Full budget (gallery), as DeepXDE: 16 domain / 2 boundary points (Hammersley), FNN [1, 20, 20, 20, 1]
// tanh, Glorot uniform, L-BFGS only. The checked figure is the L2 relative error on 1000 uniform points.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 0, .lbfgs_iterations = 15000});

    // ∫_0^x y(t) dt
    auto ide = [](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& int_mat) {
      auto lhs1 = torch::matmul(int_mat, y);
      auto lhs2 = dde::grad::jacobian(y, x);
      auto rhs = 2 * M_PI * torch::cos(2 * M_PI * x) + torch::sin(M_PI * x).pow(2) / M_PI;
      return lhs1 + (lhs2 - rhs).slice(0, 0, lhs1.size(0));
    };
    auto func = [](const torch::Tensor& x) { return torch::sin(2 * M_PI * x); };

    dde::geometry::TimeDomain geom(0, 1);
    dde::IC ic(geom, func, dde::on_initial);
    const std::int64_t quad_deg = 16;
    dde::data::IDE data(geom, ide, {ic}, quad_deg, {}, {.num_domain = 16, .num_boundary = 2});
    dde::nn::FNN net({1, 20, 20, 20, 1}, "tanh", "Glorot uniform");

    dde::Model model(data, net);
    if (args.iterations > 0) {
      model.compile("adam", {.lr = 1e-3});
      model.train({.iterations = args.iterations, .display_every = args.display_every});
    }
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS");
      model.train({.display_every = args.display_every});
    }

    auto x = dde::to_tensor(geom.uniform_points(1000, true), dde::config::options());
    return dde::examples::finish(model, "L2 relative error",
                                 dde::metrics::l2_relative_error(func(x), model.predict(x)), args);
  });
}
