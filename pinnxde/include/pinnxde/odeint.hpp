#pragma once
// ODE solvers over tensors for Neural ODEs. Port of torchdiffeq.odeint / torchdiffeq.odeint_adjoint.
//
//   dde::ODEFunc f = [&](const torch::Tensor& t, const torch::Tensor& y) { return net->forward(y); };
//   auto ys = dde::odeint(f, y0, t);                                  // dopri5, rtol 1e-7, atol 1e-9
//   auto ys = dde::odeint(f, y0, t, {.method = "rk4", .step_size = 0.01});
//   auto ys = dde::odeint_adjoint(f, y0, t, net->parameters(), {.rtol = 1e-6, .atol = 1e-8});
//   // ys: (len(t), *y0.shape); ys[0] == y0; loss(ys).backward() reaches y0 and the parameters
//
// `odeint` is differentiable by backpropagating through the solver's operations: exact gradients of
// the computed solution, memory growing with the number of steps. `odeint_adjoint` solves the adjoint
// ODE backwards in time instead (Chen et al. 2018): memory independent of the number of steps,
// gradients accurate to the solver's tolerance.
//
// Methods: "euler", "midpoint", "rk4" (fixed step; torchdiffeq's rk4 = Kutta's 3/8 rule) and "dopri5"
// (Dormand–Prince 5(4), adaptive, FSAL, step control and initial step as torchdiffeq, dense output by
// its 4th-order interpolant, so the requested times cost no extra steps).
//
// Differences from torchdiffeq: t must be strictly increasing (torchdiffeq also integrates backwards);
// with step_size, each interval [t_i, t_i+1] is split into ceil(length / step_size) equal steps that end
// exactly on t_i+1 (torchdiffeq steps on a uniform grid and interpolates), so the order of the method is
// kept at every requested time; odeint_adjoint takes its parameters explicitly (C++ has no module to
// inspect) and gives no gradient with respect to t.
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace pinnxde {

/// Right-hand side dy/dt = func(t, y). t: a 0-dim tensor of y's dtype and device; y: a tensor of
/// y0's shape (any shape, e.g. (batch, state_dim)); returns a tensor of the same shape.
using ODEFunc = std::function<torch::Tensor(const torch::Tensor& t, const torch::Tensor& y)>;

/// Keyword arguments of odeint, in torchdiffeq's order (rtol, atol, method, options).
struct OdeintOptions {
  double rtol = 1e-7;                 // relative tolerance (dopri5), > 0
  double atol = 1e-9;                 // absolute tolerance (dopri5), >= 0
  std::string method = "dopri5";      // see odeint_methods()
  // Fixed-step methods.
  double step_size = 0;               // > 0: steps of at most this size; 0: steps_per_interval steps
  std::int64_t steps_per_interval = 1;// equal steps between consecutive requested times (step_size = 0)
  // Adaptive methods.
  double first_step = 0;              // 0: chosen by Hairer's rule from f(t0, y0), as torchdiffeq
  double safety = 0.9;                // step-size factor = clamp(safety * err^(-1/5), dfactor, ifactor)
  double ifactor = 10.0;
  double dfactor = 0.2;
  std::int64_t max_num_steps = std::numeric_limits<std::int32_t>::max();  // accepted + rejected steps
};

/// Work done by one solve (forward pass only).
struct OdeintStats {
  std::int64_t nfe = 0;       // function evaluations
  std::int64_t accepted = 0;  // steps taken
  std::int64_t rejected = 0;  // dopri5 steps rejected by the error control
};

/// "euler", "midpoint", "rk4", "dopri5".
const std::vector<std::string>& odeint_methods();

/// Solves dy/dt = func(t, y), y(t[0]) = y0, and returns y at every t: shape (len(t), *y0.shape).
/// t: 1-D, strictly increasing. Throws ValueError for bad input (non-increasing t, a func result of the
/// wrong shape, rtol <= 0, unknown method, ...) and for a step size that underflows (stiff or blowing up).
torch::Tensor odeint(const ODEFunc& func, const torch::Tensor& y0, const torch::Tensor& t,
                     const OdeintOptions& options = {}, OdeintStats* stats = nullptr);

/// As odeint, with gradients by the adjoint method: the forward solve keeps no graph, and backward()
/// integrates [y, dL/dy, dL/dparams] from t[-1] back to t[0] with the same method and tolerances.
/// adjoint_params: every tensor func depends on that needs a gradient (e.g. net->parameters()).
/// func is copied and called again by backward(): capture by value what it uses, not by reference to
/// locals of a function that returns before backward() runs.
torch::Tensor odeint_adjoint(const ODEFunc& func, const torch::Tensor& y0, const torch::Tensor& t,
                             const std::vector<torch::Tensor>& adjoint_params, const OdeintOptions& options = {},
                             OdeintStats* stats = nullptr);

}  // namespace pinnxde
