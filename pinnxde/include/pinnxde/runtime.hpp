#pragma once
// The process environment pinnxde trains in: which BLAS does LibTorch's matrix products, with how many
// threads, and the allocator tuning. runtime::initialize() configures it once (see docs/performance.md);
// every Model constructor calls it, and a program may call it first thing in main():
//
//   int main(int argc, char** argv) {
//     pinnxde::runtime::initialize();  // may restart the program (below): do it before any other work
//     ...
//   }
//
//  - OpenBLAS 0.3.21 misdetects some AVX-512 CPUs as "Prescott" (6x slower GEMM) unless OPENBLAS_CORETYPE
//    is set before the process starts: pinnxde detects this and re-executes the program once with the
//    right core type (set PINNXDE_NO_REEXEC=1 to opt out);
//  - LibTorch starts with one intra-op thread on some VMs: pinnxde uses every core (PINNXDE_NUM_THREADS=N
//    overrides), whatever the load, so that two runs of a program give the same bits; the banner warns
//    when the machine's load plus this process's threads exceed the cores (oversubscription makes steps
//    many times slower) and says which PINNXDE_NUM_THREADS to use;
//  - libgomp's idle threads spin long between parallel regions: fast alone, a 10x cliff when two such
//    processes share the cores. One multithreaded pinnxde run per machine keeps the long spin (it holds
//    the "spin token", acquire_spin_token below); the others, and runs started on a busy machine, are
//    re-executed with GOMP_SPINCOUNT=1000;
//  - glibc malloc returns and re-faults the megabyte-sized tensors of every step: pinnxde raises the mmap
//    and trim thresholds with mallopt and serves the tensors over glibc's 32 MB cap on the mmap threshold
//    from the heap too (M_MMAP_MAX = 0) (PINNXDE_NO_MALLOPT=1 opts out);
//  - subnormal floats (|x| < 1.2e-38 in float32) take the CPU's slow path, many times slower per operation:
//    pinnxde sets flush-to-zero and denormals-are-zero in the calling thread and LibTorch's threads, so they
//    become 0 (PINNXDE_KEEP_DENORMALS=1 opts out). Causal training's closed windows made them (weights of
//    exp(-eps * a large loss)) and ran ~5x slower per step without this.
#include <string>

namespace pinnxde::runtime {

struct Info {
  std::string blas;        // e.g. "OpenBLAS 0.3.21 (SkylakeX, pthread)" or "reference BLAS (...)"
  std::string blas_path;   // shared object that provides dgemm_
  bool blas_optimised = false;
  int blas_threads = 1;
  int torch_threads = 1;   // LibTorch intra-op threads
  bool malloc_tuned = false;
  bool denormals_flushed = false;  // flush-to-zero and denormals-are-zero in every training thread
  std::string torch_version;
  std::string omp_wait_policy;  // how idle OpenMP threads wait and why: "GOMP_SPINCOUNT=1000: <reason>",
                                // "OMP_WAIT_POLICY=...", or the long spin (with the spin token)
};

/// Sets the process up for training, once (later calls do nothing): the start-up settings (OpenBLAS' core
/// type when it misdetects the CPU; GOMP_SPINCOUNT=1000 for a run with more than one thread unless it takes
/// the spin token below, or OMP_WAIT_POLICY or GOMP_SPINCOUNT is set), which re-execute the program from the start with the same
/// arguments when one is missing (so call it before the program prints, writes files or spends time;
/// PINNXDE_NO_REEXEC=1 opts out), then mallopt, then the thread counts and the denormal mode (OpenBLAS'
/// own threads, used only with PINNXDE_BLAS_THREADS > 1, keep theirs). Loading the library does
/// none of this; Model's constructor calls initialize().
void initialize();
/// What this process runs with (BLAS, threads, allocator).
Info info();
/// One line describing info(), e.g. "pinnxde: LibTorch 1.13.1 | BLAS OpenBLAS 0.3.21 (SkylakeX) | 2 threads".
std::string describe();
/// Prints describe() to stdout once per process (Model does this on construction); adds a warning when
/// the BLAS is the slow reference implementation.
void print_banner_once();
/// Sets LibTorch intra-op threads and OpenBLAS threads (and, after initialize(), the denormal mode in
/// each LibTorch thread).
void set_num_threads(int n);
/// The thread count the banner advises on `cores` cores when other processes keep `load` cores busy
/// (initialize() takes the smaller of /proc/loadavg's 1-minute average and its count of threads runnable
/// right now, less its own): the cores left free, cores - round(load), at least 1; all cores when the load
/// is unknown (< 0). The default is not backed off (it stays one thread per core, for reproducibility).
int threads_for_load(int cores, double load);
/// Whether `threads` fit on the cores that other processes (keeping `load` cores busy, as threads_for_load)
/// leave free: round(load) + threads <= cores; true when the load is unknown (< 0).
bool fits_free_cores(int threads, int cores, double load);
/// The spin token: libgomp's idle threads spin long after each parallel region (its default), which makes a
/// multithreaded step fast alone on the machine and 10x slower when two such processes share the cores;
/// one long spinner beside brief ones is fine (docs/performance.md). So initialize() lets a run with more
/// than one thread keep the long spin only if its threads fit on the free cores and it takes this token,
/// an abstract Unix socket bound to the name PINNXDE_SPIN_TOKEN (default "pinnxde-openmp-spin"): the kernel
/// gives a name to one socket at a time, machine-wide, and frees it when its process ends, however it ends.
/// Every other multithreaded run spins briefly (GOMP_SPINCOUNT=1000); the banner says which and why.
/// Returns the bound socket (close it to give the token back), or -1 when the name is taken or invalid
/// (empty, or longer than 107 bytes).
int acquire_spin_token(const std::string& name, bool close_on_exec = true);
/// The banner's warning when round(load) + threads > cores, saying what to do (PINNXDE_NUM_THREADS =
/// threads_for_load(cores, load), or fewer programs); empty otherwise or when the load is unknown (< 0).
/// backed_off_from: a count the caller lowered `threads` from (0: none; initialize() never does);
/// threads_from_env: the count came from PINNXDE_NUM_THREADS.
std::string load_warning(double load, int threads, int cores, int backed_off_from, bool threads_from_env);
/// The banner's note when OPENBLAS_CORETYPE came from the environment (not from initialize()) and keeps
/// OpenBLAS on kernels below what the CPU runs: `running` is the core OpenBLAS runs (openblas_get_corename),
/// `best` what this CPU supports ("SkylakeX" with AVX-512, "Haswell" with AVX2 + FMA, "" otherwise). The
/// user's setting is obeyed, never overridden; on an AMD EPYC VM whose environment set Haswell, OpenBLAS'
/// own choice (Cooperlake) made a step 1.2x (flagship) to 1.6x (a 350-wide network) faster
/// (docs/performance.md). Empty when there is nothing to say.
std::string openblas_core_note(const std::string& env_core, const std::string& running, const std::string& best);

}  // namespace pinnxde::runtime
