#include "pinnxde/quadrature.hpp"

#include <cmath>
#include <limits>

#include "pinnxde/error.hpp"
#include "pinnxde/geometry/geometry_x_time.hpp"
#include "pinnxde/geometry/sampler.hpp"

namespace pinnxde::quadrature {
namespace {

void check_interval(const char* who, std::int64_t n, std::int64_t min_n, double a, double b) {
  if (n < min_n) detail::fail("quadrature::", who, ": n = ", n, " (expected >= ", min_n, ")");
  if (n > 100'000'000) detail::fail("quadrature::", who, ": n = ", n, " (expected <= 100000000)");
  if (!std::isfinite(a) || !std::isfinite(b) || !(a < b))
    detail::fail("quadrature::", who, ": [a, b] = [", a, ", ", b, "] (expected finite a < b)");
}

// A box: its bounding box is the geometry, so a tensor rule on the bbox integrates over it.
bool is_box(const geometry::Geometry& g) {
  const auto name = g.name();
  if (name == "Interval" || name == "Rectangle" || name == "Cuboid" || name == "Hypercube" || name == "TimeDomain")
    return true;
  if (const auto* gt = dynamic_cast<const geometry::GeometryXTime*>(&g)) return is_box(gt->geometry());
  return false;
}

}  // namespace

Rule gauss_legendre(std::int64_t n, double a, double b) {
  check_interval("gauss_legendre", n, 1, a, b);
  Rule r{geometry::Points(n, 1), Eigen::VectorXd(n)};
  const double mid = 0.5 * (a + b), half = 0.5 * (b - a);
  // Nodes are the roots of P_n: Newton's method from Chebyshev-like guesses, the recurrence
  // (k+1) P_{k+1} = (2k+1) x P_k - k P_{k-1}; weights 2 / ((1 - x^2) P_n'(x)^2). Symmetric pairs.
  const std::int64_t m = (n + 1) / 2;
  for (std::int64_t i = 0; i < m; ++i) {
    double x = std::cos(M_PI * (static_cast<double>(i) + 0.75) / (static_cast<double>(n) + 0.5));
    double dp = 1;
    for (int it = 0; it < 100; ++it) {
      double p0 = 1, p1 = x;
      for (std::int64_t k = 1; k < n; ++k) {
        const double p2 = ((2.0 * k + 1) * x * p1 - static_cast<double>(k) * p0) / static_cast<double>(k + 1);
        p0 = p1;
        p1 = p2;
      }
      if (n == 1) p0 = 1, p1 = x;
      dp = static_cast<double>(n) * (x * p1 - p0) / (x * x - 1);  // P_n'(x)
      const double dx = p1 / dp;
      x -= dx;
      if (std::abs(dx) <= 1e-16 * std::max(1.0, std::abs(x))) break;
    }
    // dp at the converged x (one more evaluation keeps the weight consistent with the final node)
    double p0 = 1, p1 = x;
    for (std::int64_t k = 1; k < n; ++k) {
      const double p2 = ((2.0 * k + 1) * x * p1 - static_cast<double>(k) * p0) / static_cast<double>(k + 1);
      p0 = p1;
      p1 = p2;
    }
    dp = n == 1 ? 1.0 : static_cast<double>(n) * (x * p1 - p0) / (x * x - 1);
    if (n % 2 == 1 && i == m - 1) x = 0;  // the middle node of an odd rule
    const double w = 2.0 / ((1 - x * x) * dp * dp);
    r.points(i, 0) = mid - half * x;
    r.weights(i) = half * w;
    r.points(n - 1 - i, 0) = mid + half * x;
    r.weights(n - 1 - i) = half * w;
  }
  return r;
}

Rule trapezoid(std::int64_t n, double a, double b) {
  check_interval("trapezoid", n, 2, a, b);
  Rule r{geometry::Points(n, 1), Eigen::VectorXd(n)};
  const double h = (b - a) / static_cast<double>(n - 1);
  for (std::int64_t i = 0; i < n; ++i) {
    r.points(i, 0) = i == n - 1 ? b : a + h * static_cast<double>(i);
    r.weights(i) = (i == 0 || i == n - 1) ? 0.5 * h : h;
  }
  return r;
}

Rule tensor_product(const std::vector<Rule>& rules) {
  if (rules.empty()) detail::fail("quadrature::tensor_product: rules is empty (expected at least one rule)");
  std::int64_t total = 1;
  int dim = 0;
  for (std::size_t k = 0; k < rules.size(); ++k) {
    const auto& q = rules[k];
    if (q.size() < 1 || q.weights.size() != q.size() || q.dim() < 1)
      detail::fail("quadrature::tensor_product: rules[", k, "] has ", q.size(), " points of dimension ", q.dim(),
                   " and ", q.weights.size(), " weights (expected >= 1 points, dimension >= 1, one weight each)");
    if (total > 100'000'000 / q.size())
      detail::fail("quadrature::tensor_product: more than 100000000 points (expected fewer; use monte_carlo in "
                   "high dimensions)");
    total *= q.size();
    dim += q.dim();
  }
  Rule r{geometry::Points(total, dim), Eigen::VectorXd::Ones(total)};
  std::int64_t stride = total;
  int col = 0;
  for (const auto& q : rules) {
    stride /= q.size();  // consecutive rows share this rule's node for `stride` rows
    for (std::int64_t row = 0; row < total; ++row) {
      const std::int64_t i = (row / stride) % q.size();
      r.points.row(row).segment(col, q.dim()) = q.points.row(i);
      r.weights(row) *= q.weights(i);
    }
    col += q.dim();
  }
  return r;
}

Rule gauss_legendre(const geometry::Geometry& box, const std::vector<std::int64_t>& n) {
  if (!is_box(box))
    detail::fail("quadrature::gauss_legendre: geometry is a ", box.name(),
                 " (expected a box: Interval, Rectangle, Cuboid, Hypercube, TimeDomain or a GeometryXTime of one; "
                 "use quadrature::monte_carlo for other geometries)");
  if (static_cast<int>(n.size()) != box.dim())
    detail::fail("quadrature::gauss_legendre: n has ", n.size(), " entries but the ", box.name(), " has dimension ",
                 box.dim(), " (expected one count per axis)");
  std::vector<Rule> rules;
  for (int j = 0; j < box.dim(); ++j) rules.push_back(gauss_legendre(n[j], box.bbox_min()(j), box.bbox_max()(j)));
  return tensor_product(rules);
}

Rule gauss_legendre(const geometry::Geometry& box, std::int64_t n) {
  return gauss_legendre(box, std::vector<std::int64_t>(static_cast<std::size_t>(box.dim()), n));
}

Rule monte_carlo(const geometry::Geometry& geom, std::int64_t n, const std::string& sampler) {
  if (n < 1 || n > geometry::kMaxPoints)
    detail::fail("quadrature::monte_carlo: n = ", n, " (expected 1 <= n <= ", geometry::kMaxPoints, ")");
  geometry::check_sampler(sampler);
  const Eigen::VectorXd lo = geom.bbox_min(), width = geom.bbox_max() - geom.bbox_min();
  double volume = 1;
  for (int j = 0; j < geom.dim(); ++j) volume *= width(j);
  if (!(volume > 0))
    detail::fail("quadrature::monte_carlo: the ", geom.name(), "'s bounding box has volume ", volume,
                 " (expected > 0: a full-dimensional geometry)");
  geometry::Points x = geometry::sample(n, geom.dim(), sampler);
  for (Eigen::Index i = 0; i < x.rows(); ++i) x.row(i) = lo.transpose() + x.row(i).cwiseProduct(width.transpose());
  const geometry::Mask keep = geom.inside(x);
  Rule r{geometry::select_rows(x, keep), Eigen::VectorXd()};
  r.weights = Eigen::VectorXd::Constant(r.points.rows(), volume / static_cast<double>(n));
  if (r.size() == 0)
    detail::fail("quadrature::monte_carlo: none of the ", n, " points fell inside the ", geom.name(),
                 " (expected n large enough for the geometry's share of its bounding box)");
  return r;
}

}  // namespace pinnxde::quadrature
