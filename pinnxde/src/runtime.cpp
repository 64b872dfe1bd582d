#include "pinnxde/runtime.hpp"

#include <dlfcn.h>
#include <malloc.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pinnxde/version.hpp"

namespace pinnxde::runtime {
namespace {

bool g_malloc_tuned = false;

template <class F>
F blas_symbol(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_DEFAULT, name));
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The OpenBLAS kernel family this CPU can run, or "" when OpenBLAS' own detection is trusted.
std::string best_openblas_core() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return "";
}

// OpenBLAS 0.3.21 falls back to its generic "Prescott" kernels on CPUs it does not recognise (common on
// VMs with AVX-512), running GEMM ~6x slower. The core type is read once when OpenBLAS loads, so the only
// fix from inside the program is to re-execute it with OPENBLAS_CORETYPE set.
void fix_openblas_core_or_reexec() {
  if (!env("OPENBLAS_CORETYPE").empty() || !env("PINNXDE_NO_REEXEC").empty() || !env("PINNXDE_REEXECED").empty())
    return;
  auto corename = blas_symbol<char* (*)()>("openblas_get_corename");
  if (!corename) return;
  // PINNXDE_ASSUME_OPENBLAS_CORE stands in for OpenBLAS' answer, so that this path can be tested on CPUs
  // that OpenBLAS detects correctly (ctest runtime.openblas_core_reexec).
  const std::string assumed = env("PINNXDE_ASSUME_OPENBLAS_CORE");
  const std::string core = assumed.empty() ? std::string(corename()) : assumed;
  static const char* generic[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Banias",
                                  "Katmai", "Coppermine", "Northwood", "Sandybridge"};
  bool is_generic = false;
  for (const char* g : generic) is_generic |= core == g;
  const std::string best = best_openblas_core();
  if (!is_generic || best.empty()) return;
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.empty()) return;
  std::vector<std::string> args;
  for (std::size_t pos = 0; pos < all.size();) {
    auto end = all.find('\0', pos);
    if (end == std::string::npos) end = all.size();
    args.emplace_back(all.substr(pos, end - pos));
    pos = end + 1;
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  setenv("OPENBLAS_CORETYPE", best.c_str(), 1);
  setenv("PINNXDE_REEXECED", core.c_str(), 1);
  std::cout.flush();
  execv("/proc/self/exe", argv.data());
  // execv only returns on failure: carry on with the slow kernels (the banner says so).
  unsetenv("OPENBLAS_CORETYPE");
}

void tune_malloc() {
  if (!env("PINNXDE_NO_MALLOPT").empty()) return;
  // Keep the per-step tensors (1-7 MB) in the heap instead of fresh mmaps that fault on every touch.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
  mallopt(M_TOP_PAD, 64 * 1024 * 1024);
  g_malloc_tuned = true;
}

int default_threads() {
  const std::string v = env("PINNXDE_NUM_THREADS");
  if (!v.empty()) {
    const int n = std::atoi(v.c_str());
    if (n > 0) return n;
    std::cerr << "pinnxde: ignoring PINNXDE_NUM_THREADS = '" << v << "' (expected a positive integer)\n";
  }
  const unsigned hc = std::thread::hardware_concurrency();
  return hc > 0 ? static_cast<int>(hc) : 1;
}

}  // namespace

// Not a load-time constructor: a library that conditions or geometry users also link must not re-execute
// their program, change their allocator or their thread count just by being loaded.
void initialize() {
  static std::once_flag once;
  std::call_once(once, [] {
    fix_openblas_core_or_reexec();  // returns only when no re-execution was needed (or it failed)
    tune_malloc();
    set_num_threads(default_threads());
  });
}

void set_num_threads(int n) {
  if (n < 1) n = 1;
  torch::set_num_threads(n);
  // LibTorch's intra-op threads (OpenMP) spin between parallel regions and starve OpenBLAS' own pthreads:
  // on 2 cores, 2 + 2 threads made the flagship step 2.5-3x slower than 2 + 1 (docs/performance.md).
  // So BLAS calls run single-threaded inside LibTorch's parallelism unless PINNXDE_BLAS_THREADS says so.
  int blas = 1;
  const std::string v = env("PINNXDE_BLAS_THREADS");
  if (!v.empty() && std::atoi(v.c_str()) > 0) blas = std::atoi(v.c_str());
  if (auto f = blas_symbol<void (*)(int)>("openblas_set_num_threads")) f(blas);
}

Info info() {
  Info i;
  i.torch_threads = torch::get_num_threads();
  i.malloc_tuned = g_malloc_tuned;
  i.torch_version = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                    std::to_string(TORCH_VERSION_PATCH);
  if (void* gemm = dlsym(RTLD_DEFAULT, "sgemm_")) {
    Dl_info dl{};
    if (dladdr(gemm, &dl) && dl.dli_fname) i.blas_path = dl.dli_fname;
  }
  auto config = blas_symbol<char* (*)()>("openblas_get_config");
  auto corename = blas_symbol<char* (*)()>("openblas_get_corename");
  auto threads = blas_symbol<int (*)()>("openblas_get_num_threads");
  if (config) {
    std::istringstream words(config());
    std::string name, version;
    words >> name >> version;
    i.blas = name + " " + version + " (" + (corename ? corename() : "?") + " kernels)";
    i.blas_optimised = true;
    i.blas_threads = threads ? threads() : 1;
  } else if (dlsym(RTLD_DEFAULT, "mkl_get_max_threads") || dlsym(RTLD_DEFAULT, "bli_info_get_version_str")) {
    i.blas = "optimised BLAS";
    i.blas_optimised = true;
  } else {
    i.blas = "reference BLAS";
  }
  return i;
}

std::string describe() {
  const Info i = info();
  std::ostringstream os;
  os << "pinnxde " << PINNXDE_VERSION << " | LibTorch " << i.torch_version << " | BLAS: " << i.blas;
  if (i.blas_optimised) os << ", " << i.blas_threads << " threads";
  os << " | intra-op threads: " << i.torch_threads << " | malloc tuned: " << (i.malloc_tuned ? "yes" : "no");
  return os.str();
}

void print_banner_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    const Info i = info();
    std::cout << describe() << "\n";
    if (!i.blas_optimised)
      std::cout << "pinnxde: WARNING: LibTorch uses the reference BLAS (" << i.blas_path
                << "), which makes training 6-9x slower. Install libopenblas0-pthread and select it with\n"
                   "  update-alternatives --set libblas.so.3-x86_64-linux-gnu "
                   "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3\n";
    if (!env("PINNXDE_REEXECED").empty())
      std::cout << "pinnxde: OpenBLAS had detected the CPU as '" << env("PINNXDE_REEXECED")
                << "'; restarted with OPENBLAS_CORETYPE=" << env("OPENBLAS_CORETYPE") << "\n";
    std::cout.flush();
  });
}

}  // namespace pinnxde::runtime
