#include "pinnxde/odeint.hpp"

#include <ATen/core/ivalue.h>
#include <torch/types.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "pinnxde/error.hpp"

namespace pinnxde {
namespace {

// The right-hand side as the solvers see it: host time, state tensor -> derivative.
using RHS = std::function<torch::Tensor(double t, const torch::Tensor& y)>;

// RMS norm of the scaled error; with sections, the largest RMS over consecutive slices of the flat
// state (the adjoint's y, a and parameter parts), so that no part hides in another's average.
struct Norm {
  std::vector<std::int64_t> sections;
  double operator()(const torch::Tensor& x) const {
    torch::NoGradGuard no_grad;
    if (sections.empty()) return x.detach().square().mean().sqrt().item<double>();
    const auto flat = x.detach().reshape({-1});
    double out = 0;
    std::int64_t start = 0;
    for (auto n : sections) {
      if (n > 0) out = std::max(out, flat.narrow(0, start, n).square().mean().sqrt().item<double>());
      start += n;
    }
    return out;
  }
};

void check_options(const char* where, const OdeintOptions& o) {
  const auto& m = odeint_methods();
  if (std::find(m.begin(), m.end(), o.method) == m.end())
    detail::fail(where, ": method = '", o.method, "' is unknown; valid: ", detail::join(m));
  if (!(o.rtol > 0) || !std::isfinite(o.rtol))
    detail::fail(where, ": rtol = ", o.rtol, " (expected a finite rtol > 0)");
  if (!(o.atol >= 0) || !std::isfinite(o.atol))
    detail::fail(where, ": atol = ", o.atol, " (expected a finite atol >= 0)");
  if (!(o.step_size >= 0) || !std::isfinite(o.step_size))
    detail::fail(where, ": step_size = ", o.step_size, " (expected >= 0; 0: steps_per_interval steps per interval)");
  if (o.steps_per_interval < 1)
    detail::fail(where, ": steps_per_interval = ", o.steps_per_interval, " (expected >= 1)");
  if (!(o.first_step >= 0) || !std::isfinite(o.first_step))
    detail::fail(where, ": first_step = ", o.first_step, " (expected >= 0; 0: automatic)");
  if (!(o.safety > 0 && o.safety <= 1)) detail::fail(where, ": safety = ", o.safety, " (expected 0 < safety <= 1)");
  if (!(o.ifactor >= 1)) detail::fail(where, ": ifactor = ", o.ifactor, " (expected >= 1)");
  if (!(o.dfactor > 0 && o.dfactor <= 1)) detail::fail(where, ": dfactor = ", o.dfactor, " (expected 0 < dfactor <= 1)");
  if (o.max_num_steps < 1) detail::fail(where, ": max_num_steps = ", o.max_num_steps, " (expected >= 1)");
}

std::vector<double> check_times(const char* where, const torch::Tensor& t) {
  if (!t.defined() || t.dim() != 1 || t.numel() < 1)
    detail::fail(where, ": t has shape ", t.defined() ? c10::str(t.sizes()) : std::string("undefined"),
                 " (expected a 1-D tensor of at least one time)");
  const auto tc = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  std::vector<double> times(tc.data_ptr<double>(), tc.data_ptr<double>() + tc.numel());
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (!std::isfinite(times[i])) detail::fail(where, ": t[", i, "] = ", times[i], " (expected finite times)");
    if (i > 0 && !(times[i] > times[i - 1]))
      detail::fail(where, ": t is not strictly increasing: t[", i, "] = ", times[i], " <= t[", i - 1,
                   "] = ", times[i - 1], " (expected t[0] < t[1] < ...)");
  }
  return times;
}

void check_y0(const char* where, const torch::Tensor& y0) {
  if (!y0.defined() || !y0.is_floating_point())
    detail::fail(where, ": y0 is ", y0.defined() ? c10::toString(y0.scalar_type()) : "undefined",
                 " (expected a floating-point tensor)");
}

// Wraps the user's func: host time to a 0-dim tensor, counts evaluations, checks the result's shape.
RHS counted(const ODEFunc& func, const torch::Tensor& y0, std::int64_t* nfe, const char* where) {
  return [&func, shape = y0.sizes().vec(), options = y0.options().requires_grad(false), nfe,
          where](double t, const torch::Tensor& y) {
    if (nfe) ++*nfe;
    torch::Tensor dy;
    try {
      dy = func(torch::scalar_tensor(t, options), y);
    } catch (const pinnxde::Error&) {
      throw;
    } catch (const std::exception& e) {
      detail::fail<Error>(where, ": while evaluating func at t = ", t, ": ", e.what());
    }
    if (!dy.defined() || dy.sizes() != c10::IntArrayRef(shape))
      detail::fail(where, ": func returned shape ", dy.defined() ? c10::str(dy.sizes()) : std::string("undefined"),
                   " at t = ", t, " for a state of shape ", c10::IntArrayRef(shape),
                   " (expected func(t, y) to return dy/dt with the shape of y0)");
    return dy;
  };
}

// ---------------------------------------------------------------- fixed-step methods

torch::Tensor fixed_step(const std::string& method, const RHS& f, double t, double h, const torch::Tensor& y) {
  if (method == "euler") return y + h * f(t, y);
  if (method == "midpoint") {
    const auto k1 = f(t, y);
    return y + h * f(t + 0.5 * h, y + (0.5 * h) * k1);
  }
  // rk4: Kutta's 3/8 rule, as torchdiffeq's "rk4".
  const auto k1 = f(t, y);
  const auto k2 = f(t + h / 3, y + (h / 3) * k1);
  const auto k3 = f(t + 2 * h / 3, y + h * (k2 - k1 / 3));
  const auto k4 = f(t + h, y + h * (k1 - k2 + k3));
  return y + (h / 8) * (k1 + 3 * (k2 + k3) + k4);
}

std::vector<torch::Tensor> solve_fixed(const RHS& f, const torch::Tensor& y0, const std::vector<double>& t,
                                       const OdeintOptions& o, OdeintStats& st) {
  std::vector<torch::Tensor> ys;
  ys.reserve(t.size());
  ys.push_back(y0);
  torch::Tensor y = y0;
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    const double len = t[i + 1] - t[i];
    const std::int64_t n = o.step_size > 0
                               ? std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(len / o.step_size - 1e-9)))
                               : o.steps_per_interval;
    const double h = len / static_cast<double>(n);
    for (std::int64_t k = 0; k < n; ++k) {
      // The last step ends exactly on t[i+1].
      const double tk = k + 1 == n ? t[i + 1] - h : t[i] + static_cast<double>(k) * h;
      y = fixed_step(o.method, f, tk, h, y);
      ++st.accepted;
    }
    ys.push_back(y);
  }
  return ys;
}

// ---------------------------------------------------------------- dopri5

// Dormand–Prince 5(4) tableau.
constexpr double C[6] = {1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1.0, 1.0};
constexpr double A2[1] = {1.0 / 5};
constexpr double A3[2] = {3.0 / 40, 9.0 / 40};
constexpr double A4[3] = {44.0 / 45, -56.0 / 15, 32.0 / 9};
constexpr double A5[4] = {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729};
constexpr double A6[5] = {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656};
constexpr double B5[7] = {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0};
constexpr double B4[7] = {5179.0 / 57600, 0, 7571.0 / 16695, 393.0 / 640, -92097.0 / 339200, 187.0 / 2100, 1.0 / 40};
// y at the step's midpoint, for the 4th-order dense output (Shampine's coefficients, as torchdiffeq).
constexpr double CMID[7] = {6025192743.0 / 30085553152 / 2,  0, 51252292925.0 / 65400821598 / 2,
                            -2691868925.0 / 45128329728 / 2, 187940372067.0 / 1594534317056 / 2,
                            -1776094331.0 / 19743644256 / 2, 11237099.0 / 235043384 / 2};

torch::Tensor combo(const torch::Tensor& y, double h, const double* a, const std::vector<torch::Tensor>& k,
                    std::size_t n) {
  torch::Tensor acc;
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] == 0) continue;
    acc = acc.defined() ? acc + a[i] * k[i] : a[i] * k[i];
  }
  return y.defined() ? y + h * acc : h * acc;
}

struct Dopri5 {
  const RHS& f;
  const OdeintOptions& o;
  OdeintStats& st;
  const Norm& norm;
  double t_span;

  // The last accepted step [t0, t1] and its interpolant y(t0 + x (t1 - t0)) = sum_j coef[j] x^j.
  double t0 = 0, t1 = 0, dt = 0;
  torch::Tensor y1, f1;
  std::array<torch::Tensor, 5> coef;

  double initial_step(double t, const torch::Tensor& y, const torch::Tensor& f0) {
    // Hairer, Nørsett & Wanner, Solving ODEs I, II.4 (torchdiffeq's _select_initial_step, order 4).
    torch::NoGradGuard no_grad;
    const auto yd = y.detach(), fd = f0.detach();
    const auto scale = o.atol + yd.abs() * o.rtol;
    const double d0 = norm(yd / scale), d1 = norm(fd / scale);
    const double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    const auto f_h0 = f(t + h0, yd + h0 * fd);
    const double d2 = norm((f_h0 - fd) / scale) / h0;
    const double h1 = (d1 <= 1e-15 && d2 <= 1e-15) ? std::max(1e-6, h0 * 1e-3)
                                                    : std::pow(0.01 / std::max(d1, d2), 1.0 / 5);
    return std::min(100 * h0, h1);
  }

  void underflow(double h) const {
    detail::fail("odeint: step size underflow: dt = ", h, " at t = ", t1, " (method '", o.method, "', rtol = ", o.rtol,
                 ", atol = ", o.atol, "); the solution may blow up, be non-finite or the problem be stiff "
                 "(expected dt > ", 1e-14 * std::max(std::abs(t1), t_span), "; check func or loosen rtol/atol)");
  }

  void step() {
    for (;;) {
      if (st.accepted + st.rejected >= o.max_num_steps)
        detail::fail("odeint: max_num_steps = ", o.max_num_steps, " reached at t = ", t1, " (method '", o.method,
                     "'; expected fewer steps: raise max_num_steps or loosen rtol = ", o.rtol, ", atol = ", o.atol, ")");
      if (!(dt > 1e-14 * std::max(std::abs(t1), t_span)) || !(t1 + dt > t1)) underflow(dt);
      std::vector<torch::Tensor> k;
      k.reserve(7);
      k.push_back(f1);
      k.push_back(f(t1 + C[0] * dt, combo(y1, dt, A2, k, 1)));
      k.push_back(f(t1 + C[1] * dt, combo(y1, dt, A3, k, 2)));
      k.push_back(f(t1 + C[2] * dt, combo(y1, dt, A4, k, 3)));
      k.push_back(f(t1 + C[3] * dt, combo(y1, dt, A5, k, 4)));
      k.push_back(f(t1 + C[4] * dt, combo(y1, dt, A6, k, 5)));
      auto y_new = combo(y1, dt, B5, k, 6);
      k.push_back(f(t1 + dt, y_new));
      double ratio;
      {
        torch::NoGradGuard no_grad;
        std::vector<torch::Tensor> kd;
        for (const auto& ki : k) kd.push_back(ki.detach());
        double e[7];
        for (int i = 0; i < 7; ++i) e[i] = B5[i] - B4[i];
        const auto err = combo(torch::Tensor(), dt, e, kd, 7);
        const auto tol = o.atol + o.rtol * torch::max(y1.detach().abs(), y_new.detach().abs());
        ratio = norm(err / tol);
      }
      double factor;
      if (!std::isfinite(ratio)) factor = o.dfactor;
      else if (ratio == 0) factor = o.ifactor;
      else factor = std::min(o.ifactor, std::max(o.safety * std::pow(ratio, -0.2), ratio < 1 ? 1.0 : o.dfactor));
      if (std::isfinite(ratio) && ratio <= 1) {
        const auto y_mid = combo(y1, dt, CMID, k, 7);
        const auto& y0 = y1;
        const auto& f0 = k[0];
        const auto& f_end = k[6];
        coef[4] = 2 * dt * (f_end - f0) - 8 * (y_new + y0) + 16 * y_mid;
        coef[3] = dt * (5 * f0 - 3 * f_end) + 18 * y0 + 14 * y_new - 32 * y_mid;
        coef[2] = dt * (f_end - 4 * f0) - 11 * y0 - 5 * y_new + 16 * y_mid;
        coef[1] = dt * f0;
        coef[0] = y0;
        t0 = t1;
        t1 = t1 + dt;
        y1 = y_new;
        f1 = f_end;
        ++st.accepted;
        dt *= factor;
        return;
      }
      ++st.rejected;
      dt *= factor;
    }
  }

  torch::Tensor interpolate(double t) const {
    if (t == t1) return y1;
    const double x = (t - t0) / (t1 - t0);
    return coef[0] + x * (coef[1] + x * (coef[2] + x * (coef[3] + x * coef[4])));
  }
};

std::vector<torch::Tensor> solve_dopri5(const RHS& f, const torch::Tensor& y0, const std::vector<double>& t,
                                        const OdeintOptions& o, OdeintStats& st, const Norm& norm) {
  Dopri5 s{f, o, st, norm, t.back() - t.front()};
  s.t0 = s.t1 = t.front();
  s.y1 = y0;
  std::vector<torch::Tensor> ys;
  ys.reserve(t.size());
  ys.push_back(y0);
  if (t.size() == 1) return ys;
  s.f1 = f(t.front(), y0);
  s.dt = o.first_step > 0 ? o.first_step : s.initial_step(t.front(), y0, s.f1);
  for (std::size_t i = 1; i < t.size(); ++i) {
    while (t[i] > s.t1) s.step();
    ys.push_back(s.interpolate(t[i]));
  }
  return ys;
}

std::vector<torch::Tensor> solve(const RHS& f, const torch::Tensor& y0, const std::vector<double>& t,
                                 const OdeintOptions& o, OdeintStats& st, const Norm& norm = {}) {
  if (o.method == "dopri5") return solve_dopri5(f, y0, t, o, st, norm);
  return solve_fixed(f, y0, t, o, st);
}

// ---------------------------------------------------------------- adjoint

struct AdjointState : torch::CustomClassHolder {
  ODEFunc func;
  std::vector<double> t;
  OdeintOptions options;
  std::vector<torch::Tensor> params;
};

class OdeintAdjointFunction : public torch::autograd::Function<OdeintAdjointFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& y0,
                               at::TensorList params, c10::intrusive_ptr<AdjointState> state, OdeintStats* stats) {
    OdeintStats local;
    OdeintStats& st = stats ? *stats : local;
    const auto f = counted(state->func, y0, &st.nfe, "odeint_adjoint");
    // Autograd is off here (Function::apply): no graph is kept, whatever the number of steps.
    auto ys = torch::stack(solve(f, y0.detach(), state->t, state->options, st));
    (void)params;
    ctx->saved_data["state"] = c10::IValue::make_capsule(state);
    ctx->save_for_backward({ys});
    return ys;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto holder = ctx->saved_data["state"].toCapsule();
    const auto& s = *static_cast<AdjointState*>(holder.get());
    const auto ys = ctx->get_saved_variables()[0];
    auto grad_ys = grad_outputs[0].defined() ? grad_outputs[0] : torch::zeros_like(ys);
    const auto shape = ys[0].sizes().vec();
    const std::int64_t n = ys[0].numel();
    const auto& params = s.params;
    std::vector<std::int64_t> sections{n, n};
    std::int64_t np = 0;
    for (const auto& p : params) np += p.numel();
    sections.push_back(np);
    const auto options = ys.options();

    // Augmented state z = [y, a, a_theta] (flat) in reversed time s = -t:
    //   dy/ds = -f,  da/ds = a^T df/dy,  da_theta/ds = a^T df/dtheta.
    const RHS g = [&](double sr, const torch::Tensor& z) {
      const double t = -sr;
      torch::AutoGradMode enable(true);
      auto y = z.narrow(0, 0, n).detach().view(shape).requires_grad_(true);
      const auto a = z.narrow(0, n, n).view(shape);
      torch::Tensor dy;
      try {
        dy = s.func(torch::scalar_tensor(t, options), y);
      } catch (const pinnxde::Error&) {
        throw;
      } catch (const std::exception& e) {
        detail::fail<Error>("odeint_adjoint: while evaluating func at t = ", t, " (backward pass): ", e.what());
      }
      std::vector<torch::Tensor> inputs;
      inputs.reserve(params.size() + 1);
      inputs.push_back(y);
      inputs.insert(inputs.end(), params.begin(), params.end());
      auto vjp = torch::autograd::grad({dy}, inputs, {a}, /*retain_graph=*/false, /*create_graph=*/false,
                                       /*allow_unused=*/true);
      std::vector<torch::Tensor> parts;
      parts.reserve(inputs.size() + 1);
      parts.push_back(-dy.detach().reshape({-1}));
      for (std::size_t i = 0; i < inputs.size(); ++i)
        parts.push_back(vjp[i].defined() ? vjp[i].reshape({-1}).to(options)
                                         : torch::zeros({inputs[i].numel()}, options));
      return torch::cat(parts);
    };

    torch::NoGradGuard no_grad;
    auto a = grad_ys[-1].reshape({-1});
    auto a_theta = torch::zeros({np}, options);
    OdeintStats st;
    const Norm norm{sections};
    for (std::int64_t i = static_cast<std::int64_t>(s.t.size()) - 1; i > 0; --i) {
      auto z0 = torch::cat({ys[i].reshape({-1}), a, a_theta});
      auto out = solve(g, z0, {-s.t[i], -s.t[i - 1]}, s.options, st, norm);
      const auto& z1 = out.back();
      a = z1.narrow(0, n, n) + grad_ys[i - 1].reshape({-1});
      a_theta = z1.narrow(0, 2 * n, np);
    }
    torch::autograd::variable_list grads;
    grads.reserve(params.size() + 3);
    grads.push_back(a.view(shape));
    std::int64_t start = 0;
    for (const auto& p : params) {
      grads.push_back(a_theta.narrow(0, start, p.numel()).view(p.sizes()).to(p.options()));
      start += p.numel();
    }
    grads.emplace_back();  // state
    grads.emplace_back();  // stats
    return grads;
  }
};

}  // namespace

const std::vector<std::string>& odeint_methods() {
  static const std::vector<std::string> names{"euler", "midpoint", "rk4", "dopri5"};
  return names;
}

torch::Tensor odeint(const ODEFunc& func, const torch::Tensor& y0, const torch::Tensor& t,
                     const OdeintOptions& options, OdeintStats* stats) {
  if (!func) detail::fail("odeint: func is empty (expected func(t, y) -> dy/dt)");
  check_y0("odeint", y0);
  check_options("odeint", options);
  const auto times = check_times("odeint", t);
  OdeintStats local;
  OdeintStats& st = stats ? *stats : local;
  const auto f = counted(func, y0, &st.nfe, "odeint");
  return torch::stack(solve(f, y0, times, options, st));
}

torch::Tensor odeint_adjoint(const ODEFunc& func, const torch::Tensor& y0, const torch::Tensor& t,
                             const std::vector<torch::Tensor>& adjoint_params, const OdeintOptions& options,
                             OdeintStats* stats) {
  if (!func) detail::fail("odeint_adjoint: func is empty (expected func(t, y) -> dy/dt)");
  check_y0("odeint_adjoint", y0);
  check_options("odeint_adjoint", options);
  auto state = c10::make_intrusive<AdjointState>();
  state->func = func;
  state->t = check_times("odeint_adjoint", t);
  state->options = options;
  for (std::size_t i = 0; i < adjoint_params.size(); ++i) {
    if (!adjoint_params[i].defined())
      detail::fail("odeint_adjoint: adjoint_params[", i, "] is undefined (expected the tensors func depends on)");
    if (adjoint_params[i].requires_grad()) state->params.push_back(adjoint_params[i]);
  }
  if (!y0.requires_grad() && state->params.empty()) {
    // Nothing to differentiate: a plain solve without the graph.
    torch::NoGradGuard no_grad;
    return odeint(func, y0, t, options, stats);
  }
  return OdeintAdjointFunction::apply(y0, at::TensorList(state->params), state, stats);
}

}  // namespace pinnxde
