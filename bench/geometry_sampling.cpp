// Geometry sampling at scale: 1,000,000 random points in a 3-D CSG domain and 1,000,000 boundary points of
// a polygon (issue 3's target: well under a second each). Geometry only, no LibTorch.
//
//   cmake --build build --target bench_geometry_sampling && ./build/bench/bench_geometry_sampling [n]
//   # or, without the LibTorch build:
//   g++ -std=c++20 -O2 -I geometry/include -I /usr/include/eigen3 bench/geometry_sampling.cpp \
//       -L build-geom/geometry -lpinnxde_geometry -Wl,-rpath,$PWD/build-geom/geometry -o /tmp/bench_geom
//
// Prints one line per case: name, points, best of 3 wall-clock seconds, points per second, and a check
// (fraction of the points the geometry accepts: inside / on_boundary, which must be 1).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "pinnxde/geometry.hpp"

namespace dde = pinnxde;
using dde::geometry::Points;

namespace {

double best_of_3(const std::function<Points()>& f, Points& out) {
  double best = 1e300;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    out = f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

void report(const char* what, std::int64_t n, double seconds, double ok) {
  std::printf("%-52s n = %8lld  %.3f s  %6.1f M points/s  accepted %.6f\n", what, static_cast<long long>(n), seconds,
              static_cast<double>(n) / seconds / 1e6, ok);
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 1000000;
  dde::geometry::seed(0);
  Points x;

  const auto csg = dde::geometry::Cuboid({0, 0, 0}, {1, 1, 1}) - dde::geometry::Sphere({0.5, 0.5, 0.5}, 0.3);
  for (const std::string sampler : {"pseudo", "Hammersley", "Sobol"}) {
    const double t = best_of_3([&] { return csg.random_points(n, sampler); }, x);
    const double ok = static_cast<double>(csg.inside(x).count()) / static_cast<double>(x.rows());
    report(("(Cuboid - Sphere).random_points, " + sampler).c_str(), n, t, ok);
  }
  {
    const double t = best_of_3([&] { return csg.random_boundary_points(n / 10, "pseudo"); }, x);
    report("(Cuboid - Sphere).random_boundary_points, pseudo", n / 10, t,
           static_cast<double>(csg.on_boundary(x).count()) / static_cast<double>(x.rows()));
  }

  // DeepXDE's L-shaped domain and a 64-gon.
  const dde::geometry::Polygon lshape({{0, 0}, {1, 0}, {1, -1}, {-1, -1}, {-1, 1}, {0, 1}});
  std::vector<std::array<double, 2>> ring;
  for (int k = 0; k < 64; ++k) {
    const double t = 2 * 3.141592653589793 * k / 64, r = k % 2 ? 1.0 : 0.7;
    ring.push_back({r * std::cos(t), r * std::sin(t)});
  }
  const dde::geometry::Polygon star(ring);
  for (const auto* p : {&lshape, &star}) {
    const std::string tag = p->vertices().rows() == 6 ? "L-shape" : "64-gon";
    for (const std::string sampler : {"pseudo", "Sobol"}) {
      const double t = best_of_3([&] { return p->random_boundary_points(n, sampler); }, x);
      report(("Polygon(" + tag + ").random_boundary_points, " + sampler).c_str(), n, t,
             static_cast<double>(p->on_boundary(x).count()) / static_cast<double>(x.rows()));
    }
    const double t = best_of_3([&] { return p->random_points(n, "pseudo"); }, x);
    report(("Polygon(" + tag + ").random_points, pseudo").c_str(), n, t,
           static_cast<double>(p->inside(x).count()) / static_cast<double>(x.rows()));
  }

  const dde::geometry::Ellipse ellipse({0, 0}, 2, 1, 0.3);
  {
    const double t = best_of_3([&] { return ellipse.random_boundary_points(n, "pseudo"); }, x);
    report("Ellipse.random_boundary_points, pseudo", n, t,
           static_cast<double>(ellipse.on_boundary(x).count()) / static_cast<double>(x.rows()));
  }
  return 0;
}
