# cmake -P script: the OpenBLAS core-type fix. A program whose OpenBLAS reports a generic core ("Prescott",
# what OpenBLAS 0.3.21 says on CPUs it does not recognise; simulated with PINNXDE_ASSUME_OPENBLAS_CORE)
# must re-execute itself once with OPENBLAS_CORETYPE set to the best core this CPU supports, and OpenBLAS
# must then run that core's kernels. -DEXE=<a pinnxde program> -DARGS="<its flags>"
separate_arguments(args UNIX_COMMAND "${ARGS}")
file(READ /proc/cpuinfo cpu)
if(NOT cpu MATCHES "[ \t]avx2[ \n]")
  message("SKIP: this CPU has no AVX2, so there is no better OpenBLAS core to switch to")
  return()
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=OPENBLAS_CORETYPE --unset=PINNXDE_NO_REEXEC
                        --unset=PINNXDE_REEXECED ${EXE} ${args}
                OUTPUT_VARIABLE plain RESULT_VARIABLE rc)
if(NOT plain MATCHES "BLAS: OpenBLAS")
  message("SKIP: LibTorch does not run on OpenBLAS here")
  return()
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=OPENBLAS_CORETYPE --unset=PINNXDE_NO_REEXEC
                        --unset=PINNXDE_REEXECED PINNXDE_ASSUME_OPENBLAS_CORE=Prescott ${EXE} ${args}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the program failed (${rc}):\n${out}\n${err}")
endif()
if(NOT out MATCHES "had detected the CPU as 'Prescott'; restarted with OPENBLAS_CORETYPE=([A-Za-z]+)")
  message(FATAL_ERROR "no re-execution reported:\n${out}")
endif()
set(core ${CMAKE_MATCH_1})
if(NOT out MATCHES "OpenBLAS [0-9.]+ \\(${core} kernels\\)")
  message(FATAL_ERROR "after the re-execution OpenBLAS does not run ${core} kernels:\n${out}")
endif()
string(REGEX MATCHALL "BLAS: OpenBLAS" banners "${out}")
list(LENGTH banners n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one banner (one re-execution), got ${n}:\n${out}")
endif()
message(STATUS "re-executed once with OPENBLAS_CORETYPE=${core}; OpenBLAS runs ${core} kernels")
