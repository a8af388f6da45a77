#!/usr/bin/env bash
# Runs every test of nepse-drift on a fresh machine: installs what the tests need when it is
# missing, then formatting, lints, unit/property/integration tests, and the independent
# numpy/scikit-learn cross-check, promtool/amtool/kubernetes-validate on the ops files and the
# end-to-end Pushgateway + Prometheus test. `.ci/run` runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/nepse-drift-target}"
export CARGO_TERM_COLOR=never
venv="${NEPSE_DRIFT_VENV:-/var/cache/nepse-drift-venv}"

need_debs=()
command -v prometheus-pushgateway >/dev/null 2>&1 || [ -x /usr/bin/prometheus-pushgateway ] || need_debs+=(prometheus-pushgateway)
command -v promtool >/dev/null 2>&1 || need_debs+=(prometheus)
command -v amtool >/dev/null 2>&1 || need_debs+=(prometheus-alertmanager)
command -v chromium >/dev/null 2>&1 || need_debs+=(chromium)
[ -x /usr/bin/time ] || need_debs+=(time)
if [ ${#need_debs[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "== installing ${need_debs[*]}"
    apt-get update -qq
    apt-get install -y -qq "${need_debs[@]}" >/dev/null
  else
    echo "missing Debian packages: ${need_debs[*]} (run as root, or: sudo apt-get install -y ${need_debs[*]})" >&2
    exit 1
  fi
fi
# The Debian package starts a system pushgateway/prometheus on the default ports; the tests
# start their own on free ports and do not need those.

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sklearn, scipy, pandas, pyarrow, kubernetes_validate' 2>/dev/null; then
  echo "== installing the Python test tools into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r tests/requirements.txt
fi

ev_venv="${NEPSE_DRIFT_EVIDENTLY_VENV:-/var/cache/nepse-drift-venv-evidently}"
if [ ! -x "$ev_venv/bin/python" ] || ! "$ev_venv/bin/python" -c 'import evidently, pyarrow' 2>/dev/null; then
  echo "== installing Evidently 0.7.23 (pandas < 3) into $ev_venv"
  python3 -m venv "$ev_venv"
  "$ev_venv/bin/pip" install -q -r tests/crosscheck/requirements-evidently.txt
fi
nm_venv="${NEPSE_DRIFT_NANNYML_VENV:-/var/cache/nepse-drift-venv-nannyml}"
if [ ! -x "$nm_venv/bin/python" ] || ! "$nm_venv/bin/python" -c 'import nannyml, pyarrow, sklearn' 2>/dev/null; then
  echo "== installing NannyML 0.13.1 into $nm_venv"
  python3 -m venv "$nm_venv"
  "$nm_venv/bin/pip" install -q -r tests/crosscheck/requirements-nannyml.txt
fi
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo test"
# Every tool is installed above: a test that cannot find one fails here instead of skipping
# (tests/it/util/tools.rs), so this loop runs everything.
export NEPSE_DRIFT_REQUIRE_TOOLS=1
cargo test --locked

echo "== kubernetes-validate (strict) on the CronJob manifests"
"$venv/bin/kubernetes-validate" --strict cron/k8s/*.yaml

echo "== cross-check against numpy and scikit-learn"
bin="$CARGO_TARGET_DIR/debug/nepse-drift"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for as_of in 2026-11-19 2026-11-12 2026-09-30; do
  "$bin" report --features fixtures/features.parquet --predictions fixtures/predictions.parquet \
    --outcomes fixtures/outcomes.parquet --as-of "$as_of" --format json -o "$tmp/result.json"
  "$venv/bin/python" tests/crosscheck/crosscheck.py "$tmp/result.json" fixtures/features.parquet \
    fixtures/predictions.parquet fixtures/outcomes.parquet
  "$venv/bin/python" tests/crosscheck/panel.py "$tmp/result.json" fixtures/features.parquet
done
echo "== cross-check of every --stattest statistic and the auto choice against Evidently 0.7.23"
"$ev_venv/bin/python" tests/crosscheck/stattests.py "$bin" "$tmp/stattests" fixtures
echo "== cross-check of the CBPE estimate against scikit-learn/numpy and NannyML 0.13.1, and the concept-drift study"
"$nm_venv/bin/python" tests/crosscheck/cbpe.py "$bin" "$tmp/cbpe" 100
echo "== cross-check of the multivariate drift (PCA reconstruction) against NannyML 0.13.1"
"$nm_venv/bin/python" tests/crosscheck/multivariate.py "$bin" "$tmp/multivariate"
echo "== cross-check of the data-quality block against numpy/pandas/scipy"
"$venv/bin/python" tests/crosscheck/data_quality.py "$bin" "$tmp/data_quality"
# The studies run thousands of reports: on an optimised build they take a few minutes where the
# test build took half an hour. With the build cache the release build is the crate alone (under
# a minute); on a fresh machine it also compiles the dependencies optimised, about 15 minutes.
echo "== cargo build --release (for the calibration studies)"
cargo build --release --locked --bin nepse-drift
release_bin="$CARGO_TARGET_DIR/release/nepse-drift"
echo "== calibration study of the drift call (no-drift panels, iid rows, injected drift, a long history; about 4 minutes)"
"$venv/bin/python" tests/calibration/study.py "$release_bin" "$tmp/calibration" --seeds 160 --power-seeds 60 --long-seeds 120
echo "== calibration study on a realistic, non-stationary NEPSE (no injection, injected drift, a bull run at five paces; about 4 minutes)"
"$venv/bin/python" tests/calibration/realistic.py "$release_bin" "$tmp/realistic" --seeds 80 --power-seeds 40
echo "== smoke run of the scale benchmark (10k rows, nepse-drift only, debug build)"
NEPSE_DRIFT_BIN="$bin" SKIP_PEERS=1 BENCH_DIR="$tmp/bench" bash benches/scale.sh 10000

echo "== smoke run of the opt-in checks' benchmark (10k rows, debug build)"
NEPSE_DRIFT_BIN="$bin" BENCH_DIR="$tmp/bench" REPEATS=1 SKIP_REALISTIC=1 bash benches/optin.sh 10000

echo "== smoke run of the days benchmark (500 trading days a side, debug build)"
NEPSE_DRIFT_BIN="$bin" BENCH_DIR="$tmp/bench" REPEATS=1 bash benches/days.sh 20000:500

echo "== smoke run of the backfill benchmark (a week of the fixtures, backfill only, debug build)"
NEPSE_DRIFT_BIN="$bin" LOOP=0 bash benches/backfill.sh fixtures 2026-11-12 2026-11-19
echo "== all tests passed"
