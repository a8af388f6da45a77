"""Calibration study of the drift calls on a realistic, non-stationary NEPSE, run by the test
command (tests/run-all.sh).

The panels come from `nepse-drift fixtures --market realistic` (src/synth/realistic.rs): listings
that grow from 40 to about 95 symbols a day, a turnover level that trends tenfold over ten years
and swells in bull runs, bull and bear regimes lasting months, volatility regimes, a seven-week
closure, corporate actions beyond the circuit limit and bad prints, from 2018-01-01 to
2026-11-19 (about 2,100 trading days, so the history null rests on 15-16 disjoint window pairs).
Default windows: 20 trading days against the 120 before, alpha = 0.01.

It proves, over many seeds:

* no injection: every feature is called `drifted` in at most 2.5% of runs (the one-sided 95%
  Clopper-Pearson upper bound is reported beside each rate);
* no injection: the dataset-level call (max-T across features, at family-wise alpha = 1%) is
  drifted in at most the rate it claims, 2.5 alpha: the same standard as each feature's call
  (bound reported). Both rest on a history of about 15 independent stretches, and a window
  judged against it out of sample runs somewhat above the nominal rate;
* +1 robust sigma in ret_1d and a x2 spread (x4 variance) in volume_ratio_20d over the last 20
  trading days: each called `drifted` in at least 90% of runs;
* no injection: multivariate drift (PCA reconstruction and the cross-sectional correlation break,
  each against the past pairs at alpha/2) is detected in at most 2.5% of runs (bound reported);
* rsi_14 decoupled from the other features over the last 20 days (shuffled among each day's
  symbols, so its values and PSI are unchanged): multivariate drift detected in at least 90% of
  runs;
* no injection: the data-quality break (missing or implausible values worse than the last
  year's worst window by half again, a rule rather than a test at alpha) is detected in at most
  2.5% of runs (bound reported), although the panels hold corporate actions, bad prints, listings
  and a closure;
* 5% of volume_ratio_20d's values dropped (null) over the last 20 trading days: the data-quality
  break names volume_ratio_20d in at least 90% of runs;
* without injection the market's own regimes shift some feature in well under half of the
  runs (asserted: at most 50%), so the bull run's line below is not vacuous.

Reported, not asserted (the claim the issue asks for does not hold out of sample; see issue
23's closing note): a bull run over the last 60 trading days (the market's mean daily return
+0.8%, the pace of NEPSE's steepest stretch of the 2020-21 run, twice its average), `shifted`
(some feature beyond the sampling noise). Here (seeds 10001-10040) 37/40; on seeds
10040-10119 69/80, about 88% over seeds 10000-10119 (86% before the bound of `shifted` set an
extraordinary past event aside, such as the closure's reopening, which alone set rsi_14's 99th
percentile at 4.0 where the rest of its history's is 1.6). Setting the largest event aside
always reached 91% over the same 120, but raised the `shifted` rate of a stationary market with
a long history from 4.0% to 6.6% of feature-runs.

The yardstick beside it (reported): one-sided Welch t-tests of the market's mean daily return,
in the run's direction and on the mean alone, the one thing the injection moves (the PSI does
neither). Over the drift calls' windows (the current 20 days against the 120 before, 40 of which
already hold the run) it calls the run in 24/40 here (74/120, 62%, over seeds 10000-10119), and
7/320 runs without injection: taking the days as independent, it runs above alpha, since GARCH
storms and regimes move the mean too. So the daily means of these windows hold the run only at
the edge of the market path's own noise (daily index volatility 0.7-1.3%). `shifted` calls more
(37/40; 88% over the 120 seeds), and more often without injection (53/320 runs shift some
feature), through features that carry more than a window's daily means: pe_ratio and
close_to_sma_50 (the price against fixed earnings and against its 50-day mean), ret_20d. A test
that also knows where the run began (its days against the 80 before) calls 39/40 (116/120), and
15/320 runs without injection; no window comparison knows that.

Reported too: the bull run's power curve, the same panels with the run at 0.4%, 0.6%, 1.0% and
1.2% a day, `shifted` beside both yardsticks. Here (seeds 10001-10040) `shifted` 19, 28, 38 and
39 of 40, the window t-test 11, 17, 32 and 36, the run-start t-test 24, 34, 40 and 40. Out of
sample (seeds 20000-20059, `--power-seed-base 19999 --power-seeds 60`): 19, 34, 57 and 59 of 60,
the window t-test 14, 20, 41 and 46, the run-start t-test 34, 51, 58 and 58. `shifted` calls
more than the windows' own mean test at every pace, and reaches 90% from about 1% a day.

The four as-of dates of a panel share its history, so its four runs are not independent: the
Clopper-Pearson bounds, which assume they are, are optimistic.

Reported, not asserted: `shifted` without injection (the realistic market's own regimes are
real shifts, so this is not a false-alarm rate), and a x2 variance of volume_ratio_20d in log
space (what the real-data check injected), whose PSI of 0.13-0.18 sits inside what this market's
own history shows on one day in twenty: no test calibrated to that history can call it.

Usage: realistic.py BIN OUT_DIR [--seeds N] [--power-seeds N] [--power-seed-base N] [--jobs N] [--table FILE]
Exits non-zero when a claim fails; prints the table either way.
"""

import argparse
import concurrent.futures as cf
import json
import os
import shutil
import sys

import numpy as np
import pyarrow.parquet as pq
from scipy.stats import ttest_ind

# The stationary study's helpers: its Clopper-Pearson bound and its command runner.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from study import run, upper_bound  # noqa: E402

START, END = "2018-01-01", "2026-11-19"
# Four as-of dates per panel, far enough apart that their current windows do not overlap.
AS_OF = ["2026-11-19", "2026-09-10", "2026-07-01", "2026-04-20"]
ALPHA = 0.01
FEATURES = [
    "ret_1d", "ret_5d", "ret_20d", "volatility_20d", "rsi_14", "macd_hist", "volume_ratio_20d",
    "log_turnover_npr", "close_to_sma_50", "nepse_index_ret_1d", "pe_ratio",
]
# The last 20 trading days of the as-of date 2026-11-19, and its last 60.
LAST_20, LAST_60 = "2026-10-14:2026-11-19", "2026-08-23:2026-11-19"
# The first day of the injected bull run.
RUN_START = LAST_60.split(":")[0]
INJECTIONS = {
    "drift": f"{LAST_20}:rshift=ret_1d*1;scale=volume_ratio_20d*2",
    "log-variance": f"{LAST_20}:lscale=volume_ratio_20d*1.4142135623730951",
    "bull": f"{LAST_60}:bull=0.008",
    # A correlation break only multivariate drift can see: rsi_14 shuffled among each day's
    # symbols, so every day keeps exactly its values (rsi_14's PSI unchanged).
    "decouple": f"{LAST_20}:decouple=rsi_14",
    # A feed that drops values: 5% of volume_ratio_20d's rows null, which only data quality
    # calls as such.
    "blank": f"{LAST_20}:blank=volume_ratio_20d*0.05",
}
# The bull run's power curve (reported): the same panels with the run at other paces, half to
# one and a half times the one above.
BULL_PACES = [0.004, 0.006, 0.010, 0.012]
INJECTIONS.update({f"bull-{pace}": f"{LAST_60}:bull={pace}" for pace in BULL_PACES})


def report(binary, features, as_of, multivariate=True, data_quality=True):
    cmd = [binary, "--quiet", "report", "--features", features, "--as-of", as_of, "--format", "json"]
    out = run(cmd + (["--multivariate"] if multivariate else []) + (["--data-quality"] if data_quality else []))
    return json.loads(out.stdout)["drift"]


def panel(binary, out_dir, name, seed, drift=None):
    d = os.path.join(out_dir, f"{name}-{seed}")
    cmd = [binary, "fixtures", "--out", d, "--seed", str(seed), "--start", START, "--end", END,
           "--market", "realistic", "--symbols", "100", "--force"]
    if drift:
        cmd += ["--drift", drift]
    run(cmd)
    return d


def index_tests(features, as_of):
    """The yardstick of the bull run: one-sided (upward) Welch t-tests of the market's mean daily
    return (`nepse_index_ret_1d`, one value a trading day) at the as-of date. They look at the
    mean alone, the one thing the injection changes, in its direction; the PSI does neither.

    * `window`: the current 20 days against the 120 before, the windows the drift calls compare.
    * `oracle`: the days since the run began (from RUN_START; the same number of last days where
      there is no run) against the 80 before: it also knows where the run began, which no window
      comparison does.

    Each is called at p <= alpha, as if the days were independent: GARCH storms and the market's
    regimes make both fire above alpha without injection (the study reports how often). Returns
    (window, oracle)."""
    t = pq.read_table(features, columns=["as_of", "nepse_index_ret_1d"])
    days = t.group_by("as_of").aggregate([("nepse_index_ret_1d", "min")]).sort_by("as_of")
    dates = days["as_of"].to_numpy(zero_copy_only=False).astype("datetime64[D]")
    x = days["nepse_index_ret_1d_min"].to_numpy(zero_copy_only=False).astype(float)
    # The run's trading days (up to the first as-of date, where it ends), the same number at
    # every as-of date.
    run = max(1, int(((dates >= np.datetime64(RUN_START)) & (dates <= np.datetime64(AS_OF[0]))).sum()))
    x = x[dates <= np.datetime64(as_of)]

    def up(current, before):
        return bool(ttest_ind(current, before, equal_var=False, alternative="greater").pvalue <= ALPHA)

    return up(x[-20:], x[-140:-20]), up(x[-run:], x[-run - 80:-run])


def null_runs(binary, out_dir, seed):
    d = panel(binary, out_dir, "null", seed)
    f = os.path.join(d, "features.parquet")
    try:
        return [dict(report(binary, f, a), index_tests=index_tests(f, a)) for a in AS_OF]
    finally:
        shutil.rmtree(d, ignore_errors=True)


def power_run(binary, out_dir, kind, seed, base=10_000):
    d = panel(binary, out_dir, kind, base + seed, drift=INJECTIONS[kind])
    try:
        # Multivariate drift (about a second a run in the test build) and data quality only where
        # they are judged.
        f = os.path.join(d, "features.parquet")
        r = report(binary, f, AS_OF[0], multivariate=kind == "decouple", data_quality=kind == "blank")
        return dict(r, index_tests=index_tests(f, AS_OF[0])) if kind.startswith("bull") else r
    finally:
        shutil.rmtree(d, ignore_errors=True)


def by_feature(drift):
    return {f["feature"]: f for f in drift["features"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("out_dir")
    ap.add_argument("--seeds", type=int, default=80)
    ap.add_argument("--power-seeds", type=int, default=40)
    # The injected panels' seeds are BASE+1 ... BASE+N.
    ap.add_argument("--power-seed-base", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--table")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    with cf.ThreadPoolExecutor(args.jobs) as pool:
        nulls = list(pool.map(lambda s: null_runs(args.binary, args.out_dir, s), range(1, args.seeds + 1)))
        powers = {
            kind: list(pool.map(lambda s, k=kind: power_run(args.binary, args.out_dir, k, s, args.power_seed_base),
                                range(1, (args.power_seeds if kind != "blank" else args.power_seeds // 2) + 1)))
            for kind in INJECTIONS
        }

    runs = [r for seed in nulls for r in seed]
    n = len(runs)
    failures = []
    lines = [
        f"| feature | drifted, no injection ({n} runs) | 95% upper bound | decided by the history |"
        " shifted, no injection | mean design effect (current) | mean history stretches |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for feature in FEATURES:
        fs = [by_feature(r)[feature] for r in runs if feature in by_feature(r)]
        k = sum(f["drifted"] for f in fs)
        m = len(fs)
        hist = sum(f.get("drift_null") == "history" for f in fs)
        shifted = sum(f["shifted"] for f in fs)
        deffs = [f["design_effect"]["current"] for f in fs if f.get("design_effect")]
        ks = [f["history_stretches"] for f in fs if f.get("history_stretches") is not None]
        lines.append(
            f"| {feature} | {k / m:.1%} ({k}) | {upper_bound(k, m):.1%} | {hist / m:.0%} | {shifted / m:.1%} |"
            f" {sum(deffs) / max(len(deffs), 1):.1f} | {sum(ks) / max(len(ks), 1):.1f} |"
        )
        if m < n:
            failures.append(f"{feature}: computed in {m}/{n} runs")
        if k / m > 2.5 * ALPHA:
            failures.append(f"{feature}: drifted in {k}/{m} = {k / m:.1%} no-injection runs (> 2.5%)")
    called = sum(bool(r["dataset"] and r["dataset"]["drifted"]) for r in runs)
    methods = sorted({r["dataset"]["method"] for r in runs if r["dataset"]})
    lines.append("")
    lines.append(
        f"dataset-level call ({'/'.join(methods)}, family-wise alpha = {ALPHA:.0%}): drifted in {called}/{n} = {called / n:.2%}"
        f" of no-injection runs (95% upper bound {upper_bound(called, n):.2%})"
    )
    for level in (ALPHA / 2, ALPHA, 2 * ALPHA):
        k = sum(bool(r["dataset"]) and r["dataset"]["adjusted_p_value"] <= level for r in runs)
        lines.append(f"  adjusted p-value at most {level:.3f}: {k}/{n} = {k / n:.2%}")
    if called / n > 2.5 * ALPHA:
        failures.append(f"dataset-level call: {called}/{n} = {called / n:.2%} > 2.5 x the family-wise {ALPHA:.0%}")
    mv = [r["multivariate"] for r in runs if r.get("multivariate") and r["multivariate"]["p_value"] is not None]
    mv_called = sum(m["detected"] for m in mv)
    nulls_used = sorted({m["null"] for m in mv})
    lines.append(
        f"multivariate drift (PCA reconstruction, {'/'.join(nulls_used)} null): detected in {mv_called}/{len(mv)} = "
        f"{mv_called / max(len(mv), 1):.2%} of no-injection runs (95% upper bound {upper_bound(mv_called, len(mv)):.2%})"
    )
    if len(mv) < n:
        failures.append(f"multivariate drift: called in {len(mv)}/{n} runs only")
    elif mv_called / len(mv) > 2.5 * ALPHA:
        failures.append(f"multivariate drift: detected in {mv_called}/{len(mv)} = {mv_called / len(mv):.1%} no-injection runs (> 2.5%)")
    dq = [r["data_quality"] for r in runs if r.get("data_quality") and r["data_quality"]["note"] is None]
    dq_called = sum(q["detected"] for q in dq)
    dq_named = sorted({f for q in dq for f in q["broken"]})
    breaches = sum(q["circuit"]["count"] for q in dq if q["circuit"])
    lines.append(
        f"data-quality break (the last year's worst window by half again): detected in {dq_called}/{len(dq)} = "
        f"{dq_called / max(len(dq), 1):.2%} of no-injection runs (95% upper bound {upper_bound(dq_called, len(dq)):.2%})"
        f"{'; named ' + ', '.join(dq_named) if dq_named else ''}; circuit-limit breaches of ret_1d listed: {breaches}"
    )
    if len(dq) < n:
        failures.append(f"data quality: called in {len(dq)}/{n} runs only")
    elif dq_called / len(dq) > 2.5 * ALPHA:
        failures.append(f"data quality: broken in {dq_called}/{len(dq)} = {dq_called / len(dq):.1%} no-injection runs (> 2.5%)")
    any_shift = sum(bool(r["shifted_features"]) for r in runs)
    lines.append(f"some feature shifted without injection (the market's own regimes): {any_shift}/{n} = {any_shift / n:.1%}")

    def power_line(kind, what, hit, m, assert_it):
        low = 1.0 - upper_bound(m - hit, m)
        lines.append(f"| {what} | {hit / m:.0%} ({hit}/{m}) | {low:.1%} | {'≥ 90%' if assert_it else 'reported'} |")
        if assert_it and hit / m < 0.9:
            failures.append(f"{what}: {hit}/{m} runs (< 90%)")

    lines.append("")
    lines.append("| injected before the as-of date 2026-11-19 | called | 95% lower bound | claim |")
    lines.append("|---|---:|---:|---|")
    d = powers["drift"]
    power_line("drift", "ret_1d +1 robust σ, last 20 days: drifted", sum(by_feature(r)["ret_1d"]["drifted"] for r in d), len(d), True)
    power_line("drift", "volume_ratio_20d spread ×2 (variance ×4), last 20 days: drifted",
               sum(by_feature(r)["volume_ratio_20d"]["drifted"] for r in d), len(d), True)
    v = powers["log-variance"]
    power_line("log-variance", "volume_ratio_20d variance ×2 in log space, last 20 days: drifted",
               sum(by_feature(r)["volume_ratio_20d"]["drifted"] for r in v), len(v), True)
    psis = sorted(by_feature(r)["volume_ratio_20d"]["psi"] for r in v)
    b = powers["bull"]
    power_line("bull", "bull run, market +0.8% a day over the last 60 days: some feature shifted",
               sum(bool(r["shifted_features"]) for r in b), len(b), False)
    # Not vacuous: without the injection the market's own regimes shift some feature far less
    # often.
    if any_shift / n > 0.5:
        failures.append(f"some feature shifted in {any_shift}/{n} no-injection runs (> 50%): the bull-run line proves nothing")
    dc = powers["decouple"]
    power_line("decouple", "rsi_14 decoupled from the other features (shuffled within each day), last 20 days: multivariate drift",
               sum(bool(r["multivariate"] and r["multivariate"]["detected"]) for r in dc), len(dc), True)
    bl = powers["blank"]
    power_line("blank", "5% of volume_ratio_20d's values dropped, last 20 days: data-quality break names it",
               sum("volume_ratio_20d" in r["data_quality"]["broken"] for r in bl), len(bl), True)
    # The yardstick: what tests of the market's mean return alone call, with and without the run
    # (their rate without it, beside: they take the days as independent).
    for i, what in enumerate(["current 20 days against the 120 before (the drift calls' windows)",
                              "the run's days against the 80 before (knows where it began)"]):
        quiet = sum(r["index_tests"][i] for r in runs)
        power_line("bull", f"yardstick, one-sided Welch t-test of the market's mean return, {what}"
                           f" (no injection: {quiet}/{n})", sum(r["index_tests"][i] for r in b), len(b), False)
    lines.append("")
    lines.append("| bull run over the last 60 days, the market's mean daily return + | some feature shifted |"
                 " yardstick: the drift calls' windows | yardstick: knows where the run began |")
    lines.append("|---:|---:|---:|---:|")
    for pace, kind in sorted([(0.008, "bull")] + [(p, f"bull-{p}") for p in BULL_PACES]):
        runs_at = powers[kind]
        m = len(runs_at)
        shifted_at = sum(bool(r["shifted_features"]) for r in runs_at)
        window_at, oracle_at = (sum(r["index_tests"][i] for r in runs_at) for i in (0, 1))
        lines.append(f"| {pace:.1%} | {shifted_at}/{m} | {window_at}/{m} | {oracle_at}/{m} |")
    per = {f: sum(by_feature(r)[f]["shifted"] for r in b) for f in FEATURES}
    lines.append("")
    lines.append(f"volume_ratio_20d PSI under variance ×2 in log space: median {psis[len(psis) // 2]:.3f}, range {psis[0]:.3f}-{psis[-1]:.3f}")
    # The misses' within-day view: its PSI and critical PSI (a miss below `moderate` is the size
    # rule's, one below its critical PSI the test's).
    missed = [by_feature(r)["volume_ratio_20d"].get("within_day") for r in v if not by_feature(r)["volume_ratio_20d"]["drifted"]]
    lines.append("variance ×2 in log space, missed runs' within-day PSI / critical PSI: "
                 + (", ".join(f"{w['psi']:.4f} / {w['critical_psi']:.4f}" if w else "no view" for w in missed) or "none"))
    lines.append("bull run, shifted per feature: " + ", ".join(f"{f} {k}/{len(b)}" for f, k in per.items() if k))
    table = "\n".join(lines)
    print(table)
    if args.table:
        with open(args.table, "w") as f:
            f.write(table + "\n")
    if failures:
        print("\nFAILED:\n" + "\n".join(failures), file=sys.stderr)
        sys.exit(1)
    print("\nrealistic calibration study: every claim holds")


if __name__ == "__main__":
    main()
