"""Cross-check of the data-quality block (`drift.data_quality`, `--data-quality`) against an
independent numpy/pandas/scipy implementation.

usage: data_quality.py NEPSE_DRIFT_BIN WORKDIR

For each case, `nepse-drift report --format json --data-quality` gives the windows and the block;
the same numbers are recomputed here from the Parquet file with pandas and numpy, following the
conventions the README states (missing = null or NaN; min, max, mean and numpy's linear
quantiles over the finite values; ±inf out of every range; implausible = outside
[q0.001 − w, q0.999 + w], w = q0.999 − q0.001, or not finite; warm-up = a new symbol's leading
nulls, at most 60 rows; bad = missing (not warm-up) or implausible; the missing share's change
test clustered two ways, by day and by symbol, Welch–Satterthwaite t; the break: the worst window
of the current window's length over the 250 trading days before it, half again and at least
half a percentage point more).
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
    return {"min": mn, "max": mx, "low": lo, "high": hi, "plo": lo - (hi - lo), "phi": hi + (hi - lo)}


def warm_up(frame, column, first_day):
    """Each row's missing value is a new symbol's warm-up: the symbol's leading run of missing
    values, when its first row is after `first_day`."""
    f = frame[["symbol", "as_of"]].copy()
    f["missing"] = frame[column].isna().to_numpy()
    f = f.sort_values(["symbol", "as_of"], kind="stable")
    first = f.groupby("symbol")["as_of"].transform("min")
    # Within a symbol, the run is leading while every row so far is missing.
    leading = f.groupby("symbol")["missing"].cummin().astype(bool)
    position = f.groupby("symbol").cumcount()
    new = f.groupby("symbol")["as_of"].min() > first_day
    if 2 * int(new.sum()) > int((~new).sum()):
        # More new symbols than half the old ones: a feed that renamed them, no warm-up.
        return np.zeros(len(frame), dtype=bool)
    warm = leading & (first > first_day) & (position < 60)
    return warm.reindex(frame.index).fillna(False).to_numpy(dtype=bool)


def bad_mask(v, b, warm=None):
    v = np.asarray(v, dtype=float)
    missing = np.isnan(v) & (True if warm is None else ~warm)
    if b is None:
        return missing
    with np.errstate(invalid="ignore"):
        return missing | (~np.isnan(v) & (~np.isfinite(v) | (v < b["plo"]) | (v > b["phi"])))


def clustered(frame, column):
    """A side's missing share, its two-way (day, symbol) clustered variance and min(D, S)."""
    m = frame[column].isna().to_numpy().astype(float)
    if len(m) == 0:
        return None
    g = pd.DataFrame({"d": frame["as_of"].to_numpy(), "s": frame["symbol"].to_numpy(), "m": m, "n": 1.0})
    days = g.groupby("d")[["n", "m"]].sum()
    syms = g.dropna(subset=["s"]).groupby("s")[["n", "m"]].sum()
    clusters = min(len(days), len(syms))
    if clusters < 2:
        return None
    n, mm = days["n"].sum(), days["m"].sum()
    p = mm / n
    def one_way(c):
        k = len(c)
        return k / (k - 1) * ((c["m"] - p * c["n"]) ** 2).sum()
    vd, vs = one_way(days), one_way(syms)
    rows = mm * (1 - p) ** 2 + (n - mm) * p * p
    v = vd + vs - rows
    if v < 0:
        v = max(vd, vs)
    return p, v / n ** 2, clusters


def missing_change(ref, cur, column):
    r, c = clustered(ref, column), clustered(cur, column)
    if r is None or c is None:
        return None
    (pr, vr, gr), (pc, vc, gc) = r, c
    v = vr + vc
    if v <= 0:
        return 1.0 if pr == pc else 0.0
    df = v * v / (vr * vr / (gr - 1) + vc * vc / (gc - 1))
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
        same(case, f"{name}.missing_change_p_value", o["missing_change_p_value"], missing_change(ref, cur, name))
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
    broken = []
    for (name, now, p), k in zip(family, disjoint):
        o = ours_by[name]
        if k < 7 or not p:
            same(case, f"{name}.critical_bad_share", o["critical_bad_share"], None)
            continue
        worst = max(x for _, x in p)
        critical = max(worst * 1.5, worst + 0.005)
        same(case, f"{name}.critical_bad_share", o["critical_bad_share"], critical)
        same(case, f"{name}.p_value", o["p_value"], (1 + sum(x >= now for _, x in p)) / (len(p) + 1))
        same(case, f"{name}.broken", o["broken"], bool(now > critical))
        if now > critical:
            broken.append((-now, name))
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
    listed = sorted(zip(hit["ret_1d"], hit["as_of"], hit["symbol"]), key=lambda x: (-abs(x[0]), x[1], str(x[2])))[:100]
    same(case, "circuit.listed",
         [(b["symbol"], b["date"], b["value"], b["infinite"]) for b in block["circuit"]["listed"]],
         [(s, str(d), float(x) if np.isfinite(x) else None, None if np.isfinite(x) else ("+inf" if x > 0 else "-inf"))
          for x, d, s in listed])
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
    t.loc[t["as_of"] == days[-100], "close_to_sma_50"] = np.nan
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
