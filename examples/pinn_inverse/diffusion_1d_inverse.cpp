// Inverse problem: recover the diffusivity C of a 1D diffusion equation from 10 measurements at t = 1
// (port of DeepXDE's diffusion_1d_inverse).
//
//   u_t = C u_xx - e^{-t} (sin(pi x) - pi^2 sin(pi x)),  x in [-1, 1], t in [0, 1]
//   u = exact on the boundary and at t = 0;  true C = 1, so u = sin(pi x) e^{-t}
//   measured: u(x, 1) at 10 points x in [-1, 1] (a PointSetBC, also training anchors)
//   unknown: C = dde::Variable(2.0)
//
// Prints the recovered C; the checked figure is its relative error.
// Full budget (gallery): 40 domain / 20 boundary / 10 initial points, FNN [2, 32, 32, 32, 1] tanh,
// Adam 1e-3 x 20000 then L-BFGS.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

#include <iomanip>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 20000, .lbfgs_iterations = 15000});
    const double C_true = 1.0;

    auto C = dde::Variable(2.0);
    auto pde = [C](const torch::Tensor& x, const torch::Tensor& y) {
      auto xs = x.slice(1, 0, 1), t = x.slice(1, 1, 2);
      return dde::grad::jacobian(y, x, 0, 1) - C * dde::grad::hessian(y, x, 0, 0) +
             torch::exp(-t) * (torch::sin(M_PI * xs) - M_PI * M_PI * torch::sin(M_PI * xs));
    };
    auto exact = [](const torch::Tensor& x) { return torch::sin(M_PI * x.slice(1, 0, 1)) * torch::exp(-x.slice(1, 1, 2)); };

    dde::geometry::GeometryXTime geomtime(dde::geometry::Interval(-1, 1), dde::geometry::TimeDomain(0, 1));
    dde::DirichletBC bc(geomtime, exact, dde::on_boundary);
    dde::IC ic(geomtime, exact, dde::on_initial);
    dde::geometry::Points x_obs(10, 2);
    for (Eigen::Index i = 0; i < 10; ++i) x_obs.row(i) << -1 + 2.0 * static_cast<double>(i) / 9, 1.0;
    auto u_obs = dde::to_points(exact(dde::to_tensor(x_obs, torch::kFloat64)));
    dde::PointSetBC observe(x_obs, u_obs);
    dde::data::TimePDE data(geomtime, pde, {bc, ic, observe},
                            {.num_domain = 40, .num_boundary = 20, .num_initial = 10, .anchors = x_obs,
                             .solution = exact, .num_test = 10000});
    dde::nn::FNN net({2, 32, 32, 32, 1}, "tanh", "Glorot uniform");

    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}, .external_trainable_variables = {C}});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.metrics = {"l2 relative error"}, .external_trainable_variables = {C}});
      model.train({.display_every = args.display_every});
    }

    auto x = dde::to_tensor(geomtime.uniform_points(2000, true), dde::config::options());
    std::cout << "L2 relative error: " << dde::metrics::l2_relative_error(exact(x), model.predict(x)) << "\n";
    const double C_found = C.item<double>();
    std::cout << std::setprecision(6) << "Recovered C: " << C_found << " (true " << C_true << ")\n";
    return dde::examples::finish(model, "C relative error", std::abs(C_found - C_true) / C_true, args);
  });
}
