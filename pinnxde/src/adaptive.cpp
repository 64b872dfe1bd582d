#include "pinnxde/adaptive.hpp"

#include <torch/types.h>

#include <cmath>

#include "pinnxde/conditions/convert.hpp"
#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/model.hpp"

namespace pinnxde::adaptive {
namespace {

struct Candidates {
  geometry::Points points;
  torch::Tensor abs_residual;  // (N,), float64
};

Candidates evaluate(Model& model, const geometry::Geometry& geom, const Residual& residual, std::int64_t n,
                    const char* fn) {
  if (!residual) detail::fail(fn, ": the residual is empty");
  Candidates c{geom.random_points(n, "pseudo"), {}};
  auto r = model.predict(to_tensor(c.points, config::options()), residual);
  if (r.dim() > 2 || r.size(0) != n || (r.dim() == 2 && r.size(1) != 1))
    detail::fail(fn, ": the residual returned shape ", r.sizes(), " for ", n, " points (expected [", n, ", 1])");
  c.abs_residual = r.reshape({n}).abs().to(torch::kCPU, torch::kFloat64);
  if (!torch::isfinite(c.abs_residual).all().item<bool>())
    detail::fail<Error>(fn, ": the residual is not finite at some candidate points");
  return c;
}

geometry::Points rows(const geometry::Points& p, const torch::Tensor& index) {
  auto idx = index.to(torch::kCPU, torch::kLong).contiguous();
  const auto* i = idx.data_ptr<std::int64_t>();
  return geometry::take_rows(p, std::vector<Eigen::Index>(i, i + idx.numel()));
}

}  // namespace

geometry::Points rar_points(Model& model, const geometry::Geometry& geom, const Residual& residual,
                            std::int64_t m, std::int64_t num_candidates) {
  if (m < 1) detail::fail("rar_points: m = ", m, " (expected m >= 1)");
  if (m > num_candidates)
    detail::fail("rar_points: m = ", m, " (expected 1 <= m <= num_candidates = ", num_candidates, ")");
  auto c = evaluate(model, geom, residual, num_candidates, "rar_points");
  return rows(c.points, std::get<1>(c.abs_residual.topk(m)));
}

geometry::Points rad_points(Model& model, const geometry::Geometry& geom, const Residual& residual,
                            std::int64_t n, RADOptions o) {
  if (n < 1) detail::fail("rad_points: n = ", n, " (expected n >= 1)");
  if (o.num_candidates < 0)
    detail::fail("rad_points: num_candidates = ", o.num_candidates, " (expected > 0, or 0 for the default 10 n)");
  const std::int64_t nc = o.num_candidates > 0 ? o.num_candidates : 10 * n;
  if (n > nc) detail::fail("rad_points: n = ", n, " (expected n <= num_candidates = ", nc, ")");
  if (!std::isfinite(o.k)) detail::fail("rad_points: k = ", o.k, " (expected a finite k >= 0)");
  if (!std::isfinite(o.c)) detail::fail("rad_points: c = ", o.c, " (expected a finite c >= 0)");
  if (!(o.k >= 0)) detail::fail("rad_points: k = ", o.k, " (expected k >= 0)");
  if (!(o.c >= 0)) detail::fail("rad_points: c = ", o.c, " (expected c >= 0)");
  auto c = evaluate(model, geom, residual, nc, "rad_points");
  auto w = c.abs_residual.pow(o.k);
  const double mean = w.mean().item<double>();
  auto p = (mean > 0 ? w / mean : torch::zeros_like(w)) + o.c;
  if (!(p.sum().item<double>() > 0))
    detail::fail("rad_points: every weight is zero (the residual vanishes and c = 0); use c > 0");
  return rows(c.points, torch::multinomial(p, n, /*replacement=*/false));
}

}  // namespace pinnxde::adaptive
