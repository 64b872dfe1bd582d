#!/usr/bin/env bash
# The figure of docs/gallery.md's Lorenz section from two runs' lorenz.dat (lorenz_causal --output-dir):
#   plot_lorenz_causal.sh <plain run dir> <causal run dir> <out.png>
# The tables are copied under fixed names into a scratch directory, so no path reaches gnuplot's text.
set -eu
plain=$1 causal=$2 out=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -- "$plain/lorenz.dat" "$tmp/plain.dat"
cp -- "$causal/lorenz.dat" "$tmp/causal.dat"
(cd "$tmp" && gnuplot) <<'GP'
set terminal pngcairo size 1200,420 font ",10"
set output "out.png"
set multiplot layout 1,2
set xlabel "t"; set key bottom right
do for [run in "plain causal"] {
  set title sprintf("%s training, seed 0: exact (solid), PINN (dashed)", run)
  plot for [i=2:4] run.".dat" u 1:i w l lw 2 lc i-1 t word("x y z", i-1), \
       for [i=5:7] run.".dat" u 1:i w l lw 1.5 dt 2 lc i-4 notitle
}
unset multiplot
GP
mv -- "$tmp/out.png" "$out"
