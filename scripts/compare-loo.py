#!/usr/bin/env python3
"""Compares leave-one-out runs (e.g. validation runs of candidate settings) on the folds they share.

Usage: scripts/compare-loo.py NAME=RUN_FOLDER [NAME=RUN_FOLDER ...]

Reads each run's loo.json (or, for runs that kept only loo.csv, its *_auroc columns) and prints, as
Markdown, the AUROC of every score source per shared fold (class and seed), then the mean over those
folds, and which data the runs were tested on. Only the standard library is used.
"""
import csv
import json
import statistics
import sys
from pathlib import Path


def from_csv(path):
    """A loo.json-like summary from loo.csv: one fold per row, each *_auroc column a score source."""
    try:
        with path.open(newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        sys.exit(f"error: {path}: {e}")
    folds = []
    for row in rows:
        sources = {k[: -len("_auroc")]: {"auroc": float(v)} for k, v in row.items() if k.endswith("_auroc") and v}
        folds.append({"class": int(row["class"]), "seed": int(row["seed"]), "class_name": row["class_name"], "detectors": sources})
    return {"options": None, "folds": folds}


def load(spec):
    name, _, folder = spec.partition("=")
    if not folder:
        sys.exit(f"error: '{spec}' is not NAME=RUN_FOLDER")
    path = Path(folder) / "loo.json"
    if not path.exists() and (Path(folder) / "loo.csv").exists():
        summary = from_csv(Path(folder) / "loo.csv")
    else:
        try:
            summary = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            sys.exit(f"error: {path}: {e}")
    folds = {(f["class"], f["seed"]): f for f in summary["folds"]}
    return name, summary, folds


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    runs = [load(spec) for spec in argv[1:]]
    shared = sorted(set.intersection(*(set(folds) for _, _, folds in runs)))
    if not shared:
        sys.exit("error: the runs share no fold")
    columns = []
    for name, _, folds in runs:
        sources = list(folds[shared[0]]["detectors"])
        columns += [(name, s) for s in sources if all(s in folds[key]["detectors"] for key in shared)]
    by_name = {name: folds for name, _, folds in runs}

    def auroc(name, source, key):
        return by_name[name][key]["detectors"][source]["auroc"]

    print("| fold | " + " | ".join(f"{n}: {s}" for n, s in columns) + " |")
    print("| --- |" + " --- |" * len(columns))
    for key in shared:
        label = f"{key[0]} {by_name[runs[0][0]][key]['class_name']}" + (f" s{key[1]}" if len({k[1] for k in shared}) > 1 else "")
        print(f"| {label} | " + " | ".join(f"{auroc(n, s, key):.4f}" for n, s in columns) + " |")
    means = [statistics.mean(auroc(n, s, key) for key in shared) for n, s in columns]
    best = max(means)
    print("| **mean** | " + " | ".join(f"**{m:.4f}**" if m == best else f"{m:.4f}" for m in means) + " |")
    print()
    for name, summary, _ in runs:
        options = summary["options"]
        if options is None:
            print(f"- {name}: {len(summary['folds'])} folds, from loo.csv (which does not record the split).")
            continue
        tested = "held-out part of the training split (validation)" if options.get("validation") else "test split"
        print(f"- {name}: {len(summary['folds'])} folds, tested on the {tested}.")


if __name__ == "__main__":
    main(sys.argv)
