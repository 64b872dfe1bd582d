// The bad-input suite (issue 10): wrong, hostile or absurd input across geometry, conditions, data,
// networks, the model, callbacks, data files and paths. Every case runs in a forked child with a memory
// cap (RLIMIT_AS) and a time limit (alarm), so that a crash or a hang is recorded as such. A case is clean
// when it throws the documented pinnxde exception type and the message names what it must (the argument,
// its value, the expectation); a few "probe" cases check that a formerly silently-wrong result is now
// right. The run prints one line per case that is not clean and the counts, and fails unless all are clean.
//
//   ./badinput            all cases
//   ./badinput -v         also the message of every clean case
//   ./badinput Interval   only cases whose area/name contains "Interval"
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <pinnxde/pinnxde.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace dde = pinnxde;
namespace geo = pinnxde::geometry;
namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::int64_t kHuge = 1'000'000'000'000;

enum class Expect { Value, State, NotImplemented, Error, Probe };

struct Case {
  std::string area, name;
  Expect expect;
  std::vector<std::string> needles;  // substrings the message must contain
  std::function<void()> run;
};

// A probe throws this when the result is wrong (a silently-wrong answer).
struct ProbeFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};
void probe(bool ok, const std::string& what) {
  if (!ok) throw ProbeFailed(what);
}

// Outcomes, as the child's exit code.
enum Outcome { kClean = 0, kAccepted = 1, kForeign = 2, kBadMessage = 3, kWrongType = 4 };

fs::path scratch;  // per-run directory for files and paths

geo::Points pts(std::initializer_list<std::initializer_list<double>> rows) {
  geo::Points p(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.begin()->size()));
  Eigen::Index i = 0;
  for (const auto& r : rows) {
    Eigen::Index j = 0;
    for (double v : r) p(i, j++) = v;
    ++i;
  }
  return p;
}

torch::Tensor zeros(const torch::Tensor& x) { return torch::zeros({x.size(0), 1}, x.options()); }
dde::data::PDEFunction poisson() {
  return [](const torch::Tensor& x, const torch::Tensor& y) { return dde::grad::hessian(y, x, 0, 0) + torch::sin(x); };
}
// Evaluates a data object's losses once with a zero network output (what Model::train does first).
void evaluate_losses(dde::data::Data& data, std::int64_t outputs = 1) {
  const auto& b = data.train_batch();
  auto y = b.x.narrow(1, 0, 1).repeat({1, outputs}) * 0;
  data.losses(y, b, {dde::losses::get("MSE")});
}
// A trained toy model, for saveplot and callbacks.
struct Toy {
  dde::geometry::Interval geom{0, 1};
  dde::DirichletBC bc{geom, zeros, dde::on_boundary};
  dde::data::PDE data{geom, poisson(), {bc}, {.num_domain = 8, .num_boundary = 2}};
  dde::nn::FNN net{{1, 4, 1}, "tanh", "Glorot normal"};
  dde::Model model{data, net};
  Toy() {
    model.compile("adam", {.lr = 1e-3});
    model.train({.iterations = 1, .display_every = 1, .verbose = false});
  }
};
std::string write_file(const std::string& name, const std::string& text) {
  const auto p = scratch / name;
  std::ofstream(p) << text;
  return p.string();
}

std::vector<Case> make_cases() {
  std::vector<Case> c;
  auto V = [&](std::string area, std::string name, std::vector<std::string> needles, std::function<void()> f) {
    c.push_back({std::move(area), std::move(name), Expect::Value, std::move(needles), std::move(f)});
  };
  auto E = [&](Expect e, std::string area, std::string name, std::vector<std::string> needles,
               std::function<void()> f) {
    c.push_back({std::move(area), std::move(name), e, std::move(needles), std::move(f)});
  };
  auto P = [&](std::string area, std::string name, std::function<void()> f) {
    c.push_back({std::move(area), std::move(name), Expect::Probe, {}, std::move(f)});
  };
  using geo::Points;
  const Points x1 = pts({{0.5}}), x2 = pts({{0.5, 0.5}});

  // ------------------------------------------------------------------------------------- geometry
  V("geometry", "Interval reversed", {"Interval", "l = 1", "r = 0"}, [] { (void)geo::Interval(1, 0); });
  V("geometry", "Interval empty", {"Interval", "l = 0", "< r"}, [] { (void)geo::Interval(0, 0); });
  V("geometry", "Interval NaN end", {"Interval", "nan", "finite"}, [] { (void)geo::Interval(kNaN, 1); });
  V("geometry", "Interval inf end", {"Interval", "inf", "finite"}, [] { (void)geo::Interval(0, kInf); });
  V("geometry", "Interval width overflow", {"Interval", "overflows", "inf"}, [] { (void)geo::Interval(-1e308, 1e308); });
  V("geometry", "Interval random_points n<0", {"Interval.random_points", "n = -1", ">= 0"},
    [] { (void)geo::Interval(0, 1).random_points(-1); });
  V("geometry", "Interval random_points 1e12", {"Interval.random_points", "n = 1000000000000", "1000000000"},
    [] { (void)geo::Interval(0, 1).random_points(kHuge); });
  V("geometry", "Interval uniform_points 1e12", {"uniform_points", "n = 1000000000000"},
    [] { (void)geo::Interval(0, 1).uniform_points(kHuge); });
  V("geometry", "Interval uniform_boundary_points n<0", {"n = -2"}, [] { (void)geo::Interval(0, 1).uniform_boundary_points(-2); });
  V("geometry", "Interval unknown sampler", {"'sobol'", "valid", "Sobol"}, [] { (void)geo::Interval(0, 1).random_points(10, "sobol"); });
  V("geometry", "Interval random_boundary_points n<0", {"random_boundary_points", "n = -5"},
    [] { (void)geo::Interval(0, 1).random_boundary_points(-5); });
  V("geometry", "Interval inside wrong width", {"Interval.inside", "2 columns", "dim = 1"},
    [] { (void)geo::Interval(0, 1).inside(Points::Zero(3, 2)); });
  V("geometry", "Interval on_boundary wrong width", {"on_boundary", "3 columns"},
    [] { (void)geo::Interval(0, 1).on_boundary(Points::Zero(1, 3)); });
  V("geometry", "Interval distance2boundary NaN dirn", {"distance2boundary", "dirn = nan", "finite"},
    [=] { (void)geo::Interval(0, 1).distance2boundary(x1, Eigen::VectorXd::Constant(1, kNaN)); });
  V("geometry", "Interval distance2boundary dirn size", {"distance2boundary", "size 2", "expected 1"},
    [=] { (void)geo::Interval(0, 1).distance2boundary(x1, Eigen::Vector2d(1, 0)); });
  V("geometry", "Interval background_points NaN x", {"background_points", "nan", "finite"}, [] {
    geo::Interval(0, 1).background_points(Eigen::VectorXd::Constant(1, kNaN), Eigen::VectorXd::Constant(1, 1),
                                          [](double) { return std::int64_t{3}; }, 0);
  });
  V("geometry", "Interval background_points huge count", {"background_points", "dist2npt", "expected <"}, [] {
    geo::Interval(0, 1).background_points(Eigen::VectorXd::Constant(1, 0.5), Eigen::VectorXd::Constant(1, 1),
                                          [](double) { return std::int64_t{1} << 50; }, 0);
  });
  V("geometry", "Interval smoothness", {"smoothness = 'C1'", "C0, C0+, Cinf"},
    [=] { (void)geo::Interval(0, 1).boundary_constraint_factor(x1, "C1"); });
  V("geometry", "Interval periodic_point component", {"periodic_point", "component = 1", "expected 0"},
    [=] { (void)geo::Interval(0, 1).periodic_point(x1, 1); });
  E(Expect::NotImplemented, "geometry", "Interval on_initial", {"Interval.on_initial", "no time axis"},
    [=] { (void)geo::Interval(0, 1).on_initial(x1); });
  P("geometry", "Interval narrower than 1e-8 has an interior", [] {
    const geo::Interval tiny(0, 1e-10);
    probe(!tiny.on_boundary(pts({{0.5e-10}}))(0), "the midpoint of Interval(0, 1e-10) is on_boundary");
  });
  V("geometry", "Rectangle xmin size", {"Rectangle", "xmin has 1 entries", "expected 2"}, [] { (void)geo::Rectangle({0}, {1}); });
  V("geometry", "Rectangle xmax size", {"Rectangle", "xmax has 1"}, [] { (void)geo::Rectangle({0, 0}, {1}); });
  V("geometry", "Rectangle reversed", {"Rectangle", "xmin[1] = 1", "xmax[1] = 0"}, [] { (void)geo::Rectangle({0, 1}, {1, 0}); });
  V("geometry", "Rectangle NaN", {"Rectangle", "nan", "finite"}, [] { (void)geo::Rectangle({0, kNaN}, {1, 1}); });
  V("geometry", "Rectangle width overflow", {"Rectangle", "overflows", "xmax[0] - xmin[0]"},
    [] { (void)geo::Rectangle({-1e308, 0}, {1e308, 1}); });
  V("geometry", "Rectangle random_points n<0", {"Rectangle.random_points", "n = -3"},
    [] { (void)geo::Rectangle({0, 0}, {1, 1}).random_points(-3); });
  V("geometry", "Rectangle misspelt sampler", {"'Hamersley'", "Hammersley"},
    [] { (void)geo::Rectangle({0, 0}, {1, 1}).random_points(10, "Hamersley"); });
  V("geometry", "Rectangle on_boundary wrong width", {"Rectangle.on_boundary", "3 columns", "dim = 2"},
    [] { (void)geo::Rectangle({0, 0}, {1, 1}).on_boundary(Points::Zero(2, 3)); });
  V("geometry", "Rectangle distance2boundary NaN dirn", {"distance2boundary", "dirn = (nan, 1)", "finite"},
    [=] { (void)geo::Rectangle({0, 0}, {1, 1}).distance2boundary(x2, Eigen::Vector2d(kNaN, 1)); });
  V("geometry", "Rectangle distance2boundary zero dirn", {"distance2boundary", "dirn = (0, 0)", "non-zero"},
    [=] { (void)geo::Rectangle({0, 0}, {1, 1}).distance2boundary(x2, Eigen::Vector2d(0, 0)); });
  V("geometry", "Rectangle boundary_normal wrong width", {"boundary_normal", "1 columns"},
    [=] { (void)geo::Rectangle({0, 0}, {1, 1}).boundary_normal(x1); });
  V("geometry", "Rectangle random_boundary_points 1e12", {"random_boundary_points", "n = 1000000000000"},
    [] { (void)geo::Rectangle({0, 0}, {1, 1}).random_boundary_points(kHuge); });
  V("geometry", "Hypercube empty", {"Hypercube", "empty"}, [] { (void)geo::Hypercube({}, {}); });
  V("geometry", "Hypercube size mismatch", {"Hypercube", "xmin has 3", "xmax has 2"}, [] { (void)geo::Hypercube({0, 0, 0}, {1, 1}); });
  V("geometry", "Hypercube 40-D uniform grid", {"uniform_points", "n = 1000", "kMaxPoints"}, [] {
    geo::Hypercube(std::vector<double>(40, 0.0), std::vector<double>(40, 1.0)).uniform_points(1000);
  });
  V("geometry", "Hypercube 63-D uniform grid overflow", {"uniform_points", "63 dimensions", "kMaxPoints"}, [] {
    geo::Hypercube(std::vector<double>(63, 0.0), std::vector<double>(63, 1.0)).uniform_points(1000);
  });
  V("geometry", "Hypercube 64-D uniform grid overflow", {"uniform_points", "64 dimensions"}, [] {
    geo::Hypercube(std::vector<double>(64, 0.0), std::vector<double>(64, 1.0)).uniform_points(1000);
  });
  V("geometry", "Cuboid 2-D", {"Cuboid", "xmin has 2 entries", "expected 3"}, [] { (void)geo::Cuboid({0, 0}, {1, 1}); });
  V("geometry", "Disk negative radius", {"Disk", "radius = -1", "radius > 0"}, [] { (void)geo::Disk({0, 0}, -1); });
  V("geometry", "Disk zero radius", {"Disk", "radius = 0"}, [] { (void)geo::Disk({0, 0}, 0); });
  V("geometry", "Disk NaN radius", {"Disk", "radius = nan"}, [] { (void)geo::Disk({0, 0}, kNaN); });
  V("geometry", "Disk 1-D center", {"Disk", "center has 1 entries", "expected 2"}, [] { (void)geo::Disk({0}, 1); });
  V("geometry", "Disk NaN center", {"Disk", "center[0] = nan"}, [] { (void)geo::Disk({kNaN, 0}, 1); });
  V("geometry", "Disk radius overflow", {"Disk", "overflows"}, [] { (void)geo::Disk({0, 0}, 1.5e308); });
  V("geometry", "Disk distance2boundary NaN dirn", {"Disk.distance2boundary", "nan"},
    [=] { (void)geo::Disk({0, 0}, 1).distance2boundary(x2, Eigen::Vector2d(1, kNaN)); });
  V("geometry", "Disk background_points NaN x", {"background_points", "nan", "finite"}, [] {
    geo::Disk({0, 0}, 1).background_points(Eigen::Vector2d(kNaN, 0), Eigen::Vector2d(1, 0),
                                           [](double) { return std::int64_t{3}; }, 0);
  });
  V("geometry", "Disk random_points 1e12", {"Disk.random_points", "n = 1000000000000"},
    [] { (void)geo::Disk({0, 0}, 1).random_points(kHuge); });
  V("geometry", "Sphere 2-D", {"Sphere", "center has 2 entries", "expected 3"}, [] { (void)geo::Sphere({0, 0}, 1); });
  V("geometry", "Hypersphere empty center", {"Hypersphere", "center is empty"}, [] { (void)geo::Hypersphere({}, 1); });
  V("geometry", "Ellipse negative semimajor", {"Ellipse", "semimajor = -1"}, [] { (void)geo::Ellipse({0, 0}, -1, 1); });
  V("geometry", "Ellipse semiminor > semimajor", {"Ellipse", "semiminor = 2", "semimajor = 1"}, [] { (void)geo::Ellipse({0, 0}, 1, 2); });
  V("geometry", "Ellipse NaN angle", {"Ellipse", "angle = nan"}, [] { (void)geo::Ellipse({0, 0}, 2, 1, kNaN); });
  V("geometry", "Ellipse distance2boundary NaN", {"Ellipse.distance2boundary", "dirn"},
    [=] { (void)geo::Ellipse({0, 0}, 2, 1).distance2boundary(x2, Eigen::Vector2d(kNaN, kNaN)); });
  V("geometry", "Polygon two vertices", {"Polygon", "got 2 vertices", "at least 3"}, [] { (void)geo::Polygon({{0, 0}, {1, 0}}); });
  V("geometry", "Polygon NaN vertex", {"Polygon", "vertices[1]", "not finite"}, [] { (void)geo::Polygon({{0, 0}, {kNaN, 0}, {1, 1}}); });
  V("geometry", "Polygon repeated vertex", {"Polygon", "repeats"}, [] { (void)geo::Polygon({{0, 0}, {1, 0}, {1, 0}, {0, 1}}); });
  V("geometry", "Polygon self-intersecting", {"Polygon", "edges"}, [] { (void)geo::Polygon({{0, 0}, {1, 1}, {1, 0}, {0, 1}}); });
  V("geometry", "Triangle collinear", {"Triangle", "collinear"}, [] { (void)geo::Triangle({0, 0}, {1, 1}, {2, 2}); });
  P("geometry", "Triangle sliver random_points", [] {
    const geo::Triangle sliver({0, 0}, {1, 1}, {1 + 1e-9, 1});
    const auto x = sliver.random_points(10);
    probe(x.rows() == 10 && sliver.inside(x).all(), "the sliver triangle's points are not 10 points inside it");
  });
  V("geometry", "Polygon sliver random_points", {"Polygon.random_points", "acceptance rate", "n = 10"},
    [] { (void)geo::Polygon({{0, 0}, {1e-9, 0}, {1 + 1e-9, 1}, {1, 1}}).random_points(10, "Halton"); });
  V("geometry", "StarShaped negative r", {"StarShaped", "r(theta) = ", "expected r(theta) > 0"},
    [] { (void)geo::StarShaped({0, 0}, 1, {2}, {0}); });
  V("geometry", "StarShaped coefficient lengths", {"StarShaped", "coeffs_cos has 2 entries", "coeffs_sin has 1"},
    [] { (void)geo::StarShaped({0, 0}, 1, {0.1, 0.1}, {0.1}); });
  V("geometry", "StarShaped zero radius", {"StarShaped", "radius = 0"}, [] { (void)geo::StarShaped({0, 0}, 0, {}, {}); });
  V("geometry", "StarShaped NaN coefficient", {"StarShaped", "coeffs_sin[0] = nan"}, [] { (void)geo::StarShaped({0, 0}, 1, {0}, {kNaN}); });
  V("geometry", "PointCloud empty", {"PointCloud", "shape (0, 2)"}, [] { (void)geo::PointCloud(Points(0, 2)); });
  V("geometry", "PointCloud NaN", {"PointCloud", "non-finite"}, [] { (void)geo::PointCloud(pts({{0, kNaN}})); });
  V("geometry", "PointCloud boundary width (heap over-read)", {"PointCloud", "boundary_points has 3 columns", "has 1"},
    [] { (void)geo::PointCloud(Points::Ones(4, 1), Points::Ones(2, 3)); });
  V("geometry", "PointCloud wide boundary width", {"boundary_points has 1 columns", "2000000"},
    [] { (void)geo::PointCloud(Points::Zero(1, 2'000'000), Points::Ones(1, 1)); });
  V("geometry", "PointCloud normals shape", {"PointCloud", "boundary_normals has shape (1, 2)"},
    [] { (void)geo::PointCloud(Points::Ones(2, 2), Points::Ones(2, 2), Points::Ones(1, 2)); });
  V("geometry", "PointCloud zero normal", {"boundary_normals[0]", "non-zero"},
    [] { (void)geo::PointCloud(Points::Ones(2, 2), Points::Ones(1, 2), Points::Zero(1, 2)); });
  V("geometry", "PointCloud normals without boundary", {"boundary_normals given without boundary_points"},
    [] { (void)geo::PointCloud(Points::Ones(2, 2), Points(), Points::Ones(1, 2)); });
  V("geometry", "PointCloud too many points", {"random_points", "n = 5", "holds 2"},
    [] { (void)geo::PointCloud(Points::Random(2, 2)).random_points(5); });
  V("geometry", "PointCloud on_boundary without boundary", {"on_boundary", "no boundary_points"},
    [] { (void)geo::PointCloud(Points::Random(2, 2)).on_boundary(Points::Zero(1, 2)); });
  V("geometry", "CSG dimension mismatch", {"CSGUnion", "dim 2", "dim 1"},
    [] { (void)(geo::Rectangle({0, 0}, {1, 1}) | geo::Interval(0, 1)); });
  V("geometry", "CSG bbox overflow", {"non-finite corner or width"},
    [] { (void)(geo::Hypercube({-1e308, 0, 0}, {0, 1, 1}) | geo::Hypercube({0, 0, 0}, {1e308, 1, 1})); });
  V("geometry", "CSG empty intersection random_points", {"CSGIntersection.random_points", "acceptance rate 0", "empty"},
    [] { (geo::Disk({0, 0}, 1) & geo::Disk({5, 0}, 1)).random_points(10); });
  V("geometry", "CSG empty intersection Hammersley", {"CSGIntersection.random_points", "acceptance rate 0"},
    [] { (geo::Disk({0, 0}, 1) & geo::Disk({5, 0}, 1)).random_points(100, "Hammersley"); });
  V("geometry", "CSG covered difference", {"CSGDifference.random_points", "acceptance rate 0"},
    [] { (geo::Disk({0, 0}, 1) - geo::Rectangle({-2, -2}, {2, 2})).random_points(10, "Sobol"); });
  V("geometry", "CSG empty boundary", {"random_boundary_points", "acceptance rate", "boundary empty"},
    [] { (geo::Disk({0, 0}, 1) & geo::Disk({5, 0}, 1)).random_boundary_points(10); });
  V("geometry", "CSG random_points n<0", {"CSGUnion.random_points", "n = -1"},
    [] { (geo::Disk({0, 0}, 1) | geo::Disk({1, 0}, 1)).random_points(-1); });
  V("geometry", "CSG random_points 1e12", {"random_points", "n = 1000000000000"},
    [] { (geo::Disk({0, 0}, 1) | geo::Disk({1, 0}, 1)).random_points(kHuge); });
  V("geometry", "CSG uniform_points 1e12", {"n = 1000000000000"},
    [] { (geo::Disk({0, 0}, 1) - geo::Disk({1, 0}, 0.5)).uniform_points(kHuge); });
  V("geometry", "TimeDomain reversed", {"TimeDomain", "t0 = 1", "t1 = 0"}, [] { (void)geo::TimeDomain(1, 0); });
  V("geometry", "TimeDomain NaN", {"TimeDomain", "nan", "finite"}, [] { (void)geo::TimeDomain(kNaN, 1); });
  V("geometry", "TimeDomain width overflow", {"overflows"}, [] { (void)geo::TimeDomain(-1e308, 1e308); });
  V("geometry", "GeometryXTime random_initial_points n<0", {"random_initial_points", "n = -1"},
    [] { (void)geo::GeometryXTime(geo::Interval(0, 1), geo::TimeDomain(0, 1)).random_initial_points(-1); });
  V("geometry", "GeometryXTime inside wrong width", {"GeometryXTime.inside", "1 columns", "dim = 2"},
    [=] { (void)geo::GeometryXTime(geo::Interval(0, 1), geo::TimeDomain(0, 1)).inside(x1); });
  V("geometry", "GeometryXTime uniform_points 1e12", {"n = 1000000000000"},
    [] { (void)geo::GeometryXTime(geo::Interval(0, 1), geo::TimeDomain(0, 1)).uniform_points(kHuge); });
  V("geometry", "GeometryXTime random_points 1e12", {"n = 1000000000000"},
    [] { (void)geo::GeometryXTime(geo::Disk({0, 0}, 1), geo::TimeDomain(0, 1)).random_points(kHuge); });
  V("geometry", "sample dim 0", {"sample", "dim = 0", "dim >= 1"}, [] { (void)geo::sample(10, 0, "pseudo"); });
  V("geometry", "sample n<0", {"sample", "n = -1"}, [] { (void)geo::sample(-1, 2, "pseudo"); });
  V("geometry", "sample unknown sampler", {"sample", "'bogus'", "valid"}, [] { (void)geo::sample(10, 2, "bogus"); });
  V("geometry", "sample 1e12", {"sample", "n = 1000000000000", "kMaxPoints"}, [] { (void)geo::sample(kHuge, 2, "Halton"); });
  V("geometry", "sample Sobol dim 30", {"Sobol", "dim = 30"}, [] { (void)geo::sample(10, 30, "Sobol"); });
  P("geometry", "Hypercube 3-D uniform_points count", [] {
    const auto x = geo::Hypercube({0, 0, 0}, {1, 1, 1}).uniform_points(1000);
    probe(x.rows() == 1000, "uniform_points(1000) of the unit cube gave " + std::to_string(x.rows()) + " points");
  });
  P("geometry", "thin Ellipse uniform_points about n", [] {
    const auto x = geo::Ellipse({0, 0}, 1, 1e-12).uniform_points(10);
    probe(x.rows() <= 20, "uniform_points(10) of a thin ellipse gave " + std::to_string(x.rows()) + " points");
  });
  P("geometry", "thin strip has an interior", [] {
    const geo::Rectangle strip({0, 0}, {1, 1e-9});
    probe(!strip.on_boundary(pts({{0.5, 0.5e-9}}))(0), "the centre of a 1e-9 strip is on_boundary");
  });

  // ----------------------------------------------------------------------------------- conditions
  const geo::Interval line(0, 1);
  const geo::GeometryXTime gt(line, geo::TimeDomain(0, 1));
  V("conditions", "DirichletBC empty function", {"DirichletBC", "value function is empty"},
    [=] { (void)dde::DirichletBC(line, dde::icbc::ValueFunction(), dde::on_boundary); });
  V("conditions", "DirichletBC empty predicate", {"DirichletBC", "predicate is empty"},
    [=] { (void)dde::DirichletBC(line, zeros, dde::icbc::Predicate()); });
  V("conditions", "DirichletBC component -1", {"DirichletBC", "component = -1", ">= 0"},
    [=] { (void)dde::DirichletBC(line, zeros, dde::on_boundary, -1); });
  V("conditions", "NeumannBC empty function", {"NeumannBC", "empty"},
    [=] { (void)dde::NeumannBC(line, dde::icbc::ValueFunction(), dde::on_boundary); });
  V("conditions", "RobinBC empty function", {"RobinBC", "empty"},
    [=] { (void)dde::RobinBC(line, dde::icbc::RobinFunction(), dde::on_boundary); });
  V("conditions", "PeriodicBC derivative_order 2", {"PeriodicBC", "derivative_order = 2", "0 or 1"},
    [=] { (void)dde::PeriodicBC(line, 0, dde::on_boundary, 2); });
  V("conditions", "PeriodicBC component_x 5", {"PeriodicBC", "component_x = 5", "out of range"},
    [=] { (void)dde::PeriodicBC(line, 5, dde::on_boundary); });
  V("conditions", "PeriodicBC on a Disk", {"PeriodicBC", "Disk", "no periodic_point"},
    [=] { (void)dde::PeriodicBC(geo::Disk({0, 0}, 1), 0, dde::on_boundary); });
  V("conditions", "PeriodicBC on the time axis", {"PeriodicBC", "component_x = 1", "time axis"},
    [=] { (void)dde::PeriodicBC(gt, 1, dde::on_boundary); });
  V("conditions", "IC without time", {"IC", "Interval"}, [=] { (void)dde::IC(line, zeros, dde::on_initial); });
  V("conditions", "IC empty function", {"IC", "empty"}, [=] { (void)dde::IC(gt, dde::icbc::ValueFunction(), dde::on_initial); });
  V("conditions", "OperatorBC empty function", {"OperatorBC", "empty"},
    [=] { (void)dde::OperatorBC(line, dde::icbc::OperatorFunction(), dde::on_boundary); });
  V("conditions", "PointSetBC rows mismatch", {"PointSetBC", "points has 2 rows", "values has 1"},
    [] { (void)dde::PointSetBC(pts({{0}, {1}}), pts({{0}})); });
  V("conditions", "PointSetBC values columns", {"PointSetBC", "values has 2 columns", "expected 1"},
    [] { (void)dde::PointSetBC(pts({{0}}), pts({{0, 1}})); });
  V("conditions", "PointSetBC empty", {"PointSetBC", "points is empty"}, [] { (void)dde::PointSetBC(Points(0, 1), Points(0, 1)); });
  V("conditions", "PointSetBC batch_size 0", {"PointSetBC", "batch_size = 0"},
    [] { (void)dde::PointSetBC(pts({{0}, {1}}), pts({{0}, {1}}), 0, 0); });
  V("conditions", "PointSetBC batch_size too big", {"PointSetBC", "batch_size = 3", "<= 2"},
    [] { (void)dde::PointSetBC(pts({{0}, {1}}), pts({{0}, {1}}), 0, 3); });
  V("conditions", "PointSetBC component -1", {"PointSetBC", "component = -1"}, [] { (void)dde::PointSetBC(pts({{0}}), pts({{0}}), -1); });
  V("conditions", "PointSetBC empty component list", {"PointSetBC", "component is an empty list"},
    [] { (void)dde::PointSetBC(pts({{0}}), pts({{0}}), std::vector<int>{}); });
  V("conditions", "PointSetBC NaN values", {"PointSetBC", "values[1, 0] = nan", "finite"},
    [] { (void)dde::PointSetBC(pts({{0}, {1}}), pts({{0}, {kNaN}})); });
  V("conditions", "PointSetBC inf points", {"PointSetBC", "points[0, 0] = inf"}, [] { (void)dde::PointSetBC(pts({{kInf}}), pts({{0}})); });
  V("conditions", "PointSetOperatorBC NaN values", {"PointSetOperatorBC", "values[0, 0] = nan"}, [] {
    dde::PointSetOperatorBC(pts({{0}}), pts({{kNaN}}), [](const torch::Tensor&, const torch::Tensor& y) { return y; });
  });
  V("conditions", "PointSetOperatorBC empty function", {"PointSetOperatorBC", "function is empty"},
    [] { (void)dde::PointSetOperatorBC(pts({{0}}), pts({{0}}), dde::icbc::PointSetOperatorFunction()); });
  V("conditions", "PointSetOperatorBC values columns", {"PointSetOperatorBC", "values has 2 columns"}, [] {
    dde::PointSetOperatorBC(pts({{0}}), pts({{0, 1}}), [](const torch::Tensor&, const torch::Tensor& y) { return y; });
  });
  V("conditions", "Interface2DBC on an Interval", {"Interface2DBC", "Interval", "dimension 2"},
    [=] { (void)dde::Interface2DBC(line, zeros, dde::on_boundary, dde::on_boundary); });
  V("conditions", "Interface2DBC direction", {"Interface2DBC", "direction = 'diagonal'", "normal, tangent"}, [] {
    dde::Interface2DBC(geo::Rectangle({0, 0}, {1, 1}), zeros, dde::on_boundary, dde::on_boundary, "diagonal");
  });
  V("conditions", "DirichletBC NaN values", {"DirichletBC", "returned nan", "x = ("}, [=] {
    dde::DirichletBC bc(line, [](const torch::Tensor& x) { return torch::full({x.size(0), 1}, kNaN, x.options()); },
                        dde::on_boundary);
    dde::data::PDE data(line, poisson(), {bc}, {.num_domain = 4, .num_boundary = 2});
    data.train_batch();
  });
  V("conditions", "IC inf values", {"IC", "returned inf"}, [=] {
    dde::IC ic(gt, [](const torch::Tensor& x) { return torch::full({x.size(0), 1}, kInf, x.options()); }, dde::on_initial);
    dde::data::TimePDE data(gt, poisson(), {ic}, {.num_domain = 4, .num_initial = 2});
    data.train_batch();
  });
  V("conditions", "DirichletBC value shape", {"DirichletBC", "returned shape", "expected"}, [=] {
    dde::DirichletBC bc(line, [](const torch::Tensor& x) { return torch::zeros({x.size(0), 3}); }, dde::on_boundary);
    dde::data::PDE data(line, poisson(), {bc}, {.num_domain = 4, .num_boundary = 2});
    data.train_batch();
  });
  E(Expect::Error, "conditions", "value function throws", {"DirichletBC", "while evaluating the value function", "oops"}, [=] {
    dde::DirichletBC bc(line, [](const torch::Tensor&) -> torch::Tensor { throw std::runtime_error("oops"); },
                        dde::on_boundary);
    dde::data::PDE data(line, poisson(), {bc}, {.num_domain = 4, .num_boundary = 2});
    data.train_batch();
  });
  E(Expect::Error, "conditions", "predicate throws", {"DirichletBC", "while evaluating the predicate", "bad predicate"}, [=] {
    dde::DirichletBC bc(line, zeros, [](const auto&, bool) -> bool { throw std::logic_error("bad predicate"); });
    dde::data::PDE data(line, poisson(), {bc}, {.num_domain = 4, .num_boundary = 2});
    data.train_batch();
  });
  V("conditions", "component beyond the outputs", {"DirichletBC", "component = 3", "1 outputs"}, [=] {
    dde::DirichletBC bc(line, zeros, dde::on_boundary, 3);
    dde::data::PDE data(line, poisson(), {bc}, {.num_domain = 4, .num_boundary = 2});
    evaluate_losses(data);
  });

  // ----------------------------------------------------------------------------------------- data
  V("data", "PDE num_domain -1", {"PDE", "num_domain = -1", ">= 0"}, [=] { (void)dde::data::PDE(line, poisson(), {}, {.num_domain = -1}); });
  V("data", "PDE num_boundary -2", {"PDE", "num_boundary = -2"},
    [=] { (void)dde::data::PDE(line, poisson(), {}, {.num_domain = 4, .num_boundary = -2}); });
  V("data", "PDE num_domain 1e12", {"PDE", "num_domain = 1000000000000"}, [=] { (void)dde::data::PDE(line, poisson(), {}, {.num_domain = kHuge}); });
  V("data", "PDE num_test 0", {"PDE", "num_test = 0"}, [=] { (void)dde::data::PDE(line, poisson(), {}, {.num_domain = 4, .num_test = 0}); });
  V("data", "PDE num_test 1e12", {"PDE", "num_test = 1000000000000"},
    [=] { (void)dde::data::PDE(line, poisson(), {}, {.num_domain = 4, .num_test = kHuge}); });
  V("data", "PDE train_distribution", {"PDE", "train_distribution = 'uniformm'", "valid"},
    [=] { (void)dde::data::PDE(line, poisson(), {}, {.num_domain = 4, .train_distribution = "uniformm"}); });
  V("data", "PDE anchors width", {"PDE", "anchors has 2 columns", "dimension 1"},
    [=] { (void)dde::data::PDE(line, poisson(), {}, {.num_domain = 4, .anchors = pts({{0, 0}})}); });
  V("data", "PDE NaN anchors", {"PDE", "anchors[0, 0] = nan"},
    [=] { (void)dde::data::PDE(line, poisson(), {}, {.num_domain = 4, .anchors = pts({{kNaN}})}); });
  V("data", "PDE inf exclusions", {"PDE", "exclusions[0, 0] = inf"},
    [=] { (void)dde::data::PDE(line, poisson(), {}, {.num_domain = 4, .exclusions = pts({{kInf}})}); });
  V("data", "PDE no points", {"PDE", "num_domain, num_boundary", "all empty"}, [=] { (void)dde::data::PDE(line, poisson(), {}, {}); });
  V("data", "PDE neither residual nor conditions", {"PDE", "neither a PDE residual nor conditions"},
    [=] {
      dde::data::PDE data(line, dde::data::PDEFunction(), {}, {.num_domain = 4});
      evaluate_losses(data);
    });
  V("data", "PDE condition of another dimension", {"PDE", "condition 0", "dimension 2", "dimension 1"}, [=] {
    dde::DirichletBC bc(geo::Rectangle({0, 0}, {1, 1}), zeros, dde::on_boundary);
    dde::data::PDE(line, poisson(), {bc}, {.num_domain = 4});
  });
  V("data", "PDE NaN reference solution", {"PDE", "solution returned a non-finite value", "x = ("}, [=] {
    dde::data::PDE data(line, poisson(), {}, {.num_domain = 4, .solution = [](const torch::Tensor& x) {
                                                return torch::sqrt(x - 0.5);
                                              }, .num_test = 8});
    data.test_batch();
  });
  V("data", "PDE solution shape", {"PDE", "solution returned shape", "expected"}, [=] {
    dde::data::PDE data(line, poisson(), {}, {.num_domain = 4, .solution = [](const torch::Tensor&) {
                                                return torch::zeros({3, 1});
                                              }});
    data.train_batch();
  });
  E(Expect::Error, "data", "PDE solution throws", {"PDE", "while evaluating the solution", "no solution"}, [=] {
    dde::data::PDE data(line, poisson(), {}, {.num_domain = 4, .solution = [](const torch::Tensor&) -> torch::Tensor {
                                                throw std::runtime_error("no solution");
                                              }});
    data.train_batch();
  });
  V("data", "PDE residual of dtype int64", {"PDE", "residual (term 0) has dtype Long", "floating"}, [=] {
    dde::data::PDE data(line, [](const torch::Tensor& x, const torch::Tensor&) { return torch::zeros({x.size(0), 1}, torch::kLong); },
                        {}, {.num_domain = 4});
    evaluate_losses(data);
  });
  V("data", "PDE residual shape", {"PDE", "residual (term 0) returned shape", "expected"}, [=] {
    dde::data::PDE data(line, [](const torch::Tensor&, const torch::Tensor&) { return torch::zeros({2, 2}); }, {},
                        {.num_domain = 4});
    evaluate_losses(data);
  });
  E(Expect::Error, "data", "PDE residual throws", {"while evaluating the PDE residual", "residual broke"}, [=] {
    dde::data::PDE data(line, [](const torch::Tensor&, const torch::Tensor&) -> torch::Tensor { throw std::runtime_error("residual broke"); },
                        {}, {.num_domain = 4});
    evaluate_losses(data);
  });
  V("data", "PDE add_anchors width", {"add_anchors", "anchors has 2 columns"}, [=] {
    dde::data::PDE data(line, poisson(), {}, {.num_domain = 4});
    data.add_anchors(pts({{0, 0}}));
  });
  V("data", "PDE add_anchors NaN", {"add_anchors", "anchors[0, 0] = nan"}, [=] {
    dde::data::PDE data(line, poisson(), {}, {.num_domain = 4});
    data.add_anchors(pts({{kNaN}}));
  });
  V("data", "PDE replace_with_anchors empty", {"replace_with_anchors", "shape [0, 1]"}, [=] {
    dde::data::PDE data(line, poisson(), {}, {.num_domain = 4});
    data.replace_with_anchors(Points(0, 1));
  });
  V("data", "TimePDE on an Interval", {"TimePDE", "Interval", "GeometryXTime"}, [=] { (void)dde::data::TimePDE(line, poisson(), {}, {.num_domain = 4}); });
  V("data", "TimePDE num_initial -1", {"TimePDE", "num_initial = -1"},
    [=] { (void)dde::data::TimePDE(gt, poisson(), {}, {.num_domain = 4, .num_initial = -1}); });
  V("data", "Function empty", {"Function", "function is empty"}, [=] { (void)dde::data::Function(line, dde::data::SolutionFunction(), 4, 4); });
  V("data", "Function num_train 0", {"Function", "num_train = 0"}, [=] { (void)dde::data::Function(line, zeros, 0, 4); });
  V("data", "Function NaN targets", {"Function", "non-finite value", "x = ("}, [=] {
    dde::data::Function f(line, [](const torch::Tensor& x) { return torch::log(x - 2); }, 4, 4);
    f.train_batch();
  });
  V("data", "DataSet rows mismatch", {"DataSet", "X_train has 2 rows", "y_train has 1"},
    [] { (void)dde::data::DataSet({.X_train = pts({{0}, {1}}), .y_train = pts({{0}})}); });
  V("data", "DataSet empty", {"DataSet", "expected non-empty"}, [] { (void)dde::data::DataSet({}); });
  V("data", "DataSet NaN target", {"DataSet", "y_train[1, 0] = nan"},
    [] { (void)dde::data::DataSet({.X_train = pts({{0}, {1}}), .y_train = pts({{0}, {kNaN}})}); });
  V("data", "DataSet inf input", {"DataSet", "X_train[0, 0] = inf"},
    [] { (void)dde::data::DataSet({.X_train = pts({{kInf}, {1}}), .y_train = pts({{0}, {1}})}); });
  V("data", "DataSet NaN test target", {"DataSet", "y_test[0, 0] = nan"}, [] {
    dde::data::DataSet({.X_train = pts({{0}}), .y_train = pts({{0}}), .X_test = pts({{0}}), .y_test = pts({{kNaN}})});
  });
  V("data", "DataSet test columns", {"DataSet", "test data has 2 input"}, [] {
    dde::data::DataSet({.X_train = pts({{0}}), .y_train = pts({{0}}), .X_test = pts({{0, 1}}), .y_test = pts({{0}})});
  });

  // ----------------------------------------------------------------------------- data files, paths
  V("files", "loadtxt missing file", {"loadtxt", "cannot open", "no_such.dat"},
    [] { (void)dde::data::loadtxt((scratch / "no_such.dat").string()); });
  V("files", "loadtxt directory", {"loadtxt", "is a directory"}, [] { (void)dde::data::loadtxt(scratch.string()); });
  V("files", "loadtxt not a number", {"loadtxt", "line 2", "'abc' is not a number"},
    [] { (void)dde::data::loadtxt(write_file("abc.dat", "1 2\n3 abc\n")); });
  V("files", "loadtxt ragged", {"loadtxt", "line 2 has 1 columns", "expected 2"},
    [] { (void)dde::data::loadtxt(write_file("ragged.dat", "1 2\n3\n")); });
  V("files", "loadtxt empty", {"loadtxt", "no data rows"}, [] { (void)dde::data::loadtxt(write_file("empty.dat", "# only a comment\n\n")); });
  V("files", "loadtxt binary garbage", {"loadtxt", "is not a number"},
    [] { (void)dde::data::loadtxt(write_file("garbage.dat", std::string("\x01\x02\xff\xfe 1\n", 7))); });
  V("files", "DataSet col_x out of range", {"DataSet", "col_x[0] = 5", "2 columns"}, [] {
    dde::data::DataSet({.fname_train = write_file("two.dat", "1 2\n3 4\n"), .col_x = {5}, .col_y = {1}});
  });
  V("files", "DataSet col_y empty", {"DataSet", "col_y is empty"}, [] {
    dde::data::DataSet({.fname_train = write_file("two.dat", "1 2\n3 4\n"), .col_x = {0}, .col_y = {}});
  });
  V("files", "DataSet nan in file", {"DataSet", "y_train[1, 0] = nan", "nan.dat"}, [] {
    dde::data::DataSet({.fname_train = write_file("nan.dat", "1 2\n3 nan\n"), .col_x = {0}, .col_y = {1}});
  });
  V("files", "DataSet overflow in file", {"DataSet", "X_train[0, 0] = inf"}, [] {
    dde::data::DataSet({.fname_train = write_file("big.dat", "1e999 2\n3 4\n"), .col_x = {0}, .col_y = {1}});
  });
  V("files", "DataSet missing test file", {"loadtxt", "cannot open"}, [] {
    dde::data::DataSet({.fname_train = write_file("two.dat", "1 2\n3 4\n"), .fname_test = (scratch / "gone.dat").string(),
                        .col_x = {0}, .col_y = {1}});
  });
  V("files", "saveplot empty output_dir", {"saveplot", "output_dir is empty"}, [] {
    Toy t;
    dde::saveplot(t.model, {.output_dir = ""});
  });
  E(Expect::Error, "files", "saveplot onto a file", {"saveplot", "not a directory", "plain"}, [] {
    Toy t;
    dde::saveplot(t.model, {.output_dir = write_file("plain", "x")});
  });
  E(Expect::Error, "files", "saveplot under a file", {"saveplot", "cannot create output_dir", "plain2"}, [] {
    Toy t;
    dde::saveplot(t.model, {.output_dir = (fs::path(write_file("plain2", "x")) / "sub").string()});
  });
  P("files", "saveplot directory injecting gnuplot system()", [] {
    Toy t;
    const auto marker = scratch / "PWNED";
    const auto dir = scratch / ("a' . system('touch " + marker.string() + "') . '");
    dde::saveplot(t.model, {.output_dir = dir.string()});
    probe(!fs::exists(marker), "gnuplot ran a command taken from output_dir");
  });
  P("files", "saveplot directory with quotes, newline, $()", [] {
    Toy t;
    const auto marker = scratch / "PWNED2";
    const auto dir = scratch / ("q\"'\n$(touch " + marker.string() + ")`touch " + marker.string() + "`");
    dde::saveplot(t.model, {.isplot = true, .output_dir = dir.string()});
    probe(!fs::exists(marker), "a shell ran a command taken from output_dir");
    probe(fs::exists(dir / "loss.dat"), "no loss.dat in the oddly named directory");
  });

  // ------------------------------------------------------------------------------------ callbacks
  V("callbacks", "VariableValue period 0", {"VariableValue", "period = 0"}, [] { (void)dde::callbacks::VariableValue({dde::Variable(1.0)}, {.period = 0}); });
  V("callbacks", "VariableValue undefined variable", {"VariableValue", "var_list[0] is undefined"},
    [] { (void)dde::callbacks::VariableValue({torch::Tensor()}); });
  V("callbacks", "VariableValue non-scalar", {"VariableValue", "var_list[0] has shape [3]"},
    [] { (void)dde::callbacks::VariableValue({torch::ones({3})}); });
  E(Expect::Error, "callbacks", "VariableValue unwritable file", {"VariableValue", "cannot write", "nodir"},
    [] { (void)dde::callbacks::VariableValue({dde::Variable(1.0)}, {.filename = (scratch / "nodir" / "v.dat").string()}); });
  V("callbacks", "OperatorPredictor period 0", {"OperatorPredictor", "period = 0"}, [] {
    dde::callbacks::OperatorPredictor(torch::ones({2, 1}), [](const torch::Tensor&, const torch::Tensor& y) { return y; }, 0);
  });
  V("callbacks", "OperatorPredictor empty operator", {"OperatorPredictor", "operator is empty"},
    [] { (void)dde::callbacks::OperatorPredictor(torch::ones({2, 1}), dde::callbacks::OperatorPredictor::Operator()); });
  V("callbacks", "OperatorPredictor undefined x", {"OperatorPredictor", "x is undefined"}, [] {
    dde::callbacks::OperatorPredictor(torch::Tensor(), [](const torch::Tensor&, const torch::Tensor& y) { return y; });
  });
  V("callbacks", "OperatorPredictor NaN x", {"OperatorPredictor", "non-finite"}, [] {
    dde::callbacks::OperatorPredictor(torch::full({2, 1}, kNaN), [](const torch::Tensor&, const torch::Tensor& y) { return y; });
  });
  E(Expect::Error, "callbacks", "OperatorPredictor unwritable file", {"OperatorPredictor", "cannot write", "nodir"}, [] {
    dde::callbacks::OperatorPredictor(torch::ones({2, 1}), [](const torch::Tensor&, const torch::Tensor& y) { return y; }, 1,
                                      (scratch / "nodir" / "op.dat").string());
  });
  V("callbacks", "EarlyStopping min_delta", {"EarlyStopping", "min_delta = -1"}, [] { (void)dde::callbacks::EarlyStopping({.min_delta = -1}); });
  V("callbacks", "EarlyStopping patience", {"EarlyStopping", "patience = -1"}, [] { (void)dde::callbacks::EarlyStopping({.patience = -1}); });
  V("callbacks", "EarlyStopping monitor", {"EarlyStopping", "monitor = 'loss'"}, [] { (void)dde::callbacks::EarlyStopping({.monitor = "loss"}); });
  V("callbacks", "Timer 0 minutes", {"Timer", "available_time = 0"}, [] { (void)dde::callbacks::Timer(0); });
  V("callbacks", "Timer NaN minutes", {"Timer", "available_time = nan"}, [] { (void)dde::callbacks::Timer(kNaN); });
  V("callbacks", "PDEPointResampler period 0", {"PDEPointResampler", "period = 0"}, [] { (void)dde::callbacks::PDEPointResampler(0); });
  V("callbacks", "ModelCheckpoint empty path", {"ModelCheckpoint", "filepath is empty"}, [] { (void)dde::callbacks::ModelCheckpoint(""); });
  V("callbacks", "ModelCheckpoint period 0", {"ModelCheckpoint", "period = 0"},
    [] { (void)dde::callbacks::ModelCheckpoint("x.ckpt", {.period = 0}); });

  // ------------------------------------------------------------------------- metrics and losses
  V("metrics", "unknown metric", {"metrics", "unknown metric 'l3'", "valid"}, [] { (void)dde::metrics::get("l3"); });
  V("metrics", "shape mismatch", {"metrics", "shape [2, 1]", "[3, 1]"},
    [] { (void)dde::metrics::l2_relative_error(torch::ones({2, 1}), torch::ones({3, 1})); });
  V("metrics", "NaN reference", {"metrics", "y_true", "nan", "row 0"},
    [] { (void)dde::metrics::get("MSE")(torch::full({2, 1}, kNaN), torch::ones({2, 1})); });
  V("metrics", "inf reference", {"metrics", "y_true", "inf"},
    [] { (void)dde::metrics::get("max error")(torch::full({2, 1}, kInf), torch::ones({2, 1})); });
  V("metrics", "undefined tensor", {"metrics", "undefined"}, [] { (void)dde::metrics::get("MAE")(torch::Tensor(), torch::ones({2, 1})); });
  V("metrics", "unknown loss", {"unknown loss 'MSEE'", "valid"}, [] { (void)dde::losses::get("MSEE"); });

  // ----------------------------------------------------------------------------------------- nets
  V("nets", "FNN one layer", {"FNN", "layer_sizes has 1 entries", "at least 2"}, [] { (void)dde::nn::FNN({2}); });
  V("nets", "FNN zero width", {"FNN", "layer_sizes[1] = 0", ">= 1"}, [] { (void)dde::nn::FNN({2, 0, 1}); });
  V("nets", "FNN negative width", {"FNN", "layer_sizes[1] = -3"}, [] { (void)dde::nn::FNN({2, -3, 1}); });
  V("nets", "FNN unknown activation", {"FNN", "unknown activation 'tanhh'"}, [] { (void)dde::nn::FNN({2, 4, 1}, "tanhh"); });
  V("nets", "FNN unknown initializer", {"FNN", "unknown initializer 'Glorot'"}, [] { (void)dde::nn::FNN({2, 4, 1}, "tanh", "Glorot"); });
  V("nets", "FNN activation count", {"FNN", "3 activations for 1"},
    [] { (void)dde::nn::FNN({2, 4, 1}, std::vector<std::string>{"tanh", "tanh", "tanh"}); });
  V("nets", "FNN wrong input width", {"FNN", "input has shape", "(N, 2)"}, [] {
    dde::nn::FNN net({2, 4, 1});
    net(torch::ones({3, 5}));
  });

  // ---------------------------------------------------------------------------------------- model
  E(Expect::State, "model", "train before compile", {"compile"}, [=] {
    dde::data::PDE data(line, poisson(), {}, {.num_domain = 4});
    dde::nn::FNN net({1, 4, 1});
    dde::Model model(data, net);
    model.train({.iterations = 1});
  });
  V("model", "unknown optimizer", {"Model::compile", "unknown optimizer 'adamm'"}, [=] {
    dde::data::PDE data(line, poisson(), {}, {.num_domain = 4});
    dde::nn::FNN net({1, 4, 1});
    dde::Model model(data, net);
    model.compile("adamm");
  });
  V("model", "negative lr", {"Model::compile", "lr = -1"}, [=] {
    dde::data::PDE data(line, poisson(), {}, {.num_domain = 4});
    dde::nn::FNN net({1, 4, 1});
    dde::Model model(data, net);
    model.compile("adam", {.lr = -1});
  });
  V("model", "net of the wrong input width", {"layer_sizes[0] = 2", "dimension 1"}, [=] {
    dde::data::PDE data(line, poisson(), {}, {.num_domain = 4});
    dde::nn::FNN net({2, 4, 1});
    dde::Model model(data, net);
    model.compile("adam");
  });
  V("model", "loss_weights count", {"Model::compile", "loss_weights has 3 entries"}, [=] {
    dde::data::PDE data(line, poisson(), {}, {.num_domain = 4});
    dde::nn::FNN net({1, 4, 1});
    dde::Model model(data, net);
    model.compile("adam", {.loss_weights = {1, 1, 1}});
    model.train({.iterations = 1, .verbose = false});
  });
  V("model", "unknown decay", {"Model::compile", "unknown decay 'linear'"}, [=] {
    dde::data::PDE data(line, poisson(), {}, {.num_domain = 4});
    dde::nn::FNN net({1, 4, 1});
    dde::Model model(data, net);
    model.compile("adam", {.decay = dde::Decay{"linear", 1, 1}});
  });
  V("model", "set_default_float float16", {"set_default_float", "'float16'"}, [] { (void)dde::config::set_default_float("float16"); });
  V("model", "rad_points n 0", {"rad_points", "n = 0", "n >= 1"}, [] {
    Toy t;
    dde::adaptive::rad_points(t.model, t.geom, [](const torch::Tensor&, const torch::Tensor& y) { return y; }, 0);
  });
  V("model", "rar_points m 0", {"rar_points", "m = 0", "m >= 1"}, [] {
    Toy t;
    dde::adaptive::rar_points(t.model, t.geom, [](const torch::Tensor&, const torch::Tensor& y) { return y; }, 0);
  });
  V("model", "rad_points num_candidates -1", {"rad_points", "num_candidates = -1"}, [] {
    Toy t;
    dde::adaptive::rad_points(t.model, t.geom, [](const torch::Tensor&, const torch::Tensor& y) { return y; }, 5,
                              {.num_candidates = -1});
  });
  return c;
}

const char* outcome_name(int o) {
  switch (o) {
    case kClean: return "clean";
    case kAccepted: return "silently accepted";
    case kForeign: return "foreign exception";
    case kBadMessage: return "message lacks a needle";
    case kWrongType: return "wrong pinnxde type";
  }
  return "?";
}

bool is_expected_type(Expect e, const std::exception& ex) {
  switch (e) {
    case Expect::Value: return dynamic_cast<const dde::ValueError*>(&ex) != nullptr;
    case Expect::State: return dynamic_cast<const dde::StateError*>(&ex) != nullptr;
    case Expect::NotImplemented: return dynamic_cast<const dde::NotImplementedError*>(&ex) != nullptr;
    case Expect::Error: return dynamic_cast<const dde::Error*>(&ex) != nullptr;
    case Expect::Probe: return false;
  }
  return false;
}

// Runs one case in this (child) process; returns the outcome and writes the message to `message`.
int run_case(const Case& c, std::string& message) {
  try {
    c.run();
  } catch (const ProbeFailed& e) {
    message = e.what();
    return kAccepted;
  } catch (const std::exception& e) {
    message = e.what();
    if (c.expect == Expect::Probe) return dynamic_cast<const dde::Error*>(&e) ? kWrongType : kForeign;
    if (!dynamic_cast<const dde::Error*>(&e)) return kForeign;
    if (!is_expected_type(c.expect, e)) return kWrongType;
    for (const auto& n : c.needles)
      if (message.find(n) == std::string::npos) {
        message = "missing \"" + n + "\" in: " + message;
        return kBadMessage;
      }
    return kClean;
  } catch (...) {
    message = "a non-std exception";
    return kForeign;
  }
  if (c.expect == Expect::Probe) return kClean;
  message = "no exception";
  return kAccepted;
}

std::size_t virtual_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0;
  statm >> pages;
  return pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

int main(int argc, char** argv) {
  bool verbose = false;
  std::string filter;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "-v") == 0) verbose = true;
    else filter = argv[i];
  }
  scratch = fs::temp_directory_path() / ("pinnxde_badinput_" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  const auto cases = make_cases();
  // Each child may grow its address space by 2 GiB over what the loaded libraries already map.
  const rlim_t cap = static_cast<rlim_t>(virtual_memory_bytes()) + (rlim_t{2} << 30);
  // A hang is a case still running after this long. The sanitizers make every case 2-3x slower, and a
  // sanitizer run on a loaded machine took over 60 s for some (gnuplot, model set-up).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  constexpr unsigned kSeconds = 240;
#else
  constexpr unsigned kSeconds = 60;
#endif
  std::map<std::string, int> counts;
  int run = 0, failed = 0;
  std::cout.setf(std::ios::unitbuf);
  for (const auto& c : cases) {
    const std::string label = c.area + " / " + c.name;
    if (!filter.empty() && label.find(filter) == std::string::npos) continue;
    ++run;
    int fds[2];
    if (pipe(fds) != 0) return 2;
    const pid_t pid = fork();
    if (pid < 0) return 2;
    if (pid == 0) {
      close(fds[0]);
      // The cases' own chatter (banners, progress, warnings) would bury the report: the outcome and the
      // message come back through the pipe.
      if (!verbose) {
        const int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
          dup2(devnull, STDOUT_FILENO);
          dup2(devnull, STDERR_FILENO);
          close(devnull);
        }
      }
      rlimit lim{cap, cap};
      setrlimit(RLIMIT_AS, &lim);
      alarm(kSeconds);
      torch::set_num_threads(1);
      dde::config::set_random_seed(0);
      std::string message;
      const int outcome = run_case(c, message);
      std::size_t off = 0;
      while (off < message.size()) {
        const auto w = write(fds[1], message.data() + off, message.size() - off);
        if (w <= 0) break;
        off += static_cast<std::size_t>(w);
      }
      close(fds[1]);
      std::fflush(nullptr);
      _exit(outcome);
    }
    close(fds[1]);
    std::string message;
    char buf[4096];
    for (ssize_t r; (r = read(fds[0], buf, sizeof buf)) > 0;) message.append(buf, static_cast<std::size_t>(r));
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::string kind;
    if (WIFEXITED(status)) {
      kind = outcome_name(WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
      const int sig = WTERMSIG(status);
      kind = (sig == SIGALRM || sig == SIGXCPU) ? "hang" : "crash";
      message = std::string("signal ") + strsignal(sig);
    } else {
      kind = "crash";
    }
    ++counts[kind];
    if (kind != "clean") {
      ++failed;
      std::cout << "[" << kind << "] " << label << ": " << message << "\n";
    } else if (verbose) {
      std::cout << "[clean] " << label << ": " << message << "\n";
    }
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);
  std::cout << "bad-input suite: " << run << " cases; clean " << counts["clean"] << ", foreign exception "
            << counts["foreign exception"] << ", crash " << counts["crash"] << ", hang " << counts["hang"]
            << ", silently accepted " << counts["silently accepted"] << ", wrong pinnxde type "
            << counts["wrong pinnxde type"] << ", message lacks a needle " << counts["message lacks a needle"] << "\n";
  return failed == 0 ? 0 : 1;
}
