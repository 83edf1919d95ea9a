#!/usr/bin/env python3
"""A cross-check for the `cpu-pca` preset: how much of kNN's ranking a principal-component view keeps,
and how far a density-ratio scorer gets in it.

Fashion-MNIST leave-one-out on the validation split (the last sixth of each class of the training
split held out; the test split is not read), as in noise_only_scorer.py. Per left-out class, AUROC of:
- kNN (k = 1, Euclidean) on the raw pixels and on the leading K principal components (scikit-learn),
  each view either with its components as they come ("shared": distances as in pixel space, less what
  the dropped components held) or each standardised to unit variance ("each": the preset's view);
- with --scorer, on the standardised 32-component view: an MLP (3 hidden layers of 128, LeakyReLU 0.2;
  --width and --batch change its width and its rows per side)
  trained as a discriminator between the training rows and a standard Gaussian (noise-contrastive
  estimation): its output S estimates log q/p up to a constant, so S + |z|²/2 ranks by −log p. Both S
  alone and S + |z|²/2 are printed.
Needs python3-torch and python3-sklearn (Debian); not part of the product.

Usage: python3 benchmarks/loo/pca_view.py [--components 16,32,64,128] [--scorer] [--steps 3000]
           [--width 128] [--batch 64]
           [--classes 0,1,...,9] [--data /usr/share/datasets/fashion-mnist]
"""
import argparse
import os
import sys

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from noise_only_scorer import add_fold_arguments, folds, held_scores  # noqa: E402


def knn_auroc(train, held, anomalous):
    distance, _ = NearestNeighbors(n_neighbors=1).fit(train).kneighbors(held)
    return roc_auc_score(anomalous, distance[:, 0])


def gaussian_contrast(train, held, anomalous, steps, width, batch, seed=1):
    s = held_scores(train, held, torch.randn_like, steps, seed, width, batch)
    return roc_auc_score(anomalous, s), roc_auc_score(anomalous, s + (held ** 2).sum(1) / 2)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--components", default="16,32,64,128")
    p.add_argument("--scorer", action="store_true")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--width", type=int, default=128, help="the scorer's hidden layers")
    p.add_argument("--batch", type=int, default=64, help="the scorer's rows per side and step")
    add_fold_arguments(p)
    a = p.parse_args()
    ks = [int(k) for k in a.components.split(",")]
    columns = ["kNN pixels"] + [f"kNN {k} {s}" for k in ks for s in ("shared", "each")]
    if a.scorer:
        columns += ["S (32 each)", "S + |z|²/2"]
    print("| class | " + " | ".join(columns) + " |")
    print("| --- |" + " ---: |" * len(columns))
    rows = []
    for c, x, train, held, anomalous in folds(a):
        z = PCA(max(ks + [32]), random_state=0).fit(x[train]).transform(x).astype(np.float32)
        z -= z[train].mean(0)
        row = [knn_auroc(x[train], x[held], anomalous)]
        for k in ks:
            shared = z[:, :k]
            each = shared / shared[train].std(0)
            row += [knn_auroc(shared[train], shared[held], anomalous), knn_auroc(each[train], each[held], anomalous)]
        if a.scorer:
            each = z[:, :32] / z[train, :32].std(0)
            row += gaussian_contrast(each[train], each[held], anomalous, a.steps, a.width, a.batch)
        rows.append(row)
        print(f"| {c} | " + " | ".join(f"{v:.3f}" for v in row) + " |", flush=True)
    print("| mean | " + " | ".join(f"{v:.3f}" for v in np.mean(rows, 0)) + " |")


if __name__ == "__main__":
    main()
