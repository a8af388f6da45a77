"""Cross-check of the multivariate drift (`drift.multivariate`) against NannyML 0.13.1's
`DataReconstructionDriftCalculator`.

usage: multivariate.py NEPSE_DRIFT_BIN WORKDIR

For each case, `nepse-drift report --format json` gives the reference and current windows and
the block; NannyML is fitted on the reference window's rows and run on the current window's,
each as one chunk (`chunk_number=1`), with its defaults (mean imputation, most-frequent
imputation and `CountEncoder(normalize=True)` for categorical columns, `StandardScaler`,
`PCA(n_components=0.65)`). Compared to 1e-9: the components kept, the variance they explain,
the reference's and the current window's mean reconstruction error and the sampling error.

Cases:
  * the committed fixtures at three as-of dates (eleven numeric features);
  * the fixtures with missing values (5% of two features, a whole day of a third) and a
    categorical feature with missing values and, in the current window, a value the reference
    never saw.
Exits 1 with a line per mismatch.
"""

import json
import logging
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
import nannyml as nml  # noqa: E402

TOL = 1e-9
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "features.parquet"
failures = []


def ours(binary, features, as_of):
    out = subprocess.run(
        [binary, "--quiet", "report", "--features", str(features), "--as-of", as_of, "--format", "json", "--multivariate"],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


def close(name, case, a, b):
    if a is None or b is None or not np.isclose(a, b, rtol=TOL, atol=TOL):
        failures.append(f"{case}: {name} ours {a!r} vs NannyML {b!r}")


def check(binary, features, as_of, case):
    result = ours(binary, features, as_of)
    block = result["drift"]["multivariate"]
    ref, cur = result["windows"]["reference"], result["windows"]["current"]
    df = pq.read_table(features).to_pandas()
    df["as_of"] = pd.to_datetime(df["as_of"])
    window = lambda w: df[(df["as_of"] >= pd.Timestamp(w["from"])) & (df["as_of"] <= pd.Timestamp(w["to"]))]
    reference, current = window(ref).copy(), window(cur).copy()
    columns = block["features"]
    calc = nml.DataReconstructionDriftCalculator(column_names=columns, chunk_number=1)
    calc.fit(reference)
    fitted = calc.result.filter(period="reference").to_df()
    analysed = calc.calculate(current).filter(period="analysis").to_df()
    value = lambda frame, what: float(frame[("reconstruction_error", what)].iloc[0])
    if block["components"] != calc._pca.n_components_:
        failures.append(f"{case}: components ours {block['components']} vs NannyML {calc._pca.n_components_}")
    close("explained variance", case, block["explained_variance"], float(np.sum(calc._pca.explained_variance_ratio_)))
    close("reference error", case, block["reference_error"], value(fitted, "value"))
    close("current error", case, block["error"], value(analysed, "value"))
    close("sampling error", case, block["sampling_error"], value(analysed, "sampling_error"))
    print(f"{case}: {len(columns)} features, {block['components']} components, error "
          f"{block['error']:.9f} (NannyML {value(analysed, 'value'):.9f}), reference {block['reference_error']:.9f}")


def with_gaps(out):
    """The fixtures with missing values and a categorical feature (a value unseen before)."""
    t = pq.read_table(FIXTURES)
    df = t.to_pandas()
    rng = np.random.default_rng(17)
    n = len(df)
    for name in ["rsi_14", "pe_ratio"]:
        df.loc[rng.random(n) < 0.05, name] = np.nan
    days = sorted(df["as_of"].unique())
    df.loc[df["as_of"] == days[-70], "macd_hist"] = np.nan
    board = np.where(rng.random(n) < 0.6, "A", np.where(rng.random(n) < 0.7, "B", "Z"))
    board = board.astype(object)
    board[rng.random(n) < 0.03] = None
    last = df["as_of"] >= days[-5]
    board[np.asarray(last) & (rng.random(n) < 0.2)] = "NEW"
    df["board"] = board
    schema = t.schema.append(pa.field("board", pa.string()))
    pq.write_table(pa.Table.from_pandas(df, schema=schema, preserve_index=False), out)


def main():
    binary, work = sys.argv[1], Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    for as_of in ["2026-11-19", "2026-10-01", "2026-06-30"]:
        check(binary, FIXTURES, as_of, f"fixtures {as_of}")
    gaps = work / "gaps.parquet"
    with_gaps(gaps)
    for as_of in ["2026-11-19", "2026-09-10"]:
        check(binary, gaps, as_of, f"missing values and a categorical feature, {as_of}")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)
    print("multivariate drift equals NannyML 0.13.1 to 1e-9")


if __name__ == "__main__":
    main()
