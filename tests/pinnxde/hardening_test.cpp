// Regression tests for issue 10 (reliability and security) on the training side: saveplot never lets a
// user string reach a shell or a plot script, bad data is refused when it is built or first evaluated,
// and foreign exceptions come back as pinnxde errors with context.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

class HardeningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pinnxde_hardening_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    dde::config::set_random_seed(3);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

torch::Tensor zeros(const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); }

struct Small {
  dde::geometry::Interval geom{0, 1};
  dde::DirichletBC bc{geom, zeros, dde::on_boundary};
  dde::data::PDE data{geom,
                      [](const torch::Tensor& x, const torch::Tensor& y) {
                        return dde::grad::hessian(y, x, 0, 0) + torch::sin(M_PI * x);
                      },
                      {bc},
                      {.num_domain = 16, .num_boundary = 2, .solution = [](const torch::Tensor& x) {
                         return torch::sin(M_PI * x) / (M_PI * M_PI);
                       }, .num_test = 20}};
  dde::nn::FNN net{{1, 8, 1}, "tanh", "Glorot normal"};
  dde::Model model{data, net};
  Small() {
    model.compile("adam", {.lr = 1e-3});
    model.train({.iterations = 2, .display_every = 1, .verbose = false});
  }
};

// ----------------------------------------------------------------------------------------- saveplot

// An output directory whose name closes gnuplot's quoted string and calls system(): before the fix the
// directory was pasted into the script and gnuplot ran `touch <marker>`.
TEST_F(HardeningTest, SaveplotOutputDirCannotInjectGnuplotCommands) {
  if (!dde::gnuplot_available()) GTEST_SKIP() << "gnuplot not installed";
  Small s;
  const auto marker = dir_ / "PWNED";
  const std::string evil = (dir_ / ("a' . system('touch " + marker.string() + "') . '")).string();
  const int pngs = dde::saveplot(s.model, {.output_dir = evil});
  EXPECT_FALSE(std::filesystem::exists(marker)) << "gnuplot ran a command taken from output_dir";
  EXPECT_EQ(pngs, 2);  // and the plots land in the oddly named directory
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(evil) / "loss.png"));
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(evil) / "solution.png"));
}

TEST_F(HardeningTest, SaveplotDirectoryWithQuotesNewlinesAndSpacesPlots) {
  if (!dde::gnuplot_available()) GTEST_SKIP() << "gnuplot not installed";
  Small s;
  const auto odd = dir_ / "it's a \"dir\"\nwith $(echo x) `y`";
  EXPECT_EQ(dde::saveplot(s.model, {.output_dir = odd.string()}), 2);
  EXPECT_TRUE(std::filesystem::exists(odd / "loss.png"));
}

TEST_F(HardeningTest, SaveplotOntoAFileIsAPinnxdeErrorNamingThePath) {
  Small s;
  const auto file = dir_ / "plain_file";
  std::ofstream(file) << "x";
  EXPECT_THAT([&] { dde::saveplot(s.model, {.output_dir = (file / "sub").string()}); },
              ThrowsMessage<dde::Error>(HasSubstr("plain_file")));
  EXPECT_THAT([&] { dde::saveplot(s.model, {.output_dir = file.string()}); },
              ThrowsMessage<dde::Error>(AllOf(HasSubstr("plain_file"), HasSubstr("not a directory"))));
  EXPECT_THAT([&] { dde::saveplot(s.model, {.output_dir = ""}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("output_dir is empty")));
}

}  // namespace
