#!/usr/bin/env bash
# pinnxde set-up on a fresh Debian 12 machine: installs what is missing, selects OpenBLAS, builds, then
#   bootstrap.sh run    runs the flagship example (diffusion-reaction, full budget)
#   bootstrap.sh test   runs the test suite (unit tests, packaging test, every example at a short budget)
# Environment: BUILD_DIR (default build), JOBS (default 2).
set -euo pipefail
mode=${1:-test}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$here/build}
jobs=${JOBS:-2}
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

packages=(g++ cmake make ccache libtorch-dev libeigen3-dev nlohmann-json3-dev libgtest-dev libgmock-dev
          libboost-dev libopenblas0-pthread gnuplot-nox)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# LibTorch does its matrix products through the system libblas.so.3: make it OpenBLAS (6-9x faster than
# the reference BLAS that other packages may have selected).
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for lib in libblas.so.3 liblapack.so.3; do
  target=/usr/lib/$arch/openblas-pthread/$lib
  if [ -e "$target" ] && update-alternatives --query "$lib-$arch" >/dev/null 2>&1; then
    current=$(update-alternatives --query "$lib-$arch" | awk '/^Value:/ {print $2}')
    if [ "$current" != "$target" ]; then
      echo "== selecting OpenBLAS for $lib (was $current)"
      $sudo_cmd update-alternatives --set "$lib-$arch" "$target"
    fi
  fi
done

echo "== configuring and building in $build ($jobs jobs)"
start=$(date +%s)
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release > "$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j "$jobs"
echo "== build took $(( $(date +%s) - start )) s"

case "$mode" in
  run)
    "$build/examples/diffusion_reaction" "${@:2}"
    ;;
  test)
    start=$(date +%s)
    # Each test process uses one thread per core it may use: ctest runs $jobs at once.
    PINNXDE_NUM_THREADS=1 ctest --test-dir "$build" --output-on-failure -j "$jobs"
    echo "== tests took $(( $(date +%s) - start )) s"
    ;;
  *)
    echo "usage: bootstrap.sh run|test" >&2
    exit 2
    ;;
esac
