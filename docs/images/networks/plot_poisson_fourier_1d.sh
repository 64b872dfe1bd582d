#!/usr/bin/env bash
# The figure of docs/gallery.md's Networks section from two runs' test.dat (saveplot: x, y_true, y_pred):
#   plot_poisson_fourier_1d.sh <fnn run dir> <fourier run dir> <out.png>
# The tables are copied, sorted by x, under fixed names into a scratch directory, so no path reaches
# gnuplot's text.
set -eu
fnn=$1 fourier=$2 out=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' -- "$fnn/test.dat" | sort -g > "$tmp/fnn.dat"
grep -v '^#' -- "$fourier/test.dat" | sort -g > "$tmp/fourier.dat"
(cd "$tmp" && gnuplot) <<'GP'
set terminal pngcairo size 1100,420 font ",10"
set output "out.png"
set multiplot layout 1,2
set xlabel "x"; set ylabel "u"; set key top right
set title "poisson_fourier_1d: whole domain" noenhanced
curves = "'fnn.dat' u 1:2 w l lw 2 lc rgb 'black' t 'exact', 'fnn.dat' u 1:3 w l lw 1.5 lc rgb 'red' t 'FNN', 'fourier.dat' u 1:3 w l lw 1.5 dt 2 lc rgb 'blue' t 'Fourier features'"
plot @curves
set title "zoom: x in [0.4, 0.6]"
set xrange [0.4:0.6]
plot @curves
unset multiplot
GP
mv -- "$tmp/out.png" "$out"
