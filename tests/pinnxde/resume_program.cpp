// A training run that is killed and resumed in other processes. ctest `pinnxde.kill_and_resume_process`
// (kill_and_resume.cmake) runs it four times and compares the results byte for byte:
//   1. resume_program --out straight.txt                                  (uninterrupted: Adam to step 40,
//                                                                          then L-BFGS to step 60)
//   2. resume_program --checkpoint a.ckpt --kill-at 30                    (SIGKILL after the step-30 checkpoint)
//   3. resume_program --restore a.ckpt --checkpoint b.ckpt --kill-at 50   (resumes Adam, killed in L-BFGS)
//   4. resume_program --restore b.ckpt --out resumed.txt                  (resumes L-BFGS to the end)
// The run has what must survive a kill: an inverse-problem Variable, learning-rate decay, Adam's moments,
// mini-batches over the collocation points, a resampler drawing new points from the geometry's generator,
// and L-BFGS' curvature history.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <pinnxde/pinnxde.hpp>
#include <string>

namespace dde = pinnxde;

namespace {

// Kills its own process, without unwinding or flushing anything, once the given step is done.
class KillAt : public dde::callbacks::Callback {
 public:
  explicit KillAt(std::int64_t step) : step_(step) {}
  void on_epoch_end() override {
    if (model_->train_state().step == step_) std::raise(SIGKILL);
  }

 private:
  std::int64_t step_;
};

std::string hex(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t until = 60, lbfgs_after = 40, kill_at = -1;
  std::string out, checkpoint, restore;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--until") until = std::stoll(value);
    else if (flag == "--kill-at") kill_at = std::stoll(value);
    else if (flag == "--lbfgs-after") lbfgs_after = std::stoll(value);
    else if (flag == "--out") out = value;
    else if (flag == "--checkpoint") checkpoint = value;
    else if (flag == "--restore") restore = value;
    else {
      std::cerr << "resume_program: unknown flag '" << flag << "'\n";
      return 64;
    }
  }
  lbfgs_after = std::min(lbfgs_after, until);
  dde::config::set_default_float("float64");
  torch::set_num_threads(1);
  dde::config::set_random_seed(7);

  dde::geometry::Interval geom(0, 1);
  auto k = dde::Variable(0.5);
  auto pde = [k](const torch::Tensor& x, const torch::Tensor& y) {
    return dde::grad::hessian(y, x, 0, 0) + k * torch::sin(M_PI * x);
  };
  dde::DirichletBC bc(geom, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); },
                      dde::on_boundary);
  dde::geometry::Points observe_x(3, 1);
  observe_x << 0.25, 0.5, 0.75;
  dde::geometry::Points observe_u = 2.0 / (M_PI * M_PI) * (M_PI * observe_x.array()).sin().matrix();  // k = 2
  dde::PointSetBC data_bc(observe_x, observe_u);
  dde::data::PDE data(geom, pde, {bc, data_bc}, {.num_domain = 26, .num_boundary = 2, .train_distribution = "pseudo"});
  dde::nn::FNN net({1, 16, 16, 1}, "tanh", "Glorot normal");
  dde::Model model(data, net);
  model.compile("adam", {.lr = 1e-2, .decay = dde::Decay{"inverse time", 10, 0.5}, .external_trainable_variables = {k}});
  // A checkpoint is restored into a model compiled with the optimizer it was saved with: the Adam phase's
  // now, the L-BFGS phase's after compiling L-BFGS below.
  if (!restore.empty()) model.restore(restore);
  const bool restored_in_lbfgs = !restore.empty() && model.train_state().step > lbfgs_after;

  std::vector<dde::callbacks::CallbackPtr> callbacks;
  if (!checkpoint.empty()) callbacks.emplace_back(dde::callbacks::ModelCheckpoint(checkpoint, {.period = 10}));
  if (kill_at >= 0) callbacks.emplace_back(KillAt(kill_at));
  if (model.train_state().step < lbfgs_after) {
    auto adam_callbacks = callbacks;
    adam_callbacks.insert(adam_callbacks.begin(), dde::callbacks::PDEPointResampler(7));
    model.train({.iterations = lbfgs_after - model.train_state().step, .batch_size = 8, .display_every = 1,
                 .callbacks = adam_callbacks, .verbose = false, .restore_best = false});
  }
  // L-BFGS for until - lbfgs_after iterations; evaluations are not what ends it here (with display_every = 1
  // every iteration is a chunk, whose first evaluation counts too).
  auto lbfgs = dde::optimizers::LBFGS_options();
  lbfgs.maxiter = until - lbfgs_after;
  lbfgs.maxfun = 100000;
  dde::optimizers::set_LBFGS_options(lbfgs);
  model.compile("L-BFGS", {.external_trainable_variables = {k}});
  // Resumed inside L-BFGS, train() continues the checkpointed run's budget: no iteration count is given.
  if (restored_in_lbfgs) model.restore(restore);
  model.train({.display_every = 1, .callbacks = callbacks, .verbose = false, .restore_best = false});

  std::ofstream f(out);
  const auto& h = model.losshistory();
  for (std::size_t i = 0; i < h.steps.size(); ++i) {
    f << "step " << h.steps[i];
    for (double v : h.loss_train[i]) f << " " << hex(v);
    f << "\n";
  }
  f << "k " << hex(k.item<double>()) << "\nlr " << hex(model.learning_rate()) << "\n";
  for (const auto& p : model.trainable_variables()) {
    auto flat = p.detach().to(torch::kFloat64).flatten();
    f << "param";
    for (std::int64_t j = 0; j < flat.numel(); ++j) f << " " << hex(flat[j].item<double>());
    f << "\n";
  }
  std::cout << "resume_program: step " << model.train_state().step << ", k = " << k.item<double>() << " ("
            << model.train_state().message << ")\n";
  return f ? 0 : 1;
}
