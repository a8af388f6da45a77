"""Second opinion: recompute nepse-drift's numbers with numpy and scikit-learn.

Usage: crosscheck.py RESULT.json FEATURES.parquet PREDICTIONS.parquet OUTCOMES.parquet

Independently of the Rust code, this script
  * recomputes every feature's quantile-mode PSI (numpy type-7 deciles of the reference's
    finite values, np.unique, right-closed bins, one missing bin for null/NaN, eps = 1e-4);
  * joins predictions with outcomes observed by the as-of date (pandas merge) and computes
    accuracy, precision, recall, F1, ROC AUC, Brier score and log loss with scikit-learn;
and fails unless every number equals the result file's to 1e-9.
"""
import json
import sys

import numpy as np
import pandas as pd
from sklearn import metrics

TOL = 1e-9


def psi_quantile(ref, cur, k=10, eps=1e-4):
    finite = ref[np.isfinite(ref)]
    edges = np.unique(np.quantile(finite, [j / k for j in range(1, k)]))

    def counts(x):
        missing = np.isnan(x)
        idx = np.searchsorted(edges, x[~missing], side="left")  # right-closed bins
        c = np.bincount(idx, minlength=len(edges) + 1).astype(float)
        return np.append(c, missing.sum())

    p, q = counts(ref) / len(ref), counts(cur) / len(cur)
    both_empty = (p == 0) & (q == 0)
    p, q = np.where(p == 0, eps, p), np.where(q == 0, eps, q)
    terms = (p - q) * np.log(p / q)
    return float(np.sum(np.where(both_empty, 0.0, terms)))


def main(result_path, features_path, predictions_path, outcomes_path):
    result = json.load(open(result_path))
    failures = []

    def check(name, ours, theirs):
        if ours is None or abs(ours - theirs) > TOL:
            failures.append(f"{name}: nepse-drift {ours!r} vs independent {theirs!r}")

    features = pd.read_parquet(features_path)
    features["as_of"] = pd.to_datetime(features["as_of"]).dt.date
    w = result["windows"]

    def window(df, which):
        lo, hi = (pd.Timestamp(w[which][k]).date() for k in ("from", "to"))
        return df[(df["as_of"] >= lo) & (df["as_of"] <= hi)]

    ref, cur = window(features, "reference"), window(features, "current")
    for f in result["drift"]["features"]:
        name = f["feature"]
        theirs = psi_quantile(ref[name].to_numpy(dtype=float), cur[name].to_numpy(dtype=float))
        check(f"psi[{name}]", f["psi"], theirs)

    perf = result["performance"]
    if perf is not None:
        preds = pd.read_parquet(predictions_path)
        outs = pd.read_parquet(outcomes_path)
        for df in (preds, outs):
            df["as_of"] = pd.to_datetime(df["as_of"]).dt.date
        outs["observed_at"] = pd.to_datetime(outs["observed_at"]).dt.date
        as_of = pd.Timestamp(result["as_of"]).date()
        preds = window(preds, "performance")
        known = outs[outs["observed_at"] <= as_of]
        joined = preds.merge(known, on=["symbol", "as_of"], how="inner")
        y = joined["actual_label"].to_numpy()
        p = joined["predicted_proba"].to_numpy()
        yhat = (p >= perf["threshold"]).astype(int)
        g = perf["overall"]
        m = g["metrics"]
        if g["labelled"] != len(joined) or g["predictions"] != len(preds):
            failures.append(f"counts: labelled {g['labelled']} vs {len(joined)}, predictions {g['predictions']} vs {len(preds)}")
        last_day = preds["as_of"].max()
        if as_of == last_day and g["pending"] != int((preds["as_of"] == last_day).sum()):
            failures.append(f"pending {g['pending']} is not the last day's predictions")
        check("accuracy", m["accuracy"], metrics.accuracy_score(y, yhat))
        check("precision", m["precision"], metrics.precision_score(y, yhat))
        check("recall", m["recall"], metrics.recall_score(y, yhat))
        check("f1", m["f1"], metrics.f1_score(y, yhat))
        check("roc_auc", m["roc_auc"], metrics.roc_auc_score(y, p))
        check("brier", m["brier"], metrics.brier_score_loss(y, p))
        check("log_loss", m["log_loss"], metrics.log_loss(y, p, labels=[0, 1]))
        tn, fp, fn, tp = metrics.confusion_matrix(y, yhat, labels=[0, 1]).ravel()
        if (m["tp"], m["fp"], m["tn"], m["fn"]) != (tp, fp, tn, fn):
            failures.append("confusion counts differ")

    if failures:
        print("crosscheck FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    n = len(result["drift"]["features"])
    print(f"crosscheck ok: {n} PSI values and the performance metrics equal numpy/scikit-learn to {TOL}")


if __name__ == "__main__":
    main(*sys.argv[1:5])
