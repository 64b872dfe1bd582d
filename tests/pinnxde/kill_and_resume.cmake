# cmake -P script: kill-and-resume across processes (see resume_program.cpp).
# -DEXE=<resume_program> -DWORK=<scratch dir>
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
function(run expect_killed)
  execute_process(COMMAND ${EXE} ${ARGN} RESULT_VARIABLE rc)
  if(expect_killed AND (rc EQUAL 0 OR EXISTS ${WORK}/killed.txt))
    message(FATAL_ERROR "'${ARGN}' was not killed (${rc})")
  elseif(NOT expect_killed AND NOT rc EQUAL 0)
    message(FATAL_ERROR "'${ARGN}' failed (${rc})")
  endif()
endfunction()
run(OFF --out ${WORK}/straight.txt)
run(ON --checkpoint ${WORK}/a.ckpt --kill-at 30 --out ${WORK}/killed.txt)        # in the Adam phase
run(ON --restore ${WORK}/a.ckpt --checkpoint ${WORK}/b.ckpt --kill-at 50 --out ${WORK}/killed.txt)  # in L-BFGS
run(OFF --restore ${WORK}/b.ckpt --out ${WORK}/resumed.txt)
file(READ ${WORK}/straight.txt a)
file(READ ${WORK}/resumed.txt b)
if(NOT a STREQUAL b)
  message(FATAL_ERROR "killed at steps 30 (Adam) and 50 (L-BFGS) and resumed in new processes, the run differs "
                      "from the uninterrupted one:\n--- uninterrupted\n${a}\n--- resumed\n${b}")
endif()
string(REGEX MATCHALL "step [0-9]+" steps "${a}")
list(LENGTH steps n)
if(NOT n EQUAL 61)
  message(FATAL_ERROR "expected the loss at steps 0..60, got ${n} rows")
endif()
message(STATUS "killed twice and resumed, the run equals the uninterrupted one bit for bit "
               "(losses at 61 steps, k, lr, parameters)")
