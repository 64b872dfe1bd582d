// The nonlinear Schroedinger equation of Raissi, Perdikaris & Karniadakis (2019), section 3.1.1:
//
//   i h_t + 1/2 h_xx + |h|^2 h = 0,  x in [-5, 5] periodic,  t in [0, pi/2],  h(x, 0) = 2 sech(x)
//   h = u + i v:  u_t + 1/2 v_xx + (u^2 + v^2) v = 0,  v_t - 1/2 u_xx - (u^2 + v^2) u = 0
//
// Reference: a split-step Fourier solver written below (Strang splitting, 256 modes, dt = 1e-4), on
// Raissi's grid of 256 x 201 points. Raissi reports a relative L2 error of |h| of 1.97e-3 with soft
// initial and periodic conditions, 20000 collocation points and a [2, 100 x 4, 2] network.
// Published: L2 of |h| 1.97e-3 (Raissi et al. 2019)
// Here the initial value is hard: (u, v) = (2 sech x, 0) + t N(x, t) (an output transform), and h and h_x
// are periodic by four PeriodicBC loss terms (400 boundary points); the network sees Raissi's (x, t).
// --exact-periodic feeds (cos kx, sin kx, t), k = 2 pi / 10, instead, so that h and every derivative are
// periodic by construction and the loss is the two residuals: that is 4.5x less accurate (below), because
// 2 sech x has a slope jump of 0.027 across x = +-5, which the periodic reference disperses at once but the
// exactly periodic t N(x, t) cannot undo: h0's jump stays in h for all t.
// Prints the L2 relative errors of |h|, u and v; the checked value is |h|'s (Raissi's measure). With
// --output-dir, besides saveplot's files, nls_raissi.png: |h| and its error on the reference's grid.
// Full budget (gallery): 10000 domain points, FNN [2, 100 x 4, 2] tanh, float64, Adam 1e-3 x 5000 then
// L-BFGS x 5000 (half of the 10000 + 10000 first registered; 3344 s on a shared core): L2 of |h| 1.32e-3
// (u 2.11e-3, v 3.00e-3), within Raissi's 1.97e-3. With --exact-periodic the same budget gives 6.0e-3.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

namespace {

// h on the grid x_j = -5 + 10 j / nx (j < nx), t_k = k T / (nt - 1): Strang split-step Fourier.
// i h_t = -1/2 h_xx (exact in Fourier space) and i h_t = -|h|^2 h (exact pointwise: |h| is constant).
torch::Tensor split_step_reference(std::int64_t nx, std::int64_t nt, double T, double dt) {
  const auto c128 = torch::TensorOptions().dtype(torch::kComplexDouble);
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  const auto x = -5 + 10 * torch::arange(nx, f64) / nx;
  auto k = torch::fft::fftfreq(nx, 10.0 / nx, f64) * (2 * M_PI);
  const std::int64_t steps_per_out = static_cast<std::int64_t>(std::ceil(T / (nt - 1) / dt));
  const double h_dt = T / (nt - 1) / steps_per_out;
  const auto half_linear = torch::exp(torch::complex(torch::zeros_like(k), -0.25 * h_dt * k.square())).to(c128);
  auto h = (2 / torch::cosh(x)).to(c128);
  auto out = torch::empty({nt, nx}, c128);
  out[0] = h;
  for (std::int64_t n = 1; n < nt; ++n) {
    for (std::int64_t s = 0; s < steps_per_out; ++s) {
      h = torch::fft::ifft(torch::fft::fft(h) * half_linear);
      const auto phase = h.abs().square() * h_dt;
      h = h * torch::complex(torch::cos(phase), torch::sin(phase));
      h = torch::fft::ifft(torch::fft::fft(h) * half_linear);
    }
    out[n] = h;
  }
  return out;  // (nt, nx), complex
}

}  // namespace

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    dde::examples::Flags flags(argc, argv);
    // --exact-periodic: periodic features instead of PeriodicBC terms (see the header).
    const bool soft_periodic = !flags.toggle("--exact-periodic");
    const auto args = dde::examples::parse_args(flags, {.iterations = 5000, .lbfgs_iterations = 5000});
    const double T = M_PI / 2, k = 2 * M_PI / 10;
    auto col = [](const torch::Tensor& x, int j) { return x.slice(1, j, j + 1); };

    auto pde = [&](const torch::Tensor& x, const torch::Tensor& y) -> dde::data::Residuals {
      auto u = col(y, 0), v = col(y, 1), q = u.square() + v.square();
      auto u_t = dde::grad::jacobian(y, x, 0, 1), v_t = dde::grad::jacobian(y, x, 1, 1);
      auto u_xx = dde::grad::hessian(y, x, 0, 0, 0), v_xx = dde::grad::hessian(y, x, 1, 0, 0);
      return {u_t + 0.5 * v_xx + q * v, v_t - 0.5 * u_xx - q * u};
    };

    dde::geometry::GeometryXTime geomtime(dde::geometry::Interval(-5, 5), dde::geometry::TimeDomain(0, T));
    auto right = [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 5); };
    std::vector<dde::icbc::BCPtr> conditions;
    if (soft_periodic)
      for (int order : {0, 1})
        for (int component : {0, 1}) conditions.push_back(dde::PeriodicBC(geomtime, 0, right, order, component));
    dde::data::TimePDE data(geomtime, pde, conditions,
                            {.num_domain = 10000, .num_boundary = soft_periodic ? 400 : 0});
    dde::nn::FNN net({soft_periodic ? 2 : 3, 100, 100, 100, 100, 2}, "tanh", "Glorot normal");
    if (!soft_periodic)
      net->apply_feature_transform([&](const torch::Tensor& x) {
        return torch::cat({torch::cos(k * col(x, 0)), torch::sin(k * col(x, 0)), col(x, 1)}, 1);
      });
    net->apply_output_transform([&](const torch::Tensor& x, const torch::Tensor& y) {
      auto h0 = 2 / torch::cosh(col(x, 0));
      return torch::cat({h0, torch::zeros_like(h0)}, 1) + col(x, 1) * y;
    });

    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS");
      model.train({.display_every = args.display_every});
    }

    const std::int64_t nx = 256, nt = 201;
    const auto ref = split_step_reference(nx, nt, T, 1e-4);
    const auto ref_abs = ref.abs().to(dde::config::real()).reshape({-1, 1});
    const auto ref_u = torch::real(ref).to(dde::config::real()).reshape({-1, 1});
    const auto ref_v = torch::imag(ref).to(dde::config::real()).reshape({-1, 1});
    const auto f = dde::config::options();
    auto xs = (-5 + 10 * torch::arange(nx, f) / nx).repeat({nt});
    auto ts = (T * torch::arange(nt, f) / (nt - 1)).repeat_interleave(nx);
    auto pred = model.predict(torch::stack({xs, ts}, 1));
    auto mod = torch::sqrt(col(pred, 0).square() + col(pred, 1).square());
    const double err = dde::metrics::l2_relative_error(ref_abs, mod);
    // The reference's own checks: int |h|^2 dx (= 8 at t = 0) is conserved, and the 2-soliton returns to
    // 2 sech(x) at t = pi/2 (its period).
    const auto mass = ref.abs().square().sum(1) * (10.0 / nx);
    std::cout << "reference: split-step Fourier, " << nx << " modes, " << nt << " times; int |h|^2 dx from "
              << mass[0].item<double>() << " to " << mass[nt - 1].item<double>() << "; max |h| "
              << ref.abs().max().item<double>() << " (over t), " << ref[nt - 1].abs().max().item<double>()
              << " at t = pi/2\n"
              << "L2 relative error of u: " << dde::metrics::l2_relative_error(ref_u, col(pred, 0))
              << ", of v: " << dde::metrics::l2_relative_error(ref_v, col(pred, 1)) << "\n";
    if (!args.output_dir.empty()) {
      // |h| and its error against the split-step reference on the reference's grid (saveplot's solution.png
      // shows u and v at the test points).
      dde::save_table(args.output_dir, "h_error.dat", "x t |h|_pred abs(|h|_pred-|h|_ref)",
                      {xs, ts, mod, (mod - ref_abs).abs()});
      if (!dde::plot_script(args.output_dir, "nls_raissi.gp",
                            "set terminal pngcairo size 1100,420\nset output 'nls_raissi.png'\n"
                            "set multiplot layout 1,2\nset xlabel 'x'\nset ylabel 't'\n"
                            "set palette rgbformulae 33,13,10\nset xrange [-5:5]\nset yrange [0:1.5708]\n"
                            "set title '|h|, PINN'\nplot 'h_error.dat' u 1:2:3 with image notitle\n"
                            "set title '| |h| - |h| of the split-step reference |'\n"
                            "plot 'h_error.dat' u 1:2:4 with image notitle\nunset multiplot\n"))
        std::cout << "no nls_raissi.png (gnuplot not installed or failed)\n";
    }
    return dde::examples::finish(model, "L2 relative error of |h|", err, args);
  });
}
