// runtime::initialize(): loading libpinnxde configures nothing; the first call does, once.
#include <gtest/gtest.h>

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <pinnxde/pinnxde.hpp>
#include <sstream>
#include <string>

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

// After initialize(), a tensor over glibc's 32 MB cap on the mmap threshold comes from the heap, not from a
// fresh mmap that page-faults on every touch (per-step jets of 24,000 rows x 50 x 8 floats are 38 MB).
TEST(RuntimeTest, InitializeServesLargeTensorsFromTheHeap) {
  if (std::getenv("PINNXDE_NO_MALLOPT")) GTEST_SKIP() << "PINNXDE_NO_MALLOPT is set";
  dde::runtime::initialize();
  ASSERT_TRUE(dde::runtime::info().malloc_tuned);
  const auto mapped_before = mallinfo2().hblkhd;
  for (int round = 0; round < 2; ++round) {
    auto t = torch::ones({16 * 1024 * 1024}, torch::kFloat32);  // 64 MiB
    EXPECT_EQ(t.sum().item<double>(), 16.0 * 1024 * 1024);
    EXPECT_LT(mallinfo2().hblkhd, mapped_before + 32 * 1024 * 1024)
        << "round " << round << ": a 64 MiB tensor was mmapped (" << mallinfo2().hblkhd - mapped_before
        << " bytes more in mmapped blocks)";
  }
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

// The spin token (runtime.hpp): one holder at a time, freed when its socket closes; names that do not fit
// an abstract socket address are refused.
TEST(RuntimeSpin, TokenHasOneHolderAtATime) {
  const std::string name = "pinnxde-test-token-" + std::to_string(getpid());
  const int first = dde::runtime::acquire_spin_token(name);
  ASSERT_GE(first, 0);
  EXPECT_EQ(dde::runtime::acquire_spin_token(name), -1);
  const int other = dde::runtime::acquire_spin_token(name + "-other");  // another name is another token
  EXPECT_GE(other, 0);
  close(other);
  close(first);
  const int again = dde::runtime::acquire_spin_token(name);  // given back by closing
  EXPECT_GE(again, 0);
  close(again);
  EXPECT_EQ(dde::runtime::acquire_spin_token(""), -1);
  EXPECT_EQ(dde::runtime::acquire_spin_token(std::string(108, 'x')), -1);
  std::string longest_name = name;
  longest_name.resize(107, 'y');  // the most sun_path (108 bytes) holds after its leading 0
  const int longest = dde::runtime::acquire_spin_token(longest_name);
  EXPECT_GE(longest, 0);
  if (longest >= 0) close(longest);
}

TEST(RuntimeSpin, ThreadsFitOnTheFreeCores) {
  EXPECT_TRUE(dde::runtime::fits_free_cores(2, 2, 0.0));
  EXPECT_TRUE(dde::runtime::fits_free_cores(2, 2, 0.4));   // rounds to an idle machine
  EXPECT_FALSE(dde::runtime::fits_free_cores(2, 2, 0.6));  // one core busy
  EXPECT_TRUE(dde::runtime::fits_free_cores(1, 2, 1.0));
  EXPECT_FALSE(dde::runtime::fits_free_cores(3, 2, 0.0));  // more threads than cores
  EXPECT_TRUE(dde::runtime::fits_free_cores(4, 2, -1));    // load unknown
}

// While this process holds the token, a two-thread run of another program on an idle machine spins
// briefly and says why; once the token is given back, the next run takes it. ctest runtime.spin_token_held
// gives the program (PINNXDE_TEST_PROGRAM).
TEST(RuntimeSpin, ASecondRunSpinsBrieflyWhileTheTokenIsHeld) {
  const char* program = std::getenv("PINNXDE_TEST_PROGRAM");
  if (!program) GTEST_SKIP() << "PINNXDE_TEST_PROGRAM is not set (ctest runtime.spin_token_held sets it)";
  const std::string name = "pinnxde-test-held-" + std::to_string(getpid());
  const std::string log = ::testing::TempDir() + "spin_token_" + std::to_string(getpid()) + ".log";
  auto banner = [&] {
    const std::string cmd = "env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u PINNXDE_NO_REEXEC -u PINNXDE_REEXECED "
                            "-u PINNXDE_ASSUME_OPENBLAS_CORE PINNXDE_NUM_THREADS=2 'PINNXDE_ASSUME_LOADAVG=0.0 1/100' "
                            "PINNXDE_SPIN_TOKEN=" + name + " '" + std::string(program) + "' --until 2 --out '" + log +
                            ".out' > '" + log + "' 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(log);
    std::stringstream all;
    all << in.rdbuf();
    const std::string text = all.str();
    const auto at = text.find("intra-op threads:");
    return at == std::string::npos ? text : text.substr(at, text.find('|', at) - at);
  };
  const int held = dde::runtime::acquire_spin_token(name);
  ASSERT_GE(held, 0);
  EXPECT_EQ(banner(), "intra-op threads: 2 (OpenMP idle threads: GOMP_SPINCOUNT=1000: another pinnxde run holds "
                      "the spin token) ");
  close(held);
  EXPECT_EQ(banner(), "intra-op threads: 2 (OpenMP idle threads: long spin, libgomp's default: this run holds the "
                      "spin token) ");
  std::remove(log.c_str());
  std::remove((log + ".out").c_str());
}

}  // namespace
