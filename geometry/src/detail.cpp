#include "detail.hpp"

#include <algorithm>
#include <limits>
#include <numbers>
#include <sstream>

#include "pinnxde/geometry/random.hpp"
#include "pinnxde/geometry/sampler.hpp"

namespace pinnxde::geometry::detail {

double uniform01() { return static_cast<double>(rng()() >> 11) * 0x1.0p-53; }

std::vector<Eigen::Index> permutation(Eigen::Index n) {
  std::vector<Eigen::Index> idx(static_cast<std::size_t>(n));
  std::iota(idx.begin(), idx.end(), Eigen::Index{0});
  // Fisher-Yates with our own bounded draw so the result does not depend on the standard library.
  for (Eigen::Index i = n - 1; i > 0; --i) {
    const auto j = static_cast<Eigen::Index>(uniform01() * static_cast<double>(i + 1));
    std::swap(idx[static_cast<std::size_t>(i)], idx[static_cast<std::size_t>(std::min(j, i))]);
  }
  return idx;
}

Points shuffle_rows(const Points& x) { return take_rows(x, permutation(x.rows())); }

void scale_to_box(Points& u, const Eigen::VectorXd& lo, const Eigen::VectorXd& hi) {
  const Eigen::RowVectorXd span = (hi - lo).transpose();
  u.array().rowwise() *= span.array();
  u.rowwise() += lo.transpose();
}

Points vstack(const Points& a, const Points& b) {
  Points out(a.rows() + b.rows(), a.cols());
  out.topRows(a.rows()) = a;
  out.bottomRows(b.rows()) = b;
  return out;
}

Eigen::VectorXd to_eigen(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

std::string format_vector(const Eigen::VectorXd& v) {
  std::ostringstream os;
  os << '(';
  for (Eigen::Index i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v(i);
  os << ')';
  return os.str();
}

namespace {
// splitmix64: a fixed, well-mixed hash of an index (deterministic, unrelated to any radical inverse).
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

std::int64_t max_rejection_draw(std::int64_t n, int dim) {
  // 2^24 coordinates (128 MiB) always; up to 100 n points for large n, but never more than 2^28
  // coordinates (2 GiB) in one draw.
  const double coords = std::clamp(100.0 * static_cast<double>(n) * dim, 0x1.0p24, 0x1.0p28);
  return static_cast<std::int64_t>(coords / dim);
}

Points rejection_sample(std::int64_t n, const Eigen::VectorXd& lo, const Eigen::VectorXd& hi,
                        const std::string& sampler, const std::function<Mask(const Points&)>& keep,
                        double accept_guess, const std::string& who) {
  const int dim = static_cast<int>(lo.size());
  if (n == 0) return Points(0, dim);
  check_sampler(sampler);
  const bool hammersley = sampler == "Hammersley";
  const std::int64_t max_draw = max_rejection_draw(n, dim);
  accept_guess = std::isfinite(accept_guess) ? std::clamp(accept_guess, 1e-6, 1.0) : 1e-6;
  const double first = std::ceil(static_cast<double>(n) / accept_guess * 1.1) + 16;
  auto m = static_cast<std::int64_t>(std::min(first, static_cast<double>(max_draw)));
  // The failure names the geometry, what was drawn and the acceptance rate: the domain is empty, or too
  // small a part of its bounding box for rejection sampling (e.g. a sliver, or disjoint CSG operands).
  const auto give_up = [&](std::int64_t drawn, std::int64_t accepted, const char* why) {
    pinnxde::detail::fail(who, ".random_points: rejection sampling in the bounding box accepted ", accepted, " of ",
                          drawn, " points (acceptance rate ", static_cast<double>(accepted) / static_cast<double>(drawn),
                          ") but n = ", n, " are needed; ", why, " (limit: ", max_draw, " points per draw, ",
                          kMaxRejectionRounds, " draws). Is the domain empty, or a tiny part of its bounding box?");
  };
  for (int round = 0;; ++round) {
    Points x = sample(m, dim, sampler);
    scale_to_box(x, lo, hi);
    const Mask ok = keep(x);
    const std::int64_t count = ok.count();
    const std::int64_t excess = count - n;
    // Halton, Sobol, pseudo, LHS: the accepted points of a prefix are a prefix of the accepted sequence.
    if (excess >= 0 && !hammersley) return select_rows(x, ok).topRows(n);
    // Hammersley's first coordinate is the grid (i + 0.5) / m, so any regular thinning of its accepted
    // points aliases with the radical inverses of the others (stripes). Instead, redraw with m aimed at a
    // small excess (the accepted count of a low-discrepancy set is close to m times the volume fraction),
    // then drop the excess points chosen by a hash of their index: deterministic and structure-free.
    if (excess >= 0 && (excess <= n / 50 + 16 || round >= 3)) {
      std::vector<std::pair<std::uint64_t, Eigen::Index>> keys;
      keys.reserve(static_cast<std::size_t>(count));
      for (Eigen::Index i = 0; i < x.rows(); ++i)
        if (ok(i)) keys.emplace_back(mix(static_cast<std::uint64_t>(i)), i);
      std::nth_element(keys.begin(), keys.begin() + excess, keys.end());
      Mask take = Mask::Constant(x.rows(), false);
      for (auto it = keys.begin() + excess; it != keys.end(); ++it) take(it->second) = true;
      return select_rows(x, take);
    }
    if (round + 1 >= kMaxRejectionRounds) give_up(m, count, "too many redraws");
    if (count < n && m >= max_draw) give_up(m, count, "the next draw would exceed the memory bound");
    const double grow = hammersley ? 1.005 : 1.25;
    const double next = count == 0 ? 4.0 * static_cast<double>(m)
                                   : grow * static_cast<double>(m) * static_cast<double>(n) / static_cast<double>(count) + 16;
    // A draw that would need more than the bound: fail now, from the rate measured on this draw.
    if (count > 0 && next > 2.0 * static_cast<double>(max_draw))
      give_up(m, count, "the draw that would find them exceeds the memory bound");
    m = static_cast<std::int64_t>(std::min(next, static_cast<double>(max_draw)));
  }
}

namespace {
// 5-point Gauss-Legendre nodes and weights on [-1, 1].
constexpr double kGLx[5] = {-0.9061798459386640, -0.5384693101056831, 0.0, 0.5384693101056831, 0.9061798459386640};
constexpr double kGLw[5] = {0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665,
                            0.2369268850561891};
}  // namespace

ArcLengthTable::ArcLengthTable(std::function<double(double)> speed, int cells)
    : speed_(std::move(speed)), h_(2 * std::numbers::pi / cells) {
  cum_.resize(static_cast<std::size_t>(cells) + 1);
  cum_[0] = 0;
  speed_at_.resize(cum_.size());
  for (std::size_t k = 0; k < speed_at_.size(); ++k) {
    speed_at_[k] = speed_(static_cast<double>(k) * h_);
    if (!(speed_at_[k] > 0)) speed_at_[k] = std::numeric_limits<double>::min();
  }
  for (int k = 0; k < cells; ++k)
    cum_[static_cast<std::size_t>(k) + 1] = cum_[static_cast<std::size_t>(k)] + integrate(k * h_, (k + 1) * h_);
}

double ArcLengthTable::integrate(double a, double b) const {
  const double mid = (a + b) / 2, half = (b - a) / 2;
  double s = 0;
  for (int i = 0; i < 5; ++i) s += kGLw[i] * speed_(mid + half * kGLx[i]);
  return s * half;
}

double ArcLengthTable::param_at(double s) const {
  const auto cells = static_cast<std::ptrdiff_t>(cum_.size()) - 1;
  auto k = std::upper_bound(cum_.begin(), cum_.end(), s) - cum_.begin() - 1;
  k = std::clamp<std::ptrdiff_t>(k, 0, cells - 1);
  const auto i = static_cast<std::size_t>(k);
  const double s0 = cum_[i], sigma = cum_[i + 1] - s0, t0 = static_cast<double>(k) * h_;
  if (!(sigma > 0)) return t0;
  // Cubic Hermite interpolation of the inverse t(s) on the cell, with the slopes dt/ds = 1 / speed at its
  // ends: error O(h^4), and no speed evaluations per point (the points lie exactly on the curve whatever
  // t is; this only sets how uniform they are).
  const double u = std::clamp((s - s0) / sigma, 0.0, 1.0), u2 = u * u, u3 = u2 * u;
  const double m0 = sigma / speed_at_[i], m1 = sigma / speed_at_[i + 1];
  return t0 * (2 * u3 - 3 * u2 + 1) + m0 * (u3 - 2 * u2 + u) + (t0 + h_) * (3 * u2 - 2 * u3) + m1 * (u3 - u2);
}

Eigen::ArrayXd ArcLengthTable::even_params(std::int64_t n) const {
  Eigen::ArrayXd t(n);
  for (std::int64_t k = 0; k < n; ++k) t(k) = param_at(total() * static_cast<double>(k) / static_cast<double>(n));
  return t;
}

Eigen::ArrayXd ArcLengthTable::sampled_params(std::int64_t n, const std::string& sampler) const {
  const Points u = sample(n, 1, sampler);
  Eigen::ArrayXd t(n);
  for (std::int64_t k = 0; k < n; ++k) t(k) = param_at(total() * u(k, 0));
  return t;
}

Points uniform_grid_points(const Geometry& g, std::int64_t n, bool boundary, double volume) {
  const int d = g.dim();
  if (n <= 0) return Points(0, d);
  const double N = static_cast<double>(n), S = g.boundary_measure();
  double h = std::pow(volume / N, 1.0 / d);
  if (boundary) {  // volume / h^d + S / h^(d-1) is decreasing in h and exceeds n at h: bisect on [h, hi]
    const auto count = [&](double hh) { return volume / std::pow(hh, d) + S / std::pow(hh, d - 1); };
    double lo = h, hi = 100 * h;
    // A thin domain's boundary term dominates (an ellipse with semiminor 1e-12): widen the bracket until
    // it holds the solution, or the boundary alone would get ~S / (100 h) points, far more than n.
    for (int k = 0; k < 2100 && d > 1 && count(hi) > N; ++k) hi *= 2;
    for (int it = 0; it < 100; ++it) {
      const double mid = std::sqrt(lo * hi);
      (count(mid) > N ? lo : hi) = mid;
    }
    h = hi;
  }
  const Eigen::VectorXd lo = g.bbox_min(), len = g.bbox_max() - g.bbox_min();
  std::vector<Eigen::Index> m(static_cast<std::size_t>(d));
  Eigen::Index total = 1;
  double estimate = 1;
  for (int j = 0; j < d; ++j) {
    m[static_cast<std::size_t>(j)] = std::max<Eigen::Index>(1, std::lround(len(j) / h));
    total *= m[static_cast<std::size_t>(j)];
    estimate *= static_cast<double>(m[static_cast<std::size_t>(j)]);
  }
  // In high dimension the box's grid dwarfs the domain (a 20-ball fills 1e-7 of its box): use the
  // Halton sequence instead of a grid of billions of nodes.
  if (estimate > std::max(1e7, 100 * N)) {
    const Points x = g.random_points(n, "Halton");
    if (!boundary) return select_rows(x, !g.on_boundary(x));
    return x;
  }
  Points grid(total, d);
  for (Eigen::Index i = 0; i < total; ++i) {
    Eigen::Index rest = i;
    for (int j = d - 1; j >= 0; --j) {
      const auto mj = m[static_cast<std::size_t>(j)];
      grid(i, j) = lo(j) + len(j) * (static_cast<double>(rest % mj) + 0.5) / static_cast<double>(mj);
      rest /= mj;
    }
  }
  const Points interior = select_rows(grid, g.inside(grid) && !g.on_boundary(grid));
  if (!boundary) return interior;
  const auto nb = std::max<std::int64_t>(1, std::llround(S / std::pow(h, d - 1)));
  return vstack(interior, g.uniform_boundary_points(nb));
}

}  // namespace pinnxde::geometry::detail
