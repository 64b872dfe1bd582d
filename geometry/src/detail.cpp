#include "detail.hpp"

#include <algorithm>
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

Points take_rows(const Points& x, const std::vector<Eigen::Index>& idx) {
  Points out(static_cast<Eigen::Index>(idx.size()), x.cols());
  for (std::size_t k = 0; k < idx.size(); ++k) out.row(static_cast<Eigen::Index>(k)) = x.row(idx[k]);
  return out;
}

Points select_rows(const Points& x, const Mask& keep) {
  Points out(keep.count(), x.cols());
  Eigen::Index k = 0;
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    if (keep(i)) out.row(k++) = x.row(i);
  return out;
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

Points rejection_sample(std::int64_t n, const Eigen::VectorXd& lo, const Eigen::VectorXd& hi,
                        const std::string& sampler, const std::function<Mask(const Points&)>& keep,
                        double accept_guess, const std::string& who) {
  const int dim = static_cast<int>(lo.size());
  if (n == 0) return Points(0, dim);
  accept_guess = std::clamp(accept_guess, 1e-6, 1.0);
  auto m = static_cast<std::int64_t>(std::ceil(static_cast<double>(n) / accept_guess * 1.1)) + 16;
  while (true) {
    Points x = sample(m, dim, sampler);
    scale_to_box(x, lo, hi);
    const Mask ok = keep(x);
    const std::int64_t count = ok.count();
    if (count >= n) {
      Points accepted = select_rows(x, ok);
      if (sampler != "Hammersley") return accepted.topRows(n);
      Points out(n, dim);
      for (std::int64_t k = 0; k < n; ++k)
        out.row(k) = accepted.row(static_cast<Eigen::Index>((static_cast<double>(k) + 0.5) * count / n));
      return out;
    }
    if (m > (std::int64_t{1} << 31))
      pinnxde::detail::fail<Error>(who, ".random_points: only ", count, " of ", m,
                                   " sampled points fell inside (is the domain empty?)");
    m = count == 0 ? 4 * m : static_cast<std::int64_t>(1.25 * static_cast<double>(m) * n / count) + 16;
  }
}

}  // namespace pinnxde::geometry::detail
