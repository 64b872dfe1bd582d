#include "pinnxde/data/trajectory.hpp"

#include <torch/types.h>

#include <algorithm>
#include <cmath>

#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"

namespace pinnxde::data {
namespace {

torch::Tensor host_f64(const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kFloat64).contiguous(); }

void check_trajectory(const char* t_name, const char* y_name, const torch::Tensor& t, const torch::Tensor& y) {
  if (!t.defined() || t.dim() != 1 || t.numel() < 2)
    detail::fail("Trajectory: ", t_name, " has shape ", t.defined() ? c10::str(t.sizes()) : std::string("undefined"),
                 " (expected (T,) with T >= 2 observation times)");
  if (!y.defined() || y.dim() != 2 || y.size(0) != t.size(0))
    detail::fail("Trajectory: ", y_name, " has shape ", y.defined() ? c10::str(y.sizes()) : std::string("undefined"),
                 " for ", t.numel(), " times (expected (", t.numel(), ", state_dim))");
  const auto tc = host_f64(t);
  const double* p = tc.data_ptr<double>();
  for (std::int64_t i = 1; i < tc.numel(); ++i)
    if (!(p[i] > p[i - 1]))
      detail::fail("Trajectory: ", t_name, " is not strictly increasing: ", t_name, "[", i, "] = ", p[i], " <= ",
                   t_name, "[", i - 1, "] = ", p[i - 1], " (expected increasing observation times)");
  if (!torch::isfinite(y).all().item<bool>())
    detail::fail("Trajectory: ", y_name, " has non-finite values (expected finite observations)");
}

}  // namespace

Trajectory::Trajectory(const torch::Tensor& t, const torch::Tensor& y, TrajectoryOptions options)
    : opts_(std::move(options)) {
  check_trajectory("t", "y", t, y);
  t_ = host_f64(t);
  y_ = host_f64(y);
  state_dim_ = y_.size(1);
  if (opts_.batch_time == 1 || opts_.batch_time < 0 || opts_.batch_time > t_.numel())
    detail::fail("Trajectory: batch_time = ", opts_.batch_time, " (expected 0 for the whole trajectory or 2 <= ",
                 "batch_time <= ", t_.numel(), ", the number of observations)");
  if (opts_.test_t.defined() != opts_.test_y.defined())
    detail::fail("Trajectory: test_t and test_y must be given together (expected both or neither)");
  if (opts_.test_t.defined()) {
    check_trajectory("test_t", "test_y", opts_.test_t, opts_.test_y);
    if (opts_.test_y.size(1) != state_dim_)
      detail::fail("Trajectory: test_y has ", opts_.test_y.size(1), " columns but y has ", state_dim_,
                   " (expected the same state_dim)");
    test_t_ = host_f64(opts_.test_t);
    test_y_ = host_f64(opts_.test_y);
  } else {
    test_t_ = t_;
    test_y_ = y_;
  }
  if (opts_.adjoint && opts_.adjoint_params.empty())
    detail::fail("Trajectory: adjoint = true but adjoint_params is empty (expected the network's parameters, "
                 "e.g. .adjoint_params = net->parameters())");
  // Validates the solver options once, here, rather than in the training loop.
  odeint([](const torch::Tensor&, const torch::Tensor& h) { return torch::zeros_like(h); },
         torch::zeros({1}, torch::kFloat64), torch::tensor({0.0, 1.0}, torch::kFloat64), opts_.odeint);
}

std::int64_t Trajectory::num_windows() const {
  return opts_.batch_time == 0 ? 1 : t_.numel() - opts_.batch_time + 1;
}

Batch Trajectory::make_batch(const torch::Tensor& t, const torch::Tensor& y, std::int64_t window) const {
  const std::int64_t T = t.numel(), L = window == 0 ? T : window, N = T - L + 1;
  const auto options = config::options();
  Batch b;
  b.bcs_start = {0};
  auto starts = torch::arange(N, torch::kLong);
  auto idx = starts.unsqueeze(1) + torch::arange(L, torch::kLong).unsqueeze(0);  // (N, L)
  const auto t0 = t.index_select(0, starts).unsqueeze(1);                         // (N, 1)
  b.x = t0.to(options).requires_grad_(false);
  b.y = y.index({idx.reshape({-1})}).reshape({N, L * state_dim_}).to(options);
  b.aux = (t.index({idx.reshape({-1})}).reshape({N, L}) - t0).to(options);
  return b;
}

const Batch& Trajectory::train_batch() {
  if (!train_) train_ = make_batch(t_, y_, opts_.batch_time);
  ensure_options(*train_, config::options());
  return *train_;
}

const Batch& Trajectory::test_batch() {
  if (!test_) test_ = make_batch(test_t_, test_y_, 0);
  ensure_options(*test_, config::options());
  return *test_;
}

Evaluation Trajectory::evaluate(const NetFunction& net, const Batch& batch, const std::vector<LossFunction>& loss_fns) {
  const std::int64_t N = batch.x.size(0), L = batch.aux.size(1), D = state_dim_;
  const auto t_start = batch.x.detach();  // (N, 1)
  const auto y_obs = batch.y.view({N, L, D});
  const auto y0 = y_obs.select(1, 0);

  // Time offsets: shared by every row (regular samples) or merged into their sorted union.
  const auto rel = host_f64(batch.aux);
  const double* r = rel.data_ptr<double>();
  const double scale = std::max(1e-300, std::abs(r[L - 1]));
  bool shared = true;
  for (std::int64_t n = 1; n < N && shared; ++n)
    for (std::int64_t j = 0; j < L; ++j)
      if (std::abs(r[n * L + j] - r[j]) > 1e-9 * scale) {
        shared = false;
        break;
      }
  std::vector<double> times;
  torch::Tensor inverse;  // (N, L) index into times, when not shared
  if (shared) {
    times.assign(r, r + L);
  } else {
    times.assign(r, r + N * L);
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    inverse = torch::empty({N, L}, torch::kLong);
    auto* inv = inverse.data_ptr<std::int64_t>();
    for (std::int64_t k = 0; k < N * L; ++k)
      inv[k] = std::lower_bound(times.begin(), times.end(), r[k]) - times.begin();
  }
  const auto t_grid = torch::tensor(times, torch::kFloat64);

  // By value: odeint_adjoint calls func again from backward(), after this function has returned.
  ODEFunc func = [net, t_start, D, time_dependent = opts_.time_dependent](const torch::Tensor& s,
                                                                           const torch::Tensor& h) {
    auto dh = time_dependent ? net(torch::cat({h, t_start + s}, 1)) : net(h);
    if (dh.dim() != 2 || dh.size(1) != D)
      detail::fail("Trajectory: the network returns shape ", dh.sizes(), " for ", h.size(0), " states of dimension ",
                   D, " (expected dh/dt of shape [", h.size(0), ", ", D, "]: a last layer of ", D, " outputs)");
    return dh;
  };
  torch::Tensor sol;  // (times, N, D)
  try {
    sol = opts_.adjoint ? odeint_adjoint(func, y0, t_grid, opts_.adjoint_params, opts_.odeint)
                        : odeint(func, y0, t_grid, opts_.odeint);
  } catch (const pinnxde::Error& e) {
    detail::fail<ValueError>("Trajectory: while integrating ", N, " sub-trajectories of ", L, " points: ", e.what());
  }
  auto pred = sol.permute({1, 0, 2});  // (N, times, D)
  if (!shared) pred = pred.gather(1, inverse.to(pred.device()).unsqueeze(2).expand({N, L, D}));
  Evaluation ev;
  ev.outputs = pred.reshape({N, L * D});
  ev.terms = losses(ev.outputs, batch, loss_fns);
  return ev;
}

std::vector<torch::Tensor> Trajectory::losses(const torch::Tensor& outputs, const Batch& batch,
                                              const std::vector<LossFunction>& loss_fns) const {
  return {loss_fns.front()(batch.y, outputs)};
}

torch::Tensor Trajectory::predict(nn::NNImpl& net, const torch::Tensor& y0, const torch::Tensor& t) const {
  torch::NoGradGuard no_grad;
  const auto params = net.parameters();
  const auto options = params.empty() ? config::options() : params.front().options().requires_grad(false);
  if (!y0.defined() || y0.dim() < 1 || y0.dim() > 2 || y0.size(-1) != state_dim_)
    detail::fail("Trajectory::predict: y0 has shape ", y0.defined() ? c10::str(y0.sizes()) : std::string("undefined"),
                 " (expected (", state_dim_, ") or (batch, ", state_dim_, "))");
  const bool single = y0.dim() == 1;
  auto h0 = y0.detach().to(options);
  if (single) h0 = h0.unsqueeze(0);
  ODEFunc func = [&](const torch::Tensor& s, const torch::Tensor& h) {
    return opts_.time_dependent ? net.forward(torch::cat({h, s.expand({h.size(0), 1})}, 1)) : net.forward(h);
  };
  auto sol = odeint(func, h0, t.detach().to(torch::kFloat64), opts_.odeint);
  return single ? sol.squeeze(1) : sol;
}

}  // namespace pinnxde::data
