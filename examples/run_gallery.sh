#!/usr/bin/env bash
# Runs every example at full budget: run_gallery.sh <examples.txt> <output dir> [name ...]
# examples.txt lines: name|binary|flags. Writes <output dir>/<name>.log and results.md; exits non-zero if
# any example misses its bound. Pass names to run only those.
set -u
list=$1 out=$2; shift 2
mkdir -p "$out"
results="$out/results.md"
echo "| example | result | wall time (s) | status |" > "$results"
echo "|---|---|---|---|" >> "$results"
status=0
while IFS='|' read -r name bin flags; do
  [ -z "$name" ] && continue
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  echo "== $name $flags"
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  "$bin" $flags --output-dir "$out/$name" > "$out/$name.log" 2>&1
  rc=$?
  secs=$(( ($(date +%s%N) - start) / 1000000000 ))
  line=$(grep -E '^(L2 relative error|k relative error|E relative error|Max boundary error|Recovered k)' "$out/$name.log" | tr '\n' ';')
  state=$([ $rc -eq 0 ] && echo pass || echo "FAIL (exit $rc)")
  [ $rc -eq 0 ] || status=1
  printf '| %s | %s | %s | %s |\n' "$name" "$line" "$secs" "$state" >> "$results"
  tail -n 3 "$out/$name.log"
done < "$list"
cat "$results"
exit $status
