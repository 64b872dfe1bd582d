#!/usr/bin/env bash
# Runs the same gallery examples from two builds side by side, at full budget, and compares wall times:
#
#   bench/gallery_side_by_side.sh [--alone] <before/examples.txt> <after/examples.txt> <output dir> [name ...]
#
# Each examples.txt is a build's build/gallery/examples.txt (lines name|binary|flags[|source]). Every name
# that both lists hold (or only the names given) is run once from each build, the two runs at the same time
# with one thread each (PINNXDE_NUM_THREADS=1), so machine noise hits both alike; the next pair starts when
# both have finished. With --alone each run has the machine to itself with the build's default threads (one
# per core, what a user gets): the "before" run, then the "after" run, example by example. Writes
# <output dir>/{before,after}/<name>.log and <output dir>/side_by_side.md (the error line and wall time of
# each run, the sums and their ratio); exits non-zero if an "after" run misses its bound. Run nothing else
# on the machine meanwhile.
set -u
alone=0
if [ "${1:-}" = "--alone" ]; then alone=1; shift; fi
if [ $# -lt 3 ]; then
  echo "usage: $0 [--alone] <before/examples.txt> <after/examples.txt> <output dir> [name ...]" >&2
  exit 2
fi
before_list=$1 after_list=$2 out=$3; shift 3
for f in "$before_list" "$after_list"; do
  [ -r "$f" ] || { echo "$0: cannot read the examples list '$f'" >&2; exit 2; }
done
mkdir -p "$out/before" "$out/after"

# line_of <list> <name>: the list's line for that example (empty when absent).
line_of() { awk -F'|' -v n="$2" '$1 == n { print; exit }' "$1"; }

# run_one <side> <name> <binary> <flags>: runs one example, writes its log and "<seconds> <exit code>".
run_one() {
  local side=$1 name=$2 bin=$3 flags=$4 start rc
  start=$(date +%s%N)
  # shellcheck disable=SC2086  # flags are the list's word-split arguments
  if [ "$alone" = 1 ]; then
    env -u PINNXDE_NUM_THREADS "$bin" $flags --output-dir "$out/$side/$name" > "$out/$side/$name.log" 2>&1
  else
    PINNXDE_NUM_THREADS=1 "$bin" $flags --output-dir "$out/$side/$name" > "$out/$side/$name.log" 2>&1
  fi
  rc=$?
  echo "$(( ($(date +%s%N) - start) / 1000000 )) $rc" > "$out/$side/$name.time"
}

# result_of <log>: the example's closing figure(s), one line.
result_of() {
  grep -E '^(L2 relative error|k relative error|Max boundary error|Recovered|Max relative error|C = )' "$1" \
    | tr '\n' ';' | sed 's/;$//; s/|/\\|/g'
}

secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

names=()
while IFS='|' read -r name _; do
  [ -z "$name" ] && continue
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qxF -- "$name"; then continue; fi
  [ -n "$(line_of "$after_list" "$name")" ] && names+=("$name")
done < "$before_list"
[ ${#names[@]} -gt 0 ] || { echo "$0: no example is in both lists" >&2; exit 2; }

report="$out/side_by_side.md"
tmp="$report.tmp.$$"
{
  echo "| example | before: result | before (s) | after: result | after (s) | ratio | after within bound |"
  echo "|---|---|---|---|---|---|---|"
} > "$tmp"
status=0 sum_before=0 sum_after=0
for name in "${names[@]}"; do
  IFS='|' read -r _ bbin bflags _ <<< "$(line_of "$before_list" "$name")"
  IFS='|' read -r _ abin aflags _ <<< "$(line_of "$after_list" "$name")"
  echo "== $name"
  if [ "$alone" = 1 ]; then
    run_one before "$name" "$bbin" "$bflags"
    run_one after "$name" "$abin" "$aflags"
  else
    run_one before "$name" "$bbin" "$bflags" &
    run_one after "$name" "$abin" "$aflags" &
    wait
  fi
  read -r bms brc < "$out/before/$name.time"
  read -r ams arc < "$out/after/$name.time"
  sum_before=$((sum_before + bms)) sum_after=$((sum_after + ams))
  ok=$([ "$arc" -eq 0 ] && echo yes || echo "NO (exit $arc)")
  [ "$arc" -eq 0 ] || status=1
  bnote=$([ "$brc" -eq 0 ] && echo "" || echo " (exit $brc)")
  printf '| %s | %s%s | %s | %s | %s | %s | %s |\n' "$name" "$(result_of "$out/before/$name.log")" "$bnote" \
    "$(secs "$bms")" "$(result_of "$out/after/$name.log")" "$(secs "$ams")" "$(ratio "$bms" "$ams")" "$ok" >> "$tmp"
  tail -n 1 "$out/after/$name.log"
done
printf '| **sum** | | **%s** | | **%s** | **%s** | |\n' "$(secs "$sum_before")" "$(secs "$sum_after")" \
  "$(ratio "$sum_before" "$sum_after")" >> "$tmp"
mv -f "$tmp" "$report"
cat "$report"
exit $status
