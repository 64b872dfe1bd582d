// Writes sampled domain and boundary points of every geometry as .dat files (one point per line) for the
// pictures in docs/geometry.md. Geometry only, no LibTorch. Regenerate the PNGs with
//
//   docs/images/geometry/plot.sh        # builds this program, runs it, runs gnuplot
//
// Usage: geometry_pictures <output-dir>. For each geometry NAME it writes NAME_domain.dat (random points,
// "Hammersley") and NAME_boundary.dat (random boundary points, "pseudo"), plus, for geometries with
// boundary_normal, NAME_normals.dat (x y nx ny: a few boundary points and their outward normals).
#include <cstdio>
#include <fstream>
#include <numbers>
#include <string>

#include "pinnxde/geometry.hpp"

namespace dde = pinnxde;
using dde::geometry::Geometry;
using dde::geometry::Points;

namespace {

void write(const std::string& path, const Points& x, const Points* extra = nullptr) {
  std::ofstream out(path);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) out << (j ? " " : "") << x(i, j);
    if (extra)
      for (Eigen::Index j = 0; j < extra->cols(); ++j) out << ' ' << (*extra)(i, j);
    out << '\n';
  }
}

void dump(const std::string& dir, const std::string& name, const Geometry& g, std::int64_t n_domain,
          std::int64_t n_boundary, bool normals = true) {
  dde::geometry::seed(0);
  write(dir + "/" + name + "_domain.dat", g.random_points(n_domain, "Hammersley"));
  write(dir + "/" + name + "_boundary.dat", g.random_boundary_points(n_boundary, "pseudo"));
  if (normals) {
    const Points b = g.uniform_boundary_points(24);
    const Points n = g.boundary_normal(b) * (0.08 * g.diam());
    write(dir + "/" + name + "_normals.dat", b, &n);
  }
  std::printf("%-16s dim %d  diam %.4g\n", name.c_str(), g.dim(), g.diam());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <output-dir>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  namespace geo = dde::geometry;
  dump(dir, "interval", geo::Interval(-1, 1), 200, 2, false);
  dump(dir, "rectangle", geo::Rectangle({0, 0}, {2, 1}), 1500, 300);
  dump(dir, "disk", geo::Disk({0, 0}, 1), 1500, 300);
  dump(dir, "ellipse", geo::Ellipse({0, 0}, 2, 1, std::numbers::pi / 6), 1500, 300);
  dump(dir, "triangle", geo::Triangle({0, 0}, {2, 0}, {0.5, 1.5}), 1500, 300);
  dump(dir, "polygon", geo::Polygon({{0, 0}, {1, 0}, {1, -1}, {-1, -1}, {-1, 1}, {0, 1}}), 1500, 300);
  dump(dir, "star_shaped", geo::StarShaped({0, 0}, 1, {0.2, 0, 0.15}, {0.1, -0.1, 0}), 1500, 300);
  dump(dir, "csg_difference", geo::Rectangle({0, 0}, {1, 1}) - geo::Disk({0.5, 0.5}, 0.25), 1500, 300);
  dump(dir, "csg_union", geo::Disk({0, 0}, 1) | geo::Rectangle({0, -0.5}, {2, 0.5}), 1500, 300);
  dump(dir, "csg_intersection", geo::Disk({0, 0}, 1) & geo::Rectangle({-0.5, -2}, {2, 0.5}), 1500, 300);
  dump(dir, "cuboid", geo::Cuboid({0, 0, 0}, {2, 1, 1}), 1500, 600, false);
  dump(dir, "sphere", geo::Sphere({0, 0, 0}, 1), 1500, 600, false);
  dump(dir, "cuboid_minus_sphere", geo::Cuboid({0, 0, 0}, {1, 1, 1}) - geo::Sphere({1, 1, 1}, 0.6), 2000, 800, false);
  dump(dir, "geometry_x_time", geo::GeometryXTime(geo::Interval(-1, 1), geo::TimeDomain(0, 1)), 1500, 200, false);
  {
    // A point cloud: points of a disk given as data (interior, boundary, normals).
    const geo::Disk d({0, 0}, 1);
    dde::geometry::seed(0);
    const Points b = d.uniform_boundary_points(48);
    const geo::PointCloud cloud(0.97 * d.random_points(400, "Halton"), b, d.boundary_normal(b));
    dump(dir, "point_cloud", cloud, 200, 48, false);
  }
  return 0;
}
