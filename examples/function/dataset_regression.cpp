// Supervised regression from a data set with standardised inputs (port of DeepXDE's dataset.py, which
// reads dataset.train / dataset.test; here the data are made in the program, so it runs anywhere).
//
//   y = sin(x) e^{-x/10} + 0.5 sin(3x),  x in [0, 10]
//   training: 200 pseudo-random x (fixed seed), test: 200 evenly spaced x; standardize = true rescales x
//   to zero mean and unit variance (the raw range [0, 10] would saturate tanh)
//
// Full budget (gallery): FNN [1, 50, 50, 50, 1] tanh, Adam 1e-3 x 10000, then L-BFGS, in float64 (float32 L-BFGS stops at once).
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 10000, .lbfgs_iterations = 15000});

    auto f = [](const dde::geometry::Points& x) {
      return dde::geometry::Points(((x.array().sin() * (-x.array() / 10).exp()) + 0.5 * (3 * x.array()).sin()).matrix());
    };
    dde::geometry::Interval domain(0, 10);
    const dde::geometry::Points X_train = domain.random_points(200, "pseudo");
    const dde::geometry::Points X_test = domain.uniform_points(200, true);

    dde::data::DataSet data({.X_train = X_train, .y_train = f(X_train), .X_test = X_test, .y_test = f(X_test),
                             .standardize = true});
    dde::nn::FNN net({1, 50, 50, 50, 1}, "tanh", "Glorot uniform");

    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.metrics = {"l2 relative error"}});
      model.train({.display_every = args.display_every});
    }

    // Predict on raw inputs: apply the training set's standardisation first.
    const dde::geometry::Points X = domain.uniform_points(1000, true);
    auto y = dde::to_tensor(f(X), dde::config::options());
    return dde::examples::finish(model, "L2 relative error",
                                 dde::metrics::l2_relative_error(y, model.predict(data.transform_inputs(X))), args);
  });
}
