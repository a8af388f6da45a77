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
# The span's days of the feature being checked (set per feature).
N_DAYS = [0]


def lag_weights(days, n_days, max_lag):
    """The bias-corrected lag weights of a window of `days` days over a span of `n_days` days
    (dependence.rs, module docs): the Bartlett weights divided by (D - k)/D, plus the long-run
    covariance's share the detrending removed, b(w)/(1 - b(u)) * u."""
    t = max(days, 1)
    lag = min(t - 1, max_lag)
    k = np.arange(lag + 1)
    w = np.where(k == 0, 1 / t, (1 - k / t) / t) * n_days / (n_days - k)
    # s(k): the lag-k diagonal sum of the projection on [1, t] over the span (numpy lstsq).
    x = np.column_stack([np.ones(n_days), np.arange(n_days, dtype=float)])
    proj = x @ np.linalg.pinv(x)
    share = np.array([np.trace(proj, offset=j) for j in range(max_lag + 1)]) / n_days
    u = np.where(np.arange(max_lag + 1) == 0, 1.0, 1 - np.arange(max_lag + 1) / (max_lag + 1))

    def shortfall(c):
        return c[0] * share[0] + 2 * (c[1:] * share[1 : len(c)]).sum()

    out = np.zeros(max_lag + 1)
    out[: lag + 1] = w
    return out + shortfall(w) / max(1 - shortfall(u), 0.25) * u


def design_effect(lags, pi, days, rows):
    """delta of a window of `days` days and `rows` rows (the formulas of dependence.rs)."""
    c = lag_weights(days, N_DAYS[0], len(lags) - 1)
    v = sum(ck * lag for ck, lag in zip(c, lags))
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
        N_DAYS[0] = n_days
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
