# One precompiled header for libraries (-fPIC) and one for executables (-fPIE), of the LibTorch headers
# pinnxde's own headers use (PINNXDE_TORCH_HEADERS, the set <pinnxde/pinnxde.hpp> includes), not all of
# <torch/torch.h>: GCC redoes part of a precompiled header's work (its pending template instantiations) in
# every translation unit, so the narrower set costs less per unit: on the 2-core VM an example such as heat
# compiles in 9.1 s instead of 13.3 s, an empty main in 6.6 s instead of 7.5 s, and the cold build takes
# 735 s instead of 1,205 s (docs/development.md). Targets opt in with pinnxde_use_torch_pch().
set(PINNXDE_TORCH_HEADERS <torch/types.h> <torch/autograd.h> <torch/cuda.h> <torch/fft.h> <torch/linalg.h>
    <torch/special.h> <torch/utils.h> <torch/version.h> <torch/nn/module.h> <torch/nn/modules/linear.h>
    <torch/optim/adam.h> <torch/optim/lbfgs.h>)
# The list is written twice, here and as <pinnxde/pinnxde.hpp>'s LibTorch includes: a header added there and
# not here would be parsed anew in every translation unit. Configuring stops when they drift.
file(STRINGS ${CMAKE_CURRENT_LIST_DIR}/../pinnxde/include/pinnxde/pinnxde.hpp _pinnxde_umbrella_torch
     REGEX "^#include <torch/")
foreach(_line IN LISTS _pinnxde_umbrella_torch)
  string(REGEX MATCH "<torch/[^>]+>" _header "${_line}")
  if(NOT _header IN_LIST PINNXDE_TORCH_HEADERS)
    message(FATAL_ERROR "pinnxde/include/pinnxde/pinnxde.hpp includes ${_header}, which PINNXDE_TORCH_HEADERS in "
                        "cmake/PinnxdePch.cmake lacks (expected the two lists in step: add it there)")
  endif()
endforeach()
# A header this LibTorch lacks (PyTorch 2.11 has no <torch/linalg.h>; pinnxde.hpp includes it only where
# present) is left out of the precompiled set.
set(_pinnxde_pch_headers)
foreach(_header IN LISTS PINNXDE_TORCH_HEADERS)
  string(REGEX REPLACE "^<(.*)>$" "\\1" _relative "${_header}")
  unset(_found)  # find_file skips the search while the variable holds an earlier hit
  find_file(_found NAMES ${_relative} PATHS ${TORCH_INCLUDE_DIRS} NO_DEFAULT_PATH NO_CACHE)
  if(_found)
    list(APPEND _pinnxde_pch_headers ${_header})
  else()
    message(STATUS "pinnxde: this LibTorch has no ${_header}; it is not precompiled")
  endif()
endforeach()
# file(CONFIGURE) writes only when the content changes: file(WRITE) touched the carriers at every configure,
# so any edit of a CMakeLists.txt recompiled both (the precompiled headers themselves do not depend on them).
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/pinnxde_pch_lib.cpp CONTENT "// precompiled-header carrier\n")
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/pinnxde_pch_exe.cpp CONTENT "int main() { return 0; }\n")
add_library(pinnxde_pch_lib OBJECT ${CMAKE_BINARY_DIR}/pinnxde_pch_lib.cpp)
add_executable(pinnxde_pch_exe ${CMAKE_BINARY_DIR}/pinnxde_pch_exe.cpp)
foreach(t pinnxde_pch_lib pinnxde_pch_exe)
  target_link_libraries(${t} PRIVATE torch Eigen3::Eigen)
  target_compile_options(${t} PRIVATE ${PINNXDE_WARNINGS})
  target_precompile_headers(${t} PRIVATE ${_pinnxde_pch_headers} <Eigen/Core> <vector> <string> <functional>)
endforeach()

function(pinnxde_use_torch_pch target)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    target_precompile_headers(${target} REUSE_FROM pinnxde_pch_exe)
  else()
    target_precompile_headers(${target} REUSE_FROM pinnxde_pch_lib)
  endif()
endfunction()
