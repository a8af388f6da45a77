#!/usr/bin/env bash
# Scale benchmark: nepse-drift `report` against the peer tools, side by side in one run.
#
#   benches/scale.sh [ROWS_PER_SIDE ...]     default: 1000000 5000000 20000000
#
# For each size it generates reference and current feature files with the project's own
# generator (11 NEPSE numeric features + symbol + sector; the current side has shifted
# features), then times with /usr/bin/time -v (wall seconds, peak RSS):
#   nepse-drift   report, quantile PSI over all features, JSON to a file
#   polars-qpsi   a plain polars-python quantile PSI        (../shared/peers)
#   floor-scan    polars streaming scan + sums: reading the data once
#   evidently     Evidently 0.7.23 PSI drift report          (only up to EVIDENTLY_MAX rows)
# and prints a Markdown table with the ratios. Absolute times vary between runs and machines;
# the ratios, measured in the same run, are what count.
#
# Environment: NEPSE_DRIFT_BIN (default: target/release/nepse-drift, built if missing),
# PEERS (default ../shared/peers), PEERS_PYTHON (default: a venv with the peers' requirements,
# created under BENCH_DIR), BENCH_DIR (default /var/tmp/nepse-drift-bench; files are reused),
# EVIDENTLY_MAX (default 5000000), REPEATS (default 3: each tool runs that many times and the
# median wall time and the largest peak RSS are reported; Evidently runs once, it takes
# minutes), SKIP_PEERS=1 to time nepse-drift only (the CI smoke run), STATTEST=all to time
# `nepse-drift report --stattest all` instead (Evidently's tests beside the PSI) against the
# floor and Evidently's own functions for the same tests (benches/evidently_stattests.py), with
# the default run on a row of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 5000000 20000000)
bench_dir="${BENCH_DIR:-/var/tmp/nepse-drift-bench}"
peers="${PEERS:-$(cd .. && pwd)/shared/peers}"
evidently_max="${EVIDENTLY_MAX:-5000000}"
target="${CARGO_TARGET_DIR:-target}"
bin="${NEPSE_DRIFT_BIN:-$target/release/nepse-drift}"
mkdir -p "$bench_dir"

if [ ! -x "$bin" ]; then
  cargo build --release --locked --bin nepse-drift
fi
if [ "${SKIP_PEERS:-0}" != 1 ]; then
  py="${PEERS_PYTHON:-$bench_dir/peers-venv/bin/python}"
  if [ ! -x "$py" ]; then
    python3 -m venv "$bench_dir/peers-venv"
    "$bench_dir/peers-venv/bin/pip" install -q -r "$peers/requirements.txt"
  fi
fi

repeats="${REPEATS:-3}"

# shellcheck source=benches/timing.sh
source benches/timing.sh

printf '| rows per side | tool | wall s | peak RSS MiB | nepse-drift wall ratio | nepse-drift RSS ratio |\n'
printf '|---:|---|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
  dir="$bench_dir/$n"
  scale_files "$n"
  ref="$dir/ref/features.parquet" cur="$dir/cur/features.parquet"
  stattest="${STATTEST:-psi}"
  read -r nd_wall nd_rss < <(time_it "$repeats" "$bin" --quiet report --features "$cur" --reference-source "$ref" \
    --from 2026-01-01 --to 2026-12-31 --as-of 2026-12-31 --format json -o "$dir/nepse-drift.json" --stattest "$stattest")
  if [ "$stattest" = psi ]; then
    printf '| %s | nepse-drift | %.2f | %s | 1 | 1 |\n' "$n" "$nd_wall" "$nd_rss"
  else
    printf '| %s | nepse-drift --stattest %s | %.2f | %s | 1 | 1 |\n' "$n" "$stattest" "$nd_wall" "$nd_rss"
    read -r wall rss < <(time_it "$repeats" "$bin" --quiet report --features "$cur" --reference-source "$ref" \
      --from 2026-01-01 --to 2026-12-31 --as-of 2026-12-31 --format json -o "$dir/nepse-drift-psi.json")
    printf '| %s | nepse-drift (default) | %.2f | %s | %.3f | %.3f |\n' "$n" "$wall" "$rss" \
      "$(awk -v a="$nd_wall" -v b="$wall" 'BEGIN { print a / b }')" "$(awk -v a="$nd_rss" -v b="$rss" 'BEGIN { print a / b }')"
  fi
  [ "${SKIP_PEERS:-0}" = 1 ] && continue
  if [ "$stattest" = psi ]; then
    tasks=(floor-scan polars-qpsi)
    [ "$n" -le "$evidently_max" ] && tasks+=(evidently)
  else
    tasks=(floor-scan)
    [ "$n" -le "$evidently_max" ] && tasks+=(evidently-stattests)
  fi
  for task in "${tasks[@]}"; do
    runs=$repeats
    [ "${task%%-*}" = evidently ] && runs=1
    if [ "$task" = evidently-stattests ]; then
      read -r wall rss < <(time_it "$runs" "$py" benches/evidently_stattests.py "$ref" "$cur" --json "$dir/$task.json")
    else
      read -r wall rss < <(time_it "$runs" "$py" "$peers/peer_tasks.py" "$task" "$ref" "$cur" --json "$dir/$task.json")
    fi
    printf '| %s | %s | %.2f | %s | %.3f | %.3f |\n' "$n" "$task" "$wall" "$rss" \
      "$(awk -v a="$nd_wall" -v b="$wall" 'BEGIN { print a / b }')" "$(awk -v a="$nd_rss" -v b="$rss" 'BEGIN { print a / b }')"
  done
done
