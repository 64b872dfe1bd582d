// Poisson equation on an L-shaped domain (port of DeepXDE's Poisson_Lshape).
//
//   -Δu = 1 in Ω = [-1, 1]^2 \ [0, 1]^2,  u = 0 on ∂Ω
//
// There is no closed form (the re-entrant corner makes u singular there); the example prints the final
// losses and the residual's RMS on a fresh set of points, and checks the boundary misfit.
// Full budget (gallery): 1200 domain / 120 boundary points, FNN [2, 50, 50, 50, 50, 1] tanh,
// Adam 1e-3 x 50000 then L-BFGS.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 50000, .lbfgs_iterations = 15000});

    auto pde = [](const torch::Tensor& x, const torch::Tensor& y) {
      auto dy_xx = dde::grad::hessian(y, x, 0, 0);
      auto dy_yy = dde::grad::hessian(y, x, 1, 1);
      return -dy_xx - dy_yy - 1;
    };

    dde::geometry::Polygon geom({{0, 0}, {1, 0}, {1, -1}, {-1, -1}, {-1, 1}, {0, 1}});
    dde::DirichletBC bc(geom, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                        dde::on_boundary);
    dde::data::PDE data(geom, pde, {bc}, {.num_domain = 1200, .num_boundary = 120, .num_test = 1500});
    dde::nn::FNN net({2, 50, 50, 50, 50, 1}, "tanh", "Glorot uniform");

    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS");
      model.train({.display_every = args.display_every});
    }

    const auto& h = model.losshistory();
    std::cout << "Final losses [pde, bc]: [" << h.loss_train.back()[0] << ", " << h.loss_train.back()[1] << "]\n";
    auto xin = dde::to_tensor(geom.random_points(2000, "pseudo"), dde::config::options());
    auto residual = model.predict(xin, pde);
    std::cout << "Residual RMS on 2000 fresh points: " << residual.square().mean().sqrt().item<double>() << "\n";
    auto xb = dde::to_tensor(geom.random_boundary_points(500, "pseudo"), dde::config::options());
    // The checked figure: the largest |u| on the boundary, which must be ~0.
    return dde::examples::finish(model, "Max boundary error", model.predict(xb).abs().max().item<double>(), args);
  });
}
