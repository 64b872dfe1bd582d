// Neural ODE: learn the damped oscillator's equations of motion from one observed trajectory, then
// extrapolate (the PINN guide's torchdiffeq example, in C++).
//
//   x'' + 0.3 x' + 4 x = 0,  x(0) = 1, v(0) = 0   as   d/dt [x, v] = [v, -4 x - 0.3 v]
//   observed: [x, v] at 100 equally spaced times on t in [0, 5]
//   learned:  d/dt h = net(h), net = FNN [2, 64, 64, 2] tanh, h = [x, v]
//   checked:  the learned ODE integrated from [1, 0] over t in [0, 10] against the exact solution
//
// Training: sub-trajectories of 10 points (torchdiffeq's ode_demo recipe), 20 per Adam step, rk4 with
// step 0.02; then L-BFGS on all of them. Prints the error on [0, 5] (fitted) and on [5, 10] (extrapolated)
// relative to the signal's amplitude there, and `L2 relative error` of x over [0, 10]. With --output-dir,
// writes trajectory.dat and damped_oscillator.png (learned vs true x(t), v(t), the samples) and loss.dat.
//
//   damped_oscillator --float64 --output-dir out     # full budget: Adam 3000, L-BFGS 1000
#include "neural_ode_common.hpp"

#include <pinnxde/data/trajectory.hpp>
#include <pinnxde/odeint.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 3000, .lbfgs_iterations = 1000,
                                                             .display_every = 500});
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    // The true system, integrated tightly for the observations and the reference.
    dde::ODEFunc truth = [](const torch::Tensor&, const torch::Tensor& h) {
      return torch::stack({h.select(-1, 1), -4 * h.select(-1, 0) - 0.3 * h.select(-1, 1)}, -1);
    };
    const auto h0 = torch::tensor({1.0, 0.0}, f64);
    const auto t_obs = torch::linspace(0, 5, 100, f64);
    const auto y_obs = dde::odeint(truth, h0, t_obs, {.rtol = 1e-10, .atol = 1e-12});
    const auto t_all = torch::linspace(0, 10, 401, f64);
    const auto y_all = dde::odeint(truth, h0, t_all, {.rtol = 1e-10, .atol = 1e-12});

    const dde::OdeintOptions solver{.method = "rk4", .step_size = 0.02};
    dde::data::Trajectory data(t_obs, y_obs, {.batch_time = 10, .odeint = solver, .test_t = t_all, .test_y = y_all});
    dde::nn::FNN net({2, 64, 64, 2}, "tanh", "Glorot normal");

    dde::Model model(data, net);
    model.compile("adam", {.lr = 3e-3, .metrics = {"l2 relative error"}, .decay = dde::Decay{"cosine", 3000, 0.05}});
    // The best-state snapshot would compare mini-batch losses: keep the last parameters instead.
    model.train({.iterations = args.iterations, .batch_size = 20, .display_every = args.display_every,
                 .restore_best = false});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.metrics = {"l2 relative error"}});
      model.train({.display_every = args.display_every, .disregard_previous_best = true});
    }

    // Extrapolate: the learned ODE from the same initial state over [0, 10].
    const auto pred = data.predict(*net, h0, t_all).to(torch::kFloat64);
    const auto first = t_all <= 5, second = t_all >= 5;
    auto err = (pred - y_all).select(1, 0).abs();
    auto amp = y_all.select(1, 0).abs();
    const double amp1 = amp.index({first}).max().item<double>(), amp2 = amp.index({second}).max().item<double>();
    const double e1 = err.index({first}).max().item<double>(), e2 = err.index({second}).max().item<double>();
    std::cout << "Max |x - x_true| on [0, 5] (fitted): " << e1 << " = " << 100 * e1 / amp1
              << " % of the amplitude " << amp1 << "\n";
    std::cout << "Max |x - x_true| on [5, 10] (extrapolated): " << e2 << " = " << 100 * e2 / amp2
              << " % of the amplitude " << amp2 << " there\n";
    if (!args.output_dir.empty()) {
      dde::save_table(args.output_dir, "trajectory.dat", "t x_true v_true x_pred v_pred", {t_all, y_all, pred});
      dde::save_table(args.output_dir, "samples.dat", "t x v (observed)", {t_obs, y_obs});
      neural_ode::gnuplot(args.output_dir, "damped_oscillator.gp",
                          "set terminal pngcairo size 1000,600\nset output 'damped_oscillator.png'\n"
                          "set multiplot layout 2,1\nset xlabel 't'\nset arrow from 5, graph 0 to 5, graph 1 nohead "
                          "dt 2\nset ylabel 'x'\nplot 'trajectory.dat' u 1:2 w l lw 2 t 'true', '' u 1:4 w l "
                          "lw 2 dt 2 t 'Neural ODE', 'samples.dat' u 1:2 w p pt 7 ps 0.4 t 'observed'\n"
                          "set ylabel 'v'\nplot 'trajectory.dat' u 1:3 w l lw 2 t 'true', '' u 1:5 w l lw "
                          "2 dt 2 t 'Neural ODE', 'samples.dat' u 1:3 w p pt 7 ps 0.4 t 'observed'\n"
                          "unset multiplot\n");
    }
    const double l2 = dde::metrics::l2_relative_error(y_all.select(1, 0).unsqueeze(1), pred.select(1, 0).unsqueeze(1));
    return neural_ode::finish(model, "L2 relative error", l2, args);
  });
}
