#!/bin/sh
# Regenerates the pictures of docs/geometry.md: builds the geometry library (no LibTorch) and
# bench/geometry_pictures.cpp, writes the sampled points, and draws one 400x400 PNG per geometry here.
#
#   docs/images/geometry/plot.sh            # from anywhere; BUILD=<dir> to pick the build directory
#
# Needs g++, Eigen, Boost and gnuplot (Debian: apt-get install -y gnuplot-nox). gnuplot is only a tool
# for the docs, not a build dependency.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BUILD:-$root/build-geom}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake -S "$root" -B "$build" -DPINNXDE_WITH_TORCH=OFF >/dev/null
cmake --build "$build" --target pinnxde_geometry -j2 >/dev/null
g++ -std=c++20 -O2 -I "$root/geometry/include" -I /usr/include/eigen3 "$root/bench/geometry_pictures.cpp" \
    -L "$build/geometry" -lpinnxde_geometry -Wl,-rpath,"$build/geometry" -o "$tmp/geometry_pictures"
"$tmp/geometry_pictures" "$tmp" >/dev/null
# gnuplot runs in the scratch directory on fixed names, so no path (the checkout's) reaches its text; the
# PNGs are moved here at the end.
cd "$tmp"

common='set terminal pngcairo size 400,400 font "sans,9" noenhanced; set key off; set border lw 0.5; set tics scale 0.5'
style='lc rgb "#9a9a9a" pt 7 ps 0.25'
bstyle='lc rgb "#1f5fbf" pt 7 ps 0.45'
nstyle='lc rgb "#d62728" lw 1.2'

plot2d() {  # name title [with-normals]
  normals=""
  if [ -f "$tmp/$1_normals.dat" ]; then
    normals=", '$1_normals.dat' using 1:2:3:4 with vectors head size 0.04,20 $nstyle"
  fi
  gnuplot -e "$common; set output '$1.png'; set title '$2'; set size ratio -1; set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05;
    plot '$1_domain.dat' using 1:2 with points $style, '$1_boundary.dat' using 1:2 with points $bstyle $normals"
}

plot3d() {  # name title [view]: domain points left, boundary points right
  gnuplot -e "$common; set terminal pngcairo size 640,320 font 'sans,8' noenhanced; set output '$1.png';
    set view ${3:-60, 35}; set view equal xyz; set ticslevel 0; set multiplot layout 1,2 title '$2';
    set title 'domain'; splot '$1_domain.dat' using 1:2:3 with points $style;
    set title 'boundary'; splot '$1_boundary.dat' using 1:2:3 with points $bstyle; unset multiplot"
}

gnuplot -e "$common; set terminal pngcairo size 400,160 noenhanced; set output 'interval.png'; set title 'Interval(-1, 1)';
  set yrange [-1:1]; unset ytics; set offsets graph 0.05, graph 0.05, 0, 0;
  plot 'interval_domain.dat' using 1:(0) with points $style, 'interval_boundary.dat' using 1:(0) with points lc rgb '#1f5fbf' pt 7 ps 1.2"
plot2d rectangle "Rectangle({0, 0}, {2, 1})"
plot2d disk "Disk({0, 0}, 1)"
plot2d ellipse "Ellipse({0, 0}, 2, 1, pi / 6)"
plot2d triangle "Triangle({0, 0}, {2, 0}, {0.5, 1.5})"
plot2d polygon "Polygon (L-shape)"
plot2d star_shaped "StarShaped({0, 0}, 1, {0.2, 0, 0.15}, {0.1, -0.1, 0})"
plot2d csg_difference "Rectangle - Disk"
plot2d csg_union "Disk | Rectangle"
plot2d csg_intersection "Disk & Rectangle"
plot2d point_cloud "PointCloud (points of a disk)"
gnuplot -e "$common; set output 'geometry_x_time.png'; set title 'GeometryXTime(Interval(-1, 1), TimeDomain(0, 1))';
  set xlabel 'x'; set ylabel 't'; set size ratio -1; set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05;
  plot 'geometry_x_time_domain.dat' using 1:2 with points $style, 'geometry_x_time_boundary.dat' using 1:2 with points $bstyle"
plot3d cuboid "Cuboid({0, 0, 0}, {2, 1, 1})"
plot3d sphere "Sphere({0, 0, 0}, 1)"
plot3d cuboid_minus_sphere "Cuboid - Sphere({1, 1, 1}, 0.6)" "55, 215"
mv -- ./*.png "$here"/
printf '%s PNGs written to %s\n' "$(ls "$here"/*.png | wc -l)" "$here"
