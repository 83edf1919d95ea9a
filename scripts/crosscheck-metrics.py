#!/usr/bin/env python3
"""Recomputes one leave-one-out fold's AUROC and AUPRC with scikit-learn from its saved scores.

Usage: scripts/crosscheck-metrics.py FOLD_FOLDER [--tolerance 1e-9]

FOLD_FOLDER is a fold of `omasgan loo` (e.g. runs/loo-fashion-mnist-cpu/class-0-seed-1). Each
detector's folder in it (omasgan, knn, ...) holds scores.csv, every test image's scores (one column per
score the detector gives), and metrics.json, the numbers the run reported. Needs Debian's python3-sklearn.
Exits 1 if any value differs by more than the tolerance.
"""
import argparse
import csv
import json
import pathlib
import sys

from sklearn.metrics import average_precision_score, roc_auc_score


def columns(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    labels = [int(r["anomalous"]) for r in rows]
    names = [n for n in rows[0] if n not in ("index", "label", "anomalous")]
    return labels, {n: [float(r[n]) for r in rows] for n in names}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fold", type=pathlib.Path)
    parser.add_argument("--tolerance", type=float, default=1e-9)
    args = parser.parse_args()

    checks = []  # (score column, reported metrics, labels, scores)
    for folder in sorted(p.parent for p in args.fold.glob("*/metrics.json")):
        labels, scores = columns(folder / "scores.csv")
        for column in json.loads((folder / "metrics.json").read_text())["columns"]:
            key = column["column"]["key"]
            checks.append((key, column["metrics"], labels, scores[key]))
    if not checks:
        sys.exit(f"{args.fold}: no detector folder with metrics.json and scores.csv")

    worst = 0.0
    print(f"{'detector':24} {'AUROC (ours)':>14} {'AUROC (sklearn)':>16} {'AUPRC (ours)':>14} {'AUPRC (sklearn)':>16}")
    for name, metrics, y, s in checks:
        auroc, auprc = roc_auc_score(y, s), average_precision_score(y, s)
        worst = max(worst, abs(auroc - metrics["auroc"]), abs(auprc - metrics["auprc"]))
        print(f"{name:24} {metrics['auroc']:14.10f} {auroc:16.10f} {metrics['auprc']:14.10f} {auprc:16.10f}")
    print(f"largest difference: {worst:.3g} (tolerance {args.tolerance:g}) over {len(checks)} detectors")
    sys.exit(0 if worst <= args.tolerance else 1)


if __name__ == "__main__":
    main()
