"""Cross-check of the data-quality block (`drift.data_quality`, `--data-quality`) against an
independent numpy/pandas/scipy implementation.

usage: data_quality.py NEPSE_DRIFT_BIN WORKDIR

For each case, `nepse-drift report --format json --data-quality` gives the windows and the block;
the same numbers are recomputed here from the Parquet file with pandas and numpy, following the
conventions the README states (missing = null or NaN; min, max, mean and numpy's linear
quantiles over the finite values; ±inf out of every range; implausible = outside
[min − w, max + w], w = max − min; bad = missing or implausible; the missing share's change
test clustered by day, Welch–Satterthwaite t; the break's history of every window of the current
window's length over the 250 trading days before it, and Westfall–Young min-p across features).
Compared to 1e-12 (counts exactly).

Cases:
  * the committed fixtures at two as-of dates;
  * a hostile copy: NaN, null, +inf and a -999 sentinel in features, a day on which one feature
    is entirely null, a whole day dropped, two symbols gone from the current window and a new one
    listed, and ret_1d breaches of the circuit limit (-35%, +inf) beside prints at exactly ±10%.
Exits 1 with a line per mismatch.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import stats

TOL = 1e-12
SPAN_DAYS = 250
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "features.parquet"
KEYS = ("as_of", "symbol", "sector")
failures = []


def ours(binary, features, as_of):
    out = subprocess.run(
        [binary, "--quiet", "report", "--features", str(features), "--as-of", as_of, "--format", "json",
         "--data-quality"],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


def same(case, name, a, b):
    if a is None or b is None:
        if a is not None or b is not None:
            failures.append(f"{case}: {name} ours {a!r} vs numpy {b!r}")
        return
    if isinstance(b, (list, str, bool)) or isinstance(a, bool):
        if a != b:
            failures.append(f"{case}: {name} ours {a!r} vs numpy {b!r}")
        return
    if not np.isclose(a, b, rtol=TOL, atol=TOL):
        failures.append(f"{case}: {name} ours {a!r} vs numpy {b!r}")


def side(values):
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    missing = int(np.isnan(v).sum())
    return {
        "rows": len(v),
        "missing": missing,
        "missing_share": missing / len(v) if len(v) else None,
        "min": float(finite.min()) if len(finite) else None,
        "max": float(finite.max()) if len(finite) else None,
        "mean": float(finite.mean()) if len(finite) else None,
    }


def bounds(ref):
    finite = ref[np.isfinite(ref)]
    if not len(finite):
        return None
    lo, hi = np.quantile(finite, [0.001, 0.999])
    mn, mx = finite.min(), finite.max()
    return {"min": mn, "max": mx, "low": lo, "high": hi, "plo": mn - (mx - mn), "phi": mx + (mx - mn)}


def warm_up(frame, column, first_day):
    """Each row's missing value is a new symbol's warm-up: the symbol's leading run of missing
    values, when its first row is after `first_day`."""
    f = frame[["symbol", "as_of"]].copy()
    f["missing"] = frame[column].isna().to_numpy()
    f = f.sort_values(["symbol", "as_of"], kind="stable")
    first = f.groupby("symbol")["as_of"].transform("min")
    # Within a symbol, the run is leading while every row so far is missing.
    leading = f.groupby("symbol")["missing"].cummin().astype(bool)
    warm = leading & (first > first_day)
    return warm.reindex(frame.index).fillna(False).to_numpy(dtype=bool)


def bad_mask(v, b, warm=None):
    v = np.asarray(v, dtype=float)
    missing = np.isnan(v) & (True if warm is None else ~warm)
    if b is None:
        return missing
    with np.errstate(invalid="ignore"):
        return missing | (~np.isnan(v) & ((v < b["plo"]) | (v > b["phi"])))


def clustered(day_rows, day_missing):
    keep = day_rows > 0
    n_d, m_d = day_rows[keep].astype(float), day_missing[keep].astype(float)
    if len(n_d) < 2:
        return None
    p = m_d.sum() / n_d.sum()
    d = len(n_d)
    return p, d / (d - 1) * ((m_d - p * n_d) ** 2).sum() / n_d.sum() ** 2, d


def missing_change(ref_days, cur_days):
    r, c = clustered(*ref_days), clustered(*cur_days)
    if r is None or c is None:
        return None
    (pr, vr, dr), (pc, vc, dc) = r, c
    v = vr + vc
    if v <= 0:
        return 1.0 if pr == pc else 0.0
    df = v * v / (vr * vr / (dr - 1) + vc * vc / (dc - 1))
    return float(min(1.0, 2 * stats.t.sf(abs(pc - pr) / np.sqrt(v), df)))


def per_day(frame, column, days, mask=None):
    """Rows, and `mask`'s true rows (missing when None), per day of `days`."""
    values = frame[column].to_numpy(dtype=float)
    flags = np.isnan(values) if mask is None else mask
    g = pd.DataFrame({"d": frame["as_of"].to_numpy(), "n": 1, "m": flags.astype(int)}).groupby("d").sum()
    g = g.reindex(days, fill_value=0)
    return g["n"].to_numpy(), g["m"].to_numpy()


def check(binary, features, as_of, case):
    result = ours(binary, features, as_of)
    block = result["drift"]["data_quality"]
    w_ref, w_cur = result["windows"]["reference"], result["windows"]["current"]
    df = pq.read_table(features).to_pandas()
    df["as_of"] = pd.to_datetime(df["as_of"]).dt.date
    names = [c for c in df.columns if c not in KEYS]
    between = lambda w: (df["as_of"] >= pd.Timestamp(w["from"]).date()) & (df["as_of"] <= pd.Timestamp(w["to"]).date())
    ref, cur = df[between(w_ref)], df[between(w_cur)]
    source_days = sorted(set(df["as_of"]))
    ref_days = sorted(set(ref["as_of"]))
    cur_days = sorted(set(cur["as_of"]))
    before = [d for d in source_days if d < cur_days[0]][-SPAN_DAYS:]
    pooled = df[df["as_of"].isin(before) | df["as_of"].isin(cur_days)]
    span = pooled[pooled["as_of"].isin(before)]
    now = pooled[pooled["as_of"].isin(cur_days)]
    t = len(cur_days)
    ours_by = {f["feature"]: f for f in block["features"]}
    same(case, "features", sorted(ours_by), sorted(names))
    family = []
    for name in names:
        o = ours_by.get(name)
        if o is None:
            continue
        r, c = ref[name].to_numpy(dtype=float), cur[name].to_numpy(dtype=float)
        for label, got, want in (("reference", o["reference"], side(r)), ("current", o["current"], side(c))):
            for k, v in want.items():
                same(case, f"{name}.{label}.{k}", got[k], v)
        b = bounds(r)
        same(case, f"{name}.reference_low", o["reference_low"], None if b is None else float(b["low"]))
        same(case, f"{name}.reference_high", o["reference_high"], None if b is None else float(b["high"]))
        present = ~np.isnan(c)
        with np.errstate(invalid="ignore"):
            if b is not None:
                same(case, f"{name}.out_of_range_share", o["out_of_range_share"],
                     float((present & ((c < b["min"]) | (c > b["max"]))).mean()))
                same(case, f"{name}.beyond_quantiles_share", o["beyond_quantiles_share"],
                     float((present & ((c < b["low"]) | (c > b["high"]))).mean()))
                same(case, f"{name}.implausible_share", o["implausible_share"],
                     float((present & ((c < b["plo"]) | (c > b["phi"]))).mean()))
        warm = warm_up(pooled, name, before[0])
        in_span = pooled["as_of"].isin(before).to_numpy()
        now_bad = bad_mask(now[name].to_numpy(dtype=float), b, warm[~in_span])
        same(case, f"{name}.warm_up_share", o["warm_up_share"], float(warm[~in_span].mean()))
        same(case, f"{name}.bad_share", o["bad_share"], float(now_bad.mean()))
        same(case, f"{name}.missing_change_p_value", o["missing_change_p_value"],
             missing_change(per_day(ref, name, ref_days), per_day(cur, name, cur_days)))
        # The history: every window of t days over the span before the current window.
        n_d, bad_d = per_day(span, name, before, bad_mask(span[name].to_numpy(dtype=float), b, warm[in_span]))
        past = []
        for end in range(t - 1, len(before)):
            rows = n_d[end - t + 1:end + 1].sum()
            if rows:
                past.append((end, bad_d[end - t + 1:end + 1].sum() / rows))
        family.append((name, float(now_bad.mean()), past))
    windows = min(len(p) for _, _, p in family)
    disjoint = []
    for _, _, p in family:
        k, free = 0, 0
        for end, _ in p:
            if end + 1 >= free + t:
                k, free = k + 1, end + 1
        disjoint.append(k)
    same(case, "history_windows", block["history_windows"], windows)
    same(case, "history_stretches", block["history_stretches"], min(disjoint))
    callable_ = windows >= 2 / 0.01 and min(disjoint) >= 7
    same(case, "called", block["note"] is None, callable_)
    if callable_:
        common = sorted(set.intersection(*[{e for e, _ in p} for _, _, p in family]))
        n = len(common)
        t_w = np.ones(n)
        own = []
        for name, now, p in family:
            s = np.array([dict(p)[e] for e in common])
            ranks = np.array([(s >= x).sum() / n for x in s])
            t_w = np.minimum(t_w, ranks)
            own.append((1 + (s >= now).sum()) / (n + 1))
        broken = []
        for (name, now, p), pf in zip(family, own):
            adjusted = (1 + (t_w <= pf).sum()) / (n + 1)
            same(case, f"{name}.p_value", ours_by[name]["p_value"], (1 + sum(x >= now for _, x in p)) / (len(p) + 1))
            same(case, f"{name}.adjusted_p_value", ours_by[name]["adjusted_p_value"], float(adjusted))
            if adjusted <= 0.01:
                broken.append((adjusted, name))
        same(case, "broken", block["broken"], [n for _, n in sorted(broken)])
        same(case, "detected", block["detected"], bool(broken))
    # Symbols.
    rs, cs = set(ref["symbol"].dropna()), set(cur["symbol"].dropna())
    same(case, "symbols.reference", block["symbols"]["reference"], len(rs))
    same(case, "symbols.current", block["symbols"]["current"], len(cs))
    same(case, "symbols.absent", block["symbols"]["absent"], sorted(rs - cs))
    same(case, "symbols.new", block["symbols"]["new"], sorted(cs - rs))
    # Circuit breaches of ret_1d.
    v = cur["ret_1d"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        hit = cur[np.abs(v) > 0.1005]
    same(case, "circuit.count", block["circuit"]["count"], len(hit))
    listed = sorted(zip(hit["ret_1d"], hit["as_of"], hit["symbol"]), key=lambda x: (-abs(x[0]), x[1], x[2]))[:100]
    same(case, "circuit.listed", [(b["symbol"], b["date"], b["value"]) for b in block["circuit"]["listed"]],
         [(s, str(d), float(x) if np.isfinite(x) else None) for x, d, s in listed])
    print(f"  {case}: {len(names)} features, {windows} past windows, {len(hit)} breaches, "
          f"broken {block['broken']}")


def hostile(path):
    """The fixtures with bad data in the last 20 trading days and before."""
    t = pq.read_table(FIXTURES).to_pandas()
    days = sorted(t["as_of"].unique())
    last = days[-20:]
    rng = np.random.default_rng(7)
    cur = t["as_of"].isin(last)
    # NaN, null, +inf and a sentinel in the current window.
    idx = t.index[cur]
    t.loc[rng.choice(idx, 30, replace=False), "rsi_14"] = np.nan
    t.loc[rng.choice(idx, 12, replace=False), "macd_hist"] = np.inf
    t.loc[rng.choice(idx, 40, replace=False), "volume_ratio_20d"] = -999.0
    # A day on which one feature is entirely null (a feed gap), in the history and now.
    t.loc[t["as_of"] == days[-300], "close_to_sma_50"] = np.nan
    t.loc[t["as_of"] == last[5], "close_to_sma_50"] = np.nan
    # Circuit breaches: a corporate action and a bad print; exact ±10% prints are not breaches.
    at = lambda symbol, day: (t["symbol"] == symbol) & (t["as_of"] == day)
    t.loc[at("EBL", last[2]), "ret_1d"] = -0.35
    t.loc[at("HBL", last[7]), "ret_1d"] = np.inf
    t.loc[at("EBL", last[8]), "ret_1d"] = 0.1
    t.loc[at("HBL", last[9]), "ret_1d"] = -0.1
    # Two symbols suspended for the whole current window, one newly listed.
    gone = ["NABIL", "NICA"]
    t = t[~(cur & t["symbol"].isin(gone))]
    new = t[t["as_of"].isin(last) & (t["symbol"] == "SCB")].copy()
    new["symbol"] = "NEWCO"
    # A 20-day feature is undefined for a new listing's first days: warm-up, not bad.
    new.loc[new["as_of"].isin(last[:6]), ["ret_20d", "volatility_20d"]] = np.nan
    new.loc[new["as_of"] == last[10], "ret_20d"] = np.nan
    t = pd.concat([t, new], ignore_index=True)
    # A whole day dropped before the current window.
    t = t[t["as_of"] != days[-40]]
    table = pa.Table.from_pandas(t, preserve_index=False)
    pq.write_table(table, path)


def main():
    binary, work = sys.argv[1], Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    for as_of in ("2026-11-19", "2026-06-30"):
        check(binary, FIXTURES, as_of, f"fixtures as of {as_of}")
    bad = work / "hostile.parquet"
    hostile(bad)
    check(binary, bad, "2026-11-19", "hostile copy")
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print("data quality cross-check: every number equal to numpy's")


if __name__ == "__main__":
    main()
