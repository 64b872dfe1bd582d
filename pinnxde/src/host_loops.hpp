#pragma once
// Which tensors the hand-written loops may touch. pinnxde's fastest paths read tensors through raw pointers
// on the host: the forward engine's fused activation loops and its row-split matrix products (jets.cpp),
// L-BFGS' two-loop recursion as BLAS calls on the flat vectors and Adam's one-loop update
// (optimizers.cpp). Tensors on another device (CUDA, after config::set_device) take ordinary LibTorch
// operations instead, which compute the same values. PINNXDE_KERNELS=tensor sends CPU tensors down that
// path too, so that a machine without a GPU tests it (ctest engine.tensor_ops).
#include <torch/types.h>

#include <cstdlib>
#include <string>

namespace pinnxde::detail {

inline bool tensor_ops_forced() {
  static const bool forced = [] {
    const char* env = std::getenv("PINNXDE_KERNELS");
    return env != nullptr && std::string(env) == "tensor";
  }();
  return forced;
}

/// True when the host loops may read `t` (it lives in CPU memory and PINNXDE_KERNELS is not "tensor").
inline bool host_loops(const torch::Tensor& t) { return t.device().is_cpu() && !tensor_ops_forced(); }

}  // namespace pinnxde::detail
