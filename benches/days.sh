#!/usr/bin/env bash
# Days benchmark: how the default (dependence-aware) run's cost grows with the number of trading
# days, against `--significance iid` on the same files, side by side in one run.
#
#   benches/days.sh [ROWS_PER_SIDE:TRADING_DAYS_PER_SIDE ...]   default: 5000000:12500 20000000:50000
#
# For each size it writes a reference and a current features file with the project's own
# generator, each spanning that many Sunday–Thursday trading days (the reference ends the day
# before the current begins), then times `report --reference-source REF --features CUR` over the
# whole of both: the default panel test, and `--significance iid` (the same PSIs, no dependence
# estimate, no history). The ratio is the dependence estimate's and the history null's cost.
# The issue's target: at most 1.2 at both sizes.
#
# Environment: NEPSE_DRIFT_BIN (default: target/release/nepse-drift, built if missing),
# BENCH_DIR (default /var/tmp/nepse-drift-bench; files are reused), REPEATS (default 3; the
# runs of the two ways interleaved, the median wall time and the largest peak RSS reported).
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(5000000:12500 20000000:50000)
bench_dir="${BENCH_DIR:-/var/tmp/nepse-drift-bench}"
target="${CARGO_TARGET_DIR:-target}"
bin="${NEPSE_DRIFT_BIN:-$target/release/nepse-drift}"
repeats="${REPEATS:-3}"
mkdir -p "$bench_dir"
[ -x "$bin" ] || cargo build --release --locked --bin nepse-drift
# shellcheck source=benches/timing.sh
source benches/timing.sh

# Calendar days holding `n` Sunday–Thursday trading days (5 in every 7).
span() { echo $(( ($1 * 7 + 4) / 5 )); }

printf '| rows per side | trading days per side | run | wall s | peak RSS MiB | wall ÷ iid |\n'
printf '|---:|---:|---|---:|---:|---:|\n'
for size in "${sizes[@]}"; do
  rows=${size%%:*} days=${size##*:}
  end=2026-11-19
  cur_from=$(date -d "$end - $(( $(span "$days") - 1 )) days" +%F)
  ref_to=$(date -d "$cur_from - 1 day" +%F)
  ref_from=$(date -d "$ref_to - $(( $(span "$days") - 1 )) days" +%F)
  dir="$bench_dir/days-$rows-$days"
  if [ ! -f "$dir/ref/features.parquet" ] || [ ! -f "$dir/cur/features.parquet" ]; then
    "$bin" fixtures --force --rows "$rows" --out "$dir/ref" --seed 1 --start "$ref_from" --end "$ref_to" >/dev/null
    "$bin" fixtures --force --rows "$rows" --out "$dir/cur" --seed 2 --start "$cur_from" --end "$end" >/dev/null
  fi
  ref="$dir/ref/features.parquet" cur="$dir/cur/features.parquet"
  args=(--quiet report --features "$cur" --reference-source "$ref" --from "$cur_from" --to "$end" --as-of "$end" --format json)
  # Interleaved: the load of a shared machine changes over a minute, and must fall on both.
  # The JSON goes to stdout, which time_once keeps in $bench_dir/last.out.
  read -r iid_wall iid_rss panel_wall panel_rss < <(time_pair "$repeats" "--significance iid" "" "$bin" "${args[@]}")
  printf '| %s | %s | default (panel) | %.2f | %s | %.2f |\n' "$rows" "$days" "$panel_wall" "$panel_rss" \
    "$(awk -v a="$panel_wall" -v b="$iid_wall" 'BEGIN { print a / b }')"
  printf '| %s | %s | `--significance iid` | %.2f | %s | 1 |\n' "$rows" "$days" "$iid_wall" "$iid_rss"
done
