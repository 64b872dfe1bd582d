// Checkpoint integrity and atomic writes (issue 10): a checksum over the whole archive, restore() all or
// nothing, writes that leave no stray files; and the model's edge cases: zero iterations, a non-finite
// loss at step 0, non-finite Variables and loss weights, loss.dat in an unwritable place.
#include <ATen/CPUGeneratorImpl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <pinnxde/pinnxde.hpp>
#include <sstream>

namespace dde = pinnxde;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::ThrowsMessage;

namespace {

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dde::config::set_default_float("float32");
    dir_ = std::filesystem::temp_directory_path() /
           ("pinnxde_checkpoint_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    dde::config::set_default_float("float32");
    std::filesystem::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::filesystem::path dir_;
};

std::string read_bytes(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

torch::Tensor zeros(const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); }

// A small inverse problem with Adam state, a Variable, mini-batches and a resampler: every kind of entry
// a checkpoint holds.
struct Small {
  dde::geometry::Interval geom{0, 1};
  torch::Tensor k;
  dde::DirichletBC bc{geom, zeros, dde::on_boundary};
  dde::data::PDE data;
  dde::nn::FNN net{{1, 8, 8, 1}, "tanh", "Glorot normal"};
  dde::Model model;
  static dde::data::PDE make_data(const dde::geometry::Interval& g, const dde::DirichletBC& bc, torch::Tensor k) {
    auto pde = [k](const torch::Tensor& x, const torch::Tensor& y) {
      return dde::grad::hessian(y, x, 0, 0) + k * torch::sin(M_PI * x);
    };
    return dde::data::PDE(g, pde, {bc}, {.num_domain = 16, .num_boundary = 2, .train_distribution = "pseudo"});
  }
  Small()
      : k((dde::config::set_random_seed(3), dde::Variable(0.5))),
        data(make_data(geom, bc, k)),
        model(data, net) {
    model.compile("adam", {.lr = 1e-2, .decay = dde::Decay{"inverse time", 10, 0.5},
                           .external_trainable_variables = {k}});
  }
  void train(std::int64_t n) {
    model.train({.iterations = n, .batch_size = 4, .display_every = 2,
                 .callbacks = {dde::callbacks::PDEPointResampler(3)}, .verbose = false});
  }
};

// Everything a restore sets, copied.
struct Snapshot {
  std::vector<torch::Tensor> params;
  std::int64_t step = 0, best_step = 0;
  std::vector<std::int64_t> history_steps;
  double lr = 0;
  torch::Tensor torch_rng;
  std::string geometry_rng;
};

Snapshot take(const dde::Model& m) {
  Snapshot s;
  for (const auto& p : m.trainable_variables()) s.params.push_back(p.detach().clone());
  s.step = m.train_state().step;
  s.best_step = m.train_state().best_step;
  s.history_steps = m.losshistory().steps;
  s.lr = m.learning_rate();
  s.torch_rng = at::detail::getDefaultCPUGenerator().get_state();
  std::ostringstream os;
  os << dde::geometry::rng();
  s.geometry_rng = os.str();
  return s;
}

::testing::AssertionResult same(const Snapshot& a, const Snapshot& b) {
  if (a.params.size() != b.params.size()) return ::testing::AssertionFailure() << "parameter count differs";
  for (std::size_t i = 0; i < a.params.size(); ++i)
    if (a.params[i].scalar_type() != b.params[i].scalar_type() || !torch::equal(a.params[i], b.params[i]))
      return ::testing::AssertionFailure() << "parameter " << i << " differs";
  if (a.step != b.step || a.best_step != b.best_step) return ::testing::AssertionFailure() << "step differs";
  if (a.history_steps != b.history_steps) return ::testing::AssertionFailure() << "history differs";
  if (a.lr != b.lr) return ::testing::AssertionFailure() << "learning rate differs";
  if (!torch::equal(a.torch_rng, b.torch_rng)) return ::testing::AssertionFailure() << "torch generator differs";
  if (a.geometry_rng != b.geometry_rng) return ::testing::AssertionFailure() << "geometry generator differs";
  return ::testing::AssertionSuccess();
}

// The documented trailer: archive length, FNV-1a 64 of the archive, magic (pinnxde/src/checkpoint.cpp).
std::string resign(std::string bytes) {
  const std::size_t n = bytes.size() - 24;
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(bytes[i]);
    h *= 0x100000001b3ULL;
  }
  for (int i = 0; i < 8; ++i) bytes[n + 8 + i] = static_cast<char>((h >> (8 * i)) & 0xff);
  return bytes;
}

// Corrupts a real checkpoint at >= 200 places (byte flips everywhere, the trailer included, and
// truncations); every one must be refused with a ValueError naming the file, or restore exactly what the
// intact file restores. After a refusal the model must be bit-identical to before.
TEST_F(CheckpointTest, EveryCorruptionIsRefusedAndAFailedRestoreChangesNothing) {
  Small s;
  s.train(6);
  s.model.save(path("good.ckpt"));
  const std::string good = read_bytes(path("good.ckpt"));
  ASSERT_GT(good.size(), 1000u);
  Small reference;
  reference.model.restore(path("good.ckpt"));
  const Snapshot restored = take(reference.model);
  s.train(3);  // the model now differs from the checkpoint in every respect a restore would change

  std::vector<std::pair<std::string, std::string>> cases;  // (what, bytes)
  const std::size_t n = good.size();
  for (std::size_t i = 0; i < 24; ++i) {  // every trailer byte
    std::string b = good;
    b[n - 1 - i] = static_cast<char>(b[n - 1 - i] ^ 0x01);
    cases.emplace_back("flip in trailer byte " + std::to_string(n - 1 - i), b);
  }
  for (std::size_t i = 0; i < 150; ++i) {  // spread over the archive, each bit position in turn
    const std::size_t off = i * (n - 24) / 150 + (i * 7) % 5;
    std::string b = good;
    b[off] = static_cast<char>(b[off] ^ (1 << (i % 8)));
    cases.emplace_back("flip at " + std::to_string(off), b);
  }
  for (std::size_t i = 0; i < 50; ++i) {  // truncations, including the empty file and one byte short
    const std::size_t len = i == 49 ? n - 1 : i * n / 49;
    cases.emplace_back("truncated to " + std::to_string(len), good.substr(0, len));
  }
  cases.emplace_back("appended byte", good + "x");
  ASSERT_GE(cases.size(), 200u);

  Snapshot before = take(s.model);
  std::size_t refused = 0;
  for (const auto& [what, bytes] : cases) {
    write_bytes(path("bad.ckpt"), bytes);
    try {
      s.model.restore(path("bad.ckpt"));
      EXPECT_TRUE(same(take(s.model), restored)) << what << ": restored, but not what the intact file holds";
      before = take(s.model);
    } catch (const dde::ValueError& e) {
      ++refused;
      EXPECT_THAT(e.what(), HasSubstr(path("bad.ckpt"))) << what;
      EXPECT_TRUE(same(take(s.model), before)) << what << ": a failed restore changed the model";
    } catch (const std::exception& e) {
      ADD_FAILURE() << what << ": not a ValueError: " << e.what();
    }
  }
  // The checksum covers every byte, so no corruption gets through to the archive reader.
  EXPECT_EQ(refused, cases.size());

  // The intact file still restores, bit for bit.
  s.model.restore(path("good.ckpt"));
  EXPECT_TRUE(same(take(s.model), restored));
}

// Damage that carries a valid checksum (a file re-signed after the damage) reaches the archive reader and
// the entry checks: still a ValueError naming the file, or a restore, and never a half-done restore.
// Damage behind a valid checksum is tampering, not accident: LibTorch's archive reader then decides, and on
// rare offsets it reads out of bounds and crashes (seen once in about ten runs). Each case therefore runs in
// a child process; the test asserts the all-or-nothing property for every case that returns, and reports
// the crashes (the checksum, not this test, is what protects against accidental damage).
TEST_F(CheckpointTest, DamageBehindAValidChecksumIsStillAllOrNothing) {
  Small s;
  s.train(4);
  s.model.save(path("good.ckpt"));
  const std::string good = read_bytes(path("good.ckpt"));
  s.train(2);
  const std::size_t n = good.size() - 24;
  int crashed = 0, restored = 0, refused = 0;
  for (std::size_t i = 0; i < 120; ++i) {
    const std::size_t off = i * n / 120 + (i * 13) % 11;
    std::string b = good;
    b[off] = static_cast<char>(b[off] ^ 0x5a);
    write_bytes(path("resigned.ckpt"), resign(b));
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {  // child: 0 restored, 1 refused with an unchanged model, 2 a wrong outcome
      const Snapshot before = take(s.model);
      int code = 2;
      try {
        s.model.restore(path("resigned.ckpt"));
        code = 0;
      } catch (const dde::ValueError& e) {
        code = std::string(e.what()).find(path("resigned.ckpt")) != std::string::npos && same(take(s.model), before)
                   ? 1
                   : 2;
      } catch (...) {
      }
      std::_Exit(code);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status)) {
      ++crashed;
      continue;
    }
    const int code = WEXITSTATUS(status);
    EXPECT_NE(code, 2) << "offset " << off << ": not a ValueError naming the file, or a failed restore changed the model";
    (code == 0 ? restored : refused) += 1;
  }
  std::cout << "re-signed damage: " << restored << " restored, " << refused << " refused, " << crashed
            << " crashed in LibTorch's reader\n";
  EXPECT_GT(refused, 0);
}

TEST_F(CheckpointTest, SaveIsAtomicAndNamesThePathOnFailure) {
  Small s;
  s.train(2);
  std::filesystem::create_directories(path("a_directory"));
  EXPECT_THAT([&] { s.model.save(path("a_directory")); },
              ThrowsMessage<dde::Error>(HasSubstr("cannot write '" + path("a_directory") + "'")));
  EXPECT_THAT([&] { s.model.save(path("missing/run.ckpt")); },
              ThrowsMessage<dde::Error>(HasSubstr("cannot write '" + path("missing/run.ckpt") + "'")));
  EXPECT_EQ(files(), std::vector<std::string>{"a_directory"});  // no stray temporary files

  // Overwriting a checkpoint replaces it whole and leaves nothing else behind.
  s.model.save(path("run.ckpt"));
  const auto first = read_bytes(path("run.ckpt"));
  s.train(2);
  s.model.save(path("run.ckpt"));
  EXPECT_NE(read_bytes(path("run.ckpt")), first);
  EXPECT_EQ(files(), (std::vector<std::string>{"a_directory", "run.ckpt"}));
  EXPECT_THAT([&] { s.model.restore(path("a_directory")); },
              ThrowsMessage<dde::ValueError>(HasSubstr("is a directory")));
}

TEST_F(CheckpointTest, SaveLossHistoryNamesAnUnwritablePathAndWritesAtomically) {
  write_bytes(path("a_file"), "not a directory");
  dde::LossHistory h;
  h.steps = {0, 10};
  h.loss_train = {{1.0, 2.0}, {0.5, 0.25}};
  h.loss_test = {{1.5}, {0.75}};
  h.metrics_test = {{}, {}};
  // The output directory cannot be created: a file is in the way.
  EXPECT_THAT([&] { dde::save_loss_history(h, path("a_file/out")); },
              ThrowsMessage<dde::Error>(HasSubstr(path("a_file/out"))));
  // loss.dat itself cannot be written: a directory is in the way.
  std::filesystem::create_directories(path("out/loss.dat"));
  EXPECT_THAT([&] { dde::save_loss_history(h, path("out")); },
              ThrowsMessage<dde::Error>(HasSubstr(path("out/loss.dat"))));
  std::filesystem::remove(path("out/loss.dat"));
  EXPECT_TRUE(std::filesystem::is_empty(path("out")));  // no stray temporary files

  dde::save_loss_history(h, path("out"));
  const auto text = read_bytes(path("out/loss.dat"));
  EXPECT_THAT(text, HasSubstr("10 5.00000000e-01 2.50000000e-01 7.50000000e-01\n"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(path("out")), {}), 1);

  h.loss_test.pop_back();
  EXPECT_THAT([&] { dde::save_loss_history(h, path("out")); },
              ThrowsMessage<dde::ValueError>(HasSubstr("the history has 2 steps")));
}

TEST_F(CheckpointTest, ZeroIterationsEvaluatesTheLossOnce) {
  Small s;
  auto [history, state] = s.model.train({.iterations = 0, .verbose = false});
  EXPECT_EQ(state.step, 0);
  ASSERT_TRUE(std::isfinite(state.loss_train));
  ASSERT_EQ(history.loss_train.size(), 1u);
  double total = 0;
  for (double t : history.loss_train.back()) total += t;
  EXPECT_NEAR(state.loss_train, total, 1e-6 * total);

  // Also right after a restore, when the step is already in the history and nothing is recorded.
  s.model.save(path("zero.ckpt"));
  Small t;
  t.model.restore(path("zero.ckpt"));
  auto [h2, s2] = t.model.train({.iterations = 0, .verbose = false});
  EXPECT_TRUE(std::isfinite(s2.loss_train));
  EXPECT_NEAR(s2.loss_train, total, 1e-6 * total);
}

TEST_F(CheckpointTest, NonFiniteLossAtStepZeroSaysThereWasNoStateToRestore) {
  dde::geometry::Interval geom(0, 1);
  auto pde = [](const torch::Tensor& x, const torch::Tensor& y) {
    return (dde::grad::jacobian(y, x) - 1) * std::numeric_limits<double>::quiet_NaN();
  };
  dde::data::PDE data(geom, pde, {}, {.num_domain = 10});
  dde::Model model(data, dde::nn::FNN({1, 4, 1}));
  model.compile("adam");
  auto [history, state] = model.train({.iterations = 10, .verbose = false});
  EXPECT_EQ(state.stop_reason, dde::StopReason::NonFinite);
  EXPECT_EQ(state.step, 0);
  EXPECT_FALSE(state.restored_best);
  EXPECT_THAT(state.message, HasSubstr("loss became nan at step 0"));
  EXPECT_THAT(state.message, HasSubstr("no finite state to restore"));
  EXPECT_THAT(state.message, Not(HasSubstr("restored the best state")));
}

TEST_F(CheckpointTest, NonFiniteVariablesAndLossWeightsAreRefused) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  EXPECT_THAT([&] { dde::Variable(nan); }, ThrowsMessage<dde::ValueError>(HasSubstr("Variable: value = nan")));
  EXPECT_THAT([&] { dde::Variable(inf); }, ThrowsMessage<dde::ValueError>(HasSubstr("Variable: value = inf")));
  EXPECT_THAT([&] { dde::Variable(-inf); }, ThrowsMessage<dde::ValueError>(HasSubstr("Variable: value = -inf")));

  dde::geometry::Interval geom(0, 1);
  dde::data::PDE data(geom, nullptr, {dde::DirichletBC(geom, zeros, dde::on_boundary)}, {.num_boundary = 2});
  dde::Model model(data, dde::nn::FNN({1, 4, 1}));
  EXPECT_THAT([&] { model.compile("adam", {.loss_weights = {nan}}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("loss_weights[0] = nan")));
  EXPECT_THAT([&] { model.compile("adam", {.loss_weights = {1, inf}}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("loss_weights[1] = inf")));
  // A Variable made by hand rather than by dde::Variable.
  auto k = torch::full({}, nan).requires_grad_(true);
  EXPECT_THAT([&] { model.compile("adam", {.external_trainable_variables = {k}}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("external_trainable_variables[0] = nan")));
}

}  // namespace
