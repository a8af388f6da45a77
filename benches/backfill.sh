#!/usr/bin/env bash
# Backfill benchmark: one `nepse-drift backfill` over a range of trading days, against a
# `nepse-drift report --as-of DAY` for every day of the same range (a backfill made of a loop of
# runs, which reads every source in full each day), side by side in one run: wall time, time a
# day and peak RSS, and the ratio.
#
#   benches/backfill.sh DATA_DIR FROM TO
#
# DATA_DIR holds features.parquet, predictions.parquet and outcomes.parquet: the committed
# fixtures (100 symbols), or a 300-symbol panel from
#   nepse-drift fixtures --out DIR --symbols 300 --start 2024-05-01
# Environment: NEPSE_DRIFT_BIN (default: $CARGO_TARGET_DIR/release/nepse-drift, built if
# missing), LOOP=0 to time the backfill only (the CI smoke run).
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -eq 3 ] || { echo "usage: benches/backfill.sh DATA_DIR FROM TO" >&2; exit 2; }
dir=$1 from=$2 to=$3
target="${CARGO_TARGET_DIR:-target}"
bin="${NEPSE_DRIFT_BIN:-$target/release/nepse-drift}"
[ -x "$bin" ] || cargo build --release --locked --bin nepse-drift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sources=(--features "$dir/features.parquet" --predictions "$dir/predictions.parquet" --outcomes "$dir/outcomes.parquet")

# Exit 4 (days skipped for lack of history) is a result, not a failure.
code=0
/usr/bin/time -f "%e %M" -o "$work/backfill.time" \
  "$bin" --quiet backfill "${sources[@]}" --from "$from" --to "$to" -o "$work/history.om" || code=$?
[ "$code" -eq 0 ] || [ "$code" -eq 4 ] || { echo "backfill failed with exit $code" >&2; exit 1; }
# The days written: each as-of sample is midnight in Nepal (UTC+05:45) of its day.
grep '^nepse_drift_as_of_timestamp_seconds' "$work/history.om" | awk '{print $(NF-1)}' | sort -un |
  while read -r t; do date -u -d "@$((t + 20700))" +%F; done >"$work/days"
days=$(wc -l <"$work/days")
read -r bf_wall bf_kb <"$work/backfill.time"

echo "| data | trading days | way | wall s | ms a day | peak RSS MiB | wall ÷ backfill |"
echo "|---|---:|---|---:|---:|---:|---:|"
row() { # way wall kb
  awk -v d="$dir" -v n="$days" -v way="$1" -v w="$2" -v kb="$3" -v base="$bf_wall" \
    'BEGIN { printf "| %s | %d | %s | %.2f | %.1f | %.0f | %.2f |\n", d, n, way, w, 1000 * w / n, kb / 1024, w / base }'
}
row "backfill (each source read once)" "$bf_wall" "$bf_kb"
if [ "${LOOP:-1}" != 0 ]; then
  # getrusage of the children: the largest peak RSS of any one report.
  /usr/bin/time -f "%e %M" -o "$work/loop.time" bash -c '
    bin=$1; shift; days=$1; shift
    while read -r day; do "$@" --as-of "$day" --format json -o /dev/null; done <"$days"
  ' _ "$bin" "$work/days" "$bin" --quiet report "${sources[@]}"
  read -r loop_wall loop_kb <"$work/loop.time"
  row "a report per day (every source read each day)" "$loop_wall" "$loop_kb"
fi
