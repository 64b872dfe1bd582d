// Quantum harmonic oscillator: the ground state and the first excited state, eigenvalue and eigenfunction.
//
//   -1/2 psi'' + 1/2 x^2 psi = E psi,  x in [-L, L], L = 5,  psi(-L) = psi(L) = 0 (decay)
//   int psi^2 dx = 1                           (normalisation: a global loss term, Gauss-Legendre)
//   E is a trainable Variable.
//   exact: E0 = 1/2, psi0 = pi^(-1/4) exp(-x^2/2);  E1 = 3/2, psi1 = sqrt(2) pi^(-1/4) x exp(-x^2/2)
//
// The excited state is a second training with a second network and Variable, plus an orthogonality term
// int psi0 psi1 dx = 0 against the trained ground state (its values at the quadrature points). The sign of
// an eigenfunction is free: the error is taken against the exact one with the sign of int psi psi_exact.
// No DeepXDE original; the pattern is PDE::add_global_term with a quadrature::Rule.
//
// Prints E0, E1 and the L2 relative errors of psi0, psi1; the checked value ("E relative error") is the larger relative
// eigenvalue error max(|E0 - 1/2| / (1/2), |E1 - 3/2| / (3/2)).
// Full budget (gallery): 200 domain points, FNN [1, 32, 32, 32, 1] tanh, float64, per state Adam 1e-3 x
// 10000 then L-BFGS.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 10000, .lbfgs_iterations = 5000});
    const double L = 5;
    dde::geometry::Interval geom(-L, L);
    const auto rule = dde::quadrature::gauss_legendre(128, -L, L);  // exact to ~1e-15 for these Gaussians
    auto zero = [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); };
    dde::DirichletBC bc(geom, zero, dde::on_boundary);
    auto norm = [](const torch::Tensor&, const torch::Tensor& psi, const torch::Tensor& w) {
      return (w * psi.square()).sum() - 1;  // int psi^2 dx - 1
    };
    const double c = std::pow(M_PI, -0.25);
    auto exact0 = [&](const torch::Tensor& x) { return c * torch::exp(-0.5 * x.square()); };
    auto exact1 = [&](const torch::Tensor& x) { return std::sqrt(2.0) * c * x * torch::exp(-0.5 * x.square()); };

    // One eigenstate: the residual with its own E, the decay condition, the normalisation, and any extra
    // global terms (orthogonality). Returns the trained model's E and psi's L2 relative error.
    struct State {
      std::unique_ptr<dde::data::PDE> data;
      std::unique_ptr<dde::Model> model;
      double E = 0, error = 0;
      torch::Tensor psi_at_rule;  // the trained psi on the quadrature points (for orthogonality)
    };
    auto solve = [&](double E_guess, const std::function<torch::Tensor(const torch::Tensor&)>& exact,
                     const torch::Tensor& orthogonal_to) {
      auto E = dde::Variable(E_guess);
      auto pde = [E](const torch::Tensor& x, const torch::Tensor& psi) {
        return -0.5 * dde::grad::hessian(psi, x, 0, 0) + 0.5 * x.square() * psi - E * psi;
      };
      State s;
      s.data = std::make_unique<dde::data::PDE>(geom, pde, std::vector<dde::icbc::BCPtr>{bc},
                                                dde::data::PDEOptions{.num_domain = 200, .num_boundary = 2});
      auto& data = *s.data;
      data.add_global_term("norm", rule, norm);
      if (orthogonal_to.defined())
        data.add_global_term("orth", rule, [psi0 = orthogonal_to](const torch::Tensor&, const torch::Tensor& psi,
                                                                  const torch::Tensor& w) {
          return (w * psi0.to(psi.options()) * psi).sum();  // int psi0 psi dx
        });
      dde::nn::FNN net({1, 32, 32, 32, 1}, "tanh", "Glorot normal");
      s.model = std::make_unique<dde::Model>(data, net);
      auto& model = *s.model;
      model.compile("adam", {.lr = 1e-3, .external_trainable_variables = {E}});
      model.train({.iterations = args.iterations, .display_every = args.display_every});
      if (args.lbfgs_iterations > 0) {
        model.compile("L-BFGS", {.external_trainable_variables = {E}});
        model.train({.display_every = args.display_every});
      }
      auto x = dde::to_tensor(geom.uniform_points(1001, true), dde::config::options());
      auto psi = model.predict(x), ref = exact(x);
      const double sign = (psi * ref).sum().item<double>() >= 0 ? 1.0 : -1.0;
      s.E = E.item<double>();
      s.error = dde::metrics::l2_relative_error(sign * ref, psi);
      s.psi_at_rule = model.predict(dde::to_tensor(rule.points, dde::config::options()));
      std::cout << std::setprecision(8) << "E = " << s.E << ", psi L2 relative error: " << s.error << "\n";
      return s;
    };

    std::cout << "== ground state\n";
    auto ground = solve(1.0, exact0, torch::Tensor());
    std::cout << "== first excited state (orthogonal to the trained ground state)\n";
    auto excited = solve(1.0, exact1, ground.psi_at_rule);

    const double e0 = std::abs(ground.E - 0.5) / 0.5, e1 = std::abs(excited.E - 1.5) / 1.5;
    std::cout.precision(8);
    std::cout << "E0 = " << ground.E << " (exact 0.5, relative error " << e0 << "), psi0 L2 relative error "
              << ground.error << "\n"
              << "E1 = " << excited.E << " (exact 1.5, relative error " << e1 << "), psi1 L2 relative error "
              << excited.error << "\n";
    // The non-finite check of both trainings, then the bound on the larger eigenvalue error (the excited
    // state's model writes the figures with --output-dir).
    if (ground.model->train_state().stop_reason == dde::StopReason::NonFinite) {
      std::cout << "FAILED: the ground state's training went non-finite\n";
      return 1;
    }
    return dde::examples::finish(*excited.model, "E relative error (max of both states)", std::max(e0, e1), args);
  });
}
