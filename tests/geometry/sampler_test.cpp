#include "test_util.hpp"

namespace pinnxde::geometry {
namespace {
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(Sampler, AllPointsInUnitCubeAndShape) {
  for (const auto& name : test::kSamplers)
    for (int dim : {1, 2, 3, 8}) {
      SCOPED_TRACE(name + " dim " + std::to_string(dim));
      const Points x = sample(777, dim, name);
      ASSERT_EQ(x.rows(), 777);
      ASSERT_EQ(x.cols(), dim);
      EXPECT_GE(x.minCoeff(), 0.0);
      EXPECT_LT(x.maxCoeff(), 1.0);
      // No point on the cube's corner (0, ..., 0).
      EXPECT_GT(x.rowwise().norm().minCoeff(), 0.0);
    }
}

TEST(Sampler, EmptySample) { EXPECT_EQ(sample(0, 3, "Sobol").rows(), 0); }

TEST(Sampler, HaltonFirstPoints) {
  const Points x = sample(3, 3, "Halton");
  // Radical inverses of 1, 2, 3 in bases 2, 3, 5.
  EXPECT_DOUBLE_EQ(x(0, 0), 0.5);
  EXPECT_DOUBLE_EQ(x(0, 1), 1.0 / 3);
  EXPECT_DOUBLE_EQ(x(0, 2), 0.2);
  EXPECT_DOUBLE_EQ(x(1, 0), 0.25);
  EXPECT_DOUBLE_EQ(x(1, 1), 2.0 / 3);
  EXPECT_DOUBLE_EQ(x(2, 0), 0.75);
  EXPECT_DOUBLE_EQ(x(2, 1), 1.0 / 9);
}

TEST(Sampler, HammersleyFirstCoordinateIsMidpointGrid) {
  const Points x = sample(10, 2, "Hammersley");
  for (int i = 0; i < 10; ++i) {
    EXPECT_DOUBLE_EQ(x(i, 0), (i + 0.5) / 10);
  }
  EXPECT_DOUBLE_EQ(x(0, 1), 0.5);
  EXPECT_DOUBLE_EQ(x(1, 1), 0.25);
}

TEST(Sampler, SobolMatchesReferenceSequence) {
  // Unscrambled Sobol (Joe-Kuo) in 2-D: (0,0), (.5,.5), (.75,.25), (.25,.75), (.375,.375), (.875,.875);
  // the first point is skipped.
  const Points x = sample(5, 2, "Sobol");
  Points expected(5, 2);
  expected << 0.5, 0.5, 0.75, 0.25, 0.25, 0.75, 0.375, 0.375, 0.875, 0.875;
  EXPECT_TRUE(x.isApprox(expected, 0)) << x;
  // dim >= 3 also skips the centre point: the first point is (.75, .25, .25) (3rd dim: s=2, a=1, m=1,3).
  const Points y = sample(1, 3, "Sobol");
  EXPECT_DOUBLE_EQ(y(0, 0), 0.75);
  EXPECT_DOUBLE_EQ(y(0, 1), 0.25);
  EXPECT_DOUBLE_EQ(y(0, 2), 0.25);
}

TEST(Sampler, SobolIsStratifiedInEveryDimension) {
  // The first 2^m Sobol points (plus the skipped origin) put exactly one point in each of the 2^m
  // elementary intervals of each coordinate.
  const int m = 8, n = 1 << m, dim = 21;
  // dim >= 3 skips the sequence's points 0 (origin) and 1 (centre); put them back.
  Points x(n, dim);
  x.row(0).setZero();
  x.row(1).setConstant(0.5);
  x.bottomRows(n - 2) = sample(n - 2, dim, "Sobol");
  for (int d = 0; d < dim; ++d) {
    std::vector<int> count(n, 0);
    for (int i = 0; i < n; ++i) ++count[static_cast<std::size_t>(x(i, d) * n)];
    EXPECT_EQ(*std::min_element(count.begin(), count.end()), 1) << "dim " << d;
  }
}

TEST(Sampler, LatinHypercubeHasOnePointPerStratum) {
  seed(7);
  const int n = 64;
  const Points x = sample(n, 4, "LHS");
  for (int d = 0; d < 4; ++d) {
    std::vector<int> count(n, 0);
    for (int i = 0; i < n; ++i) ++count[static_cast<std::size_t>(x(i, d) * n)];
    EXPECT_EQ(*std::max_element(count.begin(), count.end()), 1);
  }
}

TEST(Sampler, SeedReproducesPseudoAndLHS) {
  for (const std::string name : {"pseudo", "LHS"}) {
    seed(123);
    const Points a = sample(100, 3, name);
    seed(123);
    const Points b = sample(100, 3, name);
    seed(124);
    const Points c = sample(100, 3, name);
    EXPECT_TRUE(a == b) << name;
    EXPECT_GT((a - c).cwiseAbs().maxCoeff(), 0.1) << name;
  }
}

TEST(Sampler, QuasiRandomIsDeterministic) {
  for (const std::string name : {"Halton", "Hammersley", "Sobol"}) {
    seed(1);
    const Points a = sample(50, 2, name);
    seed(2);
    EXPECT_TRUE(a == sample(50, 2, name)) << name;
  }
}

// Inside a RandomShiftScope a quasi-random set is the deterministic one rotated by one random vector
// modulo 1 (so its low discrepancy is kept), a new rotation per call, reproducible from the seed.
TEST(Sampler, RandomShiftScopeRotatesQuasiRandomSetsModuloOne) {
  for (const std::string name : {"Halton", "Hammersley", "Sobol"}) {
    SCOPED_TRACE(name);
    const Points base = sample(64, 3, name);
    Points first, second, again;
    seed(7);
    {
      RandomShiftScope shift;
      first = sample(64, 3, name);
      second = sample(64, 3, name);
    }
    EXPECT_TRUE(base == sample(64, 3, name));  // the scope has ended: deterministic again
    seed(7);
    {
      RandomShiftScope outer;
      RandomShiftScope inner;  // nested scopes: still one rotation per call
      again = sample(64, 3, name);
    }
    EXPECT_TRUE(first == again);
    for (const Points* x : {&first, &second}) {
      EXPECT_GE(x->minCoeff(), 0.0);
      EXPECT_LT(x->maxCoeff(), 1.0);
      for (int d = 0; d < 3; ++d) {
        const double s = std::fmod((*x)(0, d) - base(0, d) + 1, 1.0);
        EXPECT_GT(std::min(s, 1 - s), 1e-9) << "column " << d << " not shifted";
        for (Eigen::Index i = 1; i < 64; ++i) {
          const double si = std::fmod((*x)(i, d) - base(i, d) + 1, 1.0);
          EXPECT_NEAR(std::min(std::abs(si - s), 1 - std::abs(si - s)), 0.0, 1e-12) << "row " << i << " column " << d;
        }
      }
    }
    EXPECT_GT((first - second).cwiseAbs().maxCoeff(), 1e-3);  // each call its own rotation
  }
  seed(7);
  const Points p = sample(10, 2, "pseudo");
  seed(7);
  RandomShiftScope shift;
  EXPECT_TRUE(p == sample(10, 2, "pseudo"));  // the random samplers are not touched
}

TEST(Sampler, PseudoMomentsAreUniform) {
  seed(3);
  const Points x = sample(200000, 2, "pseudo");
  EXPECT_NEAR(x.mean(), 0.5, 3e-3);
  EXPECT_NEAR(x.array().square().mean(), 1.0 / 3, 3e-3);
  // Coordinates uncorrelated.
  EXPECT_NEAR((x.col(0).array() * x.col(1).array()).mean(), 0.25, 3e-3);
}

// Integral of x e^x y e^y over the unit square is exactly 1.
double integration_error(const Points& x) {
  const Eigen::ArrayXd f = x.col(0).array() * x.col(0).array().exp() * x.col(1).array() * x.col(1).array().exp();
  return std::abs(f.mean() - 1.0);
}

TEST(Sampler, QuasiRandomBeatsPseudoOnIntegration) {
  const int n = 1024;
  double pseudo_ms = 0;
  for (std::uint64_t s = 0; s < 20; ++s) {
    seed(s);
    pseudo_ms += std::pow(integration_error(sample(n, 2, "pseudo")), 2) / 20;
  }
  const double pseudo_rms = std::sqrt(pseudo_ms);
  EXPECT_GT(pseudo_rms, 5e-3);  // ~ std(f) / sqrt(n) ~ 0.03
  for (const std::string name : {"Halton", "Hammersley", "Sobol"}) {
    const double err = integration_error(sample(n, 2, name));
    EXPECT_LT(err, 0.25 * pseudo_rms) << name << " error " << err << " vs pseudo rms " << pseudo_rms;
  }
}

TEST(Sampler, Errors) {
  EXPECT_THAT([] { sample(10, 2, "foo"); },
              ThrowsMessage<ValueError>(HasSubstr(
                  "sample: unknown sampler 'foo'; valid: pseudo, LHS, Halton, Hammersley, Sobol")));
  EXPECT_THAT([] { sample(-1, 2, "pseudo"); }, ThrowsMessage<ValueError>(HasSubstr("n = -1 (expected n >= 0)")));
  EXPECT_THAT([] { sample(1, 0, "pseudo"); }, ThrowsMessage<ValueError>(HasSubstr("dim = 0 (expected dim >= 1)")));
  EXPECT_THAT([] { sample(1, 22, "Sobol"); }, ThrowsMessage<ValueError>(HasSubstr("Sobol supports dim <= 21")));
}

}  // namespace
}  // namespace pinnxde::geometry
