// Neural ODE benchmarks (issue 12). Never part of ctest.
//
//   cmake --build build --target bench_neural_ode
//   build/bench/bench_neural_ode [--steps 50] [--float64] [--skip-memory]
//   python3 bench/reference/neural_ode.py [--steps 50] [--float64]     # the same steps in plain PyTorch
//
// 1. Training-step time: FNN [2, 64, 64, 2] tanh as dh/dt = net(h), 20 sub-trajectories of 10 points of
//    the damped oscillator x'' + 0.3x' + 4x = 0 (dt = 5/99), MSE, Adam; the solve by rk4 (step 0.025)
//    or dopri5 (rtol 1e-5, atol 1e-7), backprop through the solver. The weights are set by a formula
//    that bench/reference/neural_ode.py repeats, so both solve the same ODE with the same steps (the
//    NFE columns must agree). Prints ms per step and function evaluations per step.
// 2. Adjoint memory: peak resident memory added by one forward + backward of 128 states through
//    rk4 over [0, 1] with 100 and 1000 steps, backprop vs odeint_adjoint (Linux: VmHWM after
//    resetting it through /proc/self/clear_refs).
#include <pinnxde/odeint.hpp>
#include <pinnxde/pinnxde.hpp>

#include <chrono>
#include <cstdlib>
#include <unistd.h>
#include <fstream>
#include <string>

namespace dde = pinnxde;

namespace {

// Same formula as the Python reference: parameter tensor idx, flat element k.
void set_weights(dde::nn::FNN& net) {
  torch::NoGradGuard no_grad;
  int idx = 0;
  for (auto& p : net->parameters()) {
    auto k = torch::arange(p.numel(), torch::kFloat64);
    torch::Tensor v;
    if (p.dim() == 2)
      v = 0.9 * torch::sin(0.7 * k + 1.3 * idx) / std::sqrt(static_cast<double>(p.size(1)));
    else
      v = 0.1 * torch::cos(k + idx);
    p.copy_(v.view(p.sizes()).to(p.options()));
    ++idx;
  }
}

// Exact damped oscillator: x = e^{-at}(cos wt + a/w sin wt), v = -(4/w) e^{-at} sin wt, a = 0.15.
torch::Tensor oscillator(const torch::Tensor& t) {
  const double a = 0.15, w = std::sqrt(4 - a * a);
  auto e = torch::exp(-a * t);
  return torch::stack({e * (torch::cos(w * t) + a / w * torch::sin(w * t)), -(4 / w) * e * torch::sin(w * t)}, -1);
}

long vm_hwm_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}
long vm_rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}
bool reset_hwm() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
  return static_cast<bool>(f);
}

}  // namespace

int memory_case(int n, bool adjoint);

int main(int argc, char** argv) {
  int steps = 50, case_steps = 0;
  bool memory = true, case_adjoint = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--steps" && i + 1 < argc) steps = std::atoi(argv[++i]);
    else if (a == "--float64") dde::config::set_default_float("float64");
    else if (a == "--skip-memory") memory = false;
    else if (a == "--memory-case" && i + 2 < argc) {
      case_steps = std::atoi(argv[++i]);
      case_adjoint = std::string(argv[++i]) == "adjoint";
    }
  }
  if (case_steps > 0) return memory_case(case_steps, case_adjoint);
  dde::runtime::print_banner_once();
  const auto opts = dde::config::options();
  std::cout << "threads: " << torch::get_num_threads() << "  dtype: " << dde::config::default_float() << "\n";

  // ---- 1. training-step time
  const auto t_obs = torch::linspace(0, 5, 100, torch::kFloat64);
  const auto y_obs = oscillator(t_obs).to(opts);  // (100, 2)
  auto starts = torch::arange(0, 80, 4, torch::kLong);  // 20 windows of 10 points
  auto idx = starts.unsqueeze(1) + torch::arange(10, torch::kLong).unsqueeze(0);
  const auto target = y_obs.index({idx.reshape({-1})}).view({20, 10, 2}).transpose(0, 1).contiguous();  // (10, 20, 2)
  const auto y0 = target[0].clone();
  const auto t_rel = t_obs.narrow(0, 0, 10);
  for (const std::string method : {"rk4", "dopri5"}) {
    dde::nn::FNN net({2, 64, 64, 2}, "tanh", "Glorot normal");
    set_weights(net);
    net->to(opts.dtype().toScalarType());
    torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
    dde::ODEFunc f = [&](const torch::Tensor&, const torch::Tensor& h) { return net->forward(h); };
    const dde::OdeintOptions o = method == "rk4" ? dde::OdeintOptions{.method = "rk4", .step_size = 0.025}
                                                 : dde::OdeintOptions{.rtol = 1e-5, .atol = 1e-7};
    std::int64_t nfe = 0;
    double first_loss = 0;
    auto step = [&] {
      dde::OdeintStats st;
      adam.zero_grad();
      auto pred = dde::odeint(f, y0, t_rel, o, &st);
      auto loss = (pred - target).square().mean();
      loss.backward();
      adam.step();
      nfe += st.nfe;
      return loss.item<double>();
    };
    first_loss = step();
    for (int i = 0; i < 4; ++i) step();  // warm-up
    nfe = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double last = 0;
    for (int i = 0; i < steps; ++i) last = step();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / steps;
    std::cout << "train step  " << method << ": " << ms << " ms/step, " << static_cast<double>(nfe) / steps
              << " NFE/step (first loss " << first_loss << ", last " << last << ")\n";
  }

  // ---- 2. adjoint memory: each case in a fresh process (this program again, with --memory-case), so
  // that memory freed by an earlier case and kept by malloc does not hide the next one's peak.
  if (!memory) return 0;
  std::cout << "adjoint memory (128 states, FNN [2, 64, 64, 2], rk4 over [0, 1]; peak RSS added by forward + "
               "backward, each case in a fresh process):"
            << std::endl;
  for (int n : {100, 1000})
    for (const char* mode : {"backprop", "adjoint"}) {
      const std::string cmd = "/proc/" + std::to_string(::getpid()) + "/exe --memory-case " + std::to_string(n) +
                              " " + mode + (dde::config::default_float() == "float64" ? " --float64" : "");
      if (std::system(cmd.c_str()) != 0) std::cout << "  (" << cmd << " failed)\n";
    }
  return 0;
}

int memory_case(int n, bool adjoint) {
  const auto opts = dde::config::options();
  torch::manual_seed(0);
  dde::nn::FNN net({2, 64, 64, 2}, "tanh", "Glorot normal");
  net->to(opts.dtype().toScalarType());
  dde::ODEFunc f = [&](const torch::Tensor&, const torch::Tensor& h) { return net->forward(h); };
  const auto h0 = torch::randn({128, 2}, opts);
  const auto t = torch::tensor({0.0, 0.5, 1.0}, torch::kFloat64);
  {  // warm-up: LibTorch's one-time allocations are not the solver's
    auto y = dde::odeint(f, h0, t, {.method = "rk4", .steps_per_interval = 2});
    y.square().mean().backward();
  }
  net->zero_grad();
  if (!reset_hwm()) {
    std::cout << "  memory: /proc/self/clear_refs not writable, skipped\n";
    return 0;
  }
  const long before = vm_rss_kb();
  const auto t0 = std::chrono::steady_clock::now();
  {
    auto y = adjoint ? dde::odeint_adjoint(f, h0, t, net->parameters(), {.method = "rk4", .step_size = 1.0 / n})
                     : dde::odeint(f, h0, t, {.method = "rk4", .step_size = 1.0 / n});
    y.square().mean().backward();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const long peak = vm_hwm_kb();
  std::cout << "  steps " << n << "  " << (adjoint ? "adjoint " : "backprop") << ": peak +"
            << static_cast<double>(peak - before) / 1024 << " MiB over " << static_cast<double>(before) / 1024
            << " MiB  (" << s << " s)" << std::endl;
  return 0;
}
