"""Evidently 0.7.23's own cost for the tests of `nepse-drift report --stattest all` on the numeric
features: read both Parquet files with pandas, then for every numeric feature clean it as the
preset does (±inf → null, nulls dropped) and call Evidently's legacy stattest functions `psi`,
`ks`, `wasserstein`, `jensenshannon`, `hellinger` and `kl_div` on it, as its preset would.

usage: evidently_stattests.py REFERENCE.parquet CURRENT.parquet [--json OUT]
"""

import argparse
import json
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

from evidently.legacy.calculations.stattests import (  # noqa: E402
    hellinger_stat_test,
    jensenshannon_stat_test,
    kl_div_stat_test,
    ks_stat_test,
    psi_stat_test,
    wasserstein_stat_test,
)
from evidently.legacy.core import ColumnType  # noqa: E402

TESTS = {
    "psi": psi_stat_test,
    "ks": ks_stat_test,
    "wasserstein": wasserstein_stat_test,
    "jensenshannon": jensenshannon_stat_test,
    "hellinger": hellinger_stat_test,
    "kl_div": kl_div_stat_test,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reference")
    ap.add_argument("current")
    ap.add_argument("--json")
    a = ap.parse_args()
    ref, cur = pd.read_parquet(a.reference), pd.read_parquet(a.current)
    out = {}
    for col in ref.columns:
        if col == "as_of" or not pd.api.types.is_float_dtype(ref[col]):
            continue
        r = ref[col].replace([-np.inf, np.inf], np.nan).dropna()
        c = cur[col].replace([-np.inf, np.inf], np.nan).dropna()
        out[col] = {name: float(t(r.copy(), c.copy(), ColumnType.Numerical, None).drift_score) for name, t in TESTS.items()}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f)


if __name__ == "__main__":
    main()
