// Heat equation (port of DeepXDE's heat example with a sine initial condition).
//
//   u_t = a u_xx,  a = 0.4,  x in [0, 1], t in [0, 1]
//   u(0, t) = u(1, t) = 0,  u(x, 0) = sin(pi x)
//   exact: u = sin(pi x) exp(-a pi^2 t)
//
// Full budget (gallery): 2540 domain / 80 boundary / 160 initial points, FNN [2, 20, 20, 20, 1] tanh,
// Adam 1e-3 x 20000 then L-BFGS.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 20000, .lbfgs_iterations = 15000});
    const double a = 0.4;

    auto pde = [&](const torch::Tensor& x, const torch::Tensor& y) {
      return dde::grad::jacobian(y, x, 0, 1) - a * dde::grad::hessian(y, x, 0, 0);
    };
    auto exact = [&](const torch::Tensor& x) {
      return torch::sin(M_PI * x.slice(1, 0, 1)) * torch::exp(-a * M_PI * M_PI * x.slice(1, 1, 2));
    };

    dde::geometry::GeometryXTime geomtime(dde::geometry::Interval(0, 1), dde::geometry::TimeDomain(0, 1));
    dde::DirichletBC bc(geomtime, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                        dde::on_boundary);
    dde::IC ic(geomtime, [](const torch::Tensor& x) { return torch::sin(M_PI * x.slice(1, 0, 1)); },
               dde::on_initial);
    dde::data::TimePDE data(geomtime, pde, {bc, ic},
                            {.num_domain = 2540, .num_boundary = 80, .num_initial = 160, .solution = exact,
                             .num_test = 2540});
    dde::nn::FNN net({2, 20, 20, 20, 1}, "tanh", "Glorot normal");

    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.metrics = {"l2 relative error"}});
      model.train({.display_every = args.display_every});
    }

    auto grid = geomtime.uniform_points(101 * 101, true);
    auto x = dde::to_tensor(grid, dde::config::options());
    return dde::examples::finish(model, "L2 relative error",
                                 dde::metrics::l2_relative_error(exact(x), model.predict(x)), args);
  });
}
