// Training on a CUDA device (config::set_device(torch::kCUDA)) against the same run on the CPU: every
// network with both derivative engines, mini-batches, L-BFGS, adaptive weights and causal training give the
// same losses and parameters to round-off (float64); checkpoints move between the devices; predict answers
// on its input's device. Skipped where LibTorch sees no CUDA device (CI); docs/user_guide.md says where
// these ran and what they found.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <pinnxde/pinnxde.hpp>

#include "test_util.hpp"

namespace dde = pinnxde;
using NetMaker = std::function<std::shared_ptr<dde::nn::NNImpl>()>;

namespace {

class CudaTest : public dde::testing::Float64Test {
 protected:
  void SetUp() override {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "LibTorch sees no CUDA device";
    Float64Test::SetUp();
  }
  void TearDown() override {
    dde::config::set_device(torch::kCPU);
    dde::optimizers::set_LBFGS_options({});
    Float64Test::TearDown();
    dde::grad::clear();
  }
};

struct Run {
  std::vector<std::vector<double>> losses;
  std::vector<torch::Tensor> params;  // on the CPU
  std::string engine;
  std::vector<double> weights, causal;
};

// A few steps of one setting on `device`; everything random is drawn before the device is chosen, so the
// CPU and CUDA runs start from the same bits.
struct Setting {
  std::string derivatives = "auto";
  std::string optimizer = "adam";
  std::int64_t batch_size = 0;
  dde::Weighting weighting;
  dde::Causal causal;
};

dde::nn::FNN system_net() { return dde::nn::FNN({2, 12, 12, 2}, "sin"); }

// The two-output system (test_util.hpp).
Run train_system(torch::Device device, const Setting& s, const NetMaker& make = {}) {
  dde::config::set_random_seed(3);
  dde::testing::TwoOutputSystem sys;
  auto& data = sys.data;
  std::shared_ptr<dde::nn::NNImpl> net = make ? make() : std::static_pointer_cast<dde::nn::NNImpl>(system_net().ptr());
  dde::config::set_device(device);
  dde::Model model(data, net);
  dde::optimizers::set_LBFGS_options({.maxiter = 6});
  model.compile(s.optimizer, {.lr = 1e-3, .derivatives = s.derivatives, .weighting = s.weighting});
  Run r;
  r.engine = model.derivative_engine();
  if (s.optimizer == "adam")
    model.train({.iterations = 6, .batch_size = s.batch_size, .display_every = 1, .verbose = false});
  else model.train({.display_every = 1, .verbose = false});
  r.losses = model.losshistory().loss_train;
  for (const auto& p : model.trainable_variables()) {
    EXPECT_EQ(p.device().type(), device.type());
    r.params.push_back(p.detach().to(torch::kCPU).clone());
  }
  r.weights = model.loss_weights();
  dde::config::set_device(torch::kCPU);
  return r;
}

// The diffusion-reaction flagship (TimePDE, Dirichlet + IC) with causal windows.
Run train_flagship(torch::Device device, const Setting& s) {
  dde::config::set_random_seed(2);
  dde::testing::Flagship f(60, 12, 12);
  dde::nn::FNN net({2, 8, 8, 1}, "tanh", "Glorot normal");
  dde::config::set_device(device);
  dde::Model model(f.data, net);
  model.compile("adam", {.lr = 1e-3, .derivatives = s.derivatives, .weighting = s.weighting, .causal = s.causal});
  model.train({.iterations = 6, .display_every = 1, .verbose = false});
  Run r;
  r.losses = model.losshistory().loss_train;
  for (const auto& p : model.trainable_variables()) r.params.push_back(p.detach().to(torch::kCPU).clone());
  r.weights = model.loss_weights();
  r.causal = model.causal_weights();
  dde::config::set_device(torch::kCPU);
  return r;
}

void expect_same_run(const Run& cuda, const Run& cpu) {
  ASSERT_EQ(cuda.losses.size(), cpu.losses.size());
  for (std::size_t s = 0; s < cpu.losses.size(); ++s) {
    ASSERT_EQ(cuda.losses[s].size(), cpu.losses[s].size());
    for (std::size_t k = 0; k < cpu.losses[s].size(); ++k)
      EXPECT_NEAR(cuda.losses[s][k], cpu.losses[s][k], 1e-10 * (1 + std::abs(cpu.losses[s][k]))) << "row " << s;
  }
  ASSERT_EQ(cuda.params.size(), cpu.params.size());
  for (std::size_t p = 0; p < cpu.params.size(); ++p)
    EXPECT_LT((cuda.params[p] - cpu.params[p]).abs().max().item<double>(), 1e-10) << "parameter " << p;
  ASSERT_EQ(cuda.weights.size(), cpu.weights.size());
  for (std::size_t k = 0; k < cpu.weights.size(); ++k) EXPECT_NEAR(cuda.weights[k], cpu.weights[k], 1e-10 * cpu.weights[k]);
  ASSERT_EQ(cuda.causal.size(), cpu.causal.size());
  for (std::size_t k = 0; k < cpu.causal.size(); ++k) EXPECT_NEAR(cuda.causal[k], cpu.causal[k], 1e-10);
}

TEST_F(CudaTest, BothEnginesMiniBatchesAndLbfgsTrainAsOnTheCpu) {
  for (const std::string engine : {"forward", "reverse"}) {
    for (const Setting& s : {Setting{.derivatives = engine}, Setting{.derivatives = engine, .batch_size = 20},
                             Setting{.derivatives = engine, .optimizer = "L-BFGS"}}) {
      SCOPED_TRACE(engine + " " + s.optimizer + " batch " + std::to_string(s.batch_size));
      auto cuda = train_system(torch::kCUDA, s), cpu = train_system(torch::kCPU, s);
      EXPECT_EQ(cuda.engine, engine);
      expect_same_run(cuda, cpu);
    }
  }
}

TEST_F(CudaTest, EveryNetworkTrainsAsOnTheCpu) {
  const auto nets = dde::testing::every_network();
  for (const auto& [name, make] : nets) {
    for (const std::string engine : {"forward", "reverse"}) {
      SCOPED_TRACE(name + " " + engine);
      expect_same_run(train_system(torch::kCUDA, {.derivatives = engine}, make),
                      train_system(torch::kCPU, {.derivatives = engine}, make));
    }
  }
}

TEST_F(CudaTest, AdaptiveWeightsAndCausalTrainingAsOnTheCpu) {
  for (const std::string rule : {"grad-norm", "ntk"}) {
    SCOPED_TRACE(rule);
    const Setting s{.weighting = {.name = rule, .every = 2, .alpha = 0.5, .ntk_samples = 16}};
    auto cuda = train_flagship(torch::kCUDA, s), cpu = train_flagship(torch::kCPU, s);
    EXPECT_NE(cpu.weights[1], 1.0);  // the rule did move the weights
    expect_same_run(cuda, cpu);
  }
  for (const std::string engine : {"forward", "reverse"}) {
    SCOPED_TRACE("causal " + engine);
    const Setting s{.derivatives = engine, .causal = {.num_windows = 4, .eps = {0.5}}};
    auto cuda = train_flagship(torch::kCUDA, s), cpu = train_flagship(torch::kCPU, s);
    ASSERT_EQ(cpu.causal.size(), 4u);
    EXPECT_LT(cpu.causal[3], 1.0);
    expect_same_run(cuda, cpu);
  }
}

// The flagship trained 5 Adam steps on CUDA (float64).
struct CudaFlagship {
  dde::testing::Flagship f{60, 12, 12};
  dde::nn::FNN net{{2, 8, 8, 1}, "tanh", "Glorot normal"};
  dde::Model model;
  CudaFlagship() : model((dde::config::set_device(torch::kCUDA), f.data), net) {
    model.compile("adam", {.lr = 1e-3});
    model.train({.iterations = 5, .display_every = 5, .verbose = false});
  }
};

TEST_F(CudaTest, PredictAnswersOnTheInputsDevice) {
  dde::config::set_random_seed(2);
  CudaFlagship c;
  auto x = c.f.geomtime.random_points(17);
  const auto y_points = c.model.predict(x);
  const auto x_cpu = dde::to_tensor(x, torch::TensorOptions().dtype(torch::kFloat64));
  const auto y_cuda = c.model.predict(x_cpu.to(torch::kCUDA));
  EXPECT_EQ(y_points.device(), torch::Device(torch::kCPU));
  EXPECT_EQ(c.model.predict(x_cpu).device(), torch::Device(torch::kCPU));
  EXPECT_TRUE(y_cuda.is_cuda());
  EXPECT_LT((y_cuda.cpu() - y_points).abs().max().item<double>(), 1e-15);
  EXPECT_EQ(c.model.predict(x, dde::testing::diffusion_reaction).device(), torch::Device(torch::kCPU));
  EXPECT_TRUE(c.model.predict(x_cpu.to(torch::kCUDA), dde::testing::diffusion_reaction).is_cuda());
  // Metrics take one tensor from each device.
  EXPECT_LT(dde::metrics::l2_relative_error(y_points, y_cuda), 1e-15);
}

// A CudaFlagship saved to a checkpoint, and points to compare predictions at.
struct SavedCudaRun {
  dde::testing::ScratchDir dir;
  CudaFlagship c;
  std::string path = dir.file("cuda.ckpt");
  dde::geometry::Points x;
  SavedCudaRun() {
    c.model.save(path);
    x = c.f.geomtime.random_points(17);
  }
};

TEST_F(CudaTest, ACheckpointSavedOnCudaRestoresOnCuda) {
  dde::config::set_random_seed(2);
  SavedCudaRun run;
  auto& c = run.c;
  const auto& x = run.x;
  dde::nn::FNN net({2, 8, 8, 1}, "tanh", "Glorot normal");
  dde::Model again(c.f.data, net);
  again.compile("adam", {.lr = 1e-3});
  again.restore(run.path);
  EXPECT_EQ(again.train_state().step, 5);
  EXPECT_LT((again.predict(x) - c.model.predict(x)).abs().max().item<double>(), 1e-14);
  // And trains on from there as the original does.
  c.model.train({.iterations = 3, .display_every = 1, .verbose = false});
  again.train({.iterations = 3, .display_every = 1, .verbose = false});
  EXPECT_LT((again.predict(x) - c.model.predict(x)).abs().max().item<double>(), 1e-12);
}

TEST_F(CudaTest, ACheckpointSavedOnCudaRestoresIntoACpuModel) {
  dde::config::set_random_seed(2);
  SavedCudaRun run;
  auto& c = run.c;
  const auto& x = run.x;
  const auto y = c.model.predict(x), r = c.model.predict(x, dde::testing::diffusion_reaction);
  dde::config::set_device(torch::kCPU);
  dde::nn::FNN net({2, 8, 8, 1}, "tanh", "Glorot normal");
  dde::Model cpu(c.f.data, net);
  cpu.compile("adam", {.lr = 1e-3});
  cpu.restore(run.path);
  EXPECT_EQ(cpu.train_state().step, 5);
  EXPECT_LT((cpu.predict(x) - y).abs().max().item<double>(), 1e-14);
  EXPECT_LT((cpu.predict(x, dde::testing::diffusion_reaction) - r).abs().max().item<double>(), 1e-12);
  cpu.train({.iterations = 3, .display_every = 1, .verbose = false});  // Adam's restored state is on the CPU
  EXPECT_EQ(cpu.train_state().step, 8);
}

// Float32 (the default precision) on the device: the flagship's first 200 Adam steps follow the CPU run
// up to float32 round-off.
TEST_F(CudaTest, Float32TrainingFollowsTheCpuRun) {
  dde::config::set_default_float("float32");
  std::vector<std::vector<double>> runs;
  for (const auto device : {torch::Device(torch::kCUDA), torch::Device(torch::kCPU)}) {
    dde::config::set_random_seed(4);
    dde::testing::Flagship f(200, 20, 20);
    dde::nn::FNN net({2, 32, 32, 1}, "tanh", "Glorot normal");
    dde::config::set_device(device);
    dde::Model model(f.data, net);
    model.compile("adam", {.lr = 1e-3});
    model.train({.iterations = 200, .display_every = 50, .verbose = false});
    std::vector<double> totals;
    for (const auto& row : model.losshistory().loss_train) {
      double t = 0;
      for (double v : row) t += v;
      totals.push_back(t);
    }
    runs.push_back(totals);
    dde::config::set_device(torch::kCPU);
  }
  ASSERT_EQ(runs[0].size(), 5u);
  ASSERT_EQ(runs[1].size(), 5u);
  EXPECT_LT(runs[1].back(), 0.5 * runs[1].front());  // it did train
  for (std::size_t s = 0; s < runs[0].size(); ++s) EXPECT_NEAR(runs[0][s], runs[1][s], 1e-4 * runs[1][s]) << "record " << s;
}

}  // namespace
