// Klein-Gordon equation (port of DeepXDE's Klein_Gordon.py).
//
//   u_tt + alpha u_xx + beta u + gamma u^k = -x cos(t) + x^2 cos^2(t),
//   alpha = -1, beta = 0, gamma = 1, k = 2,  x in [-1, 1], t in [0, 10]
//   u(+-1, t) = +-cos(t),  u(x, 0) = x,  u_t(x, 0) = 0;  exact: u = x cos(t)
//
// One deliberate difference from the DeepXDE script: there the condition u_t(x, 0) = 0 is an OperatorBC
// with the predicate `lambda _, on_initial: on_initial`. An OperatorBC hands its predicate the geometry's
// on-boundary flag (the spatial boundary x = +-1), not an on-initial flag, whatever the parameter is
// called; so that script imposes u_t = 0 at x = +-1, where the exact u_t = -x sin(t) is not zero, and
// never at t = 0. Here the predicate tests the time coordinate itself: isclose(t, 0).
//
// Full budget (gallery), as DeepXDE: 30000 domain / 1500 boundary / 1500 initial points, 6000 test points,
// FNN [2, 40, 40, 1] tanh "Glorot uniform", Adam 1e-3 with inverse-time decay (3000 steps, rate 0.9)
// x 20000, then L-BFGS. The error is measured on DeepXDE's 256 x 256 plotting grid.
//
// --hard-initial builds both initial conditions into the network, u = x + tanh(t)^2 N(x, t) (u = x and
// u_t = 0 at t = 0 exactly), and drops the two initial terms; the boundary stays soft. With soft initial
// conditions the error grows with t, and this tests whether exact initial values help: at this budget they
// do not (Adam's test error 0.059 after 17,000 steps, against 0.031 after 18,000 with the soft terms;
// docs/gallery.md).
//
// --scale-time feeds the network (x, t/5 - 1) instead of (x, t): DeepXDE's script hands t in [0, 10] to the
// tanh layers as it is, so the first layer's pre-activations are ~10x larger in t than in x at Glorot
// initialisation. The transform is a feature transform (both derivative engines propagate through it).
// The gallery line: --scale-time, DeepXDE's budget otherwise: L2 9.36e-4 (float32 L-BFGS ran 1,907 iterations
// after Adam); DeepXDE's raw t at the same budget: 3.12e-2 (klein_gordon_deepxde; docs/gallery.md).
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    dde::examples::Flags flags(argc, argv);
    const bool hard_initial = flags.toggle("--hard-initial");
    const bool scale_time = flags.toggle("--scale-time");
    const auto args = dde::examples::parse_args(flags, {.iterations = 20000, .lbfgs_iterations = 15000});

    dde::geometry::Interval geom(-1, 1);
    dde::geometry::TimeDomain timedomain(0, 10);
    dde::geometry::GeometryXTime geomtime(geom, timedomain);

    auto pde = [](const torch::Tensor& x, const torch::Tensor& y) {
      const double alpha = -1, beta = 0, gamma = 1;
      const int k = 2;
      auto dy_tt = dde::grad::hessian(y, x, 1, 1);
      auto dy_xx = dde::grad::hessian(y, x, 0, 0);
      auto xs = x.slice(1, 0, 1), t = x.slice(1, 1, 2);
      return dy_tt + alpha * dy_xx + beta * y + gamma * y.pow(k) + xs * torch::cos(t) -
             xs.pow(2) * torch::cos(t).pow(2);
    };
    auto func = [](const torch::Tensor& x) { return x.slice(1, 0, 1) * torch::cos(x.slice(1, 1, 2)); };

    dde::DirichletBC bc(geomtime, func, dde::on_boundary);
    dde::IC ic_1(geomtime, func, dde::on_initial);
    // The predicate picks t = 0 by the point's time coordinate (see the header: the flag it is handed is
    // the on-boundary flag).
    dde::OperatorBC ic_2(
        geomtime, [](const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor&) {
          return dde::grad::jacobian(y, x, 0, 1);
        },
        [](const auto& x, bool) { return dde::utils::isclose(x[1], 0); });

    std::vector<dde::icbc::BCPtr> conditions = {bc};
    if (!hard_initial) conditions.insert(conditions.end(), {ic_1, ic_2});
    dde::data::TimePDE data(geomtime, pde, conditions,
                            {.num_domain = 30000, .num_boundary = 1500, .num_initial = hard_initial ? 0 : 1500,
                             .solution = func, .num_test = 6000});

    dde::nn::FNN net({2, 40, 40, 1}, "tanh", "Glorot uniform");
    if (scale_time)
      net->apply_feature_transform([](const torch::Tensor& x) {
        return torch::cat({x.slice(1, 0, 1), x.slice(1, 1, 2) / 5 - 1}, 1);
      });
    if (hard_initial)
      net->apply_output_transform([](const torch::Tensor& x, const torch::Tensor& y) {
        return x.slice(1, 0, 1) + torch::tanh(x.slice(1, 1, 2)).pow(2) * y;
      });
    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}, .decay = dde::Decay{"inverse time", 3000, 0.9}});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.metrics = {"l2 relative error"}});
      model.train({.display_every = args.display_every});
    }

    auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    auto grid = torch::meshgrid({torch::linspace(0, 10, 256, opts), torch::linspace(-1, 1, 256, opts)}, "ij");
    auto X = torch::stack({grid[1].flatten(), grid[0].flatten()}, 1).to(dde::config::options().dtype());
    return dde::examples::finish(model, "L2 relative error",
                                 dde::metrics::l2_relative_error(func(X), model.predict(X)), args);
  });
}
