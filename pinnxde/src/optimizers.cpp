#include "pinnxde/optimizers.hpp"

#include <dlfcn.h>
#include <torch/types.h>
#include <torch/optim/adamw.h>
#include <torch/optim/rmsprop.h>
#include <torch/optim/sgd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <iostream>
#include <limits>
#include <sstream>
#include <tuple>
#include <type_traits>
#include <utility>

#include "host_loops.hpp"
#include "optimizers_detail.hpp"
#include "pinnxde/error.hpp"

namespace pinnxde::optimizers {
namespace {

// The key LibTorch's optimizers file a parameter's state under: the address of its TensorImpl, as the string
// c10::guts::to_string made of it (LibTorch 1.13), or the address itself (PyTorch 2.11, which has no
// c10::guts::to_string).
using StateMap = std::remove_cvref_t<decltype(std::declval<torch::optim::Optimizer&>().state())>;
template <class Key = StateMap::key_type>
Key state_key(const torch::Tensor& p) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream s;
    s << p.unsafeGetTensorImpl();
    return s.str();
  } else {
    return static_cast<Key>(static_cast<void*>(p.unsafeGetTensorImpl()));
  }
}

LBFGSOptions g_lbfgs;

// Dot product with double accumulation (four partial sums), where the BLAS below lacks a symbol.
template <typename T>
double dot(const T* a, const T* b, std::int64_t n) {
  double s[4] = {0, 0, 0, 0};
  std::int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k) s[k] += static_cast<double>(a[i + k]) * static_cast<double>(b[i + k]);
  for (; i < n; ++i) s[0] += static_cast<double>(a[i]) * static_cast<double>(b[i]);
  return (s[0] + s[1]) + (s[2] + s[3]);
}

template <typename T>
void axpy(T* y, double alpha, const T* x, std::int64_t n) {
  const T a = static_cast<T>(alpha);
  for (std::int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// The BLAS that LibTorch loaded (OpenBLAS: kernels for this CPU's vector width, where the loops above are
// compiled for baseline x86-64), looked up once; the loops serve when a symbol is missing or n overflows int.
struct Blas {
  using Sdot = float (*)(const int*, const float*, const int*, const float*, const int*);
  using Ddot = double (*)(const int*, const double*, const int*, const double*, const int*);
  using Saxpy = void (*)(const int*, const float*, const float*, const int*, float*, const int*);
  using Daxpy = void (*)(const int*, const double*, const double*, const int*, double*, const int*);
  Sdot sdot = reinterpret_cast<Sdot>(dlsym(RTLD_DEFAULT, "sdot_"));
  Ddot ddot = reinterpret_cast<Ddot>(dlsym(RTLD_DEFAULT, "ddot_"));
  Saxpy saxpy = reinterpret_cast<Saxpy>(dlsym(RTLD_DEFAULT, "saxpy_"));
  Daxpy daxpy = reinterpret_cast<Daxpy>(dlsym(RTLD_DEFAULT, "daxpy_"));
};
const Blas& blas() {
  static const Blas b;
  return b;
}

double vdot(const float* a, const float* b, std::int64_t n) {
  const int m = static_cast<int>(n), one = 1;
  if (blas().sdot && n <= std::numeric_limits<int>::max()) return blas().sdot(&m, a, &one, b, &one);
  return dot(a, b, n);
}
double vdot(const double* a, const double* b, std::int64_t n) {
  const int m = static_cast<int>(n), one = 1;
  if (blas().ddot && n <= std::numeric_limits<int>::max()) return blas().ddot(&m, a, &one, b, &one);
  return dot(a, b, n);
}
void vaxpy(float* y, double alpha, const float* x, std::int64_t n) {
  const int m = static_cast<int>(n), one = 1;
  const float a = static_cast<float>(alpha);
  if (blas().saxpy && n <= std::numeric_limits<int>::max()) return blas().saxpy(&m, &a, x, &one, y, &one);
  axpy(y, alpha, x, n);
}
void vaxpy(double* y, double alpha, const double* x, std::int64_t n) {
  const int m = static_cast<int>(n), one = 1;
  if (blas().daxpy && n <= std::numeric_limits<int>::max()) return blas().daxpy(&m, &alpha, x, &one, y, &one);
  axpy(y, alpha, x, n);
}

// Flat-vector operations for L-BFGS: BLAS calls (the OpenBLAS LibTorch loaded) on host memory, tensor
// operations on vectors the host loops cannot read (detail::host_loops: another device, or
// PINNXDE_KERNELS=tensor).
double flat_dot(const torch::Tensor& a, const torch::Tensor& b) {
  if (!pinnxde::detail::host_loops(a)) return a.dot(b).item<double>();
  return a.scalar_type() == torch::kFloat64 ? vdot(a.data_ptr<double>(), b.data_ptr<double>(), a.numel())
                                            : vdot(a.data_ptr<float>(), b.data_ptr<float>(), a.numel());
}
// y += alpha x
void flat_axpy(torch::Tensor& y, double alpha, const torch::Tensor& x) {
  if (!pinnxde::detail::host_loops(y)) y.add_(x, alpha);
  else if (y.scalar_type() == torch::kFloat64) vaxpy(y.data_ptr<double>(), alpha, x.data_ptr<double>(), y.numel());
  else vaxpy(y.data_ptr<float>(), alpha, x.data_ptr<float>(), y.numel());
}
template <typename T>
void scale(T* q, double h, std::int64_t n) {
  const T c = static_cast<T>(h);
  for (std::int64_t j = 0; j < n; ++j) q[j] *= c;
}
void flat_scale(torch::Tensor& q, double h) {
  if (!pinnxde::detail::host_loops(q)) q.mul_(h);
  else if (q.scalar_type() == torch::kFloat64) scale(q.data_ptr<double>(), h, q.numel());
  else scale(q.data_ptr<float>(), h, q.numel());
}

// L-BFGS' search direction d = -H g by the two-loop recursion over the curvature pairs (s_i, y_i), on the
// flat vectors above: LibTorch's version issues five tensor operations (and a host read) per pair and loop,
// ~1,000 dispatches an iteration at a history of 100 (1.2 ms of overhead per iteration at 5,000 float32
// parameters against 0.5 ms with the BLAS calls, measured with a closure of 1 ms).
void two_loop(const std::deque<torch::Tensor>& dirs, const std::deque<torch::Tensor>& stps, const std::vector<double>& ro,
              double h_diag, torch::Tensor& q) {
  const auto m = static_cast<std::int64_t>(dirs.size());
  std::vector<double> al(static_cast<std::size_t>(m));
  for (std::int64_t i = m - 1; i >= 0; --i) {
    al[i] = flat_dot(stps[i], q) * ro[i];
    flat_axpy(q, -al[i], dirs[i]);
  }
  flat_scale(q, h_diag);
  for (std::int64_t i = 0; i < m; ++i) {
    const double be = flat_dot(dirs[i], q) * ro[i];
    flat_axpy(q, al[i] - be, stps[i]);
  }
}

double scalar_value(const torch::Tensor& t) {
  if (!pinnxde::detail::host_loops(t)) return t.item<double>();
  return t.scalar_type() == torch::kFloat64 ? *t.data_ptr<double>() : static_cast<double>(*t.data_ptr<float>());
}

double abs_max(const torch::Tensor& a) { return a.abs().max().item<double>(); }

// A cubic through (x1, f1, g1) and (x2, f2, g2): its minimiser, clamped to the bounds (by default the
// interval between x1 and x2); the bounds' midpoint when the cubic has no minimum.
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         std::optional<std::pair<double, double>> bounds = std::nullopt) {
  const auto [lo, hi] = bounds ? *bounds : (x1 <= x2 ? std::pair{x1, x2} : std::pair{x2, x1});
  const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= 0) {
    const double d2 = std::sqrt(d2_square);
    const double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return std::min(std::max(min_pos, lo), hi);
  }
  return (lo + hi) / 2;
}

torch::Tensor gather_flat_grad(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> views;
  views.reserve(params.size());
  for (const auto& p : params)
    views.push_back(p.grad().defined() ? p.grad().reshape(-1) : torch::zeros({p.numel()}, p.options()));
  return torch::cat(views);  // reshape: a non-contiguous gradient (a transposed backward) is fine
}

void add_grad(const std::vector<torch::Tensor>& params, double step, const torch::Tensor& update) {
  std::int64_t offset = 0;
  for (const auto& p : params) {
    const auto numel = p.numel();
    p.add_(update.slice(0, offset, offset + numel).view_as(p), step);
    offset += numel;
  }
}

// The strong Wolfe line search along d from the current point (loss f, gradient g, slope gtd < 0) starting
// at step t: returns the accepted loss, gradient, step and the evaluations it made.
template <typename Directional>
std::tuple<double, torch::Tensor, double, std::int64_t> strong_wolfe(Directional& phi, double t,
                                                                          const torch::Tensor& d, double f,
                                                                          const torch::Tensor& g, double gtd) {
  constexpr double c1 = 1e-4, c2 = 0.9, tolerance_change = 1e-9;
  constexpr std::int64_t max_ls = 25;
  const double d_norm = abs_max(d);
  auto [f_new, g_new] = phi(t);
  std::int64_t evals = 1, ls_iter = 0;
  double gtd_new = flat_dot(g_new, d);
  double t_prev = 0, f_prev = f, gtd_prev = gtd;
  torch::Tensor g_prev = g;
  bool done = false;
  std::array<double, 2> bracket{}, bracket_f{}, bracket_gtd{};
  std::array<torch::Tensor, 2> bracket_g;
  int bracket_size = 0;
  auto bracket_previous_and_new = [&] {
    bracket = {t_prev, t};
    bracket_f = {f_prev, f_new};
    bracket_g = {g_prev, g_new};
    bracket_gtd = {gtd_prev, gtd_new};
    bracket_size = 2;
  };
  while (ls_iter < max_ls) {
    if (f_new > f + c1 * t * gtd || (ls_iter > 1 && f_new >= f_prev)) {  // too far: the minimum is behind
      bracket_previous_and_new();
      break;
    }
    if (std::abs(gtd_new) <= -c2 * gtd) {  // both Wolfe conditions hold
      bracket[0] = t;
      bracket_f[0] = f_new;
      bracket_g[0] = g_new;
      bracket_size = 1;
      done = true;
      break;
    }
    if (gtd_new >= 0) {  // the slope turned: the minimum is between the two steps
      bracket_previous_and_new();
      break;
    }
    const double min_step = t + 0.01 * (t - t_prev), max_step = t * 10, previous = t;
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, std::pair{min_step, max_step});
    t_prev = previous;
    f_prev = f_new;
    g_prev = g_new;
    gtd_prev = gtd_new;
    std::tie(f_new, g_new) = phi(t);
    ++evals;
    gtd_new = flat_dot(g_new, d);
    ++ls_iter;
  }
  if (ls_iter == max_ls) {
    bracket = {0, t};
    bracket_f = {f, f_new};
    bracket_g = {g, g_new};
    bracket_gtd = {gtd, gtd_new};
    bracket_size = 2;
  }
  // Zoom: shrink the bracket until a point satisfies both Wolfe conditions.
  bool insufficient_progress = false;
  int low = bracket_f[0] <= bracket_f[bracket_size - 1] ? 0 : 1, high = 1 - low;
  while (!done && ls_iter < max_ls) {
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]);
    const double b_max = std::max(bracket[0], bracket[1]), b_min = std::min(bracket[0], bracket[1]);
    const double eps = 0.1 * (b_max - b_min);
    if (std::min(b_max - t, t - b_min) < eps) {
      if (insufficient_progress || t >= b_max || t <= b_min) {
        t = std::abs(t - b_max) < std::abs(t - b_min) ? b_max - eps : b_min + eps;
        insufficient_progress = false;
      } else {
        insufficient_progress = true;
      }
    } else {
      insufficient_progress = false;
    }
    std::tie(f_new, g_new) = phi(t);
    ++evals;
    gtd_new = flat_dot(g_new, d);
    ++ls_iter;
    if (f_new > f + c1 * t * gtd || f_new >= bracket_f[low]) {
      bracket[high] = t;
      bracket_f[high] = f_new;
      bracket_g[high] = g_new;
      bracket_gtd[high] = gtd_new;
      low = bracket_f[0] <= bracket_f[1] ? 0 : 1;
      high = 1 - low;
    } else {
      if (std::abs(gtd_new) <= -c2 * gtd) {
        done = true;
      } else if (gtd_new * (bracket[high] - bracket[low]) >= 0) {
        bracket[high] = bracket[low];
        bracket_f[high] = bracket_f[low];
        bracket_g[high] = bracket_g[low];
        bracket_gtd[high] = bracket_gtd[low];
      }
      bracket[low] = t;
      bracket_f[low] = f_new;
      bracket_g[low] = g_new;
      bracket_gtd[low] = gtd_new;
    }
    // The bracket is too small to move the parameters (LibTorch tests this after a trial, not before).
    if (std::abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;
  }
  if (bracket_size == 1) low = 0;
  return {bracket_f[low], bracket_g[low], bracket[low], evals};
}

}  // namespace

void set_LBFGS_options(const LBFGSOptions& o) {
  if (o.maxcor < 1) pinnxde::detail::fail("set_LBFGS_options: maxcor = ", o.maxcor, " (expected >= 1)");
  if (o.ftol < 0) pinnxde::detail::fail("set_LBFGS_options: ftol = ", o.ftol, " (expected >= 0)");
  if (o.gtol < 0) pinnxde::detail::fail("set_LBFGS_options: gtol = ", o.gtol, " (expected >= 0)");
  if (o.maxiter < 0) pinnxde::detail::fail("set_LBFGS_options: maxiter = ", o.maxiter, " (expected >= 0)");
  if (o.maxfun && *o.maxfun < 1)
    pinnxde::detail::fail("set_LBFGS_options: maxfun = ", *o.maxfun, " (expected >= 1)");
  if (o.maxls < 1) pinnxde::detail::fail("set_LBFGS_options: maxls = ", o.maxls, " (expected >= 1)");
  if (o.maxls != LBFGSOptions{}.maxls && o.maxls != g_lbfgs.maxls)
    std::cerr << "pinnxde: set_LBFGS_options: maxls = " << o.maxls
              << " has no effect: LibTorch's strong Wolfe line search always allows 25 evaluations\n";
  g_lbfgs = o;
}

const LBFGSOptions& LBFGS_options() { return g_lbfgs; }

const std::vector<std::string>& optimizer_names() {
  static const std::vector<std::string> names{"adam", "sgd", "rmsprop", "adamw", "L-BFGS", "L-BFGS-B"};
  return names;
}

torch::Tensor LBFGS::step(LossClosure closure) {
  TORCH_CHECK(closure != nullptr, "LBFGS requires a closure function");
  torch::NoGradGuard no_grad;
  const auto& group = param_groups_.at(0);
  const auto& params = group.params();
  const auto& o = static_cast<const torch::optim::LBFGSOptions&>(group.options());
  const double lr = o.lr(), tol_grad = o.tolerance_grad(), tol_change = o.tolerance_change();
  const std::int64_t max_iter = o.max_iter(), max_eval = o.max_eval().value_or(max_iter * 5 / 4),
                     history = o.history_size();
  const auto key = state_key(params.front());
  if (!state_.count(key)) state_[key] = std::make_unique<torch::optim::LBFGSParamState>();
  auto& st = static_cast<torch::optim::LBFGSParamState&>(*state_[key]);

  auto evaluate = [&] {
    torch::AutoGradMode enable(true);
    return closure().item<double>();
  };
  torch::Tensor orig_loss;
  double loss;
  {
    torch::AutoGradMode enable(true);
    orig_loss = closure();
    loss = orig_loss.item<double>();
  }
  std::int64_t current_evals = 1;
  st.func_evals(st.func_evals() + 1);
  torch::Tensor flat_grad = gather_flat_grad(params);
  stopped_on_its_own_ = true;
  if (abs_max(flat_grad) <= tol_grad) return orig_loss;

  torch::Tensor d = st.d(), prev_flat_grad = st.prev_flat_grad(), h_diag = st.H_diag();
  double t = st.t(), prev_loss = st.prev_loss();
  auto old_dirs = st.old_dirs(), old_stps = st.old_stps();
  auto ro = st.ro();
  std::int64_t n_iter = 0;
  while (n_iter < max_iter) {
    ++n_iter;
    st.n_iter(st.n_iter() + 1);
    if (st.n_iter() == 1) {
      d = flat_grad.neg();
      old_dirs.clear();
      old_stps.clear();
      ro.clear();
      h_diag = torch::ones({}, flat_grad.options());
    } else {
      auto y = flat_grad.sub(prev_flat_grad);
      auto s = d.mul(t);
      const double ys = flat_dot(y, s);
      if (ys > 1e-10) {
        if (static_cast<std::int64_t>(old_dirs.size()) == history) {
          old_dirs.pop_front();
          old_stps.pop_front();
          ro.pop_front();
        }
        old_dirs.push_back(y);
        old_stps.push_back(s);
        ro.push_back(torch::full({}, 1.0 / ys, flat_grad.options()));
        h_diag = torch::full({}, ys / flat_dot(y, y), flat_grad.options());
      }
      std::vector<double> ro_d;  // read in place: a host read (item) per pair would cost a dispatch each
      ro_d.reserve(ro.size());
      for (const auto& r : ro) ro_d.push_back(scalar_value(r));
      d = flat_grad.neg();
      two_loop(old_dirs, old_stps, ro_d, h_diag.item<double>(), d);
    }
    if (!prev_flat_grad.defined()) prev_flat_grad = flat_grad.clone(at::MemoryFormat::Contiguous);
    else prev_flat_grad.copy_(flat_grad);
    prev_loss = loss;
    t = st.n_iter() == 1 ? std::min(1.0, 1.0 / flat_grad.abs().sum().item<double>()) * lr : lr;
    const double gtd = flat_dot(flat_grad, d);
    if (gtd > -tol_change) break;

    std::int64_t ls_evals = 0;
    bool opt_cond = false;
    if (o.line_search_fn().has_value()) {
      TORCH_CHECK(*o.line_search_fn() == "strong_wolfe", "only 'strong_wolfe' is supported");
      std::vector<torch::Tensor> x_init;
      for (const auto& p : params) x_init.push_back(p.clone(at::MemoryFormat::Contiguous));
      auto directional = [&](double step) {
        add_grad(params, step, d);
        const double f = evaluate();
        auto g = gather_flat_grad(params);
        for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(x_init[i]);
        return std::pair{f, g};
      };
      std::tie(loss, flat_grad, t, ls_evals) = strong_wolfe(directional, t, d, loss, flat_grad, gtd);
      add_grad(params, t, d);
      opt_cond = abs_max(flat_grad) <= tol_grad;
    } else {
      add_grad(params, t, d);
      if (n_iter != max_iter) {
        loss = evaluate();
        flat_grad = gather_flat_grad(params);
        opt_cond = abs_max(flat_grad) <= tol_grad;
        ls_evals = 1;
      }
    }
    current_evals += ls_evals;
    st.func_evals(st.func_evals() + ls_evals);
    // LibTorch's tests, all of which end the step; the budget ones last, so that a stall on the last
    // allowed iteration still reads as one.
    if (opt_cond || abs_max(d) * std::abs(t) <= tol_change || std::abs(loss - prev_loss) < tol_change) break;
    if (n_iter == max_iter || current_evals >= max_eval) {
      stopped_on_its_own_ = false;
      break;
    }
  }
  st.d(d);
  st.t(t);
  st.old_dirs(old_dirs);
  st.old_stps(old_stps);
  st.ro(ro);
  st.H_diag(h_diag);
  st.prev_flat_grad(prev_flat_grad);
  st.prev_loss(prev_loss);
  return orig_loss;
}

namespace {
// One Adam update of n elements, in the order of LibTorch's tensor operations: m = b1 m + (1 - b1) g,
// v = b2 v + (1 - b2) g^2 (v_max = max(v_max, v) with amsgrad), p -= step_size m / (sqrt(v) / sqrt(bc2) + eps).
template <typename T>
__attribute__((optimize("no-math-errno"))) void adam_update(T* __restrict p, const T* __restrict g,
                                                            T* __restrict m, T* __restrict v, T* __restrict vmax,
                                                            std::int64_t n, double beta1, double beta2, double eps,
                                                            double weight_decay, double step_size, double bc2) {
  const T b1 = static_cast<T>(beta1), c1 = static_cast<T>(1 - beta1), b2 = static_cast<T>(beta2),
          c2 = static_cast<T>(1 - beta2), e = static_cast<T>(eps), wd = static_cast<T>(weight_decay),
          s = static_cast<T>(-step_size), r = static_cast<T>(std::sqrt(bc2));
  if (wd != T(0) || vmax) {
    for (std::int64_t i = 0; i < n; ++i) {
      const T gi = wd != T(0) ? g[i] + wd * p[i] : g[i];
      m[i] = m[i] * b1 + c1 * gi;
      v[i] = v[i] * b2 + c2 * gi * gi;
      T vi = v[i];
      if (vmax) vi = vmax[i] = std::max(vmax[i], vi);
      p[i] += s * m[i] / (std::sqrt(vi) / r + e);
    }
    return;
  }
  for (std::int64_t i = 0; i < n; ++i) {  // the common case, vectorised
    const T gi = g[i];
    const T mi = m[i] * b1 + c1 * gi, vi = v[i] * b2 + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] += s * mi / (std::sqrt(vi) / r + e);
  }
}

// The fused loop pays where LibTorch's per-operation cost dominates: tensors up to this many elements. Above
// it LibTorch's vectorised operations are faster than one scalar-division loop (a 350 x 350 layer: ~0.55 ms
// against ~0.8 ms a step on this VM's AVX-512 CPU).
constexpr std::int64_t kFusedMaxNumel = 1 << 16;

bool fusable(const torch::Tensor& p, const torch::Tensor& t) {
  return t.defined() && pinnxde::detail::host_loops(t) && t.scalar_type() == p.scalar_type() && t.is_contiguous() &&
         t.numel() == p.numel();
}

// LibTorch's Adam update of one parameter, operation for operation (torch/csrc/api/src/optim/adam.cpp).
void adam_ops(torch::Tensor& p, const torch::optim::AdamOptions& o, torch::optim::AdamParamState& s, double bc1,
              double bc2) {
  const auto [beta1, beta2] = o.betas();
  auto grad = p.grad();
  if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
  s.exp_avg().mul_(beta1).add_(grad, 1 - beta1);
  s.exp_avg_sq().mul_(beta2).addcmul_(grad, grad, 1 - beta2);
  torch::Tensor denom;
  if (o.amsgrad()) {
    torch::max_out(s.max_exp_avg_sq(), s.exp_avg_sq(), s.max_exp_avg_sq());
    denom = (s.max_exp_avg_sq().sqrt() / std::sqrt(bc2)).add_(o.eps());
  } else {
    denom = (s.exp_avg_sq().sqrt() / std::sqrt(bc2)).add_(o.eps());
  }
  p.addcdiv_(s.exp_avg(), denom, -o.lr() / bc1);
}
}  // namespace

torch::Tensor Adam::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const torch::optim::AdamOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const auto key = state_key(p);
      auto it = state_.find(key);
      if (it == state_.end()) {
        auto s = std::make_unique<torch::optim::AdamParamState>();
        s->step(0);
        s->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        s->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        if (o.amsgrad()) s->max_exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        it = state_.emplace(key, std::move(s)).first;
      }
      auto& s = static_cast<torch::optim::AdamParamState&>(*it->second);
      s.step(s.step() + 1);
      const auto [beta1, beta2] = o.betas();
      const double bc1 = 1 - std::pow(beta1, static_cast<double>(s.step()));
      const double bc2 = 1 - std::pow(beta2, static_cast<double>(s.step()));
      const auto g = p.grad();
      const auto st = p.scalar_type();
      // Each parameter always takes the same path (it depends on its size, device and dtype), so a run's
      // round-off does not change from step to step.
      const bool fused = (st == torch::kFloat || st == torch::kDouble) && p.numel() <= kFusedMaxNumel &&
                         fusable(p, p) && fusable(p, g) && fusable(p, s.exp_avg()) && fusable(p, s.exp_avg_sq()) &&
                         (!o.amsgrad() || fusable(p, s.max_exp_avg_sq()));
      if (!fused) {
        adam_ops(p, o, s, bc1, bc2);
      } else if (st == torch::kFloat) {
        adam_update<float>(p.data_ptr<float>(), g.data_ptr<float>(), s.exp_avg().data_ptr<float>(),
                           s.exp_avg_sq().data_ptr<float>(),
                           o.amsgrad() ? s.max_exp_avg_sq().data_ptr<float>() : nullptr, p.numel(), beta1, beta2,
                           o.eps(), o.weight_decay(), o.lr() / bc1, bc2);
      } else {
        adam_update<double>(p.data_ptr<double>(), g.data_ptr<double>(), s.exp_avg().data_ptr<double>(),
                            s.exp_avg_sq().data_ptr<double>(),
                            o.amsgrad() ? s.max_exp_avg_sq().data_ptr<double>() : nullptr, p.numel(), beta1,
                            beta2, o.eps(), o.weight_decay(), o.lr() / bc1, bc2);
      }
    }
  }
  return loss;
}

namespace detail {

bool is_lbfgs(const std::string& name) { return name == "L-BFGS" || name == "L-BFGS-B"; }

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::string& name,
                                                        const std::vector<torch::Tensor>& params, double lr) {
  // LibTorch's Adam, not optimizers::Adam: see optimizers.hpp (two gallery results depend on its round-off).
  if (name == "adam") return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(lr));
  if (name == "adamw") return std::make_unique<torch::optim::AdamW>(params, torch::optim::AdamWOptions(lr));
  if (name == "sgd") return std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(lr));
  if (name == "rmsprop") return std::make_unique<torch::optim::RMSprop>(params, torch::optim::RMSpropOptions(lr));
  if (is_lbfgs(name)) return nullptr;
  pinnxde::detail::fail("optimizers: unknown optimizer '", name, "'; valid: ",
                        pinnxde::detail::join(optimizer_names()));
}

std::unique_ptr<torch::optim::Optimizer> make_lbfgs(const std::vector<torch::Tensor>& params, std::int64_t max_iter,
                                                    std::int64_t max_eval) {
  const auto& lo = LBFGS_options();
  auto opts = torch::optim::LBFGSOptions(1.0)
                  .max_iter(max_iter)
                  .max_eval(std::max<std::int64_t>(1, max_eval))
                  .tolerance_grad(lo.gtol)
                  .tolerance_change(lo.ftol)
                  .history_size(lo.maxcor)
                  .line_search_fn("strong_wolfe");
  return std::make_unique<optimizers::LBFGS>(params, opts);
}

void lbfgs_begin(LbfgsRun& run, std::optional<std::int64_t> iterations) {
  if (!(run.active && !iterations)) {  // not a run restored from a checkpoint: a new budget
    const auto& lo = LBFGS_options();
    run = LbfgsRun{};
    run.maxiter = iterations.value_or(lo.maxiter);
    run.maxfun = lo.maxfun.value_or(run.maxiter + run.maxiter / 4);
  }
  run.active = true;
}

bool lbfgs_has_budget(const LbfgsRun& run) { return run.done < run.maxiter && run.evals < run.maxfun; }

LbfgsChunk lbfgs_chunk(LbfgsRun& run, std::unique_ptr<torch::optim::Optimizer>& optimizer,
                       const std::vector<torch::Tensor>& params, std::int64_t max_iterations,
                       const std::function<double(std::int64_t)>& closure) {
  if (!optimizer) {
    optimizer = make_lbfgs(params, max_iterations, run.maxfun - run.evals);
  } else {
    auto& g = static_cast<torch::optim::LBFGSOptions&>(optimizer->param_groups()[0].options());
    g.max_iter(max_iterations).max_eval(std::max<std::int64_t>(1, run.maxfun - run.evals));
  }
  auto* opt = static_cast<optimizers::LBFGS*>(optimizer.get());  // make_lbfgs made it
  // LibTorch keeps L-BFGS' iteration count in the state of the first parameter.
  const auto key = state_key(params.front());
  const auto& state_map = opt->state();
  auto n_iter = [&]() -> std::int64_t {
    auto it = state_map.find(key);
    return it == state_map.end() ? 0 : static_cast<torch::optim::LBFGSParamState&>(*it->second).n_iter();
  };
  const std::int64_t before = n_iter();
  LbfgsChunk chunk;
  auto count = [&] {
    chunk.iterations = n_iter() - before;
    run.done += chunk.iterations;
    run.evals += chunk.evaluations;
  };
  try {
    opt->step([&] {
      ++chunk.evaluations;
      return torch::tensor(closure(n_iter() - before), torch::kFloat64);
    });
  } catch (...) {
    count();  // the iterations and evaluations spent count against the run's budget
    throw;
  }
  count();
  // A chunk may use the whole remaining evaluation budget (maxfun), so that it ends by its iteration count
  // and not because its line searches were expensive. L-BFGS says whether it stopped on its own: an
  // iteration that finds no descent still counts, so a count short of max_iterations missed a stall on a
  // chunk's last iteration (and every stall when display_every = 1: chunks of one iteration).
  chunk.stopped_early = opt->stopped_on_its_own() && run.evals < run.maxfun;
  return chunk;
}

LbfgsVerdict lbfgs_after_early_stop(LbfgsRun& run, const std::vector<torch::Tensor>& params, double best_loss) {
  // LibTorch's L-BFGS stopped on its own: a tiny gradient (true convergence) or a line search that found no
  // decrease. The second happens in float32 long before the minimum; DeepXDE stops there. pinnxde restarts
  // with a fresh curvature history while restarts still lower the loss.
  double gmax = 0;
  for (const auto& p : params)
    if (p.grad().defined()) gmax = std::max(gmax, p.grad().abs().max().item<double>());
  if (gmax <= LBFGS_options().gtol)
    return {true, false, "L-BFGS converged: max |gradient| = " + std::to_string(gmax) + " <= gtol"};
  if (!(best_loss < run.restart_loss * (1 - 1e-7)))
    return {true, true, "L-BFGS converged: a restart with fresh history made no progress"};
  run.restart_loss = best_loss;
  return {false, false, {}};
}

}  // namespace detail
}  // namespace pinnxde::optimizers
