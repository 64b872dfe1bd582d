// Helmholtz equation on a square with a circular hole, built by CSG (port of DeepXDE's
// Helmholtz_Neumann_2d_hole.py).
//
//   -u_xx - u_yy - k0^2 u = f,  f = k0^2 sin(k0 x) sin(k0 y),  k0 = 2 pi n, n = 1
//   Omega = [-1/2, 1/2]^2 minus the disk of radius R = 1/4 at the origin
//   u = exact on the outer square (Dirichlet), du/dn = d(exact)/dn on the hole (Neumann, n pointing into
//   the hole: minus the disk's outward normal);  exact: u = sin(k0 x) sin(k0 y)
//
// Points per wavelength as DeepXDE: precision_train = 15 (225 domain / 240 boundary points),
// precision_test = 30 (900 test points); loss weights [1, 10, 100] (residual, hole, square).
// Default budget, as DeepXDE: FNN [2] + [350] * 3 + [1] "sin" "Glorot uniform", Adam 1e-3 x 5000
// (no L-BFGS); the gallery line adds L-BFGS (below). The error is measured on DeepXDE's 100 x 100 plotting grid over the square, on the points
// of Omega (the checked figure) and, as DeepXDE's script does, on every grid point including the hole.
// At DeepXDE's settings the training sits on the u = 0 plateau (L2 ~1.2) for thousands of steps, at earlier
// builds for all 5000 (a plain PyTorch replica of the script does the same:
// examples/reference/helmholtz_2d_hole_pytorch.py); when it leaves depends on round-off. --hard-dirichlet
// makes the square's condition hard instead, u = (x^2 - 1/4)(y^2 - 1/4) N(x, y) (the exact u is 0 there; the
// Dirichlet term stays in the loss and is then zero), which leaves the plateau at once (docs/gallery.md).
// With L-BFGS x 5000 after Adam, continued in float64 once float32 stalls (the gallery's
// helmholtz_2d_hole_hard: --hard-dirichlet --lbfgs-iterations 5000 --float64-on-stall): L2 1.08e-4.
// The soft conditions with the same L-BFGS (the gallery's helmholtz_2d_hole: --lbfgs-iterations 5000
// --float64-on-stall): L2 1.65e-4, 3.32e-4, 2.67e-4 for seeds 0, 1, 2 (in these runs Adam left the plateau
// between steps 4,000 and 5,000, 2,000 and 3,000, and 1,000 and 2,000; L2 8.1e-2, 1.3e-2, 9.8e-3 at 5,000).
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    dde::examples::Flags flags(argc, argv);
    const bool hard_dirichlet = flags.toggle("--hard-dirichlet");
    const auto args = dde::examples::parse_args(flags,
                                                {.iterations = 5000, .lbfgs_iterations = 0});

    // General parameters
    const int n = 1;
    const double length = 1, R = 1.0 / 4;
    const int precision_train = 15, precision_test = 30;
    const double weight_inner = 10, weight_outer = 100;
    const double learning_rate = 1e-3;
    const int num_dense_layers = 3, num_dense_nodes = 350;
    const std::string activation = "sin";

    const double k0 = 2 * M_PI * n;
    const double wave_len = 1.0 / n;

    auto pde = [&](const torch::Tensor& x, const torch::Tensor& y) {
      auto dy_xx = dde::grad::hessian(y, x, 0, 0);
      auto dy_yy = dde::grad::hessian(y, x, 1, 1);
      auto f = k0 * k0 * torch::sin(k0 * x.slice(1, 0, 1)) * torch::sin(k0 * x.slice(1, 1, 2));
      return -dy_xx - dy_yy - k0 * k0 * y - f;
    };
    auto func = [&](const torch::Tensor& x) {
      return torch::sin(k0 * x.slice(1, 0, 1)) * torch::sin(k0 * x.slice(1, 1, 2));
    };

    dde::geometry::Rectangle outer({-length / 2, -length / 2}, {length / 2, length / 2});
    dde::geometry::Disk inner({0, 0}, R);

    // The exact normal derivative on the hole; the domain's outward normal there is -inner's.
    auto neumann = [&](const torch::Tensor& x) {
      auto x0 = x.slice(1, 0, 1), x1 = x.slice(1, 1, 2);
      auto grad = torch::cat({k0 * torch::cos(k0 * x0) * torch::sin(k0 * x1),
                              k0 * torch::sin(k0 * x0) * torch::cos(k0 * x1)}, 1);
      auto normal = -dde::to_tensor(inner.boundary_normal(dde::to_points(x)), x.options());
      return (grad * normal).sum(1, true);
    };
    // A predicate sees one point; the geometries' on_boundary take a batch of points (here one row).
    auto boundary_outer = [&](const auto& x, bool on_boundary) {
      return on_boundary && outer.on_boundary(dde::geometry::Points(x))(0);
    };
    auto boundary_inner = [&](const auto& x, bool on_boundary) {
      return on_boundary && inner.on_boundary(dde::geometry::Points(x))(0);
    };

    auto geom = outer - inner;

    const double hx_train = wave_len / precision_train;
    const auto nx_train = static_cast<std::int64_t>(1 / hx_train);
    const double hx_test = wave_len / precision_test;
    const auto nx_test = static_cast<std::int64_t>(1 / hx_test);

    {
      const auto b = geom.uniform_boundary_points(16 * nx_train);
      int on_inner = 0, on_outer = 0;
      for (Eigen::Index i = 0; i < b.rows(); ++i) {
        on_inner += boundary_inner(b.row(i), true);
        on_outer += boundary_outer(b.row(i), true);
      }
      std::cout << "Of " << b.rows() << " boundary points, " << on_inner << " on the hole and " << on_outer
                << " on the square\n";
    }
    dde::NeumannBC bc_inner(geom, neumann, boundary_inner);
    dde::DirichletBC bc_outer(geom, func, boundary_outer);

    dde::data::PDE data(geom, pde, {bc_inner, bc_outer},
                        {.num_domain = nx_train * nx_train, .num_boundary = 16 * nx_train, .solution = func,
                         .num_test = nx_test * nx_test});

    std::vector<std::int64_t> layers{2};
    for (int i = 0; i < num_dense_layers; ++i) layers.push_back(num_dense_nodes);
    layers.push_back(1);
    dde::nn::FNN net(layers, activation, "Glorot uniform");

    if (hard_dirichlet)
      net->apply_output_transform([h = length / 2](const torch::Tensor& x, const torch::Tensor& y) {
        return (x.slice(1, 0, 1).square() - h * h) * (x.slice(1, 1, 2).square() - h * h) * y;
      });

    dde::Model model(data, net);
    model.compile("adam", {.lr = learning_rate,
                           .metrics = {"l2 relative error"},
                           .loss_weights = {1, weight_inner, weight_outer}});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.metrics = {"l2 relative error"}, .loss_weights = {1, weight_inner, weight_outer}});
      model.train({.display_every = args.display_every});
    }

    // DeepXDE's plotting grid: Nx = ceil(100 wave_len) points per direction over the square.
    const auto Nx = static_cast<std::int64_t>(std::ceil(wave_len * 100));
    auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    auto grid = torch::meshgrid({torch::linspace(-length / 2, length / 2, Nx, opts),
                                 torch::linspace(-length / 2, length / 2, Nx, opts)}, "ij");
    auto square = torch::stack({grid[0].flatten(), grid[1].flatten()}, 1).to(dde::config::options().dtype());
    std::cout << "L2 relative error over the whole square (DeepXDE's figure, the hole included): "
              << dde::metrics::l2_relative_error(func(square), model.predict(square)) << "\n";
    auto in_domain = (square.square().sum(1) >= R * R);
    auto x = square.index({in_domain});
    return dde::examples::finish(model, "L2 relative error",
                                 dde::metrics::l2_relative_error(func(x), model.predict(x)), args);
  });
}
