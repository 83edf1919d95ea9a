#!/usr/bin/env python3
"""A cross-check for the image scorers: how local a detector has to be to rank the left-out garments.

Fashion-MNIST leave-one-out on the validation split (the last sixth of each class of the training
split held out; the test split is not read), as in noise_only_scorer.py. Per left-out class, AUROC of
two families of detectors that run from "as local as one training row" to "smooth over many":
- kNN: the mean distance to the k nearest training rows, for each k of --ks (k = 1 is the product's
  kNN baseline);
- a Gaussian kernel density over all training rows, −log Σ exp(−d²/2h²), for each bandwidth h of
  --bandwidths, given in units of the fold's median distance from a held-out normal row to its
  nearest training row (the data's own spacing);
- with --gaussian, one Gaussian over all training rows, its covariance shrunk as Ledoit and Wolf do
  (scikit-learn), ranked by Mahalanobis distance: the density that is smooth at every scale.
The view is the 32 standardised principal components of the `cpu-pca` preset (scikit-learn's PCA on
the other classes' remaining training images), the pixels with --components 0, or with --embeddings
the ResNet-18 embeddings of the training split from the product's cache (`docs/embeddings.md`), each
of the 512 numbers standardised on the training rows as the product does (--scaling standardise), or
as they are (none), or each row scaled to length 1 (l2, so distances rank as cosine similarities do).
Needs python3-torch and python3-sklearn (Debian); not part of the product.

Usage: python3 benchmarks/loo/locality.py [--components 32] [--ks 1,5,20,100,1000]
           [--bandwidths 0.25,0.5,1,2,4] [--gaussian] [--embeddings FILE [--scaling standardise|none|l2]] [--classes 0,1,...,9] [--data /usr/share/datasets/fashion-mnist]
"""
import argparse
import os
import sys

import numpy as np
import torch
from sklearn.covariance import LedoitWolf
from sklearn.metrics import roc_auc_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from noise_only_scorer import add_fold_arguments, add_view_arguments, checked_view, folds, view  # noqa: E402


def squared_distances(held, train, chunk=512):
    """Squared Euclidean distances from each held-out row to every training row (9,000 × 45,000, 1.6 GB),
    computed a chunk of held-out rows at a time; returned as those chunks, for the same reason."""
    return [torch.cdist(rows, train).pow_(2) for rows in held.split(chunk)]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_view_arguments(p)
    p.add_argument("--ks", default="1,5,20,100,1000")
    p.add_argument("--bandwidths", default="0.25,0.5,1,2,4", help="in units of the median nearest-row distance")
    p.add_argument("--gaussian", action="store_true", help="also one Gaussian over the training rows")
    add_fold_arguments(p)
    a = p.parse_args()
    features = checked_view(p, a)
    ks = [int(k) for k in a.ks.split(",")]
    hs = [float(h) for h in a.bandwidths.split(",")]
    columns = [f"kNN k = {k}" for k in ks] + [f"KDE h = {h:g}" for h in hs] + ["Gaussian"] * a.gaussian
    print("| class | nearest-row distance | " + " | ".join(columns) + " |")
    print("| --- | ---: |" + " ---: |" * len(columns))
    rows = []
    for c, x, train, held, anomalous in folds(a):
        z = view(a, features, x, train)
        t, h = torch.from_numpy(z[train]), torch.from_numpy(z[held])
        d2 = squared_distances(h, t)
        nearest = torch.cat([chunk.topk(max(ks), largest=False).values for chunk in d2]).sqrt()
        spacing = nearest[anomalous == 0, 0].median().item()
        row = [roc_auc_score(anomalous, nearest[:, :k].mean(1).numpy()) for k in ks]
        for bandwidth in hs:
            density = torch.cat([torch.logsumexp(-chunk / (2 * (bandwidth * spacing) ** 2), 1) for chunk in d2])
            row.append(roc_auc_score(anomalous, -density.numpy()))
        del d2
        if a.gaussian:
            covariance = LedoitWolf().fit(z[train].astype(np.float64))
            row.append(roc_auc_score(anomalous, covariance.mahalanobis(z[held].astype(np.float64))))
        rows.append(row)
        print(f"| {c} | {spacing:.2f} | " + " | ".join(f"{v:.3f}" for v in row) + " |", flush=True)
    print("| mean | | " + " | ".join(f"{v:.3f}" for v in np.mean(rows, 0)) + " |")


if __name__ == "__main__":
    main()
