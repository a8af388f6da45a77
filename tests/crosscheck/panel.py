"""Independent numpy check of the panel test's dependence estimate (src/drift/dependence.rs).

From the raw Parquet and the bin edges in a `report --format json` result, it recomputes, for
every numeric feature: the per-day bin counts of the pooled days (every day up to the reference
window's end) and, of those, the last 500 (the local span), the span's pooled proportions, the
per-day proportions' residuals from each bin's least-squares line in time (numpy.polyfit), the
B x B cross-autocovariances of the residuals, each window's Bartlett covariance, the
first-order Rao-Scott design effect and the effective rows, and compares them with the
result's `design_effect` and `effective_*_rows` to a relative 1e-9.

Usage: panel.py RESULT.json FEATURES.parquet
"""

import json
import sys

import numpy as np
import pyarrow.parquet as pq

# The local span of the dependence estimate (dependence.rs, SPAN_DAYS).
SPAN_DAYS = 500


def design_effect(lags, pi, days, rows):
    """delta of a window of `days` days and `rows` rows (the formulas of dependence.rs)."""
    t = max(days, 1)
    lag = min(t - 1, len(lags) - 1)
    v = lags[0].copy()
    for k in range(1, lag + 1):
        v += (1 - k / t) * lags[k]
    v /= t
    live = (pi > 0) & (pi < 1)
    d = np.diag(v)[live] * rows / (pi[live] * (1 - pi[live]))
    w = 1 - pi[live]
    return float(np.clip((w * d).sum() / w.sum(), 1.0, rows))


def main():
    result = json.load(open(sys.argv[1]))
    table = pq.read_table(sys.argv[2]).to_pandas()
    ref = result["windows"]["reference"]
    cur = result["windows"]["current"]
    dates = table["as_of"].astype("datetime64[ns]")
    pooled = table[dates <= np.datetime64(ref["to"])]
    r_days, c_days = ref["trading_days"], cur["trading_days"]
    checked = 0
    for f in result["drift"]["features"]:
        if f["kind"] != "numeric" or f["significance_test"] != "panel" or f.get("design_effect") is None:
            continue
        edges = np.array([b["upper"] for b in f["bins"] if b["upper"] is not None], dtype=float)
        x = pooled[f["feature"]].to_numpy(dtype=float)
        day = pooled["as_of"].astype("datetime64[ns]").to_numpy()
        bins = np.where(np.isnan(x), len(edges) + 1, np.searchsorted(edges, x, side="left"))
        days = np.unique(day)
        counts = np.zeros((len(days), len(edges) + 2))
        np.add.at(counts, (np.searchsorted(days, day), bins), 1)
        counts = counts[counts.sum(axis=1) > 0][-SPAN_DAYS:]
        n_days = len(counts)
        pi = counts.sum(axis=0) / counts.sum()
        share = counts / counts.sum(axis=1, keepdims=True)
        t = np.arange(n_days, dtype=float)
        slope, intercept = np.polyfit(t, share, 1)
        e = share - (intercept + np.outer(t, slope))
        max_lag = min(max(r_days, c_days), n_days // 4)
        lags = []
        for k in range(max_lag + 1):
            g = e[: n_days - k].T @ e[k:] / n_days
            lags.append(g if k == 0 else g + g.T)
        want = {
            "reference": design_effect(lags, pi, r_days, ref["rows"]),
            "current": design_effect(lags, pi, c_days, cur["rows"]),
        }
        for side, value in want.items():
            got = f["design_effect"][side]
            if abs(got - value) > 1e-9 * max(1.0, value):
                sys.exit(f"{f['feature']}: design effect ({side}) {got} != numpy {value}")
        n_eff = f["reference_rows"] / want["reference"]
        m_eff = f["current_rows"] / want["current"]
        for name, value in [("effective_reference_rows", n_eff), ("effective_current_rows", m_eff)]:
            if abs(f[name] - value) > 1e-9 * max(1.0, value):
                sys.exit(f"{f['feature']}: {name} {f[name]} != numpy {value}")
        checked += 1
    if checked == 0:
        sys.exit("no feature had a panel test to check")
    print(f"panel cross-check: design effects and effective rows of {checked} features equal numpy's")


if __name__ == "__main__":
    main()
