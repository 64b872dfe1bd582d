// Allen-Cahn equation with hard initial and boundary conditions (port of DeepXDE's Allen_Cahn.py, the
// example of arXiv:2111.02801).
// Published: L2 1.52e-2 (DeepXDE's run of its script, reported when the example was added)
//
//   u_t = d u_xx + 5 (u - u^3),  d = 0.001,  x in [-1, 1], t in [0, 1]
//   u(x, 0) = x^2 cos(pi x),  u(-1, t) = u(1, t) = -1
//
// Both conditions hold through the output transform u = x^2 cos(pi x) + t (1 - x^2) N(x, t), so the data
// object has no condition (DeepXDE's `[]`); the boundary and initial points only add residual points.
//
// Reference (DeepXDE reads Allen_Cahn.mat; nothing is downloaded here): a finite-difference solution on
// 2001 nodes (dx = 0.001, about 20 nodes across the interfaces, whose width is ~ sqrt(2 d / 5) = 0.02),
// Strang splitting with dt = 2.5e-4: the reaction u' = 5 (u - u^3) solved exactly over each half step,
// the diffusion by Crank-Nicolson (a tridiagonal solve) with u = -1 held at both ends. It is compared on
// DeepXDE's test grid (dx = dt = 0.01: 201 x 101 points); the example prints how far the reference moves
// when dx and dt are doubled.
//
// Full budget (gallery), as DeepXDE: 8000 domain / 400 boundary / 800 initial points, FNN [2, 20, 20, 20, 1]
// tanh "Glorot normal", Adam 1e-3 x 40000 then L-BFGS: L2 1.43e-2 here; DeepXDE's own run of its script gave
// 1.52e-2 (the figure its author reported), and the gallery bound is that figure rounded up, 1.6e-2.
//
// --diffusion D sets d (the causal-training paper's case is d = 1e-4: interfaces ~0.006 wide; the reference
// refines dx so that ~20 nodes cross them), --causal N trains with N causal time windows (eps 1, 10, 100).
// At d = 1e-4 and 20,000 Adam steps both fail with this small net: plain L2 0.445, causal (32 windows) 0.352
// (docs/gallery.md). --modified-mlp W swaps the net for the causal paper's kind: a modified MLP with 4 hidden
// layers of width W on (t, cos k pi x, sin k pi x, k = 1..K) (--harmonics K, default 4: periodic in x with
// period 2, as the paper's exact periodic embedding), the output transform unchanged; --num-domain N sets
// the domain points (8000). --soft-initial W makes the initial condition a loss term of weight W (the
// boundary stays hard: u = -1 + (1 - x^2) N(x, t)), the causal paper's setting, where the initial value
// must propagate forward through the residual.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace dde = pinnxde;

namespace {

double d = 0.001;  // --diffusion D

// u(x_i, t_k) on x_i = -1 + 0.01 i (i = 0..200), t_k = 0.01 k (k = 0..100), as a (101 * 201) vector in
// t-major order; `m` finite-difference intervals (a multiple of 200), `steps` time steps per 0.01.
std::vector<double> allen_cahn_reference(int m, int steps) {
  const double dx = 2.0 / m, dt = 0.01 / steps, r = d * dt / (dx * dx);
  std::vector<double> u(m + 1), rhs(m + 1), c(m + 1), out;
  for (int i = 0; i <= m; ++i) {
    const double x = -1 + i * dx;
    u[i] = x * x * std::cos(M_PI * x);
  }
  auto react = [&](double h) {  // exact flow of u' = 5 (u - u^3) over time h
    const double e = std::exp(10 * h);
    for (auto& v : u) v = v * std::exp(5 * h) / std::sqrt(1 - v * v + v * v * e);
  };
  auto diffuse = [&] {  // Crank-Nicolson, u(+-1) = -1 fixed: Thomas algorithm on the interior nodes
    const double a = -r / 2, b = 1 + r;
    for (int i = 1; i < m; ++i) rhs[i] = u[i] + r / 2 * (u[i - 1] - 2 * u[i] + u[i + 1]);
    rhs[1] -= a * u[0];
    rhs[m - 1] -= a * u[m];
    c[1] = a / b;
    rhs[1] /= b;
    for (int i = 2; i < m; ++i) {
      const double den = b - a * c[i - 1];
      c[i] = a / den;
      rhs[i] = (rhs[i] - a * rhs[i - 1]) / den;
    }
    u[m - 1] = rhs[m - 1];
    for (int i = m - 2; i >= 1; --i) u[i] = rhs[i] - c[i] * u[i + 1];
  };
  const int stride = m / 200;
  auto record = [&] {
    for (int i = 0; i <= 200; ++i) out.push_back(u[i * stride]);
  };
  record();
  for (int k = 0; k < 100; ++k) {
    for (int s = 0; s < steps; ++s) {
      react(dt / 2);
      diffuse();
      react(dt / 2);
    }
    record();
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    dde::examples::Flags flags(argc, argv);
    d = flags.number("--diffusion", d, 1e-5, 1);
    const auto mlp_width = flags.integer("--modified-mlp", 0, 0, 1024);
    const auto harmonics = flags.integer("--harmonics", 4, 1, 64);
    const auto num_domain = flags.integer("--num-domain", 8000, 1, 1000000);
    const double ic_weight = flags.number("--soft-initial", 0, 0, 1e6);  // 0: the initial value is hard
    const auto args = dde::examples::parse_args(flags,
                                                {.iterations = 40000, .lbfgs_iterations = 15000,
                                                 .accepts_causal = true});
    // The reference resolves the interfaces (width ~ sqrt(2 d / 5)) with >= ~20 nodes: dx = 0.001 at d = 1e-3.
    const int refine = static_cast<int>(std::ceil(std::sqrt(1e-3 / d) - 1e-9));
    const int m_ref = 2000 * std::max(1, refine);

    dde::geometry::Interval geom(-1, 1);
    dde::geometry::TimeDomain timedomain(0, 1);
    dde::geometry::GeometryXTime geomtime(geom, timedomain);

    auto pde = [](const torch::Tensor& x, const torch::Tensor& y) {
      auto dy_t = dde::grad::jacobian(y, x, 0, 1);
      auto dy_xx = dde::grad::hessian(y, x, 0, 0);
      return dy_t - d * dy_xx - 5 * (y - y.pow(3));
    };

    auto initial = [](const torch::Tensor& x) {
      auto xs = x.slice(1, 0, 1);
      return xs * xs * torch::cos(M_PI * xs);
    };
    // Hard constraints on the initial and boundary conditions.
    auto output_transform = [initial](const torch::Tensor& x, const torch::Tensor& y) {
      auto xs = x.slice(1, 0, 1), t = x.slice(1, 1, 2);
      return initial(x) + t * (1 - xs * xs) * y;
    };
    dde::IC ic(geomtime, initial, dde::on_initial);
    std::vector<dde::icbc::BCPtr> conditions;
    if (ic_weight > 0) conditions.push_back(ic);
    dde::data::TimePDE data(geomtime, pde, conditions,
                            {.num_domain = num_domain, .num_boundary = 400, .num_initial = 800});
    std::shared_ptr<dde::nn::NNImpl> net;
    if (mlp_width > 0) {
      const auto w = mlp_width;
      auto mlp = dde::nn::ModifiedMLP({1 + 2 * harmonics, w, w, w, w, 1}, "tanh", "Glorot normal");
      mlp->apply_embedding(dde::nn::PeriodicEmbedding(2, {0}, {2.0}, harmonics));
      net = mlp.ptr();
    } else {
      net = dde::nn::FNN({2, 20, 20, 20, 1}, "tanh", "Glorot normal").ptr();
    }
    if (ic_weight > 0)
      net->apply_output_transform([](const torch::Tensor& x, const torch::Tensor& y) {
        auto xs = x.slice(1, 0, 1);
        return -1 + (1 - xs * xs) * y;
      });
    else
      net->apply_output_transform(output_transform);
    dde::Model model(data, net);
    dde::CompileOptions options{.lr = 1e-3};
    if (ic_weight > 0) options.loss_weights = {1, ic_weight};
    if (args.causal > 0) options.causal = {.num_windows = args.causal, .eps = {1, 10, 100}, .delta = 0.99};
    model.compile("adam", options);
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.causal > 0) dde::examples::print_causal(model);
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", options);
      model.train({.display_every = args.display_every});
    }

    // gen_testdata: the reference on the grid dx = dt = 0.01.
    const auto ref = allen_cahn_reference(m_ref, 40);
    const auto coarse = allen_cahn_reference(m_ref / 2, 20);
    double moved = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) moved = std::max(moved, std::abs(ref[i] - coarse[i]));
    std::cout << "Reference check: max |u(dx, dt) - u(2 dx, 2 dt)| = " << moved << "\n";
    auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    auto grid = torch::meshgrid({torch::linspace(0, 1, 101, opts), torch::linspace(-1, 1, 201, opts)}, "ij");
    auto X = torch::stack({grid[1].flatten(), grid[0].flatten()}, 1).to(dde::config::options().dtype());
    auto y_pred = model.predict(X);
    const auto y_true = torch::tensor(ref, opts).unsqueeze(1).to(y_pred.dtype());
    // Where in time the error sits (a causality failure grows with t): L2 over each quarter of [0, 1].
    std::cout << "L2 relative error by time, t in [0, 0.25), [0.25, 0.5), [0.5, 0.75), [0.75, 1]:";
    for (int q = 0; q < 4; ++q) {
      const std::int64_t begin = 201 * 25 * q, end = 201 * (q < 3 ? 25 * (q + 1) : 101);
      std::cout << " " << dde::metrics::l2_relative_error(y_true.slice(0, begin, end), y_pred.slice(0, begin, end));
    }
    std::cout << "\n";
    auto f = model.predict(X, pde);
    std::cout << "Mean residual: " << f.abs().mean().item<double>() << "\n";
    return dde::examples::finish(model, "L2 relative error",
                                 dde::metrics::l2_relative_error(y_true, y_pred), args);
  });
}
