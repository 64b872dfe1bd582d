// Poisson equation in 1D with a point-set operator condition (port of DeepXDE's
// Poisson_PointSetOperator_1d.py).
//
//   u'' = 2,  x in [-1, 1],  u(-1) = 0 (Dirichlet),  u'(1) = 4 (measured at the right boundary point)
//   exact: u = (x + 1)^2
//
// The derivative condition is a PointSetOperatorBC: the values of the operator u' at given points.
// Full budget (gallery), as DeepXDE: 16 domain / 2 boundary points, 100 test points, FNN [1, 50, 50, 50, 1]
// tanh, Glorot uniform, Adam 1e-3 x 10000 (no L-BFGS). Besides u, the errors of u' and u'' are printed
// (model.predict with an operator, as DeepXDE's script does); the checked figure is the L2 error of u.
#include <pinnxde/example_cli.hpp>
#include <pinnxde/pinnxde.hpp>

#include <iomanip>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  return dde::examples::run([&] {
    const auto args = dde::examples::parse_args(argc, argv, {.iterations = 10000, .lbfgs_iterations = 0});

    auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x) - 2; };
    auto dy_x = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::jacobian(y, x); };
    auto boundary_l = [](const auto& x, bool on_boundary) { return on_boundary && dde::utils::isclose(x[0], -1); };
    auto func = [](const torch::Tensor& x) { return (x + 1).pow(2); };
    auto d_func = [](const torch::Tensor& x) { return 2 * (x + 1); };

    dde::geometry::Interval geom(-1, 1);
    dde::DirichletBC bc_l(geom, func, boundary_l);
    // The right boundary point, where u' is "measured".
    const dde::geometry::Points boundary_pts = geom.random_boundary_points(2);
    dde::geometry::Points r_boundary_pts(1, 1);
    r_boundary_pts(0, 0) = 1;
    for (Eigen::Index i = 0; i < boundary_pts.rows(); ++i)
      if (dde::utils::isclose(boundary_pts(i, 0), 1)) r_boundary_pts(0, 0) = boundary_pts(i, 0);
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    dde::PointSetOperatorBC bc_r(r_boundary_pts, dde::to_points(d_func(dde::to_tensor(r_boundary_pts, f64))), dy_x);

    dde::data::PDE data(geom, pde, {bc_l, bc_r},
                        {.num_domain = 16, .num_boundary = 2, .solution = func, .num_test = 100});
    dde::nn::FNN net({1, 50, 50, 50, 1}, "tanh", "Glorot uniform");

    dde::Model model(data, net);
    model.compile("adam", {.lr = 0.001, .metrics = {"l2 relative error"}});
    model.train({.iterations = args.iterations, .display_every = args.display_every});
    if (args.lbfgs_iterations > 0) {
      model.compile("L-BFGS", {.metrics = {"l2 relative error"}});
      model.train({.display_every = args.display_every});
    }

    auto x = dde::to_tensor(geom.uniform_points(1000, true), dde::config::options());
    auto dy_xx = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x); };
    const double e_dx = dde::metrics::l2_relative_error(d_func(x), model.predict(x, dy_x));
    const double e_dxx = dde::metrics::l2_relative_error(torch::full({x.size(0), 1}, 2.0, x.options()),
                                                         model.predict(x, dy_xx));
    std::cout << std::setprecision(3) << "L2 relative error of u': " << e_dx << ", of u'': " << e_dxx << "\n";
    return dde::examples::finish(model, "L2 relative error",
                                 dde::metrics::l2_relative_error(func(x), model.predict(x)), args);
  });
}
