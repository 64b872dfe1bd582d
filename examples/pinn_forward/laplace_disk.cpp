// Laplace equation on the unit disk in polar coordinates (port of DeepXDE's Laplace_disk.py).
//
//   r u_r + r^2 u_rr + u_thetatheta = 0  (r^2 times the Laplacian),  (r, theta) in [0, 1] x [0, 2 pi]
//   u(1, theta) = cos(theta);  exact: u = r cos(theta)
//
// The network sees the features (r sin(theta), r cos(theta)), i.e. the Cartesian point, through a feature
// transform: it is then periodic in theta and single-valued at r = 0 by construction, so only the
// condition at r = 1 is imposed.
// Full budget (gallery), as DeepXDE: 2540 domain / 80 boundary points, FNN [2, 20, 20, 20, 1] tanh,
// Adam 1e-3 x 15000 (no L-BFGS). The error is measured on a 101 x 101 grid of (r, theta).
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 15000, .lbfgs_iterations = 0});

    auto pde = [](const torch::Tensor& x, const torch::Tensor& y) {
      auto dy_r = dde::grad::jacobian(y, x, 0, 0);
      auto dy_rr = dde::grad::hessian(y, x, 0, 0);
      auto dy_thetatheta = dde::grad::hessian(y, x, 1, 1);
      auto r = x.slice(1, 0, 1);
      return r * dy_r + r * r * dy_rr + dy_thetatheta;
    };
    auto solution = [](const torch::Tensor& x) { return x.slice(1, 0, 1) * torch::cos(x.slice(1, 1, 2)); };

    dde::geometry::Rectangle geom({0, 0}, {1, 2 * M_PI});
    dde::DirichletBC bc_rad(
        geom, [](const torch::Tensor& x) { return torch::cos(x.slice(1, 1, 2)); },
        [](const auto& x, bool on_boundary) { return on_boundary && dde::utils::isclose(x[0], 1); });
    dde::data::PDE data(geom, pde, {bc_rad}, {.num_domain = 2540, .num_boundary = 80, .solution = solution});

    dde::nn::FNN net({2, 20, 20, 20, 1}, "tanh", "Glorot normal");
    // Use [r sin(theta), r cos(theta)] as features, so that the network is periodic in theta.
    net->apply_feature_transform([](const torch::Tensor& x) {
      auto r = x.slice(1, 0, 1), theta = x.slice(1, 1, 2);
      return torch::cat({r * torch::sin(theta), r * torch::cos(theta)}, 1);
    });

    dde::Model model(data, net);
    model.compile("adam", {.lr = 1e-3, .metrics = {"l2 relative error"}});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.metrics = {"l2 relative error"}});
      model.train({.display_every = args.display_every});
    }

    auto x = dde::to_tensor(geom.uniform_points(101 * 101, true), dde::config::options());
    return dde::examples::finish(model, "L2 relative error",
                                 dde::metrics::l2_relative_error(solution(x), model.predict(x)), args);
  });
}
