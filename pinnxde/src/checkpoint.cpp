// Model::save / Model::restore: one file with the network, Variables, optimizer, step, generators, history
// and configuration.
//
// File layout (format version 2): a LibTorch archive (zip) of the entries below, then a 24-byte trailer:
// the archive's length (uint64, little-endian), the FNV-1a 64-bit hash of the archive's bytes (uint64,
// little-endian) and the magic "PXDECKP2". The archive's bytes hold every tensor's bytes, names, shapes
// and dtypes and the JSON configuration, so the hash covers all of them. It is checked before the archive
// is parsed: any single changed byte, and any truncation, is refused. restore() then reads and checks
// every entry into temporaries and only then changes the model (all or nothing).
#include <ATen/CPUGeneratorImpl.h>
#include <torch/types.h>
#include <torch/serialize/archive.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <sstream>

#include "file_io.hpp"
#include "model_impl.hpp"
#include "pinnxde/conditions/convert.hpp"
#include "pinnxde/config.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/geometry/random.hpp"

namespace pinnxde {
namespace {

constexpr int kFormatVersion = 2;
constexpr std::array<char, 8> kMagic{'P', 'X', 'D', 'E', 'C', 'K', 'P', '2'};
constexpr std::size_t kTrailerSize = 8 + 8 + kMagic.size();

std::uint64_t fnv1a64(const char* data, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

torch::Tensor string_tensor(const std::string& text) {
  return torch::from_blob(const_cast<char*>(text.data()), {static_cast<std::int64_t>(text.size())}, torch::kUInt8)
      .clone();
}

std::string tensor_string(const torch::Tensor& t) {
  auto c = t.contiguous().to(torch::kCPU, torch::kUInt8);
  return std::string(reinterpret_cast<const char*>(c.data_ptr<std::uint8_t>()), static_cast<std::size_t>(c.numel()));
}

nlohmann::json history_json(const LossHistory& h) {
  // NaN (no causal eps) is not JSON: null.
  nlohmann::json eps = nlohmann::json::array();
  for (double e : h.causal_eps) eps.push_back(std::isfinite(e) ? nlohmann::json(e) : nlohmann::json());
  return {{"steps", h.steps},           {"loss_train", h.loss_train},         {"loss_test", h.loss_test},
          {"metrics_test", h.metrics_test}, {"loss_weights", h.loss_weights}, {"causal_weights", h.causal_weights},
          {"causal_eps", eps}};
}

// Everything restore() reads, checked, before any of it is applied.
struct Parsed {
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;  // (model tensor, checkpoint value)
  std::vector<torch::Tensor> best_params;
  bool replace_optimizer = false;                        // set optimizer_ to `optimizer` (may be null)
  bool switch_float64 = false;  // saved after LBFGSOptions::float64_on_stall switched a float32 model
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::int64_t step = 0, optimizer_steps = 0, best_step = 0;
  double best_loss_train = std::numeric_limits<double>::infinity();
  LossHistory history;
  optimizers::detail::LbfgsRun lbfgs_run;
  std::int64_t batch_size = 0, perm_pos = 0;
  torch::Tensor perm;
  std::optional<geometry::Points> train_points;
  torch::Tensor torch_rng;
  std::mt19937_64 geometry_rng;
  std::vector<double> weights;  // the loss weights in force (adaptive ones as updated)
  std::size_t eps_index = 0;    // causal training: position in the eps schedule
};

}  // namespace

void Model::save(const std::string& path) const {
  const auto& m = *impl_;
  if (m.optimizer_name_.empty()) detail::fail<StateError>("Model::save: compile() the model first");
  torch::serialize::OutputArchive ar;
  nlohmann::json cfg;
  cfg["format"] = "pinnxde-checkpoint";
  cfg["version"] = kFormatVersion;
  cfg["dtype"] = config::default_float();
  cfg["optimizer"] = m.optimizer_name_;
  cfg["lr"] = m.copts_.lr;
  cfg["num_variables"] = m.copts_.external_trainable_variables.size();
  cfg["step"] = m.state_.step;
  cfg["optimizer_steps"] = m.optimizer_steps_;
  cfg["best_step"] = m.state_.best_step;
  cfg["best_loss_train"] = m.state_.best_loss_train;
  // Only while the model is still in the float64 it switched to (a later float32 compile undoes it).
  cfg["switched_float64"] = m.switched_float64_ && config::real() == torch::kFloat64;
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
  cfg["loss_weights"] = m.weights_;
  cfg["causal_eps_index"] = m.eps_index_;
  cfg["batch_size"] = m.batch_size_;
  cfg["perm_pos"] = m.perm_pos_;
  std::string archive;
  try {
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
    std::ostringstream bytes;
    ar.save_to(bytes);
    archive = std::move(bytes).str();
  } catch (const c10::Error& e) {
    detail::fail<Error>("Model::save: cannot write '", path, "': ", e.what_without_backtrace());
  }
  const std::uint64_t hash = fnv1a64(archive.data(), archive.size());
  const std::uint64_t length = archive.size();
  put_u64(archive, length);
  put_u64(archive, hash);
  archive.append(kMagic.data(), kMagic.size());
  detail::write_file_atomically(path, archive, "Model::save");
}

void Model::restore(const std::string& path) {
  auto& m = *impl_;
  if (m.optimizer_name_.empty())
    detail::fail<StateError>("Model::restore: compile() the model first (with the optimizer and Variables of the "
                             "run being resumed)");
  {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) detail::fail("Model::restore: no checkpoint at '", path, "'");
    if (std::filesystem::is_directory(path, ec))
      detail::fail("Model::restore: '", path, "' is a directory (expected a checkpoint file)");
  }
  auto unreadable = [&](const auto&... what) {
    detail::fail("Model::restore: '", path, "' is not a readable pinnxde checkpoint (corrupt or truncated?): ",
                 what...);
  };

  // 1. Integrity: the trailer and the hash, before the archive is parsed.
  const std::string bytes = detail::read_file(path, "Model::restore");
  if (bytes.size() < kTrailerSize)
    unreadable(bytes.size(), " bytes is shorter than the ", kTrailerSize, "-byte integrity trailer");
  const char* trailer = bytes.data() + bytes.size() - kTrailerSize;
  if (std::memcmp(trailer + 16, kMagic.data(), kMagic.size()) != 0)
    unreadable("no integrity trailer at its end (truncated, damaged, or written by a pinnxde older than checkpoint "
               "format ", kFormatVersion, ")");
  const std::uint64_t length = get_u64(trailer), stored_hash = get_u64(trailer + 8);
  if (length != bytes.size() - kTrailerSize)
    unreadable("the trailer records ", length, " archive bytes but the file holds ", bytes.size() - kTrailerSize);
  const std::uint64_t hash = fnv1a64(bytes.data(), length);
  if (hash != stored_hash)
    unreadable("checksum mismatch (stored ", std::hex, stored_hash, ", computed ", hash, std::dec,
               "): the file was changed after it was written");

  // The training points come from the seed the program set, not from the restored generator state:
  // build them before the generators are overwritten, as the interrupted run did.
  m.data_.train_batch();
  m.data_.test_batch();

  // 2. Parse and check everything into temporaries. Nothing of the model changes in this block.
  Parsed p;
  try {
    torch::serialize::InputArchive ar;
    // Every tensor lands on the training device, whichever device saved it: a CUDA run's checkpoint
    // restores into a CPU model (also where LibTorch has no CUDA) and the other way round.
    ar.load_from(bytes.data(), static_cast<std::size_t>(length), config::device());
    auto read = [&](const std::string& key) {
      torch::Tensor t;
      if (!ar.try_read(key, t) || !t.defined())
        detail::fail("Model::restore: checkpoint '", path, "' has no '", key,
                     "' (expected a checkpoint saved from this network and these Variables)");
      return t;
    };
    nlohmann::json cfg;
    try {
      cfg = nlohmann::json::parse(tensor_string(read("config")));
    } catch (const nlohmann::json::exception& e) {
      unreadable("its configuration entry is not valid JSON: ", e.what());
    }
    if (!cfg.is_object() || cfg.value("format", "") != "pinnxde-checkpoint")
      detail::fail("Model::restore: '", path, "' is not a pinnxde checkpoint");
    if (cfg.value("version", 0) != kFormatVersion)
      detail::fail("Model::restore: '", path, "' has checkpoint format version ", cfg.value("version", 0),
                   " (expected ", kFormatVersion, ")");

    // Network parameters and Variables: same names, shapes and dtypes.
    for (const auto& param : m.net_->named_parameters()) {
      auto t = read("net/" + param.key());
      if (t.sizes() != param.value().sizes())
        detail::fail("Model::restore: parameter '", param.key(), "' has shape ", t.sizes(), " in '", path, "' but ",
                     param.value().sizes(), " in this network (expected a checkpoint of the same network)");
      if (!c10::isFloatingType(t.scalar_type()))
        unreadable("parameter '", param.key(), "' has dtype ", c10::toString(t.scalar_type()));
      p.copies.emplace_back(param.value(), t);
    }
    // Buffers (e.g. an embedding's fixed Fourier matrix): same names and shapes.
    for (const auto& buf : m.net_->named_buffers()) {
      auto t = read("net/" + buf.key());
      if (t.sizes() != buf.value().sizes())
        detail::fail("Model::restore: buffer '", buf.key(), "' has shape ", t.sizes(), " in '", path, "' but ",
                     buf.value().sizes(), " in this network (expected a checkpoint of the same network)");
      p.copies.emplace_back(buf.value(), t);
    }
    const auto n_saved = cfg.at("parameters").size();
    if (n_saved != m.net_->named_parameters().size())
      detail::fail("Model::restore: '", path, "' holds ", n_saved, " parameter tensors but this network has ",
                   m.net_->named_parameters().size(), " (expected a checkpoint of the same network)");
    const auto& vars = m.copts_.external_trainable_variables;
    const auto n_vars = cfg.at("num_variables").get<std::size_t>();
    if (n_vars != vars.size())
      detail::fail("Model::restore: '", path, "' holds ", n_vars, " Variables but the model was compiled with ",
                   vars.size());
    for (std::size_t i = 0; i < vars.size(); ++i) {
      auto t = read("variables/" + std::to_string(i));
      if (t.sizes() != vars[i].sizes() || !c10::isFloatingType(t.scalar_type()))
        unreadable("Variable ", i, " has shape ", t.sizes(), " and dtype ", c10::toString(t.scalar_type()),
                   " (expected shape ", vars[i].sizes(), ", floating)");
      p.copies.emplace_back(vars[i], t);
    }
    // A run that switched to float64 resumes in float64 (its L-BFGS history is float64).
    p.switch_float64 = cfg.value("switched_float64", false) && config::real() == torch::kFloat32;
    // The best state: all of it or none of it.
    for (std::size_t i = 0; i < m.params_.size(); ++i) {
      torch::Tensor t;
      if (!ar.try_read("best/" + std::to_string(i), t)) break;
      if (t.sizes() != m.params_[i].sizes() || !c10::isFloatingType(t.scalar_type()))
        unreadable("best-state tensor ", i, " has shape ", t.sizes(), " (expected ", m.params_[i].sizes(), ")");
      auto options = m.params_[i].options();
      if (p.switch_float64) options = options.dtype(torch::kFloat64);
      p.best_params.push_back(t.to(options).clone());
    }
    if (!p.best_params.empty() && p.best_params.size() != m.params_.size())
      unreadable("it holds ", p.best_params.size(), " of the ", m.params_.size(), " best-state tensors");

    // The optimizer: loaded into a new one, which replaces the model's only at the end.
    const bool lbfgs = optimizers::detail::is_lbfgs(m.optimizer_name_);
    if (cfg.value("optimizer", "") == m.optimizer_name_) {
      torch::serialize::InputArchive opt;
      if (ar.try_read("optimizer", opt)) {
        // A checkpoint taken during L-BFGS carries its curvature history.
        p.optimizer = lbfgs ? optimizers::detail::make_lbfgs(m.params_, 1, 1)
                            : optimizers::detail::make_optimizer(m.optimizer_name_, m.params_, m.copts_.lr);
        p.optimizer->load(opt);
        p.replace_optimizer = true;
      } else if (lbfgs) {
        p.replace_optimizer = true;  // saved before L-BFGS had run: start with a fresh history
      }
    }

    // Counters, history, the L-BFGS run.
    p.step = cfg.at("step").get<std::int64_t>();
    p.optimizer_steps = cfg.value("optimizer_steps", std::int64_t{0});
    p.best_step = cfg.at("best_step").get<std::int64_t>();
    if (!cfg.at("best_loss_train").is_null()) p.best_loss_train = cfg.at("best_loss_train").get<double>();
    if (p.step < 0 || p.optimizer_steps < 0 || p.best_step < 0 || p.best_step > p.step)
      unreadable("step = ", p.step, ", optimizer_steps = ", p.optimizer_steps, ", best_step = ", p.best_step,
                 " (expected 0 <= best_step <= step, optimizer_steps >= 0)");
    const auto& h = cfg.at("history");
    p.history.steps = h.at("steps").get<std::vector<std::int64_t>>();
    p.history.loss_train = h.at("loss_train").get<std::vector<std::vector<double>>>();
    p.history.loss_test = h.at("loss_test").get<std::vector<std::vector<double>>>();
    p.history.metrics_test = h.at("metrics_test").get<std::vector<std::vector<double>>>();
    const auto rows = p.history.steps.size();
    if (h.contains("loss_weights")) {
      p.history.loss_weights = h.at("loss_weights").get<std::vector<std::vector<double>>>();
      p.history.causal_weights = h.at("causal_weights").get<std::vector<std::vector<double>>>();
      for (const auto& e : h.at("causal_eps"))
        p.history.causal_eps.push_back(e.is_null() ? std::numeric_limits<double>::quiet_NaN() : e.get<double>());
      if (p.history.loss_weights.size() != rows || p.history.causal_weights.size() != rows ||
          p.history.causal_eps.size() != rows)
        unreadable("the loss history has ", rows, " steps but ", p.history.loss_weights.size(), ", ",
                   p.history.causal_weights.size(), " and ", p.history.causal_eps.size(),
                   " rows of loss weights, causal weights and causal eps");
    } else {  // written before weights were recorded
      p.history.loss_weights.assign(rows, {});
      p.history.causal_weights.assign(rows, {});
      p.history.causal_eps.assign(rows, std::numeric_limits<double>::quiet_NaN());
    }
    p.weights = cfg.value("loss_weights", std::vector<double>{});
    for (std::size_t i = 0; i < p.weights.size(); ++i)
      if (!std::isfinite(p.weights[i]) || p.weights[i] < 0)
        unreadable("loss_weights[", i, "] = ", p.weights[i], " (expected finite >= 0)");
    p.eps_index = cfg.value("causal_eps_index", std::size_t{0});
    if (m.causal() && p.eps_index >= m.copts_.causal.eps.size())
      unreadable("causal_eps_index = ", p.eps_index, " but the compiled causal.eps has ", m.copts_.causal.eps.size(),
                 " entries");
    if (p.history.loss_train.size() != rows || p.history.loss_test.size() != rows ||
        p.history.metrics_test.size() != rows)
      unreadable("the loss history has ", rows, " steps but ", p.history.loss_train.size(), ", ",
                 p.history.loss_test.size(), " and ", p.history.metrics_test.size(), " rows of values");
    if (cfg.contains("lbfgs_run") && lbfgs && cfg.value("optimizer", "") == m.optimizer_name_) {
      const auto& r = cfg.at("lbfgs_run");
      auto& run = p.lbfgs_run;
      run.active = true;
      run.maxiter = r.at("maxiter").get<std::int64_t>();
      run.maxfun = r.at("maxfun").get<std::int64_t>();
      run.done = r.at("done").get<std::int64_t>();
      run.evals = r.at("evals").get<std::int64_t>();
      if (!r.at("restart_loss").is_null()) run.restart_loss = r.at("restart_loss").get<double>();
      if (run.maxiter < 0 || run.maxfun < 0 || run.done < 0 || run.evals < 0)
        unreadable("the L-BFGS run has a negative count (maxiter ", run.maxiter, ", maxfun ", run.maxfun, ", done ",
                   run.done, ", evals ", run.evals, ")");
    }

    // Mini-batches: a permutation of 0..n-1 and a position inside it.
    p.batch_size = cfg.value("batch_size", std::int64_t{0});
    p.perm_pos = cfg.value("perm_pos", std::int64_t{0});
    if (ar.try_read("minibatch_perm", p.perm)) {
      p.perm = p.perm.to(torch::kCPU);  // host-side, like the generator that draws it
      const auto& t = p.perm;
      if (t.dim() != 1 || t.scalar_type() != torch::kLong ||
          !torch::equal(std::get<0>(t.sort()), torch::arange(t.size(0), torch::kLong)))
        unreadable("minibatch_perm is not a permutation of 0..n-1 (shape ", t.sizes(), ", dtype ",
                   c10::toString(t.scalar_type()), ")");
      if (p.perm_pos < 0 || p.perm_pos > t.size(0) || p.batch_size < 0 || p.batch_size > t.size(0))
        unreadable("perm_pos = ", p.perm_pos, " and batch_size = ", p.batch_size, " (expected within 0..",
                   t.size(0), ", the permutation's length)");
    } else if (p.perm_pos < 0 || p.batch_size < 0) {
      unreadable("perm_pos = ", p.perm_pos, ", batch_size = ", p.batch_size, " (expected >= 0)");
    }

    // Training points: (N, input_dim), finite.
    torch::Tensor points;
    if (ar.try_read("train_points", points)) {
      if (points.dim() != 2 || points.size(1) != m.data_.input_dim() || points.scalar_type() != torch::kFloat64 ||
          !torch::isfinite(points).all().item<bool>())
        unreadable("train_points has shape ", points.sizes(), " and dtype ", c10::toString(points.scalar_type()),
                   " (expected finite float64 points of width ", m.data_.input_dim(), ", the input dimension)");
      p.train_points = to_points(points);
    }

    // Generator states: checked on a scratch generator and a scratch engine.
    p.torch_rng = read("torch_rng").to(torch::kCPU);
    try {
      auto scratch = at::make_generator<at::CPUGeneratorImpl>();
      scratch.set_state(p.torch_rng);
    } catch (const c10::Error& e) {
      unreadable("torch_rng is not a CPU generator state: ", e.what_without_backtrace());
    }
    std::istringstream rng_state(cfg.at("geometry_rng").get<std::string>());
    rng_state >> p.geometry_rng;
    if (rng_state.fail()) unreadable("geometry_rng is not a std::mt19937_64 state");
  } catch (const pinnxde::Error&) {
    throw;
  } catch (const nlohmann::json::exception& e) {
    unreadable("its configuration is incomplete or has a wrong type: ", e.what());
  } catch (const c10::Error& e) {
    unreadable(e.what_without_backtrace());
  } catch (const std::exception& e) {
    unreadable(e.what());
  }

  // 3. Commit: nothing below can fail on a checkpoint that passed the checks above.
  if (p.switch_float64) m.switch_to_float64();  // same tensors, float64 storage: the copies below fill them
  {
    torch::NoGradGuard no_grad;
    for (auto& [dst, src] : p.copies) dst.copy_(src);
  }
  m.best_params_ = std::move(p.best_params);
  if (p.replace_optimizer) m.optimizer_ = std::move(p.optimizer);
  m.state_.step = p.step;
  m.optimizer_steps_ = p.optimizer_steps;
  m.state_.best_step = p.best_step;
  m.state_.best_loss_train = p.best_loss_train;
  m.history_ = std::move(p.history);
  m.weights_ = std::move(p.weights);
  m.eps_index_ = m.causal() ? p.eps_index : 0;
  m.lbfgs_run_ = p.lbfgs_run;
  m.batch_size_ = p.batch_size;
  m.perm_pos_ = p.perm_pos;
  m.perm_ = p.perm;
  m.epoch_rows_ = torch::Tensor();
  m.last_terms_.clear();  // they were the old parameters' losses
  m.state_.loss_train = std::numeric_limits<double>::quiet_NaN();
  if (p.train_points) m.data_.restore_checkpoint_points(*p.train_points);
  at::Generator gen = at::detail::getDefaultCPUGenerator();  // a handle to the global generator
  gen.set_state(p.torch_rng);
  geometry::rng() = p.geometry_rng;
  m.table_.reset();
}

}  // namespace pinnxde
