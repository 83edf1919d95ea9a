#!/usr/bin/env python3
"""A cross-check for the image scorers: how local a detector has to be to rank the left-out garments.

Fashion-MNIST leave-one-out on the validation split (the last sixth of each class of the training
split held out; the test split is not read), as in noise_only_scorer.py. Per left-out class, AUROC of
two families of detectors that run from "as local as one training row" to "smooth over many":
- kNN: the mean distance to the k nearest training rows, for each k of --ks (k = 1 is the product's
  kNN baseline);
- a Gaussian kernel density over all training rows, −log Σ exp(−d²/2h²), for each bandwidth h of
  --bandwidths, given in units of the fold's median distance from a held-out normal row to its
  nearest training row (the data's own spacing).
The view is the 32 standardised principal components of the `cpu-pca` preset (scikit-learn's PCA on
the other classes' remaining training images), the pixels with --components 0, or with --embeddings
the ResNet-18 embeddings of the training split from the product's cache (`docs/embeddings.md`), each
of the 512 numbers standardised on the training rows as the product does (--scaling standardise), or
as they are (none), or each row scaled to length 1 (l2, so distances rank as cosine similarities do).
Needs python3-torch and python3-sklearn (Debian); not part of the product.

Usage: python3 benchmarks/loo/locality.py [--components 32] [--ks 1,5,20,100,1000]
           [--bandwidths 0.25,0.5,1,2,4] [--embeddings FILE [--scaling standardise|none|l2]] [--classes 0,1,...,9] [--data /usr/share/datasets/fashion-mnist]
"""
import argparse
import os
import struct
import sys

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from noise_only_scorer import add_fold_arguments, components, folds, standardised  # noqa: E402


def embeddings(path):
    """The rows of an embedding cache file: "OMASEMB1", an int32 header length, the JSON header, then
    N × 512 float32 values (all little-endian)."""
    if not os.path.isfile(path):
        sys.exit(f"{path}: no such file (the product writes it on its first run with --features resnet18)")
    raw = open(path, "rb").read()
    if raw[:8] != b"OMASEMB1":
        sys.exit(f"{path}: not an embedding cache file")
    start = 12 + struct.unpack("<i", raw[8:12])[0]
    if (len(raw) - start) % (512 * 4):
        sys.exit(f"{path}: truncated")
    return np.frombuffer(raw, "<f4", offset=start).reshape(-1, 512)


def scaled(features, train, scaling):
    """The embeddings as --scaling says: standardised on the training rows (the product's way), as
    they are, or each row divided by its length."""
    if scaling == "standardise":
        return standardised(features, train)
    if scaling == "l2":
        return features / np.linalg.norm(features, axis=1, keepdims=True)
    return features


def squared_distances(held, train, chunk=512):
    """Squared Euclidean distances from each held-out row to every training row (9,000 × 45,000, 1.6 GB),
    computed a chunk of held-out rows at a time; returned as those chunks, for the same reason."""
    return [torch.cdist(rows, train).pow_(2) for rows in held.split(chunk)]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--components", type=int, default=32, help="0: the pixels as they are")
    p.add_argument("--embeddings", help="an embedding cache file of the training split, e.g. "
                   "~/.omasgan/cache/embeddings/fashion-mnist-train.resnet18-64.emb")
    p.add_argument("--scaling", choices=["standardise", "none", "l2"], default="standardise",
                   help="how the embeddings are scaled (only with --embeddings)")
    p.add_argument("--ks", default="1,5,20,100,1000")
    p.add_argument("--bandwidths", default="0.25,0.5,1,2,4", help="in units of the median nearest-row distance")
    add_fold_arguments(p)
    a = p.parse_args()
    if a.scaling != "standardise" and not a.embeddings:
        p.error("--scaling applies to --embeddings only")
    ks = [int(k) for k in a.ks.split(",")]
    hs = [float(h) for h in a.bandwidths.split(",")]
    columns = [f"kNN k = {k}" for k in ks] + [f"KDE h = {h:g}" for h in hs]
    print("| class | nearest-row distance | " + " | ".join(columns) + " |")
    print("| --- | ---: |" + " ---: |" * len(columns))
    rows = []
    features = embeddings(os.path.expanduser(a.embeddings)) if a.embeddings else None
    for c, x, train, held, anomalous in folds(a):
        if features is not None:
            if len(features) != len(x):
                sys.exit(f"{a.embeddings}: {len(features)} rows, not the training split's {len(x)}")
            z = scaled(features, train, a.scaling)
        else:
            z = components(x, train, a.components)
        t, h = torch.from_numpy(z[train]), torch.from_numpy(z[held])
        d2 = squared_distances(h, t)
        nearest = torch.cat([chunk.topk(max(ks), largest=False).values for chunk in d2]).sqrt()
        spacing = nearest[anomalous == 0, 0].median().item()
        row = [roc_auc_score(anomalous, nearest[:, :k].mean(1).numpy()) for k in ks]
        for bandwidth in hs:
            density = torch.cat([torch.logsumexp(-chunk / (2 * (bandwidth * spacing) ** 2), 1) for chunk in d2])
            row.append(roc_auc_score(anomalous, -density.numpy()))
        del d2
        rows.append(row)
        print(f"| {c} | {spacing:.2f} | " + " | ".join(f"{v:.3f}" for v in row) + " |", flush=True)
    print("| mean | | " + " | ".join(f"{v:.3f}" for v in np.mean(rows, 0)) + " |")


if __name__ == "__main__":
    main()
