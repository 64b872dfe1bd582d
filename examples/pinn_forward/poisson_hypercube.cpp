// Poisson equation in d = 5 or 10 dimensions on the unit Hypercube: collocation points, no grid.
//
//   -Laplace u = (pi^2 / (4 d)) sum_i sin(pi x_i / 2),  x in [0, 1]^d,  u = exact on the boundary
//   exact: u = (1/d) sum_i [ sin(pi x_i / 2) + x_i x_{i+1} ]   (indices mod d; the products are harmonic
//          and couple the coordinates, so u is not a sum of 1-D functions)
//
//   --dim D   the dimension (default 5)
// Full budget (gallery): d = 5: 2000 domain / 1000 boundary points, d = 10: 4000 / 2000, FNN [d, 64, 64, 64, 1]
// tanh, Adam 1e-3 x 10000 then L-BFGS; the error is measured on 20000 Hammersley points of the cube.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

#include <cstring>
#include <vector>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    dde::examples::Flags flags(argc, argv);
    const int d = static_cast<int>(flags.integer("--dim", 5, 1, 20));
    const auto args = dde::examples::parse_args(flags,
                                                {.iterations = 10000, .lbfgs_iterations = 5000});

    auto pde = [d](const torch::Tensor& x, const torch::Tensor& y) {
      auto lap = dde::grad::hessian(y, x, 0, 0);
      for (int i = 1; i < d; ++i) lap = lap + dde::grad::hessian(y, x, i, i);
      auto f = torch::sin(M_PI / 2 * x).sum(1, true) * (M_PI * M_PI / (4.0 * d));
      return -lap - f;
    };
    auto exact = [d](const torch::Tensor& x) {
      auto u = torch::sin(M_PI / 2 * x).sum(1, true);
      if (d > 1) u = u + (x * torch::roll(x, -1, 1)).sum(1, true) / (d == 2 ? 2.0 : 1.0);  // d = 2: one pair
      return u / d;
    };

    dde::geometry::Hypercube geom(std::vector<double>(d, 0.0), std::vector<double>(d, 1.0));
    dde::DirichletBC bc(geom, exact, dde::on_boundary);
    const std::int64_t n = d <= 5 ? 2000 : 4000;
    dde::data::PDE data(geom, pde, {bc}, {.num_domain = n, .num_boundary = n / 2});
    dde::nn::FNN net({d, 64, 64, 64, 1}, "tanh", "Glorot normal");

    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS");
      model.train({.display_every = args.display_every});
    }

    auto x = dde::to_tensor(dde::geometry::sample(20000, d, "Hammersley"), dde::config::options());
    std::cout << "dimension " << d << "\n";
    return dde::examples::finish(model, "L2 relative error", dde::metrics::l2_relative_error(exact(x), model.predict(x)),
                                 args);
  });
}
