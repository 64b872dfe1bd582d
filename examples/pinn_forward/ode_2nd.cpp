// A second-order ODE with an initial value and an initial slope (port of DeepXDE's ode_2nd.py).
//
//   y'' - 10 y' + 9 y = 5 t,  t in [0, 0.25],  y(0) = -1,  y'(0) = 2
//   exact: y = 50/81 + 5 t / 9 - 2 e^t + 31/81 e^(9 t)
//
// y'(0) = 2 is an OperatorBC on the initial point (DeepXDE's boundary_l: on_initial and t = 0).
// Full budget (gallery), as DeepXDE: 16 domain / 2 boundary points, 500 test points, FNN [1, 50, 50, 50, 1]
// tanh, Glorot uniform, loss weights {0.01, 1, 1}, Adam 1e-3 x 10000 (no L-BFGS). The checked figure is
// the L2 relative error on 1000 uniform points of [0, 0.25].
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 10000, .lbfgs_iterations = 0});

    auto ode = [](const torch::Tensor& t, const torch::Tensor& y) {
      auto dy_dt = dde::grad::jacobian(y, t);
      auto d2y_dt2 = dde::grad::hessian(y, t);
      return d2y_dt2 - 10 * dy_dt + 9 * y - 5 * t;
    };
    auto func = [](const torch::Tensor& t) {
      return 50.0 / 81 + t * 5 / 9 - 2 * torch::exp(t) + (31.0 / 81) * torch::exp(9 * t);
    };

    dde::geometry::TimeDomain geom(0, 0.25);
    auto boundary_l = [](const auto& t, bool on_initial) { return on_initial && dde::utils::isclose(t[0], 0); };
    auto bc_func2 = [](const torch::Tensor& inputs, const torch::Tensor& outputs, const torch::Tensor&) {
      return dde::grad::jacobian(outputs, inputs, 0, std::nullopt) - 2;
    };
    dde::IC ic1(geom, [](const torch::Tensor& x) { return torch::full({x.size(0), 1}, -1.0, x.options()); },
                dde::on_initial);
    dde::OperatorBC ic2(geom, bc_func2, boundary_l);
    dde::data::TimePDE data(geom, ode, {ic1, ic2},
                            {.num_domain = 16, .num_boundary = 2, .solution = func, .num_test = 500});
    dde::nn::FNN net({1, 50, 50, 50, 1}, "tanh", "Glorot uniform");

    dde::Model model(data, net);
    model.compile("adam", {.lr = 0.001, .metrics = {"l2 relative error"}, .loss_weights = {0.01, 1, 1}});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.metrics = {"l2 relative error"}, .loss_weights = {0.01, 1, 1}});
      model.train({.display_every = args.display_every});
    }

    auto x = dde::to_tensor(geom.uniform_points(1000, true), dde::config::options());
    return dde::examples::finish(model, "L2 relative error",
                                 dde::metrics::l2_relative_error(func(x), model.predict(x)), args);
  });
}
