// Training-step time of one problem: milliseconds per Adam step and per L-BFGS iteration, peak memory,
// and the step's matrix-product rate. One JSON line on stdout; bench/run_step_bench.py runs it for every
// problem and engine, interleaved with the plain PyTorch steps of bench/reference/pinn_step.py.
//
//   ./bench_step [--problem flagship] [--steps 200] [--lbfgs-iters 30] [--float64] [--derivatives auto]
//
// Problems (the same as bench/reference/pinn_step.py):
//   flagship        diffusion-reaction, 3000/300/300 points, FNN [2, 64, 64, 64, 1] tanh
//   heat            heat equation, 2540/80/160, FNN [2, 20, 20, 20, 1] tanh
//   heat_wide       the same, FNN [2, 64, 128, 128, 64, 1] tanh
//   burgers         Burgers, 2540/80/160, FNN [2, 20, 20, 20, 1] tanh
//   lshape          Poisson on the L-shape, 1200/120, FNN [2, 50, 50, 50, 50, 1] tanh
//   kovasznay       steady Navier-Stokes (3 outputs), 2601/400, FNN [2, 50, 50, 50, 50, 3] tanh
//   helmholtz_hole  Helmholtz on a square with a hole, 900/120, FNN [2, 350, 350, 350, 1] sin
//   robin           1-D Poisson with a Dirichlet and a Robin condition, 16/2, FNN [1, 50, 50, 50, 1] tanh
//   euler_beam      Euler beam (4th order; a Neumann and two operator conditions), 10/2, FNN [1, 20, 20, 20, 1]
// PINNXDE_PROFILE=trace.json writes a LibTorch profiler trace of the timed Adam steps (and of the L-BFGS
// iterations to trace.json.lbfgs.json).
#include <sys/resource.h>
#include <torch/csrc/autograd/profiler.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;
using dde::grad::hessian;
using dde::grad::jacobian;

namespace {

struct Problem {
  std::unique_ptr<dde::data::PDE> data;
  std::vector<std::int64_t> layers;
  std::string activation = "tanh";
};

torch::Tensor zeros(const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); }

Problem make(const std::string& name) {
  Problem p;
  using namespace dde::geometry;
  if (name == "flagship" || name == "heat" || name == "heat_wide" || name == "burgers") {
    const bool burgers = name == "burgers";
    GeometryXTime geomtime(burgers ? Interval(-1, 1) : name == "flagship" ? Interval(-1, 1) : Interval(0, 1),
                           TimeDomain(0, burgers ? 0.99 : 1));
    dde::data::PDEFunction pde;
    if (name == "flagship")
      pde = [](const torch::Tensor& x, const torch::Tensor& y) { return jacobian(y, x, 0, 1) - hessian(y, x) + y; };
    else if (burgers)
      pde = [](const torch::Tensor& x, const torch::Tensor& y) {
        return jacobian(y, x, 0, 1) + y * jacobian(y, x, 0, 0) - 0.01 / M_PI * hessian(y, x);
      };
    else
      pde = [](const torch::Tensor& x, const torch::Tensor& y) {
        return jacobian(y, x, 0, 1) - 0.4 / (M_PI * M_PI) * hessian(y, x);
      };
    dde::DirichletBC bc(geomtime, zeros, dde::on_boundary);
    dde::IC ic(geomtime, [](const torch::Tensor& x) { return -torch::sin(M_PI * x.slice(1, 0, 1)); }, dde::on_initial);
    const bool big = name == "flagship";
    p.data = std::make_unique<dde::data::TimePDE>(
        geomtime, pde, std::vector<dde::icbc::BCPtr>{bc, ic},
        dde::data::TimePDEOptions{.num_domain = big ? 3000 : 2540, .num_boundary = big ? 300 : 80,
                                  .num_initial = big ? 300 : 160});
    p.layers = name == "flagship" ? std::vector<std::int64_t>{2, 64, 64, 64, 1}
               : name == "heat_wide" ? std::vector<std::int64_t>{2, 64, 128, 128, 64, 1}
                                     : std::vector<std::int64_t>{2, 20, 20, 20, 1};
  } else if (name == "lshape") {
    Polygon geom({{0, 0}, {1, 0}, {1, -1}, {-1, -1}, {-1, 1}, {0, 1}});
    auto pde = [](const torch::Tensor& x, const torch::Tensor& y) {
      return -hessian(y, x, 0, 0) - hessian(y, x, 1, 1) - 1;
    };
    dde::DirichletBC bc(geom, zeros, dde::on_boundary);
    p.data = std::make_unique<dde::data::PDE>(geom, pde, std::vector<dde::icbc::BCPtr>{bc},
                                              dde::data::PDEOptions{.num_domain = 1200, .num_boundary = 120});
    p.layers = {2, 50, 50, 50, 50, 1};
  } else if (name == "kovasznay") {
    Rectangle geom({-0.5, -0.5}, {1, 1.5});
    const double Re = 20;
    auto pde = [Re](const torch::Tensor& x, const torch::Tensor& y) -> dde::data::Residuals {
      auto u = y.narrow(1, 0, 1), v = y.narrow(1, 1, 1);
      auto u_x = jacobian(y, x, 0, 0), u_y = jacobian(y, x, 0, 1), v_x = jacobian(y, x, 1, 0);
      auto v_y = jacobian(y, x, 1, 1), p_x = jacobian(y, x, 2, 0), p_y = jacobian(y, x, 2, 1);
      auto lap_u = hessian(y, x, 0, 0, 0) + hessian(y, x, 0, 1, 1);
      auto lap_v = hessian(y, x, 1, 0, 0) + hessian(y, x, 1, 1, 1);
      return std::vector<torch::Tensor>{u * u_x + v * u_y + p_x - lap_u / Re, u * v_x + v * v_y + p_y - lap_v / Re,
                                        u_x + v_y};
    };
    std::vector<dde::icbc::BCPtr> bcs;
    for (int c = 0; c < 3; ++c) bcs.push_back(dde::DirichletBC(geom, zeros, dde::on_boundary, c));
    p.data = std::make_unique<dde::data::PDE>(geom, pde, bcs,
                                              dde::data::PDEOptions{.num_domain = 2601, .num_boundary = 400});
    p.layers = {2, 50, 50, 50, 50, 3};
  } else if (name == "helmholtz_hole") {
    auto geom = Rectangle({-1, -1}, {1, 1}) - Disk({0, 0}, 0.25);
    const double k0 = 2 * M_PI * 2;
    auto pde = [k0](const torch::Tensor& x, const torch::Tensor& y) {
      return -hessian(y, x, 0, 0) - hessian(y, x, 1, 1) - k0 * k0 * y;
    };
    dde::DirichletBC bc(geom, zeros, dde::on_boundary);
    p.data = std::make_unique<dde::data::PDE>(geom, pde, std::vector<dde::icbc::BCPtr>{bc},
                                              dde::data::PDEOptions{.num_domain = 900, .num_boundary = 120});
    p.layers = {2, 350, 350, 350, 1};
    p.activation = "sin";
  } else if (name == "robin") {
    Interval geom(-1, 1);
    auto pde = [](const torch::Tensor& x, const torch::Tensor& y) { return hessian(y, x, 0, 0) - 2; };
    auto exact = [](const torch::Tensor& x) { return (x + 1).square(); };
    dde::DirichletBC bc_l(geom, exact, [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], -1); });
    dde::RobinBC bc_r(geom, [](const torch::Tensor&, const torch::Tensor& y) { return y; },
                      [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 1); });
    p.data = std::make_unique<dde::data::PDE>(geom, pde, std::vector<dde::icbc::BCPtr>{bc_l, bc_r},
                                              dde::data::PDEOptions{.num_domain = 16, .num_boundary = 2});
    p.layers = {1, 50, 50, 50, 1};
  } else if (name == "euler_beam") {
    Interval geom(0, 1);
    auto ddy = [](const torch::Tensor& x, const torch::Tensor& y) { return hessian(y, x, 0, 0); };
    auto pde = [ddy](const torch::Tensor& x, const torch::Tensor& y) { return hessian(ddy(x, y), x, 0, 0) + 1; };
    auto left = [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 0); };
    auto right = [](const auto& x, bool on) { return on && dde::utils::isclose(x[0], 1); };
    dde::DirichletBC bc1(geom, zeros, left);
    dde::NeumannBC bc2(geom, zeros, left);
    dde::OperatorBC bc3(geom, [ddy](const auto& x, const auto& y, const auto&) { return ddy(x, y); }, right);
    dde::OperatorBC bc4(geom, [ddy](const auto& x, const auto& y, const auto&) { return jacobian(ddy(x, y), x); },
                        right);
    p.data = std::make_unique<dde::data::PDE>(geom, pde, std::vector<dde::icbc::BCPtr>{bc1, bc2, bc3, bc4},
                                              dde::data::PDEOptions{.num_domain = 10, .num_boundary = 2});
    p.layers = {1, 20, 20, 20, 1};
  } else {
    throw dde::ValueError("bench_step: unknown problem '" + name +
                          "'; valid: flagship, heat, heat_wide, burgers, lshape, kovasznay, helmholtz_hole, robin, "
                          "euler_beam");
  }
  return p;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// Multiply-adds of the network's matrix products in one step, from the layer shapes: each product is done
// three times (forward, and the two products of its backward). Rows: the forward engine runs the domain
// rows with (1 + K) slices (value and K derivatives), the condition rows with the value only; reverse mode
// is reported with the same count (the useful work), so its rate reads as an efficiency.
double step_gflop(const Problem& p, std::int64_t domain_rows, std::int64_t condition_rows, std::int64_t K) {
  double macs = 0;
  for (std::size_t i = 0; i + 1 < p.layers.size(); ++i) {
    const double io = static_cast<double>(p.layers[i] * p.layers[i + 1]);
    macs += io * static_cast<double>(domain_rows * (1 + (i == 0 ? 0 : K)) + condition_rows);
  }
  return 3 * 2 * macs / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 200, lbfgs_iters = 0;
  std::string derivatives = "auto", problem = "flagship";
  bool float64 = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--steps" && i + 1 < argc) steps = std::atoi(argv[++i]);
    else if (a == "--lbfgs-iters" && i + 1 < argc) lbfgs_iters = std::atoi(argv[++i]);
    else if (a == "--float64") float64 = true;
    else if (a == "--derivatives" && i + 1 < argc) derivatives = argv[++i];
    else if (a == "--problem" && i + 1 < argc) problem = argv[++i];
    else {
      std::cerr << "bench_step: unknown argument '" << a << "'\n";
      return 2;
    }
  }
  if (float64) dde::config::set_default_float("float64");
  dde::config::set_random_seed(0);
  auto p = make(problem);
  dde::nn::FNN net(p.layers, p.activation, "Glorot normal");
  dde::Model model(*p.data, net);
  model.compile("adam", {.lr = 1e-3, .derivatives = derivatives});
  model.train({.iterations = 10, .display_every = 1000000, .verbose = false});  // warm-up
  std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
  if (const char* path = std::getenv("PINNXDE_PROFILE"))
    profile = std::make_unique<torch::autograd::profiler::RecordProfile>(path);
  const auto t0 = std::chrono::steady_clock::now();
  model.train({.iterations = steps, .display_every = 1000000, .verbose = false});
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / steps;
  profile.reset();
  const auto& batch = p.data->train_batch();
  const std::int64_t cond_rows = batch.bcs_start.back(), domain_rows = batch.x.size(0) - cond_rows;
  const std::int64_t K = problem == "lshape" || problem == "helmholtz_hole" || problem == "kovasznay" ? 4
                         : problem == "robin" || problem == "euler_beam"                          ? 2
                                                                                                   : 3;
  const double gflop = step_gflop(p, domain_rows, cond_rows, K);
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << "{\"problem\": \"" << problem << "\", \"dtype\": \""
      << dde::config::default_float() << "\", \"engine\": \"" << model.derivative_engine()
      << "\", \"threads\": " << torch::get_num_threads() << ", \"ms_per_step\": " << ms
      << ", \"matmul_gflop_per_step\": " << gflop << ", \"gflops\": " << gflop / (ms / 1000);
  if (lbfgs_iters > 0) {
    dde::optimizers::set_LBFGS_options({.gtol = 0, .maxiter = lbfgs_iters});
    model.compile("L-BFGS", {.derivatives = derivatives});
    if (const char* path = std::getenv("PINNXDE_PROFILE"))
      profile = std::make_unique<torch::autograd::profiler::RecordProfile>(std::string(path) + ".lbfgs.json");
    const auto t1 = std::chrono::steady_clock::now();
    auto [h, state] = model.train({.display_every = 1000000, .verbose = false});
    const double s = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
    profile.reset();
    const auto done = std::max<std::int64_t>(1, state.step - steps - 10);
    out << ", \"ms_per_lbfgs_iter\": " << s / static_cast<double>(done);
  }
  out << ", \"peak_rss_mb\": " << peak_rss_mb() << "}";
  std::cout << out.str() << std::endl;
}
