#pragma once
// What the pinnxde tests share.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <pinnxde/pinnxde.hpp>
#include <string>
#include <system_error>
#include <vector>

namespace pinnxde::testing {

/// Runs a test in float64 (closed forms hold to round-off) with a fixed seed; float32 again afterwards.
class Float64Test : public ::testing::Test {
 protected:
  void SetUp() override {
    config::set_default_float("float64");
    config::set_random_seed(seed());
  }
  void TearDown() override { config::set_default_float("float32"); }
  virtual std::uint64_t seed() const { return 0; }
};

/// An empty directory of the test's own (its suite, name, `tag` and the process id, so concurrent ctest runs
/// never share one), removed with its contents when the object goes, also when an ASSERT ends the test early.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag = "") {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info ? std::string(info->test_suite_name()) + "_" + info->name() : "test";
    if (!tag.empty()) name += "_" + tag;
    for (auto& c : name)
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';  // parameterised tests' '/'
    path_ = std::filesystem::temp_directory_path() / ("pinnxde_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string string() const { return path_.string(); }
  /// path()/name as a string.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// Every first and second derivative (i <= k) of `dim` inputs; with `higher`, also d4/dx_0^4 and
/// d3/dx_last^3 (a beam's and a dispersive wave's orders).
inline grad::DerivativeSet full_set(std::int64_t dim, bool higher = false) {
  grad::DerivativeSet set;
  for (std::int64_t i = 0; i < dim; ++i)
    for (std::int64_t k = i; k < dim; ++k) set.add_second(i, k);
  if (higher) {
    set.add_higher(0, 4);
    set.add_higher(dim - 1, 3);
  }
  return set;
}

/// n points in [-1, 1]^dim (float64) that require grad.
inline torch::Tensor inputs(std::int64_t n, std::int64_t dim) {
  return (torch::rand({n, dim}, torch::kFloat64) * 2 - 1).requires_grad_(true);
}

/// Every derivative of `set` by reverse mode on net(x), stacked like grad::Jets::derivatives.
inline torch::Tensor reverse_jets(nn::NNImpl& net, const torch::Tensor& x, const grad::DerivativeSet& set) {
  grad::Scope scope;
  auto y = net.forward(x);
  std::vector<torch::Tensor> out;
  for (auto j : set.first) {
    std::vector<torch::Tensor> cols;
    for (std::int64_t c = 0; c < y.size(1); ++c) cols.push_back(grad::jacobian(y, x, c, j));
    out.push_back(torch::cat(cols, 1));
  }
  for (auto [i, k] : set.second) {
    std::vector<torch::Tensor> cols;
    for (std::int64_t c = 0; c < y.size(1); ++c) cols.push_back(grad::hessian(y, x, c, i, k));
    out.push_back(torch::cat(cols, 1));
  }
  for (auto [j, n] : set.higher) {  // d3 = d/dx_j of d2/dx_j2, d4 = d2/dx_j2 of d2/dx_j2
    std::vector<torch::Tensor> cols;
    for (std::int64_t c = 0; c < y.size(1); ++c) {
      auto d2 = grad::hessian(y, x, c, j, j);
      cols.push_back(n == 3 ? grad::jacobian(d2, x, 0, j) : grad::hessian(d2, x, 0, j, j));
    }
    out.push_back(torch::cat(cols, 1));
  }
  return torch::stack(out);
}
template <class Holder>
  requires requires(Holder h) { h.ptr(); }
torch::Tensor reverse_jets(Holder& net, const torch::Tensor& x, const grad::DerivativeSet& set) {
  return reverse_jets(*net, x, set);
}

inline torch::Tensor zeros_like_rows(const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); }

/// The flagship's equation u_t = u_xx - u.
inline torch::Tensor diffusion_reaction(const torch::Tensor& x, const torch::Tensor& y) {
  return grad::jacobian(y, x, 0, 1) - grad::hessian(y, x, 0, 0) + y;
}

/// The flagship's problem on nd / nb / ni domain, boundary and initial points.
struct Flagship {
  geometry::GeometryXTime geomtime{geometry::Interval(-1, 1), geometry::TimeDomain(0, 1)};
  DirichletBC bc{geomtime, zeros_like_rows, on_boundary};
  IC ic{geomtime, [](const torch::Tensor& x) { return torch::sin(M_PI * x.slice(1, 0, 1)); }, on_initial};
  data::TimePDE data;
  Flagship(std::int64_t nd, std::int64_t nb, std::int64_t ni)
      : data(geomtime, diffusion_reaction, {bc, ic}, {.num_domain = nd, .num_boundary = nb, .num_initial = ni}) {}
};

/// Two outputs, mixed second derivatives, Dirichlet on the boundary's x < 0.5 and Neumann on x >= 0.5
/// (60 domain and 24 boundary points, drawn at construction).
struct TwoOutputSystem {
  static data::Residuals residual(const torch::Tensor& x, const torch::Tensor& y) {
    auto u_xx = grad::hessian(y, x, 0, 0, 0), u_yy = grad::hessian(y, x, 0, 1, 1);
    auto v_xy = grad::hessian(y, x, 1, 0, 1), v_x = grad::jacobian(y, x, 1, 0);
    auto u = y.narrow(1, 0, 1), v = y.narrow(1, 1, 1);
    return std::vector<torch::Tensor>{u_xx + u_yy - v, v_xy + v_x * u - torch::sin(x.narrow(1, 0, 1))};
  }
  geometry::Rectangle geom{{0, 0}, {1, 1}};
  DirichletBC bc{geom, zeros_like_rows, [](const auto& x, bool on) { return on && x(0) < 0.5; }};
  NeumannBC nbc{geom, zeros_like_rows, [](const auto& x, bool on) { return on && x(0) >= 0.5; }, 1};
  data::PDE data{geom, residual, {bc, nbc}, {.num_domain = 60, .num_boundary = 24}};
};

/// One of each network pinnxde offers beyond the plain FNN, 2 inputs and 2 outputs, each made when its
/// maker is called (after the caller's seed): Fourier features + l2, a periodic embedding in front of a sin
/// ResNet, a plain ResNet, PFNN, STMsFFN, and the modified MLP with random weight factorisation and LAAF.
inline std::vector<std::pair<std::string, std::function<std::shared_ptr<nn::NNImpl>()>>> every_network() {
  constexpr std::int64_t outputs = 2;
  auto as_nn = [](auto holder) { return std::static_pointer_cast<nn::NNImpl>(holder.ptr()); };
  return {
      {"fourier features + l2", [=] {
         nn::FNN n({8, 6, outputs}, "tanh", "Glorot normal", {.regularization = {"l2", 1e-3}});
         n->apply_embedding(nn::FourierFeatures(2, 4, 1.0));
         return as_nn(n);
       }},
      {"periodic embedding + resnet", [=] {
         nn::ResNet n(1 + 2 * 2, outputs, 5, 1, "sin");
         n->apply_embedding(nn::PeriodicEmbedding(2, {0}, {1.0}, 2));
         return as_nn(n);
       }},
      {"resnet", [=] { return as_nn(nn::ResNet(2, outputs, 5, 1)); }},
      {"pfnn", [=] { return as_nn(nn::PFNN({2, 6, {4, 4}, outputs})); }},
      {"stmsffn", [=] { return as_nn(nn::STMsFFN({2, 6, 5, outputs}, "tanh", "Glorot normal", {1.0}, {1.0, 2.0})); }},
      {"modified mlp + rwf + laaf", [=] {
         return as_nn(nn::ModifiedMLP({2, 5, 5, outputs}, "LAAF-3 tanh", "Glorot normal",
                                      {.weight_factorization = {0.5, 0.1}}));
       }},
  };
}

}  // namespace pinnxde::testing
