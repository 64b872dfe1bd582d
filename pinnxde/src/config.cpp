#include "pinnxde/config.hpp"

#include <torch/cuda.h>
#include <torch/types.h>

#include "pinnxde/error.hpp"
#include "pinnxde/geometry/random.hpp"

namespace pinnxde::config {
namespace {
torch::Dtype g_real = torch::kFloat32;
std::optional<std::uint64_t> g_seed;
torch::Device g_device = torch::kCPU;
}  // namespace

void set_default_float(const std::string& value) {
  if (value == "float32") {
    g_real = torch::kFloat32;
  } else if (value == "float64") {
    g_real = torch::kFloat64;
  } else {
    detail::fail("set_default_float: value = '", value, "' (expected 'float32' or 'float64')");
  }
  torch::set_default_dtype(caffe2::TypeMeta::fromScalarType(g_real));
}

torch::Dtype real() { return g_real; }
std::string default_float() { return g_real == torch::kFloat64 ? "float64" : "float32"; }

void set_random_seed(std::uint64_t seed) {
  g_seed = seed;
  torch::manual_seed(seed);
  geometry::seed(seed);
}
std::optional<std::uint64_t> random_seed() { return g_seed; }

torch::Device device() { return g_device; }
void set_device(const torch::Device& device) {
  if (device.is_cuda() && !torch::cuda::is_available())
    detail::fail("set_device: device = ", device, " but CUDA is not available in this LibTorch build");
  g_device = device;
}

torch::TensorOptions options() { return torch::TensorOptions().dtype(g_real).device(g_device); }

}  // namespace pinnxde::config
