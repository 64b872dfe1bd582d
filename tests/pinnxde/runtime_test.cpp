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

}  // namespace
