// Navier–Stokes inverse problem: learn the two coefficients of the momentum equations from velocity
// observations (port of DeepXDE's Navier_Stokes_inverse.py).
//
//   C1 (u u_x + v u_y) + p_x - C2 (u_xx + u_yy) = 0
//   C1 (u v_x + v v_y) + p_y - C2 (v_xx + v_yy) = 0,    u_x + v_y = 0
//   unknowns C1, C2 = dde::Variable(0.0), trained with the network; true C1 = 1, C2 = nu = 1/Re = 0.05
//
// DeepXDE's original observes the unsteady wake behind a cylinder (Raissi et al.'s cylinder_nektar_wake.mat),
// which is not available here. The observations are made instead from the exact Kovasznay flow (Re = 20,
// the steady field of examples/pinn_forward/kovasznay_flow.cpp) on [-0.5, 1] x [-0.5, 1.5]: u, v and p at
// --observations random points (default 7000, DeepXDE's number). The problem is steady, so there is no time
// input and no initial points (DeepXDE: 700 domain / 200 boundary / 100 initial points). DeepXDE observes u
// and v only; here p must be observed too: without the time derivative the equations are homogeneous in
// (C1, C2, p), so (s C1, s C2, s p) fits u and v for every s, and training indeed drifts to C1 = C2 = 0
// with a constant p (seen with u, v alone: C1 = -2e-3, C2 = -1e-4 after 4000 steps). Observing p fixes s.
// As DeepXDE: the observations are PointSetBCs and also anchors (collocation points), no other condition, FNN [2, 50 x 6, 3] tanh, Glorot normal, Adam 1e-3 x 10000 then Adam 1e-4 x 10000 (the two
// phases; --iterations sets each).
// The checked figure is the largest relative error of C1 and C2.
// With DeepXDE's equal loss weights a reduced run (1000 observations, Adam 1500 + 1500, seed 0) went the
// wrong way (C1 = -0.73, C2 = -1.32, the u observations' loss stuck at 0.54: the residual wins over the data
// while the network is still far from the field). --data-weight 100 (loss weight of the three observation
// terms; the gallery uses it) at the same reduced budget: C1 = 0.823, C2 = 0.0459, still approaching
// (1, 0.05); the full budget was not run.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

#include <algorithm>
#include <iomanip>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    dde::examples::Flags flags(argc, argv);
    const auto num_observations = flags.integer("--observations", 7000, 1, 10000000);
    const double data_weight = flags.number("--data-weight", 1, 0, 1e12);  // the observations' loss weight (DeepXDE: 1)
    const auto args = dde::examples::parse_args(flags,
                                                {.iterations = 10000, .lbfgs_iterations = 0});
    const double Re = 20, nu = 1 / Re;
    const double l = 1 / (2 * nu) - std::sqrt(1 / (4 * nu * nu) + 4 * M_PI * M_PI);

    auto C1 = dde::Variable(0.0), C2 = dde::Variable(0.0);
    auto Navier_Stokes_Equation = [C1, C2](const torch::Tensor& x, const torch::Tensor& y) -> dde::data::Residuals {
      auto u = y.slice(1, 0, 1), v = y.slice(1, 1, 2);
      auto du_x = dde::grad::jacobian(y, x, 0, 0), du_y = dde::grad::jacobian(y, x, 0, 1);
      auto dv_x = dde::grad::jacobian(y, x, 1, 0), dv_y = dde::grad::jacobian(y, x, 1, 1);
      auto dp_x = dde::grad::jacobian(y, x, 2, 0), dp_y = dde::grad::jacobian(y, x, 2, 1);
      auto du_xx = dde::grad::hessian(y, x, 0, 0, 0), du_yy = dde::grad::hessian(y, x, 0, 1, 1);
      auto dv_xx = dde::grad::hessian(y, x, 1, 0, 0), dv_yy = dde::grad::hessian(y, x, 1, 1, 1);
      auto continuity = du_x + dv_y;
      auto x_momentum = C1 * (u * du_x + v * du_y) + dp_x - C2 * (du_xx + du_yy);
      auto y_momentum = C1 * (u * dv_x + v * dv_y) + dp_y - C2 * (dv_xx + dv_yy);
      return {continuity, x_momentum, y_momentum};
    };
    auto u_func = [l](const torch::Tensor& x) {
      return 1 - torch::exp(l * x.slice(1, 0, 1)) * torch::cos(2 * M_PI * x.slice(1, 1, 2));
    };
    auto v_func = [l](const torch::Tensor& x) {
      return l / (2 * M_PI) * torch::exp(l * x.slice(1, 0, 1)) * torch::sin(2 * M_PI * x.slice(1, 1, 2));
    };
    auto p_func = [l](const torch::Tensor& x) { return 0.5 * (1 - torch::exp(2 * l * x.slice(1, 0, 1))); };

    dde::geometry::Rectangle space_domain({-0.5, -0.5}, {1, 1.5});
    // The "measurements": the exact field at random points of the domain (float64).
    const dde::geometry::Points ob_x = space_domain.random_points(num_observations);
    auto ob_t = dde::to_tensor(ob_x, torch::TensorOptions().dtype(torch::kFloat64));
    const dde::geometry::Points ob_u = dde::to_points(u_func(ob_t)), ob_v = dde::to_points(v_func(ob_t)),
                                ob_p = dde::to_points(p_func(ob_t));
    dde::PointSetBC observe_u(ob_x, ob_u, 0);
    dde::PointSetBC observe_v(ob_x, ob_v, 1);
    dde::PointSetBC observe_p(ob_x, ob_p, 2);
    dde::data::PDE data(space_domain, Navier_Stokes_Equation, {observe_u, observe_v, observe_p},
                        {.num_domain = 700, .num_boundary = 200, .anchors = ob_x});
    dde::nn::FNN net({2, 50, 50, 50, 50, 50, 50, 3}, "tanh", "Glorot normal");

    dde::Model model(data, net);
    auto variable = std::make_shared<dde::callbacks::VariableValue>(
        std::vector<torch::Tensor>{C1, C2}, dde::callbacks::VariableValueOptions{.period = args.display_every, .precision = 4});
    const std::vector<double> w{1, 1, 1, data_weight, data_weight, data_weight};
    model.compile("adam", {.lr = 1e-3, .loss_weights = w, .external_trainable_variables = {C1, C2}});
    model.train({.iterations = args.iterations, .display_every = args.display_every, .callbacks = {variable}});
    model.compile("adam", {.lr = 1e-4, .loss_weights = w, .external_trainable_variables = {C1, C2}});
    model.train({.iterations = args.iterations, .display_every = args.display_every, .callbacks = {variable}});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.loss_weights = w, .external_trainable_variables = {C1, C2}});
      model.train({.display_every = args.display_every, .callbacks = {variable}});
    }

    const double c1 = C1.item<double>(), c2 = C2.item<double>();
    auto X = dde::to_tensor(space_domain.random_points(10000), dde::config::options());
    auto out = model.predict(X);
    std::cout << std::setprecision(6) << "C1 = " << c1 << " (true 1), C2 = " << c2 << " (true " << nu << ")\n"
              << std::setprecision(3) << "L2 relative error of u: "
              << dde::metrics::l2_relative_error(u_func(X), out.slice(1, 0, 1))
              << ", of v: " << dde::metrics::l2_relative_error(v_func(X), out.slice(1, 1, 2)) << "\n";
    const double worst = std::max(std::abs(c1 - 1), std::abs(c2 - nu) / nu);
    return dde::examples::finish(model, "max relative error of C1, C2", worst, args);
  });
}
