// Burgers' equation (port of DeepXDE's Burgers.py, the problem of Raissi, Perdikaris & Karniadakis 2019).
// Published: L2 6.7e-4 (Raissi et al. 2019, their 10,000-point setup: --raissi)
//
//   u_t + u u_x = nu u_xx,  nu = 0.01 / pi,  x in [-1, 1], t in [0, 0.99]
//   u(x, 0) = -sin(pi x),  u(-1, t) = u(1, t) = 0
//
// Reference: the Cole-Hopf solution
//   u(x, t) = -∫ sin(pi (x - eta)) f(x - eta) K(eta) d eta / ∫ f(x - eta) K(eta) d eta,
//   f(y) = exp(-cos(pi y) / (2 pi nu)),  K(eta) = exp(-eta^2 / (4 nu t)),
// with eta = sqrt(4 nu t) z evaluated by Gauss-Hermite quadrature (weight e^{-z^2}; nodes by the Golub-Welsch
// eigenvalue method) on DeepXDE's test grid (Burgers.npz: 256 x in [-1, 1] by 100 t in
// [0, 0.99]). The example prints how far the quadrature moves when its node count is doubled.
//
// Full budget (gallery), as DeepXDE: 2540 domain / 80 boundary / 160 initial points, FNN [2, 20, 20, 20, 1]
// tanh "Glorot normal", Adam 1e-3 x 15000 then L-BFGS. Raissi et al. (10000 points, 9 x 20 tanh, L-BFGS
// only) report a relative L2 error of 6.7e-4. burgers_rar.cpp is the same equation with adaptive points.
//
// --raissi uses Raissi et al.'s setup instead: 10000 Latin-hypercube collocation points, 100 initial and
// boundary points (50 + 50), FNN [2, 20 x 8, 1] tanh (their 9 weight layers); the budget stays the flags'.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

#include <Eigen/Eigenvalues>

#include <string>
#include <vector>

namespace dde = pinnxde;

namespace {

const double nu = 0.01 / M_PI;

// Gauss-Hermite rule with n nodes (weight e^{-z^2}). The nodes are the eigenvalues of the symmetric
// tridiagonal Jacobi matrix of the Hermite polynomials (Golub & Welsch 1969). The weights are not taken
// from the eigenvectors: far from 0 they are below the eigenvectors' round-off (about e^{-81} at z = 9,
// where the integrand's peak sits near the shock), so they come from w_i = 1 / sum_k p_k(z_i)^2 with
// the orthonormal Hermite polynomials p_k, run in a rescaled form so that nothing overflows.
// Returns (nodes, log weights).
std::pair<torch::Tensor, torch::Tensor> gauss_hermite(int n) {
  Eigen::MatrixXd J = Eigen::MatrixXd::Zero(n, n);
  for (int k = 1; k < n; ++k) J(k, k - 1) = J(k - 1, k) = std::sqrt(k / 2.0);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(J, Eigen::EigenvaluesOnly);
  auto z = torch::empty({n}, torch::kFloat64), log_w = torch::empty({n}, torch::kFloat64);
  for (int i = 0; i < n; ++i) {
    const double zi = eig.eigenvalues()(i);
    double prev = 0, cur = std::pow(M_PI, -0.25), sum = cur * cur, log_scale = 0;  // p_{-1}, p_0
    for (int k = 0; k + 1 < n; ++k) {
      const double next = std::sqrt(2.0 / (k + 1)) * zi * cur - std::sqrt(double(k) / (k + 1)) * prev;
      prev = cur;
      cur = next;
      sum += cur * cur;
      if (std::abs(cur) > 1e100) {  // rescale p_k, p_{k-1} by 1e-100 and the sum by 1e-200
        cur *= 1e-100;
        prev *= 1e-100;
        sum *= 1e-200;
        log_scale += 100 * std::log(10.0);
      }
    }
    z[i] = zi;
    log_w[i] = -(std::log(sum) + 2 * log_scale);
  }
  return {z, log_w};
}

// The Cole-Hopf solution at the points xt (N, 2), by an n-node Gauss-Hermite rule.
torch::Tensor cole_hopf(const torch::Tensor& xt, int n) {
  auto [z, log_w] = gauss_hermite(n);
  auto p = xt.to(torch::kFloat64);
  auto x = p.select(1, 0).unsqueeze(1), t = p.select(1, 1).unsqueeze(1);
  auto y = x - torch::sqrt(4 * nu * t) * z.unsqueeze(0);
  auto log_g = log_w.unsqueeze(0) - torch::cos(M_PI * y) / (2 * M_PI * nu);
  auto g = torch::exp(log_g - std::get<0>(log_g.max(1, true)));  // scaled: only the ratio matters
  auto u = -(torch::sin(M_PI * y) * g).sum(1, true) / g.sum(1, true);
  return torch::where(t > 0, u, -torch::sin(M_PI * x));
}

}  // namespace

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    dde::examples::Flags flags(argc, argv);
    const bool raissi = flags.toggle("--raissi");
    const auto args = dde::examples::parse_args(flags,
                                                {.iterations = 15000, .lbfgs_iterations = 15000});

    auto pde = [](const torch::Tensor& x, const torch::Tensor& y) {
      auto dy_x = dde::grad::jacobian(y, x, 0, 0);
      auto dy_t = dde::grad::jacobian(y, x, 0, 1);
      auto dy_xx = dde::grad::hessian(y, x, 0, 0);
      return dy_t + y * dy_x - 0.01 / M_PI * dy_xx;
    };

    dde::geometry::Interval geom(-1, 1);
    dde::geometry::TimeDomain timedomain(0, 0.99);
    dde::geometry::GeometryXTime geomtime(geom, timedomain);

    dde::DirichletBC bc(geomtime, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                        dde::on_boundary);
    dde::IC ic(geomtime, [](const torch::Tensor& x) { return -torch::sin(M_PI * x.slice(1, 0, 1)); },
               dde::on_initial);

    dde::data::TimePDE data =
        raissi ? dde::data::TimePDE(geomtime, pde, {bc, ic},
                                    {.num_domain = 10000, .num_boundary = 50, .num_initial = 50,
                                     .train_distribution = "LHS"})
               : dde::data::TimePDE(geomtime, pde, {bc, ic}, {.num_domain = 2540, .num_boundary = 80, .num_initial = 160});
    std::vector<std::int64_t> layers{2, 20, 20, 20, 1};
    if (raissi) layers = {2, 20, 20, 20, 20, 20, 20, 20, 20, 1};
    dde::nn::FNN net(layers, "tanh", "Glorot normal");
    dde::Model model(data, net);

    model.compile("adam", {.lr = 1e-3});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS");
      model.train({.display_every = args.display_every});
    }

    // DeepXDE's test grid (gen_testdata): x = linspace(-1, 1, 256), t = linspace(0, 0.99, 100).
    auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    auto grid = torch::meshgrid({torch::linspace(0, 0.99, 100, opts), torch::linspace(-1, 1, 256, opts)}, "ij");
    auto X = torch::stack({grid[1].flatten(), grid[0].flatten()}, 1);
    auto y_true = cole_hopf(X, 200);
    std::cout << "Reference check: max |u(200 nodes) - u(400 nodes)| = "
              << (y_true - cole_hopf(X, 400)).abs().max().item<double>() << "\n";

    auto Xd = X.to(dde::config::options().dtype());
    auto y_pred = model.predict(Xd);
    auto f = model.predict(Xd, pde);
    std::cout << "Mean residual: " << f.abs().mean().item<double>() << "\n";
    return dde::examples::finish(model, "L2 relative error",
                                 dde::metrics::l2_relative_error(y_true.to(y_pred.dtype()), y_pred), args);
  });
}
