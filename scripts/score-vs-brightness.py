#!/usr/bin/env python3
"""How far a Fashion-MNIST leave-one-out run's OMASGAN scores follow the images' brightness.

Usage: scripts/score-vs-brightness.py RUN_FOLDER [--seed 1] [--data /usr/share/datasets/fashion-mnist]

RUN_FOLDER is a test-split run of `omasgan loo --dataset fashion-mnist` (not --validation: its
scores.csv rows index the test split). For each complete fold of the seed it prints the scorer's AUROC,
the AUROC of brightness alone (mean pixel value, higher = anomalous), and Spearman's rho between the
scorer and brightness over the fold's normal test images (negative: brighter images score as more
normal). Needs Debian's python3-sklearn (numpy, scipy).
"""
import argparse
import csv
import gzip
import json
import pathlib

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=pathlib.Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=pathlib.Path, default=pathlib.Path("/usr/share/datasets/fashion-mnist"))
    args = parser.parse_args()
    config = json.loads((args.run / "loo-config.json").read_text())
    if config.get("validation") or config.get("dataset") != "fashion-mnist":
        parser.error(f"{args.run} is not a test-split Fashion-MNIST run")
    with gzip.open(args.data / "t10k-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    brightness = images.mean(axis=1) / 255.0
    print("class | scorer AUROC | brightness AUROC | rho(scorer, brightness), normal images")
    for k in range(10):
        path = args.run / f"class-{k}-seed-{args.seed}" / "omasgan" / "scores.csv"
        if not path.exists():
            continue
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        index = np.array([int(r["index"]) for r in rows])
        anomalous = np.array([int(r["anomalous"]) for r in rows])
        scorer = np.array([float(r["scorer"]) for r in rows])
        b = brightness[index]
        rho = spearmanr(scorer[anomalous == 0], b[anomalous == 0])[0]
        print(f"{k} | {roc_auc_score(anomalous, scorer):.3f} | {roc_auc_score(anomalous, b):.3f} | {rho:+.3f}")


if __name__ == "__main__":
    main()
