#include "pinnxde/geometry/sampler.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <vector>

#include "detail.hpp"
#include "pinnxde/geometry/random.hpp"

namespace pinnxde::geometry {
namespace {

constexpr const char* kValid = "pseudo, LHS, Halton, Hammersley, Sobol";

// First k primes.
std::vector<unsigned> primes(int k) {
  std::vector<unsigned> p;
  for (unsigned c = 2; static_cast<int>(p.size()) < k; ++c)
    if (std::none_of(p.begin(), p.end(), [c](unsigned q) { return c % q == 0; })) p.push_back(c);
  return p;
}

// Van der Corput radical inverse of i in the given base.
double radical_inverse(std::uint64_t i, unsigned base) {
  const double inv = 1.0 / base;
  double f = inv, r = 0.0;
  while (i > 0) {
    r += f * static_cast<double>(i % base);
    i /= base;
    f *= inv;
  }
  return r;
}

// Columns first..dim-1 of out get the radical inverses of (i + 1) in successive primes.
void fill_halton(Points& out, int first) {
  const int dim = static_cast<int>(out.cols());
  const auto p = primes(dim - first);
  for (Eigen::Index i = 0; i < out.rows(); ++i)
    for (int j = first; j < dim; ++j)
      out(i, j) = radical_inverse(static_cast<std::uint64_t>(i) + 1, p[static_cast<std::size_t>(j - first)]);
}

// Joe & Kuo (2008), new-joe-kuo-6.21201, dimensions 2..21: degree s, coefficients a, initial m_1..m_s.
struct SobolPoly {
  unsigned s, a;
  std::array<unsigned, 8> m;
};
constexpr std::array<SobolPoly, 20> kJoeKuo{{
    {1, 0, {1}},
    {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},
    {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},
    {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},
    {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},
    {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},
    {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},
    {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},
    {6, 19, {1, 1, 1, 15, 7, 5}},
    {6, 22, {1, 3, 1, 15, 13, 25}},
    {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},
}};
constexpr int kSobolMaxDim = static_cast<int>(kJoeKuo.size()) + 1;
constexpr int kBits = 32;

// Direction numbers v[k], k = 0..31, of dimension d (0-based), scaled by 2^32.
std::array<std::uint32_t, kBits> sobol_directions(int d) {
  std::array<std::uint32_t, kBits> v{};
  if (d == 0) {
    for (int k = 0; k < kBits; ++k) v[k] = std::uint32_t{1} << (kBits - 1 - k);
    return v;
  }
  const SobolPoly& p = kJoeKuo[static_cast<std::size_t>(d - 1)];
  const int s = static_cast<int>(p.s);
  for (int k = 0; k < kBits; ++k) {
    if (k < s) {
      v[k] = p.m[static_cast<std::size_t>(k)] << (kBits - 1 - k);
    } else {
      v[k] = v[k - s] ^ (v[k - s] >> s);
      for (int j = 1; j < s; ++j)
        if ((p.a >> (s - 1 - j)) & 1u) v[k] ^= v[k - j];
    }
  }
  return v;
}

Points sobol(std::int64_t n, int dim) {
  if (dim > kSobolMaxDim)
    pinnxde::detail::fail("sample: Sobol supports dim <= ", kSobolMaxDim, ", got dim = ", dim,
                          " (use Halton or Hammersley)");
  const std::int64_t skip = dim < 3 ? 1 : 2;  // [0, ..., 0] and, for dim >= 3, [0.5, ..., 0.5]
  if (n + skip > (std::int64_t{1} << kBits))
    pinnxde::detail::fail("sample: Sobol supports n <= 2^32 - ", skip, ", got n = ", n);
  std::vector<std::array<std::uint32_t, kBits>> v;
  for (int d = 0; d < dim; ++d) v.push_back(sobol_directions(d));
  std::vector<std::uint32_t> state(static_cast<std::size_t>(dim), 0u);
  Points out(n, dim);
  for (std::int64_t i = 1; i < n + skip; ++i) {
    // Gray-code order: point i differs from point i-1 by the direction of the lowest zero bit of i-1.
    const int c = std::countr_one(static_cast<std::uint64_t>(i - 1));
    for (int d = 0; d < dim; ++d) state[static_cast<std::size_t>(d)] ^= v[static_cast<std::size_t>(d)][static_cast<std::size_t>(c)];
    if (i >= skip)
      for (int d = 0; d < dim; ++d) out(i - skip, d) = static_cast<double>(state[static_cast<std::size_t>(d)]) * 0x1.0p-32;
  }
  return out;
}

Points latin_hypercube(std::int64_t n, int dim) {
  Points out(n, dim);
  for (int d = 0; d < dim; ++d) {
    const auto perm = detail::permutation(n);
    for (std::int64_t i = 0; i < n; ++i)
      out(i, d) = (static_cast<double>(perm[static_cast<std::size_t>(i)]) + detail::uniform01()) / static_cast<double>(n);
  }
  return out;
}

thread_local int random_shift_depth = 0;

// The Cranley-Patterson rotation: one uniform shift per coordinate, added modulo 1.
Points shifted(Points out) {
  if (random_shift_depth == 0 || out.rows() == 0) return out;
  std::vector<double> shift(static_cast<std::size_t>(out.cols()));
  for (double& s : shift) s = detail::uniform01();
  for (Eigen::Index i = 0; i < out.rows(); ++i)
    for (Eigen::Index d = 0; d < out.cols(); ++d) {
      const double v = out(i, d) + shift[static_cast<std::size_t>(d)];
      out(i, d) = v >= 1 ? v - 1 : v;
    }
  return out;
}

}  // namespace

RandomShiftScope::RandomShiftScope() { ++random_shift_depth; }
RandomShiftScope::~RandomShiftScope() { --random_shift_depth; }

void check_sampler(const std::string& sampler) {
  if (sampler != "pseudo" && sampler != "LHS" && sampler != "Halton" && sampler != "Hammersley" &&
      sampler != "Sobol")
    pinnxde::detail::fail("sample: unknown sampler '", sampler, "'; valid: ", kValid);
}

Points sample(std::int64_t n, int dim, const std::string& sampler) {
  check_sampler(sampler);
  if (n < 0) pinnxde::detail::fail("sample: n = ", n, " (expected n >= 0)");
  if (dim < 1) pinnxde::detail::fail("sample: dim = ", dim, " (expected dim >= 1)");
  if (n > kMaxPoints) pinnxde::detail::fail("sample: n = ", n, " (expected n <= kMaxPoints = ", kMaxPoints, ")");
  if (sampler == "pseudo") {
    Points out(n, dim);
    // Row-major fill: point i consumes draws i*dim .. i*dim+dim-1, as numpy's rng.random((n, dim)).
    for (Eigen::Index k = 0; k < out.size(); ++k) out.data()[k] = detail::uniform01();
    return out;
  }
  if (sampler == "LHS") return latin_hypercube(n, dim);
  if (sampler == "Sobol") return shifted(sobol(n, dim));
  Points out(n, dim);
  if (sampler == "Halton") {
    fill_halton(out, 0);
  } else {  // Hammersley
    for (Eigen::Index i = 0; i < n; ++i) out(i, 0) = (static_cast<double>(i) + 0.5) / static_cast<double>(n);
    if (dim > 1) fill_halton(out, 1);
  }
  return shifted(std::move(out));
}

}  // namespace pinnxde::geometry
