// Inverse problem: recover the decay rate k of du/dt = -k u from five measurements.
//
//   du/dt = -k u,  t in [0, 2],  u(0) = 1;  true k = 2.5, so u = exp(-2.5 t)
//   measurements u(t) at t = 0, 0.5, 1, 1.5, 2 (a PointSetBC); k is a Variable starting at 1.0
//
// Prints the recovered k and its relative error; the L2 relative error of u is printed too.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 20000, .lbfgs_iterations = 15000});
    const double k_true = 2.5;

    auto k = dde::Variable(1.0);
    auto ode = [k](const torch::Tensor& t, const torch::Tensor& u) { return dde::grad::jacobian(u, t) + k * u; };
    auto exact = [&](const torch::Tensor& t) { return torch::exp(-k_true * t); };

    dde::geometry::TimeDomain geom(0, 2);
    dde::IC ic(geom, [](const torch::Tensor& t) { return torch::ones({t.size(0), 1}, t.options()); },
               dde::on_initial);
    dde::geometry::Points t_obs(5, 1);
    t_obs << 0, 0.5, 1, 1.5, 2;
    dde::geometry::Points u_obs = (-k_true * t_obs.array()).exp().matrix();
    dde::PointSetBC observe(t_obs, u_obs);

    dde::data::PDE data(geom, ode, {ic, observe},
                        {.num_domain = 100, .num_boundary = 2, .anchors = t_obs, .solution = exact, .num_test = 200});
    dde::nn::FNN net({1, 32, 32, 32, 1}, "tanh", "Glorot normal");

    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}, .external_trainable_variables = {k}});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.metrics = {"l2 relative error"}, .external_trainable_variables = {k}});
      model.train({.display_every = args.display_every});
    }

    auto t = dde::to_tensor(geom.uniform_points(200, true), dde::config::options());
    std::cout << "L2 relative error: " << dde::metrics::l2_relative_error(exact(t), model.predict(t)) << "\n";
    const double k_found = k.item<double>();
    std::cout << "Recovered k: " << k_found << " (true " << k_true << ")\n";
    return dde::examples::finish(model, "k relative error", std::abs(k_found - k_true) / k_true, args);
  });
}
