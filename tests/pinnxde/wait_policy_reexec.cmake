# cmake -P script: the OpenMP wait policy. A run with more than one thread and no OMP_WAIT_POLICY or
# GOMP_SPINCOUNT of the user's keeps libgomp's long spin when its threads fit on the free cores and it takes
# the spin token (runtime.hpp: one such run per machine; no re-execution), and is re-executed once with
# GOMP_SPINCOUNT=1000 when the machine is busy (two long spinners on the same cores make each other's steps
# ~10x slower: docs/performance.md); a policy the user set is kept, and a one-thread run is not re-executed.
# The load is simulated (PINNXDE_ASSUME_LOADAVG) and the token has a name of this run's
# (PINNXDE_SPIN_TOKEN), so that the test does not depend on what else runs. The case of a token held by
# another process is RuntimeSpin.ASecondRunSpinsBriefly (runtime_test.cpp).
# -DEXE=<a pinnxde program> -DARGS="<its flags>"
separate_arguments(args UNIX_COMMAND "${ARGS}")
string(RANDOM LENGTH 16 token)
set(clean --unset=OMP_WAIT_POLICY --unset=GOMP_SPINCOUNT --unset=PINNXDE_NO_REEXEC --unset=PINNXDE_REEXECED
    --unset=PINNXDE_ASSUME_OPENBLAS_CORE PINNXDE_SPIN_TOKEN=pinnxde-test-${token})
function(run_case out_var)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env ${clean} ${ARGN} ${EXE} ${args}
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the program failed (${rc}):\n${out}\n${err}")
  endif()
  string(REGEX MATCHALL "intra-op threads: [^|]*" banners "${out}")
  list(LENGTH banners n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "expected one banner (at most one re-execution), got ${n}:\n${out}")
  endif()
  set(${out_var} "${banners}" PARENT_SCOPE)
  set(out_of_last_run "${out}" PARENT_SCOPE)
endfunction()
set(idle "PINNXDE_ASSUME_LOADAVG=0.0 1/100")
set(busy "PINNXDE_ASSUME_LOADAVG=2.0 3/100")
run_case(free PINNXDE_NUM_THREADS=2 ${idle})
if(NOT free MATCHES "intra-op threads: 2 \\(OpenMP idle threads: long spin, libgomp's default: this run holds the spin token\\)")
  message(FATAL_ERROR "two threads on an idle machine: expected the long spin with the token, banner says '${free}'")
endif()
# A snapshot that caught a passing thread (a process still exiting) is not a busy machine: the smallest of
# the runnable counts sampled is what counts, beside a load average still high from a run that just ended.
run_case(blip PINNXDE_NUM_THREADS=2 "PINNXDE_ASSUME_LOADAVG=2.0 3/100,1/100,2/100")
if(NOT blip MATCHES "intra-op threads: 2 \\(OpenMP idle threads: long spin, libgomp's default: this run holds the spin token\\)")
  message(FATAL_ERROR "two threads after a blip: expected the long spin with the token, banner says '${blip}'")
endif()
run_case(busy PINNXDE_NUM_THREADS=2 ${busy})
if(NOT busy MATCHES "intra-op threads: 2 \\(OpenMP idle threads: GOMP_SPINCOUNT=1000: the machine is busy\\)")
  message(FATAL_ERROR "two threads on a busy machine: expected GOMP_SPINCOUNT=1000, banner says '${busy}'")
endif()
run_case(user PINNXDE_NUM_THREADS=2 ${busy} OMP_WAIT_POLICY=ACTIVE)
if(NOT user MATCHES "intra-op threads: 2 \\(OpenMP idle threads: OMP_WAIT_POLICY=ACTIVE\\)")
  message(FATAL_ERROR "the user's OMP_WAIT_POLICY=ACTIVE was not kept, banner says '${user}'")
endif()
run_case(one PINNXDE_NUM_THREADS=1 ${busy})
if(NOT one MATCHES "^intra-op threads: 1 $")
  message(FATAL_ERROR "one thread: expected no wait policy, banner says '${one}'")
endif()
# A re-execution for another reason (OpenBLAS' core type, simulated) carries the token into the new image.
run_case(carried PINNXDE_NUM_THREADS=2 ${idle} PINNXDE_ASSUME_OPENBLAS_CORE=Prescott)
if(out_of_last_run MATCHES "restarted with OPENBLAS_CORETYPE")
  if(NOT carried MATCHES "long spin, libgomp's default: this run holds the spin token")
    message(FATAL_ERROR "after the OpenBLAS re-execution the token was lost, banner says '${carried}'")
  endif()
else()
  set(carried "(not re-executed: this CPU has no AVX2 kernels to switch to)")
endif()
message(STATUS "idle: ${free}; busy: ${busy}; user's policy: ${user}; one thread: ${one}; re-executed: ${carried}")
