#!/usr/bin/env bash
# Cost of the opt-in checks: nepse-drift `report` by default, and the same run with
# `--data-quality` and with `--multivariate`, side by side in one run (interleaved, so that a
# change of machine load falls on both alike).
#
#   benches/optin.sh [ROWS_PER_SIDE ...]     default: 1000000 5000000
#
# For each size it reuses (or writes) the scale benchmark's files (BENCH_DIR/ROWS/{ref,cur}: a
# year a side of 11 NEPSE features, `--reference-source`), then a realistic daily panel
# (`fixtures --market realistic`, 100 symbols, 2018-01-01 … 2026-11-19, `report --as-of
# 2026-11-19`: the history both checks read). It prints a Markdown table: median wall seconds and
# peak RSS of each, and the opt-in's ratio to the default run measured beside it. The default
# run's own cost is what `benches/scale.sh` tracks; an opt-in never changes it (the default run
# does not take the opt-in's code path).
#
# Environment: NEPSE_DRIFT_BIN (default: target/release/nepse-drift, built if missing),
# BENCH_DIR (default /var/tmp/nepse-drift-bench; files are reused), REPEATS (default 3),
# SKIP_REALISTIC=1 to leave out the realistic panel (the CI smoke run).
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 5000000)
bench_dir="${BENCH_DIR:-/var/tmp/nepse-drift-bench}"
target="${CARGO_TARGET_DIR:-target}"
bin="${NEPSE_DRIFT_BIN:-$target/release/nepse-drift}"
repeats="${REPEATS:-3}"
mkdir -p "$bench_dir"
if [ ! -x "$bin" ]; then
  cargo build --release --locked --bin nepse-drift
fi

# shellcheck source=benches/timing.sh
source benches/timing.sh

row() { # data, flag, default wall, default rss, opt-in wall, opt-in rss
  printf '| %s | `%s` | %.2f | %s | %.2f | %s | %.2f× | %.2f× |\n' "$1" "$2" "$3" "$4" "$5" "$6" \
    "$(awk -v a="$5" -v b="$3" 'BEGIN { print a / b }')" "$(awk -v a="$6" -v b="$4" 'BEGIN { print a / b }')"
}

printf '| data | opt-in | default wall s | default RSS MiB | opt-in wall s | opt-in RSS MiB | wall ratio | RSS ratio |\n'
printf '|---|---|---:|---:|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
  dir="$bench_dir/$n"
  scale_files "$n"
  for flag in --data-quality --multivariate; do
    read -r dw dr ow or < <(time_pair "$repeats" "" "$flag" "$bin" --quiet report --features "$dir/cur/features.parquet" \
      --reference-source "$dir/ref/features.parquet" --from 2026-01-01 --to 2026-12-31 --as-of 2026-12-31 --format json -o "$dir/optin.json")
    row "$n rows per side" "$flag" "$dw" "$dr" "$ow" "$or"
  done
done
if [ "${SKIP_REALISTIC:-0}" != 1 ]; then
  dir="$bench_dir/realistic"
  if [ ! -f "$dir/features.parquet" ]; then
    "$bin" fixtures --force --out "$dir" --seed 1 --start 2018-01-01 --end 2026-11-19 --market realistic \
      --symbols 100 >/dev/null
  fi
  for flag in --data-quality --multivariate; do
    read -r dw dr ow or < <(time_pair "$repeats" "" "$flag" "$bin" --quiet report --features "$dir/features.parquet" \
      --as-of 2026-11-19 --format json -o "$dir/optin.json")
    row "realistic daily panel" "$flag" "$dw" "$dr" "$ow" "$or"
  done
fi
