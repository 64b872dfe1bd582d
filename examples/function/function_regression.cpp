// Function approximation: fit a network to a known function, no PDE (port of DeepXDE's func.py).
//
//   f(x) = x sin(5 x),  x in [-1, 1];  64 training points (uniform), 100 test points
//
// DeepXDE's func.py trains on 16 points; there the fit reaches a training MSE of 1e-7 but the error between
// the samples stays near 1e-2 (interpolation from 16 points, not optimisation), so this port samples 64.
// Full budget (gallery): FNN [1, 20, 20, 20, 1] tanh, Adam 1e-3 x 10000, then L-BFGS, in float64 (float32 L-BFGS stops at once).
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 10000, .lbfgs_iterations = 15000});

    auto func = [](const torch::Tensor& x) { return x * torch::sin(5 * x); };
    dde::geometry::Interval geom(-1, 1);
    dde::data::Function data(geom, func, 64, 100);
    dde::nn::FNN net({1, 20, 20, 20, 1}, "tanh", "Glorot uniform");

    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.metrics = {"l2 relative error"}});
      model.train({.display_every = args.display_every});
    }

    auto x = dde::to_tensor(geom.uniform_points(1000, true), dde::config::options());
    return dde::examples::finish(model, "L2 relative error",
                                 dde::metrics::l2_relative_error(func(x), model.predict(x)), args);
  });
}
