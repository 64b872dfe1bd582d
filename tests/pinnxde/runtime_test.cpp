// runtime::initialize(): loading libpinnxde configures nothing; the first call does, once.
#include <gtest/gtest.h>

#include <cstdlib>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;

namespace {

// Read while the test program starts: libpinnxde is loaded (its static constructors have run) and no test
// has built a Model yet.
const bool g_malloc_tuned_at_load = dde::runtime::info().malloc_tuned;

TEST(RuntimeTest, LoadingTheLibraryConfiguresNothingAndInitializeDoesOnce) {
  EXPECT_FALSE(g_malloc_tuned_at_load) << "loading libpinnxde ran the runtime set-up";
  if (std::getenv("PINNXDE_NO_MALLOPT")) GTEST_SKIP() << "PINNXDE_NO_MALLOPT is set";
  if (dde::runtime::info().malloc_tuned)
    GTEST_SKIP() << "initialize() already ran in this process (run the test alone, as ctest does)";
  dde::runtime::initialize();
  EXPECT_TRUE(dde::runtime::info().malloc_tuned);
  if (const char* n = std::getenv("PINNXDE_NUM_THREADS"); n && std::atoi(n) > 0) {
    EXPECT_EQ(dde::runtime::info().torch_threads, std::atoi(n));
  }
  // Idempotent: a thread count set after the first call survives later calls (and Model constructions).
  dde::runtime::set_num_threads(1);
  dde::runtime::initialize();
  EXPECT_EQ(dde::runtime::info().torch_threads, 1);
}

// After initialize(), subnormal floats are 0 (flush-to-zero, denormals-are-zero) in the calling thread and
// in LibTorch's threads: 1e-39 is subnormal in float32 (the smallest normal is 1.18e-38).
TEST(RuntimeTest, InitializeFlushesDenormalsInEveryThread) {
  if (std::getenv("PINNXDE_KEEP_DENORMALS")) GTEST_SKIP() << "PINNXDE_KEEP_DENORMALS is set";
  dde::runtime::initialize();
  ASSERT_TRUE(dde::runtime::info().denormals_flushed);
  EXPECT_NE(dde::runtime::describe().find("denormals: flushed to 0"), std::string::npos);
  auto tiny = torch::full({1}, 1e-30f) * 1e-9f;  // the product is subnormal: flushed
  EXPECT_EQ(tiny.item<float>(), 0.0f);
  const int threads = torch::get_num_threads();
  dde::runtime::set_num_threads(2);
  // A large elementwise product runs on both of LibTorch's threads: every element 0.
  auto big = torch::full({1 << 20}, 1e-30f) * torch::full({1 << 20}, 1e-9f);
  EXPECT_EQ(big.count_nonzero().item<std::int64_t>(), 0);
  auto normal = torch::full({1 << 20}, 1e-20f) * torch::full({1 << 20}, 1e-9f);  // 1e-29: normal, kept
  EXPECT_EQ(normal.count_nonzero().item<std::int64_t>(), 1 << 20);
  dde::runtime::set_num_threads(threads);
}

}  // namespace
