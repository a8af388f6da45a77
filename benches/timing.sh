# Timing helpers shared by the benchmark scripts (sourced, not run). Needs `bench_dir` set, and
# `bin` for `scale_files`.

# time_once CMD... → "wall_seconds peak_rss_mib" of one run on stdout; fails loudly if CMD fails.
time_once() {
  local log="$bench_dir/time.log"
  if ! /usr/bin/time -v -o "$log" "$@" > "$bench_dir/last.out" 2> "$bench_dir/last.err"; then
    echo "command failed: $*" >&2
    cat "$bench_dir/last.err" >&2
    exit 1
  fi
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
  echo "$wall $rss"
}

# median_max: "wall rss" lines on stdin → "median_wall max_rss".
median_max() {
  sort -n -k1,1 | awk '{ w[NR] = $1; if ($2 > r) r = $2 } END { printf "%s %s\n", w[int((NR + 1) / 2)], r }'
}

# time_it N CMD... → the median wall time and the largest peak RSS of N runs.
time_it() {
  local n=$1 runs=()
  shift
  for _ in $(seq "$n"); do runs+=("$(time_once "$@")"); done
  printf '%s\n' "${runs[@]}" | median_max
}

# time_pair N "A args" "B args" CMD... → "a_wall a_rss b_wall b_rss": the median wall time and
# largest peak RSS of CMD with extra arguments A and with B, their N runs interleaved (A, B, A,
# B, …) so that a change of machine load during the benchmark falls on both alike. A and B are
# word-split flags (no paths, no spaces inside an argument).
time_pair() {
  local n=$1 a=$2 b=$3 ra=() rb=()
  shift 3
  for _ in $(seq "$n"); do
    # shellcheck disable=SC2086
    ra+=("$(time_once "$@" $a)")
    # shellcheck disable=SC2086
    rb+=("$(time_once "$@" $b)")
  done
  echo "$(printf '%s\n' "${ra[@]}" | median_max) $(printf '%s\n' "${rb[@]}" | median_max)"
}

# scale_files N: the scale benchmark's files of N rows a side in $bench_dir/N/{ref,cur} (a year a
# side of 11 NEPSE features, the current side drifted), written once and reused.
scale_files() {
  local n=$1 dir="$bench_dir/$1"
  if [ ! -f "$dir/ref/features.parquet" ] || [ ! -f "$dir/cur/features.parquet" ]; then
    "$bin" fixtures --force --rows "$n" --out "$dir/ref" --seed 1 --start 2025-01-01 --end 2025-12-31 >/dev/null
    "$bin" fixtures --force --rows "$n" --out "$dir/cur" --seed 2 --start 2026-01-01 --end 2026-12-31 \
      --drift "2026-01-01:2026-12-31:shift=rsi_14*0.5;scale=macd_hist*1.5;shift=log_turnover_npr*0.3" >/dev/null
  fi
}
