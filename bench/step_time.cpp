// Training-step time of the flagship (diffusion-reaction: 3000/300/300 points, FNN [2, 64, 64, 64, 1] tanh,
// Adam): mean milliseconds per step over --steps steps after a warm-up, in float32 (or --float64).
//   ./bench_step [--steps 300] [--float64]
#include <chrono>
#include <ctime>
#include <torch/csrc/autograd/profiler.h>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

int main(int argc, char** argv) {
  int steps = 300;
  std::string derivatives = "auto";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--steps" && i + 1 < argc) steps = std::atoi(argv[++i]);
    if (a == "--float64") dde::config::set_default_float("float64");
    if (a == "--derivatives" && i + 1 < argc) derivatives = argv[++i];
  }
  dde::config::set_random_seed(0);
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) {
    return dde::grad::jacobian(y, x, 0, 1) - dde::grad::hessian(y, x, 0, 0) + y;
  };
  dde::geometry::GeometryXTime geomtime(dde::geometry::Interval(-1, 1), dde::geometry::TimeDomain(0, 1));
  dde::DirichletBC bc(geomtime, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                      dde::on_boundary);
  dde::IC ic(geomtime, [](const torch::Tensor& x) { return torch::sin(M_PI * x.slice(1, 0, 1)); }, dde::on_initial);
  dde::data::TimePDE data(geomtime, pde, {bc, ic}, {.num_domain = 3000, .num_boundary = 300, .num_initial = 300});
  dde::nn::FNN net({2, 64, 64, 64, 1}, "tanh", "Glorot normal");
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-3, .derivatives = derivatives});
  model.train({.iterations = 20, .display_every = 1000000, .verbose = false});  // warm-up
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
  if (const char* p = std::getenv("PINNXDE_PROFILE")) profile = std::make_unique<torch::autograd::profiler::RecordProfile>(p);
  model.train({.iterations = steps, .display_every = 1000000, .verbose = false});
  profile.reset();
  const double cpu_ms = 1000.0 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC / steps;
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / steps;
  std::cout << "points: " << data.train_batch().x.size(0) << "  dtype: " << dde::config::default_float()
            << "  engine: " << model.derivative_engine() << "  ms/step: " << ms << "  cpu ms/step: " << cpu_ms << "\n";
}
