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

// save_table: an example's own plot data, written atomically into a directory it creates; the file name
// cannot climb out of output_dir and mismatched columns are refused before anything is written.
TEST_F(HardeningTest, SaveTableWritesColumnsAndRefusesBadNamesAndShapes) {
  const auto out = dir_ / "it's \"odd\"" / "sub";
  auto t = torch::tensor({0.0, 0.5, 1.0}, torch::kFloat64);
  auto y = torch::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}});
  dde::save_table(out.string(), "traj.dat", "t a b", {t, y});
  std::ifstream in(out / "traj.dat");
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header, "# t a b");
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  EXPECT_EQ(lines, (std::vector<std::string>{"0 1 2", "0.5 3 4", "1 5 6"}));
  for (const auto& entry : std::filesystem::directory_iterator(out))  // no temporary file left behind
    EXPECT_EQ(entry.path().filename(), "traj.dat");
  for (const std::string bad : {"", "..", "../escape.dat", "a/b.dat"})
    EXPECT_THAT([&] { dde::save_table(out.string(), bad, "h", {t}); },
                ThrowsMessage<dde::ValueError>(AllOf(HasSubstr("save_table: file_name = '" + bad + "'"),
                                                     HasSubstr("plain file name"))));
  EXPECT_THAT([&] { dde::save_table(out.string(), "x.dat", "h", {t, torch::zeros({4, 1})}); },
              ThrowsMessage<dde::ValueError>(AllOf(HasSubstr("columns[1] has 4 rows, columns[0] has 3"),
                                                   HasSubstr("same number of rows"))));
  EXPECT_THAT([&] { dde::save_table(out.string(), "x.dat", "h", {torch::zeros({2, 2, 2})}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("columns[0] has 3 dimensions")));
  EXPECT_FALSE(std::filesystem::exists(out / "x.dat"));
  const auto file = dir_ / "plain_file";
  std::ofstream(file) << "x";
  EXPECT_THAT([&] { dde::save_table(file.string(), "x.dat", "h", {t}); },
              ThrowsMessage<dde::Error>(AllOf(HasSubstr("save_table: output_dir"), HasSubstr("not a directory"))));
}

// ------------------------------------------------------------------------------- non-finite data

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

dde::data::PDEFunction poisson() {
  return [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0) + torch::sin(x); };
}

TEST_F(HardeningTest, NonFiniteBoundaryValuesAreRefusedWhenFirstEvaluated) {
  dde::geometry::Interval geom(0, 1);
  dde::DirichletBC bc(geom, [](const torch::Tensor& x) { return torch::full({x.size(0), 1}, kNaN, x.options()); },
                      dde::on_boundary);
  dde::data::PDE data(geom, poisson(), {bc}, {.num_domain = 8, .num_boundary = 2});
  EXPECT_THAT([&] { data.train_batch(); },
              ThrowsMessage<dde::ValueError>(AllOf(HasSubstr("DirichletBC: the value function returned nan"),
                                                   HasSubstr("x = ("))));
  dde::NeumannBC nbc(geom, [](const torch::Tensor& x) { return torch::full({x.size(0)}, kInf, x.options()); },
                     dde::on_boundary);
  dde::data::PDE data2(geom, poisson(), {nbc}, {.num_domain = 8, .num_boundary = 2});
  EXPECT_THAT([&] { data2.train_batch(); }, ThrowsMessage<dde::ValueError>(HasSubstr("NeumannBC: the value function returned inf")));
}

TEST_F(HardeningTest, NonFiniteObservationsAnchorsAndTargetsAreRefusedAtConstruction) {
  dde::geometry::Points pts(3, 1), vals(3, 1);
  pts << 0.1, 0.5, 0.9;
  vals << 1, kNaN, 3;
  EXPECT_THAT([&] { dde::PointSetBC(pts, vals); }, ThrowsMessage<dde::ValueError>(HasSubstr("PointSetBC: values[1, 0] = nan")));
  vals(1, 0) = 2;
  pts(2, 0) = kInf;
  EXPECT_THAT([&] { dde::PointSetBC(pts, vals); }, ThrowsMessage<dde::ValueError>(HasSubstr("PointSetBC: points[2, 0] = inf")));
  dde::geometry::Interval geom(0, 1);
  dde::geometry::Points anchors(2, 1);
  anchors << 0.5, kNaN;
  EXPECT_THAT([&] { dde::data::PDE(geom, poisson(), {}, {.num_domain = 4, .anchors = anchors}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("PDE: anchors[1, 0] = nan")));
  dde::data::PDE data(geom, poisson(), {}, {.num_domain = 4});
  EXPECT_THAT([&] { data.add_anchors(anchors); }, ThrowsMessage<dde::ValueError>(HasSubstr("add_anchors: anchors[1, 0] = nan")));
  EXPECT_THAT([&] { data.replace_with_anchors(anchors); }, ThrowsMessage<dde::ValueError>(HasSubstr("anchors[1, 0]")));
  dde::geometry::Points X(2, 1), y(2, 1);
  X << 0, 1;
  y << 1, kInf;
  EXPECT_THAT([&] { dde::data::DataSet({.X_train = X, .y_train = y}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("DataSet: y_train[1, 0] = inf")));
  const auto file = dir_ / "nan.dat";
  std::ofstream(file) << "0 1\n0.5 nan\n";
  EXPECT_THAT([&] { dde::data::DataSet({.fname_train = file.string(), .col_x = {0}, .col_y = {1}}); },
              ThrowsMessage<dde::ValueError>(AllOf(HasSubstr("y_train[1, 0] = nan"), HasSubstr("nan.dat"))));
  EXPECT_THAT([&] { dde::data::DataSet({.fname_train = dir_.string(), .col_x = {0}, .col_y = {1}}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("is a directory")));
}

TEST_F(HardeningTest, NonFiniteReferenceSolutionAndMetricsAreRefused) {
  dde::geometry::Interval geom(0, 1);
  dde::data::PDE data(geom, poisson(), {},
                      {.num_domain = 8, .solution = [](const torch::Tensor& x) { return torch::log(x - 0.5); },
                       .num_test = 10});
  EXPECT_THAT([&] { data.test_batch(); },
              ThrowsMessage<dde::ValueError>(AllOf(HasSubstr("solution returned a non-finite value"), HasSubstr("x = ("))));
  const auto t = torch::tensor({1.0, kNaN}).reshape({2, 1}), p = torch::ones({2, 1});
  for (const auto& name : dde::metrics::names())
    EXPECT_THAT([&] { dde::metrics::get(name)(t, p); },
                ThrowsMessage<dde::ValueError>(AllOf(HasSubstr("y_true"), HasSubstr("nan"), HasSubstr("row 1"))))
        << name;
  EXPECT_THAT([&] { dde::metrics::get("MSE")(torch::Tensor(), p); }, ThrowsMessage<dde::ValueError>(HasSubstr("undefined")));
}

// --------------------------------------------------------------------------- files and callbacks

TEST_F(HardeningTest, UnwritableCallbackFilesThrowNamingThePath) {
  const auto bad = (dir_ / "no_such_dir" / "vars.dat").string();
  auto k = dde::Variable(1.0);
  EXPECT_THAT([&] { dde::callbacks::VariableValue({k}, {.filename = bad}); },
              ThrowsMessage<dde::Error>(AllOf(HasSubstr("VariableValue"), HasSubstr(bad))));
  EXPECT_THAT([&] { dde::callbacks::VariableValue({torch::ones({2})}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("var_list[0] has shape [2]")));
  auto op = [](const torch::Tensor&, const torch::Tensor& y) { return y; };
  EXPECT_THAT([&] { dde::callbacks::OperatorPredictor(torch::ones({3, 1}), op, 1, bad); },
              ThrowsMessage<dde::Error>(AllOf(HasSubstr("OperatorPredictor"), HasSubstr(bad))));
  EXPECT_THAT([&] { dde::callbacks::OperatorPredictor(torch::Tensor(), op); },
              ThrowsMessage<dde::ValueError>(HasSubstr("OperatorPredictor: x is undefined")));
}

// ------------------------------------------------------------------- foreign exceptions, messages

TEST_F(HardeningTest, ResidualOfIntegerDtypeIsAValueError) {
  dde::geometry::Interval geom(0, 1);
  dde::data::PDE data(geom,
                      [](const torch::Tensor& x, const torch::Tensor&) {
                        return torch::zeros({x.size(0), 1}, torch::kLong);
                      },
                      {}, {.num_domain = 8});
  const auto& b = data.train_batch();
  const auto y = torch::zeros({b.x.size(0), 1}, b.x.options());
  EXPECT_THAT([&] { data.losses(y, b, {dde::losses::get("MSE")}); },
              ThrowsMessage<dde::ValueError>(AllOf(HasSubstr("residual (term 0) has dtype Long"), HasSubstr("floating"))));
}

TEST_F(HardeningTest, ConstructorsNameTheRightArgument) {
  dde::geometry::Interval geom(0, 1);
  dde::data::PDE empty(geom, dde::data::PDEFunction(), {}, {.num_domain = 4});  // a valid container
  const auto& eb = empty.train_batch();
  EXPECT_THAT([&] { empty.losses(torch::zeros({eb.x.size(0), 1}, eb.x.options()), eb, {dde::losses::get("MSE")}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("neither a PDE residual nor conditions")));
  dde::geometry::GeometryXTime gt(geom, dde::geometry::TimeDomain(0, 1));
  EXPECT_THAT([&] { dde::PeriodicBC(gt, 1, dde::on_boundary); },
              ThrowsMessage<dde::ValueError>(AllOf(HasSubstr("PeriodicBC: component_x = 1 is the time axis"),
                                                   ::testing::Not(HasSubstr("Interval.periodic_point")))));
  dde::DirichletBC throwing(geom, zeros, [](const auto&, bool) -> bool { throw std::runtime_error("boom"); });
  dde::data::PDE data(geom, poisson(), {throwing}, {.num_domain = 4, .num_boundary = 2});
  EXPECT_THAT([&] { data.train_batch(); },
              ThrowsMessage<dde::Error>(AllOf(HasSubstr("DirichletBC: while evaluating the predicate"), HasSubstr("boom"))));
  EXPECT_THAT([&] { dde::data::PDE(geom, poisson(), {}, {.num_domain = std::int64_t{1'000'000'000'000}}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("num_domain = 1000000000000")));
}

TEST_F(HardeningTest, RadPointsMessagesNameTheRealProblem) {
  Small s;
  auto res = [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0); };
  EXPECT_THAT([&] { dde::adaptive::rad_points(s.model, s.geom, res, 0); },
              ThrowsMessage<dde::ValueError>(AllOf(HasSubstr("rad_points: n = 0 (expected n >= 1)"),
                                                   ::testing::Not(HasSubstr("num_candidates = 0")))));
  EXPECT_THAT([&] { dde::adaptive::rad_points(s.model, s.geom, res, 5, {.num_candidates = -1}); },
              ThrowsMessage<dde::ValueError>(HasSubstr("num_candidates = -1")));
}

}  // namespace
