// Solves u' = cos x, u(0) = 0 on [0, 2] with the installed pinnxde and checks the error against sin x.
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main() {
  dde::config::set_random_seed(0);
  dde::geometry::Interval geom(0, 2);
  auto ode = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::jacobian(y, x) - torch::cos(x); };
  dde::DirichletBC bc(geom, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                      [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 0); });
  dde::data::PDE data(geom, ode, {bc}, {.num_domain = 32, .num_boundary = 2});
  dde::nn::FNN net({1, 20, 20, 1}, "tanh", "Glorot normal");
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-2});
  model.train({.iterations = 1000, .verbose = false});
  auto x = torch::linspace(0, 2, 50).unsqueeze(1);
  const double err = dde::metrics::l2_relative_error(torch::sin(x), model.predict(x));
  std::cout << "L2 relative error: " << err << std::endl;
  return err < 0.05 ? 0 : 1;
}
