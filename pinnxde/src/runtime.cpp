#include "pinnxde/runtime.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <torch/types.h>
#include <torch/version.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
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

// PINNXDE_NUM_THREADS when it is a positive integer, else 0.
int env_threads() {
  const int n = std::atoi(env("PINNXDE_NUM_THREADS").c_str());
  return n > 0 ? n : 0;
}

int cores() {
  const unsigned hc = std::thread::hardware_concurrency();
  return hc > 0 ? static_cast<int>(hc) : 1;
}

// How many cores other processes keep busy, or -1 when unknown: the smaller of the 1-minute load average
// and the number of runnable threads, less this one (/proc/loadavg's first and fourth fields). The average
// alone lags by a minute, so a program started just after another one ended would back off for nothing;
// the runnable count is a snapshot, which a compiler's blip or a process still exiting can catch, so it is
// sampled five times over ~10 ms and the smallest count taken (threads that keep cores busy are runnable
// at every sample). Both high means the cores are taken. PINNXDE_ASSUME_LOADAVG="2.5 3/400,1/400" stands
// in for the file in tests (the load average, then one runnable count per sample).
double sample_busy_cores() {
  const std::string assumed = env("PINNXDE_ASSUME_LOADAVG");
  double load1 = -1;
  std::vector<std::string> samples;
  if (!assumed.empty()) {
    std::istringstream in(assumed);
    std::string list;
    if (!(in >> load1)) return -1;
    in >> list;
    std::istringstream items(list);
    for (std::string s; std::getline(items, s, ',');) samples.push_back(s);
  } else {
    constexpr int kSamples = 5;
    for (int i = 0; i < kSamples; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::microseconds(2500));
      std::ifstream f("/proc/loadavg");
      std::string line;
      if (!std::getline(f, line)) return i == 0 ? -1 : load1;
      std::istringstream in(line);
      double l1 = -1, load5 = 0, load15 = 0;
      std::string running;
      if (!(in >> l1 >> load5 >> load15 >> running)) return i == 0 ? -1 : load1;
      if (i == 0) load1 = l1;
      samples.push_back(running);
    }
  }
  int now = -1;
  for (const auto& s : samples) {
    const auto slash = s.find('/');
    if (slash == std::string::npos) continue;
    const int n = std::max(std::atoi(s.substr(0, slash).c_str()) - 1, 0);  // not counting this thread
    now = now < 0 ? n : std::min(now, n);
  }
  return now < 0 ? load1 : std::min(load1, static_cast<double>(now));
}

// Once per process (start-up asks several times).
double read_busy_cores() {
  static const double busy = sample_busy_cores();
  return busy;
}

// Settings that only take effect when the process starts, because the libraries read them once as they
// load: the fix from inside the program is to re-execute it with them set (once, with the same arguments).
//  - OpenBLAS 0.3.21 falls back to its generic "Prescott" kernels on CPUs it does not recognise (common on
//    VMs with AVX-512), running GEMM ~6x slower: OPENBLAS_CORETYPE.
//  - libgomp's idle threads spin (~300,000 pauses, its default) after a parallel region before they sleep.
//    Alone on the machine that is what makes a multithreaded step fast: a thread that went to sleep costs a
//    wake-up at the next region, tens of microseconds on a VM (flagship, 2 threads: 9.0-9.4 ms a step with
//    the long spin against 13-16 ms with GOMP_SPINCOUNT=1000; heat 2.0 against 5.3). But two processes that
//    both spin long on the same cores take them from each other's working threads: 214 ms a step each
//    instead of ~20 (docs/performance.md). One long spinner beside short spinners or one-thread runs is no
//    cliff (27 and 23 ms). So the long spin is a token that one multithreaded pinnxde process per machine
//    holds (spin_token below); every other one, and any run started while other programs keep the cores
//    busy, spins briefly (GOMP_SPINCOUNT=1000). Nothing is done for a one-thread run (no idle OpenMP
//    threads) or when the user chose OMP_WAIT_POLICY or GOMP_SPINCOUNT.
constexpr const char* kSpinCount = "1000";
constexpr const char* kSpinTokenName = "pinnxde-openmp-spin";

int g_spin_token_fd = -1;   // the token's socket while this process holds it
std::string g_spin_reason;  // why this run spins briefly (pinnxde chose it), for the banner

std::string spin_token_name() {
  const std::string v = env("PINNXDE_SPIN_TOKEN");  // tests use a name of their own
  return v.empty() ? kSpinTokenName : v;
}

// Takes the token for a run with `threads` threads when the machine has room for them (load as
// read_busy_cores; unknown counts as room) and nobody holds it; the socket is kept open across a
// re-execution (it is this process's) and closed on any later exec.
bool take_spin_token(int threads, double busy, bool keep_across_exec) {
  if (!fits_free_cores(threads, cores(), busy)) {
    g_spin_reason = threads > cores() ? "more threads than cores" : "the machine is busy";
    return false;
  }
  g_spin_token_fd = acquire_spin_token(spin_token_name(), !keep_across_exec);
  if (g_spin_token_fd < 0) g_spin_reason = "another pinnxde run holds the spin token";
  return g_spin_token_fd >= 0;
}

// After a re-execution: the token socket the first image took (PINNXDE_SPIN_TOKEN_FD), or the reason it
// chose the brief spin (PINNXDE_SPIN_REASON).
void adopt_spin_state() {
  const std::string fd = env("PINNXDE_SPIN_TOKEN_FD");
  if (!fd.empty()) {
    char* end = nullptr;
    const long n = std::strtol(fd.c_str(), &end, 10);
    struct stat st {};
    if (*end == '\0' && n >= 0 && n <= 1 << 20 && fstat(static_cast<int>(n), &st) == 0 && S_ISSOCK(st.st_mode)) {
      g_spin_token_fd = static_cast<int>(n);
      fcntl(g_spin_token_fd, F_SETFD, FD_CLOEXEC);
    }
    unsetenv("PINNXDE_SPIN_TOKEN_FD");
  }
  g_spin_reason = env("PINNXDE_SPIN_REASON");
  unsetenv("PINNXDE_SPIN_REASON");
}

void reexec_with_start_up_settings() {
  if (!env("PINNXDE_REEXECED").empty()) return adopt_spin_state();
  const int threads = env_threads() > 0 ? env_threads() : cores();
  const bool spin_is_ours = env("OMP_WAIT_POLICY").empty() && env("GOMP_SPINCOUNT").empty() && threads > 1;
  if (!env("PINNXDE_NO_REEXEC").empty()) {
    // libgomp keeps its long spin (it has read its settings): take the token, if free, so that other runs
    // started later spin briefly beside this one.
    if (spin_is_ours) take_spin_token(threads, read_busy_cores(), false);
    return;
  }
  std::vector<std::pair<std::string, std::string>> set;
  std::string reason;
  if (env("OPENBLAS_CORETYPE").empty()) {
    auto corename = blas_symbol<char* (*)()>("openblas_get_corename");
    // PINNXDE_ASSUME_OPENBLAS_CORE stands in for OpenBLAS' answer, so that this path can be tested on CPUs
    // that OpenBLAS detects correctly (ctest runtime.openblas_core_reexec).
    const std::string assumed = env("PINNXDE_ASSUME_OPENBLAS_CORE");
    const std::string core = !assumed.empty() ? assumed : corename ? std::string(corename()) : std::string();
    static const char* generic[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Banias",
                                    "Katmai", "Coppermine", "Northwood", "Sandybridge"};
    bool is_generic = false;
    for (const char* g : generic) is_generic |= core == g;
    const std::string best = best_openblas_core();
    if (is_generic && !best.empty()) {
      set.emplace_back("OPENBLAS_CORETYPE", best);
      reason = core;
    }
  }
  if (spin_is_ours && !take_spin_token(threads, read_busy_cores(), !set.empty()))
    set.emplace_back("GOMP_SPINCOUNT", kSpinCount);
  if (set.empty()) return;
  // Without a re-execution libgomp spins long: the token, if taken, stays this process's alone.
  auto carry_on = [] {
    g_spin_reason.clear();
    if (g_spin_token_fd >= 0) fcntl(g_spin_token_fd, F_SETFD, FD_CLOEXEC);
  };
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.empty()) return carry_on();
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
  for (const auto& [k, v] : set) setenv(k.c_str(), v.c_str(), 1);
  if (g_spin_token_fd >= 0) setenv("PINNXDE_SPIN_TOKEN_FD", std::to_string(g_spin_token_fd).c_str(), 1);
  else if (!g_spin_reason.empty()) setenv("PINNXDE_SPIN_REASON", g_spin_reason.c_str(), 1);
  // What the banner reports: the core OpenBLAS had detected, or "-" when only the wait policy was set.
  setenv("PINNXDE_REEXECED", reason.empty() ? "-" : reason.c_str(), 1);
  std::cout.flush();
  execv("/proc/self/exe", argv.data());
  // execv only returns on failure: carry on as we are (the banner says what runs; libgomp spins long).
  for (const auto& [k, v] : set) unsetenv(k.c_str());
  for (const char* k : {"PINNXDE_REEXECED", "PINNXDE_SPIN_TOKEN_FD", "PINNXDE_SPIN_REASON"}) unsetenv(k);
  carry_on();
}

void tune_malloc() {
  if (!env("PINNXDE_NO_MALLOPT").empty()) return;
  // Keep the per-step tensors in the heap instead of fresh mmaps that fault on every touch. The threshold
  // covers the 1-7 MB tensors of a typical step, but glibc caps it at 32 MB, and bigger problems have bigger
  // ones: Beltrami's L-BFGS on 24,000 rows makes 38 MB jets, and with each one mmapped and faulted in anew
  // an iteration cost 2-5x more (docs/performance.md). M_MMAP_MAX = 0 serves every size from the heap; the
  // trim threshold still hands a top of the heap over 512 MB free back to the OS.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
  mallopt(M_TOP_PAD, 64 * 1024 * 1024);
  g_malloc_tuned = true;
}

// What initialize() saw, for the banner: the load average, and the thread count before backing off.
double g_load = -1;
// Subnormal floats (below 1.2e-38 in float32) take the CPU's slow microcoded path: a causal-training run
// whose closed windows carry weights like exp(-100 * 1) sent them through every product of its backward
// pass, and its steps became ~28x slower (docs/performance.md). Flush-to-zero and denormals-are-zero make
// them 0. The mode is per thread: set in the calling thread and in each of LibTorch's OpenMP threads (a
// thread created later inherits its creator's mode).
bool g_flush_denormals = false, g_denormals_flushed = false;
void flush_denormals() {
  if (!at::globalContext().setFlushDenormal(true)) return;  // a CPU without the modes
  bool all = true;
#pragma omp parallel reduction(&& : all)
  all = at::globalContext().setFlushDenormal(true);
  g_denormals_flushed = all;
}

int g_cores = 1, g_unbacked_threads = 0;  // the default is never backed off (see default_threads)
bool g_threads_from_env = false;

int default_threads() {
  g_cores = cores();
  g_load = read_busy_cores();
  const std::string v = env("PINNXDE_NUM_THREADS");
  if (!v.empty()) {
    if (const int n = env_threads(); n > 0) {
      g_threads_from_env = true;
      return n;
    }
    std::cerr << "pinnxde: ignoring PINNXDE_NUM_THREADS = '" << v << "' (expected a positive integer)\n";
  }
  // One thread per core whatever the load: a count that followed the load would make two runs of the same
  // program differ in their bits (parallel reductions split differently). The banner advises instead.
  return g_cores;
}

}  // namespace

// Not a load-time constructor: a library that conditions or geometry users also link must not re-execute
// their program, change their allocator or their thread count just by being loaded.
void initialize() {
  static std::once_flag once;
  std::call_once(once, [] {
    reexec_with_start_up_settings();  // returns only when no re-execution was needed (or it failed)
    tune_malloc();
    g_flush_denormals = env("PINNXDE_KEEP_DENORMALS").empty();
    set_num_threads(default_threads());
  });
}

int threads_for_load(int cores, double load) {
  if (cores < 1) cores = 1;
  if (!(load > 0)) return cores;
  // The cores the other processes leave free (the load average counts runnable threads), at least one.
  const int busy = static_cast<int>(load + 0.5);
  return std::max(1, std::min(cores, cores - busy));
}

bool fits_free_cores(int threads, int cores, double load) {
  // Rounded as threads_for_load rounds: a load of 0.2 is an idle machine.
  return !(load >= 0) || static_cast<int>(load + 0.5) + threads <= cores;
}

int acquire_spin_token(const std::string& name, bool close_on_exec) {
  sockaddr_un addr{};
  if (name.empty() || name.size() + 1 > sizeof(addr.sun_path)) return -1;
  const int fd = socket(AF_UNIX, SOCK_STREAM | (close_on_exec ? SOCK_CLOEXEC : 0), 0);
  if (fd < 0) return -1;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.data(), name.size());  // sun_path[0] = 0: the abstract namespace
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string load_warning(double load, int threads, int cores, int backed_off_from, bool threads_from_env) {
  if (fits_free_cores(threads, cores, load)) return "";
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(1);
  os << "pinnxde: WARNING: the machine is busy: load " << load << " + this process's " << threads
     << " thread" << (threads == 1 ? "" : "s") << " > " << cores << " core" << (cores == 1 ? "" : "s")
     << ". Threads beyond the free cores slow each step down (docs/performance.md).";
  if (backed_off_from > threads)
    os << " pinnxde uses " << threads << " thread" << (threads == 1 ? "" : "s") << " instead of " << backed_off_from
       << ";";
  if (threads_from_env) os << " PINNXDE_NUM_THREADS = " << threads << " was set;";
  const int suggest = threads_for_load(cores, load);
  if (threads > suggest)
    os << " run with PINNXDE_NUM_THREADS=" << suggest
       << " (or fewer concurrent programs) for the best speed on a shared machine (docs/performance.md).";
  else
    os << " run fewer programs at once for the best speed (docs/performance.md).";
  return os.str();
}

void set_num_threads(int n) {
  if (n < 1) n = 1;
  torch::set_num_threads(n);
  if (g_flush_denormals) flush_denormals();
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
  i.omp_wait_policy = !env("OMP_WAIT_POLICY").empty() ? "OMP_WAIT_POLICY=" + env("OMP_WAIT_POLICY")
                      : !env("GOMP_SPINCOUNT").empty()
                          ? "GOMP_SPINCOUNT=" + env("GOMP_SPINCOUNT") + (g_spin_reason.empty() ? "" : ": " + g_spin_reason)
                      : g_spin_token_fd >= 0 ? std::string("long spin, libgomp's default: this run holds the spin token")
                                             : std::string("long spin, libgomp's default");
  i.malloc_tuned = g_malloc_tuned;
  i.denormals_flushed = g_denormals_flushed;
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

std::string openblas_core_note(const std::string& env_core, const std::string& running, const std::string& best) {
  if (env_core.empty() || best != "SkylakeX") return "";
  for (const char* avx512 : {"SkylakeX", "Cooperlake", "SapphireRapids"})
    if (running == avx512) return "";
  return "pinnxde: OPENBLAS_CORETYPE=" + env_core + " (set in the environment) keeps OpenBLAS on its " + running +
         " kernels; this CPU has AVX-512: unset OPENBLAS_CORETYPE (OpenBLAS then picks its own) or set it to "
         "SkylakeX for up to 1.6x faster steps (docs/performance.md)";
}

std::string describe() {
  const Info i = info();
  std::ostringstream os;
  os << "pinnxde " << PINNXDE_VERSION << " | LibTorch " << i.torch_version << " | BLAS: " << i.blas;
  if (i.blas_optimised) os << ", " << i.blas_threads << " threads";
  os << " | intra-op threads: " << i.torch_threads;
  if (i.torch_threads > 1) os << " (OpenMP idle threads: " << i.omp_wait_policy << ")";
  os << " | malloc tuned: " << (i.malloc_tuned ? "yes" : "no");
  os << " | denormals: " << (i.denormals_flushed ? "flushed to 0" : "kept");
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
    const std::string busy =
        load_warning(g_load, i.torch_threads, g_cores, g_unbacked_threads, g_threads_from_env);
    if (!busy.empty()) std::cout << busy << "\n";
    const std::string reexec = env("PINNXDE_REEXECED");
    if (!reexec.empty() && reexec != "-") {
      std::cout << "pinnxde: OpenBLAS had detected the CPU as '" << reexec
                << "'; restarted with OPENBLAS_CORETYPE=" << env("OPENBLAS_CORETYPE") << "\n";
    } else if (auto corename = blas_symbol<char* (*)()>("openblas_get_corename")) {
      const std::string note = openblas_core_note(env("OPENBLAS_CORETYPE"), corename(), best_openblas_core());
      if (!note.empty()) std::cout << note << "\n";
    }
    std::cout.flush();
  });
}

}  // namespace pinnxde::runtime
