// Diffusion-reaction equation (the flagship; port of DeepXDE's diffusion_reaction example).
//
//   u_t = D u_xx - k u,  x in [-1, 1], t in [0, 1],  D = k = 1
//   u(-1, t) = u(1, t) = 0,  u(x, 0) = sin(pi x)
//   exact: u = sin(pi x) exp(-(pi^2 + 1) t)
//
// Full budget (gallery): 3000 domain / 300 boundary / 300 initial points, FNN [2, 64, 64, 64, 1] tanh,
// Adam 1e-3 x 20000, then L-BFGS, in float32, with loss weights {PDE 1, BC 10, IC 1}.
//
// Why the boundary term weighs 10: the error e = u_net - u solves e_t - e_xx + e = r with e = g on x = +-1
// and e = h at t = 0, where r, g and h are what the three loss terms measure. A boundary misfit g reaches
// into the domain undamped, while a residual r moves e by about r / (1 + pi^2) only. With equal weights the
// optimizer leaves the three squared terms of similar size, and the boundary misfit then dominates the
// error (measured: 41 % of the squared error within 0.05 of x = +-1, L2 1.09e-3 after L-BFGS in float64).
// With the boundary term weighted 10 (about 1 + pi^2) the same budget ends at 2.7e-4 in float32 (L-BFGS
// converges in ~1,250 iterations); L-BFGS in float64 (set_default_float("float64") before compiling it)
// reaches ~1.5e-4 but runs ~25x longer. docs/gallery.md has the figures.
//
// --weighting static|grad-norm|ntk starts from equal weights {1, 1, 1} instead: "static" keeps them (the
// 1.09e-3 case above), "grad-norm" and "ntk" adapt them during Adam (every 50 steps) and L-BFGS keeps the
// adapted weights frozen (CompileOptions::weighting; docs/user_guide.md, "Loss weighting"). Measured at
// Adam 1000 + L-BFGS 300 over seeds 0-2: equal fixed weights 1.66e-2 (mean), NTK 4.06e-3, its weights
// ending near (1.1, 14, 16). Full budget: grad-norm 1.85e-4 / 3.59e-4 / 2.34e-4 (seeds 0-2); NTK 1.66e-3
// (float32 L-BFGS stalled at once), 1.06e-4 with --lbfgs-float64 (docs/gallery.md).
// --lbfgs-float64 keeps Adam in float32 and runs L-BFGS in float64, where float32 L-BFGS stalls (below).
//   ./diffusion_reaction [--iterations N --lbfgs-iterations N --float64 --weighting ntk --lbfgs-float64 ...]
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 20000, .lbfgs_iterations = 15000, .accepts_weighting = true,
                                                            .accepts_lbfgs_float64 = true});
    const double D = 1.0, k = 1.0;

    auto pde = [&](const torch::Tensor& x, const torch::Tensor& y) {
      auto dy_t = dde::grad::jacobian(y, x, 0, 1);
      auto dy_xx = dde::grad::hessian(y, x, 0, 0);
      return dy_t - D * dy_xx + k * y;
    };
    auto exact = [](const torch::Tensor& x) {
      return torch::sin(M_PI * x.slice(1, 0, 1)) * torch::exp(-(M_PI * M_PI + 1) * x.slice(1, 1, 2));
    };

    dde::geometry::GeometryXTime geomtime(dde::geometry::Interval(-1, 1), dde::geometry::TimeDomain(0, 1));
    dde::DirichletBC bc(geomtime, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                        dde::on_boundary);
    dde::IC ic(geomtime, [](const torch::Tensor& x) { return torch::sin(M_PI * x.slice(1, 0, 1)); },
               dde::on_initial);
    dde::data::TimePDE data(geomtime, pde, {bc, ic},
                            {.num_domain = 3000, .num_boundary = 300, .num_initial = 300, .solution = exact,
                             .num_test = 4000});
    dde::nn::FNN net({2, 64, 64, 64, 1}, "tanh", "Glorot normal");

    dde::Model model(data, net);
    // PDE, BC, IC: see above; equal when a weighting is chosen on the command line.
    const std::vector<double> loss_weights =
        args.weighting.empty() ? std::vector<double>{1, 10, 1} : std::vector<double>{1, 1, 1};
    // Adaptive: updated every 50 steps keeping 0.9 of the old value; grad-norm with mean |grad L_r| in the
    // numerator (the max ran away on helmholtz_2d; see there).
    const dde::Weighting weighting{.name = args.weighting.empty() ? "static" : args.weighting, .every = 50,
                                   .alpha = 0.1, .statistic = "mean"};
    model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}, .loss_weights = loss_weights,
                           .weighting = weighting});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (weighting.name != "static") {
      const auto w = model.loss_weights();
      std::cout << "Adapted loss weights (PDE, BC, IC): " << w[0] << " " << w[1] << " " << w[2] << "\n";
    }
    if (args.lbfgs_iterations > 0) {
      // Adaptive weights carry over into L-BFGS, frozen; static ones are given again. --lbfgs-float64: the
      // network (compile converts it) and the loss in float64 from here on.
      if (args.lbfgs_float64) dde::config::set_default_float("float64");
      model.compile("L-BFGS", {.metrics = {"l2 relative error"},
                               .loss_weights = weighting.name == "static" ? loss_weights : std::vector<double>{},
                               .weighting = weighting});
      model.train({.display_every = args.display_every});
    }

    // Error on a fresh 101 x 101 grid, independent of the training points.
    auto grid = dde::geometry::GeometryXTime(dde::geometry::Interval(-1, 1), dde::geometry::TimeDomain(0, 1))
                    .uniform_points(101 * 101, true);
    auto x = dde::to_tensor(grid, dde::config::options());
    return dde::examples::finish(model, "L2 relative error",
                                 dde::metrics::l2_relative_error(exact(x), model.predict(x)), args);
  });
}
