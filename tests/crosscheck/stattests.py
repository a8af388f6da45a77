"""Cross-check of `report --stattest all` and `--stattest auto` against Evidently 0.7.23 itself.

usage: stattests.py NEPSE_DRIFT_BIN WORKDIR FIXTURES_DIR

1. Synthetic panels (seeded) with every kind of column Evidently's preset tells apart: numeric
   with many values, with ties, with few values, binary, with NaN and ±inf; categorical with
   several values and nulls, binary, with a category unseen in the reference; a boolean. Three
   reference sizes: 800 rows (Evidently's small-reference rules; exact KS), 4,800 (its large
   rules; exact KS) and 12,000 (asymptotic KS).
   - Every statistic of `--stattest all` equals Evidently's own stattest function on the same
     two samples (after Evidently's own cleaning: ±inf → null, nulls dropped): to 1e-9, or to a
     relative 1e-6 for a p-value below 1e-3; its threshold and drift call are Evidently's.
   - `--stattest auto` picks the test Evidently's `get_stattest` picks, with its call.
2. The committed fixtures as of 2026-11-19 (20 current days, the 120 before as reference):
   `--stattest auto` agrees with Evidently's DataDriftPreset report on every feature: the same
   test, the same drift call, the same score.
Exits 1 with a line per mismatch.
"""

import datetime as dt
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

from evidently.legacy.calculations.stattests import (  # noqa: E402
    chi_stat_test,
    hellinger_stat_test,
    jensenshannon_stat_test,
    kl_div_stat_test,
    ks_stat_test,
    psi_stat_test,
    wasserstein_stat_test,
    z_stat_test,
)
from evidently.legacy.calculations.stattests.registry import get_stattest  # noqa: E402
from evidently.legacy.core import ColumnType  # noqa: E402
from evidently.legacy.metric_preset import DataDriftPreset  # noqa: E402
from evidently.legacy.pipeline.column_mapping import ColumnMapping  # noqa: E402
from evidently.legacy.report import Report  # noqa: E402

TESTS = {
    "psi": psi_stat_test,
    "ks": ks_stat_test,
    "wasserstein": wasserstein_stat_test,
    "jensenshannon": jensenshannon_stat_test,
    "hellinger": hellinger_stat_test,
    "kl_div": kl_div_stat_test,
    "chisquare": chi_stat_test,
    "z": z_stat_test,
}
P_VALUES = {"ks", "chisquare", "z"}
CURRENT_DAYS = 20
SYMBOLS = 80
failures = []


def trading_days(start, n):
    days, d = [], start
    while len(days) < n:
        if d.weekday() not in (4, 5):  # Friday, Saturday
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def panel(reference_days, seed):
    rng = np.random.default_rng(seed)
    days = trading_days(dt.date(2026, 1, 4), reference_days + CURRENT_DAYS)
    rows = []
    for i, day in enumerate(days):
        cur = i >= reference_days
        n = SYMBOLS
        cont = rng.normal(0.3 if cur else 0.0, 1.0, n)
        dirty = rng.normal(0.0, 1.0, n)
        dirty[rng.random(n) < 0.05] = np.nan
        dirty[rng.random(n) < 0.01] = np.inf
        dirty[rng.random(n) < 0.01] = -np.inf
        multi = rng.choice(list("abcde"), n, p=[0.1, 0.2, 0.3, 0.2, 0.2] if cur else [0.2] * 5).astype(object)
        multi[rng.random(n) < 0.03] = None
        new = rng.choice(list("abcd") if cur else list("abc"), n)
        for s in range(n):
            rows.append(
                {
                    "as_of": day,
                    "symbol": f"S{s:03d}",
                    "num_cont": cont[s],
                    "num_same": rng.normal(),
                    "num_ties": float(np.round(rng.normal() * 2)),
                    "num_many_ties": float(np.round(rng.normal() * 8) / 2),
                    "num_few": float(rng.choice([1.0, 2.0, 3.5, 7.0], p=[0.4, 0.3, 0.2, 0.1] if cur else [0.25] * 4)),
                    "num_bin": float(rng.random() < (0.6 if cur else 0.5)),
                    "num_dirty": dirty[s],
                    "cat_multi": multi[s],
                    "cat_bin": "up" if rng.random() < (0.55 if cur else 0.5) else "down",
                    "cat_new": new[s],
                    "flag": bool(rng.random() < 0.3),
                }
            )
    return pd.DataFrame(rows)


def run(binary, args):
    out = subprocess.run([binary, "--quiet", *args], capture_output=True, text=True)
    if out.returncode not in (0, 4):
        sys.exit(f"nepse-drift {' '.join(args)} failed ({out.returncode}): {out.stderr}")


def samples(df, feature, reference_days):
    days = sorted(df["as_of"].unique())
    cur_days, ref_days = set(days[-CURRENT_DAYS:]), set(days[-CURRENT_DAYS - reference_days : -CURRENT_DAYS])
    clean = lambda s: s.replace([-np.inf, np.inf], np.nan).dropna().reset_index(drop=True)  # noqa: E731
    ref = clean(df.loc[df["as_of"].isin(ref_days), feature])
    cur = clean(df.loc[df["as_of"].isin(cur_days), feature])
    numeric = pd.api.types.is_numeric_dtype(df[feature]) and not pd.api.types.is_bool_dtype(df[feature])
    return ref, cur, ColumnType.Numerical if numeric else ColumnType.Categorical


def agree(name, ours, theirs):
    if ours is None or theirs is None or (isinstance(theirs, float) and np.isnan(theirs)):
        return ours is None and (theirs is None or np.isnan(theirs))
    if abs(ours - theirs) <= 1e-9:
        return True
    return name in P_VALUES and theirs < 1e-3 and abs(ours - theirs) <= 1e-6 * abs(theirs)


def check_case(binary, workdir, reference_days, seed):
    df = panel(reference_days, seed)
    path = workdir / f"panel_{reference_days}.parquet"
    df.to_parquet(path, index=False)
    last = str(df["as_of"].max())
    common = ["report", "--features", str(path), "--as-of", last, "--last", str(CURRENT_DAYS)]
    common += ["--reference-last", str(reference_days), "--format", "json"]
    for choice in ("all", "auto"):
        out = workdir / f"{choice}_{reference_days}.json"
        run(binary, [*common, "--stattest", choice, "-o", str(out)])
        result = json.loads(out.read_text())
        features = {f["feature"]: f for f in result["drift"]["features"]}
        expected = [c for c in df.columns if c not in ("as_of", "symbol")]
        if sorted(features) != sorted(expected):
            failures.append(f"{reference_days} days, {choice}: features {sorted(features)} != {sorted(expected)}")
        for name, f in features.items():
            ref, cur, ftype = samples(df, name, reference_days)
            where = f"{reference_days}-day reference, --stattest {choice}, {name}"
            for test, ours in f["statistics"].items():
                theirs = TESTS[test](ref.copy(), cur.copy(), ftype, None)
                score = float(theirs.drift_score)
                if not agree(test, ours["value"], score):
                    failures.append(f"{where}, {test}: ours {ours['value']!r}, Evidently {score!r}")
                if ours["threshold"] != theirs.actual_threshold or ours["drifted"] != bool(theirs.drifted):
                    failures.append(f"{where}, {test}: call {ours} vs Evidently {theirs}")
                if ours["assumes_independent_rows"] != (test in P_VALUES):
                    failures.append(f"{where}, {test}: independence mark {ours['assumes_independent_rows']}")
            picked = get_stattest(ref, cur, ftype, None)
            decided = f.get("drift_test") or {}
            if decided.get("test") != picked.name:
                failures.append(f"{where}: decided by {decided.get('test')}, Evidently's preset picks {picked.name}")
            elif decided["drifted"] != bool(picked(ref.copy(), cur.copy(), ftype, None).drifted) or f["drifted"] != decided["drifted"]:
                failures.append(f"{where}: drifted {f['drifted']}, Evidently's {picked.name} says otherwise")
            if choice == "all":
                kind_tests = {"psi", "jensenshannon", "hellinger", "kl_div"}
                kind_tests |= {"ks", "wasserstein"} if ftype == ColumnType.Numerical else {"chisquare", "z"}
                if not kind_tests <= set(f["statistics"]):
                    failures.append(f"{where}: computed {sorted(f['statistics'])}, missing {sorted(kind_tests - set(f['statistics']))}")
    return sorted({(f["drift_test"] or {}).get("test") for f in features.values()})


def check_fixtures(binary, workdir, fixtures):
    out = workdir / "fixtures_auto.json"
    features_path = fixtures / "features.parquet"
    run(binary, ["report", "--features", str(features_path), "--as-of", "2026-11-19", "--stattest", "auto", "--format", "json", "-o", str(out)])
    result = json.loads(out.read_text())
    df = pd.read_parquet(features_path)
    df["as_of"] = pd.to_datetime(df["as_of"]).dt.date
    days = sorted(d for d in df["as_of"].unique() if d <= dt.date(2026, 11, 19))
    cur = df[df["as_of"].isin(set(days[-20:]))]
    ref = df[df["as_of"].isin(set(days[-140:-20]))]
    names = [f["feature"] for f in result["drift"]["features"]]
    report = Report(metrics=[DataDriftPreset(columns=names)])
    report.run(reference_data=ref[names], current_data=cur[names], column_mapping=ColumnMapping(numerical_features=names))
    by_column = next(m["result"]["drift_by_columns"] for m in report.as_dict()["metrics"] if "drift_by_columns" in m["result"])
    display = {t.name: t.display_name for t in TESTS.values()}
    for f in result["drift"]["features"]:
        theirs = by_column[f["feature"]]
        ours = f["drift_test"]
        where = f"fixtures, {f['feature']}"
        if display[ours["test"]] != theirs["stattest_name"]:
            failures.append(f"{where}: {ours['test']} vs Evidently's {theirs['stattest_name']}")
        if ours["drifted"] != theirs["drift_detected"] or f["drifted"] != theirs["drift_detected"]:
            failures.append(f"{where}: drifted {ours['drifted']} vs Evidently's {theirs['drift_detected']}")
        if not agree(ours["test"], ours["value"], float(theirs["drift_score"])):
            failures.append(f"{where}: score {ours['value']!r} vs Evidently's {theirs['drift_score']!r}")
    drifted = sum(f["drifted"] for f in result["drift"]["features"])
    return len(result["drift"]["features"]), drifted


def main():
    binary, workdir, fixtures = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    workdir.mkdir(parents=True, exist_ok=True)
    picked = {}
    for reference_days, seed in ((10, 1), (60, 2), (150, 3)):
        picked[reference_days] = check_case(binary, workdir, reference_days, seed)
    # Every branch of the preset's rule was taken somewhere.
    every = set().union(*picked.values())
    if not {"ks", "chisquare", "z", "wasserstein", "jensenshannon"} <= every:
        failures.append(f"branches taken: {sorted(every)}")
    n, drifted = check_fixtures(binary, workdir, fixtures)
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print(f"stattests: every statistic equals Evidently 0.7.23 on 3 panels × 11 columns; auto picks {sorted(every)};")
    print(f"fixtures: --stattest auto agrees with Evidently's preset on all {n} features ({drifted} drifted by its rules)")


if __name__ == "__main__":
    main()
