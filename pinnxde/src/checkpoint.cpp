// Model::save / Model::restore: one file with the network, Variables, optimizer, step, generators, history
// and configuration.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "model_impl.hpp"
#include "pinnxde/conditions/convert.hpp"
#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/geometry/random.hpp"

namespace pinnxde {
namespace {

torch::Tensor string_tensor(const std::string& text) {
  return torch::from_blob(const_cast<char*>(text.data()), {static_cast<std::int64_t>(text.size())}, torch::kUInt8)
      .clone();
}

std::string tensor_string(const torch::Tensor& t) {
  auto c = t.contiguous().to(torch::kCPU, torch::kUInt8);
  return std::string(reinterpret_cast<const char*>(c.data_ptr<std::uint8_t>()), static_cast<std::size_t>(c.numel()));
}

nlohmann::json history_json(const LossHistory& h) {
  return {{"steps", h.steps}, {"loss_train", h.loss_train}, {"loss_test", h.loss_test}, {"metrics_test", h.metrics_test}};
}

}  // namespace

void Model::save(const std::string& path) const {
  const auto& m = *impl_;
  if (m.optimizer_name_.empty()) detail::fail<StateError>("Model::save: compile() the model first");
  torch::serialize::OutputArchive ar;
  nlohmann::json cfg;
  cfg["format"] = "pinnxde-checkpoint";
  cfg["version"] = 1;
  cfg["dtype"] = config::default_float();
  cfg["optimizer"] = m.optimizer_name_;
  cfg["lr"] = m.copts_.lr;
  cfg["num_variables"] = m.copts_.external_trainable_variables.size();
  cfg["step"] = m.state_.step;
  cfg["optimizer_steps"] = m.optimizer_steps_;
  cfg["best_step"] = m.state_.best_step;
  cfg["best_loss_train"] = m.state_.best_loss_train;
  cfg["history"] = history_json(m.history_);
  std::ostringstream rng_state;
  rng_state << geometry::rng();
  cfg["geometry_rng"] = rng_state.str();
  for (const auto& p : m.net_->named_parameters()) cfg["parameters"].push_back({p.key(), p.value().sizes().vec()});
  if (m.lbfgs_run_.active) {
    const auto& r = m.lbfgs_run_;
    cfg["lbfgs_run"] = {{"maxiter", r.maxiter}, {"maxfun", r.maxfun}, {"done", r.done}, {"evals", r.evals},
                        {"restart_loss", std::isfinite(r.restart_loss) ? nlohmann::json(r.restart_loss) : nlohmann::json()}};
  }
  cfg["batch_size"] = m.batch_size_;
  cfg["perm_pos"] = m.perm_pos_;
  ar.write("config", string_tensor(cfg.dump()));
  for (const auto& p : m.net_->named_parameters()) ar.write("net/" + p.key(), p.value().detach());
  for (const auto& b : m.net_->named_buffers()) ar.write("net/" + b.key(), b.value(), /*is_buffer=*/true);
  const auto& vars = m.copts_.external_trainable_variables;
  for (std::size_t i = 0; i < vars.size(); ++i) ar.write("variables/" + std::to_string(i), vars[i].detach());
  for (std::size_t i = 0; i < m.best_params_.size(); ++i) ar.write("best/" + std::to_string(i), m.best_params_[i]);
  ar.write("torch_rng", at::detail::getDefaultCPUGenerator().get_state());
  if (m.perm_.defined()) ar.write("minibatch_perm", m.perm_);
  const geometry::Points points = m.data_.checkpoint_points();
  if (points.size() > 0) ar.write("train_points", to_tensor(points, torch::kFloat64));
  if (m.optimizer_) {
    if (optimizers::detail::is_lbfgs(m.optimizer_name_)) {
      // L-BFGS' `al` is scratch space of one iteration (history_size slots, most of them undefined, which
      // the archive cannot hold); the next iteration allocates it again, so it is not saved.
      for (auto& entry : m.optimizer_->state())
        static_cast<torch::optim::LBFGSParamState&>(*entry.second).al(c10::nullopt);
    }
    torch::serialize::OutputArchive opt;
    m.optimizer_->save(opt);
    ar.write("optimizer", opt);
  }
  const auto tmp = path + ".tmp";
  try {
    ar.save_to(tmp);
  } catch (const c10::Error& e) {
    detail::fail<Error>("Model::save: cannot write '", path, "': ", e.what_without_backtrace());
  }
  std::filesystem::rename(tmp, path);  // never leave a half-written checkpoint under the real name
}

void Model::restore(const std::string& path) {
  auto& m = *impl_;
  if (m.optimizer_name_.empty())
    detail::fail<StateError>("Model::restore: compile() the model first (with the optimizer and Variables of the "
                             "run being resumed)");
  if (!std::filesystem::exists(path)) detail::fail("Model::restore: no checkpoint at '", path, "'");
  // The training points come from the seed the program set, not from the restored generator state:
  // build them before the generators are overwritten, as the interrupted run did.
  m.data_.train_batch();
  m.data_.test_batch();
  torch::serialize::InputArchive ar;
  nlohmann::json cfg;
  auto read = [&](const std::string& key) {
    torch::Tensor t;
    try {
      ar.read(key, t);
    } catch (const c10::Error&) {
      detail::fail("Model::restore: checkpoint '", path, "' has no '", key,
                   "' (expected a checkpoint saved from this network and these Variables)");
    }
    return t;
  };
  try {
    ar.load_from(path);
    cfg = nlohmann::json::parse(tensor_string(read("config")));
  } catch (const pinnxde::Error&) {
    throw;
  } catch (const std::exception& e) {
    detail::fail("Model::restore: '", path, "' is not a readable pinnxde checkpoint (corrupt or truncated?): ",
                 e.what());
  }
  if (cfg.value("format", "") != "pinnxde-checkpoint")
    detail::fail("Model::restore: '", path, "' is not a pinnxde checkpoint");
  // Check everything before changing anything.
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;
  for (const auto& p : m.net_->named_parameters()) {
    auto t = read("net/" + p.key());
    if (t.sizes() != p.value().sizes())
      detail::fail("Model::restore: parameter '", p.key(), "' has shape ", t.sizes(), " in '", path, "' but ",
                   p.value().sizes(), " in this network (expected a checkpoint of the same network)");
    copies.emplace_back(p.value(), t);
  }
  const auto n_saved = cfg.at("parameters").size();
  if (n_saved != m.net_->named_parameters().size())
    detail::fail("Model::restore: '", path, "' holds ", n_saved, " parameter tensors but this network has ",
                 m.net_->named_parameters().size(), " (expected a checkpoint of the same network)");
  const auto& vars = m.copts_.external_trainable_variables;
  if (cfg.at("num_variables").get<std::size_t>() != vars.size())
    detail::fail("Model::restore: '", path, "' holds ", cfg.at("num_variables").get<std::size_t>(),
                 " Variables but the model was compiled with ", vars.size());
  for (std::size_t i = 0; i < vars.size(); ++i) copies.emplace_back(vars[i], read("variables/" + std::to_string(i)));
  {
    torch::NoGradGuard no_grad;
    for (auto& [dst, src] : copies) dst.copy_(src);
    m.best_params_.clear();
    for (std::size_t i = 0; i < m.params_.size(); ++i) {
      torch::Tensor t;
      try {
        ar.read("best/" + std::to_string(i), t);
      } catch (const c10::Error&) {
        m.best_params_.clear();
        break;
      }
      m.best_params_.push_back(t.to(m.params_[i].options()).clone());
    }
  }
  if (cfg.value("optimizer", "") == m.optimizer_name_) {
    torch::serialize::InputArchive opt;
    if (ar.try_read("optimizer", opt)) {
      // L-BFGS is built on first use; a checkpoint taken during L-BFGS carries its curvature history.
      if (!m.optimizer_ && optimizers::detail::is_lbfgs(m.optimizer_name_)) m.optimizer_ = optimizers::detail::make_lbfgs(m.params_, 1, 1);
      if (m.optimizer_) m.optimizer_->load(opt);
    } else if (optimizers::detail::is_lbfgs(m.optimizer_name_)) {
      m.optimizer_.reset();  // saved before L-BFGS had run: start with a fresh history
    }
  }
  m.state_.step = cfg.at("step").get<std::int64_t>();
  m.optimizer_steps_ = cfg.value("optimizer_steps", std::int64_t{0});
  m.state_.best_step = cfg.at("best_step").get<std::int64_t>();
  m.state_.best_loss_train = cfg.at("best_loss_train").is_null() ? std::numeric_limits<double>::infinity()
                                                                : cfg.at("best_loss_train").get<double>();
  const auto& h = cfg.at("history");
  m.history_.steps = h.at("steps").get<std::vector<std::int64_t>>();
  m.history_.loss_train = h.at("loss_train").get<std::vector<std::vector<double>>>();
  m.history_.loss_test = h.at("loss_test").get<std::vector<std::vector<double>>>();
  m.history_.metrics_test = h.at("metrics_test").get<std::vector<std::vector<double>>>();
  m.lbfgs_run_ = optimizers::detail::LbfgsRun{};
  if (cfg.contains("lbfgs_run") && optimizers::detail::is_lbfgs(m.optimizer_name_) && cfg.value("optimizer", "") == m.optimizer_name_) {
    const auto& r = cfg.at("lbfgs_run");
    m.lbfgs_run_.active = true;
    m.lbfgs_run_.maxiter = r.at("maxiter").get<std::int64_t>();
    m.lbfgs_run_.maxfun = r.at("maxfun").get<std::int64_t>();
    m.lbfgs_run_.done = r.at("done").get<std::int64_t>();
    m.lbfgs_run_.evals = r.at("evals").get<std::int64_t>();
    if (!r.at("restart_loss").is_null()) m.lbfgs_run_.restart_loss = r.at("restart_loss").get<double>();
  }
  m.batch_size_ = cfg.value("batch_size", std::int64_t{0});
  m.perm_pos_ = cfg.value("perm_pos", std::int64_t{0});
  m.perm_ = torch::Tensor();
  m.epoch_rows_ = torch::Tensor();
  ar.try_read("minibatch_perm", m.perm_);
  torch::Tensor points;
  if (ar.try_read("train_points", points)) m.data_.restore_checkpoint_points(to_points(points));
  at::Generator gen = at::detail::getDefaultCPUGenerator();  // a handle to the global generator
  gen.set_state(read("torch_rng"));
  std::istringstream rng_state(cfg.at("geometry_rng").get<std::string>());
  rng_state >> geometry::rng();
  m.table_.reset();
}

}  // namespace pinnxde
