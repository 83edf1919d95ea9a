#!/usr/bin/env python3
"""A cross-check: a convolutional scorer whose anomalous side is the training images turned or flipped.

Fashion-MNIST leave-one-out on the validation split (as noise_only_scorer.py; the test split is not
read), no GAN stages. Per left-out class: a small convolutional discriminator on the 28×28 images
(three strided convolutions of 32, 64 and 128 channels, LeakyReLU 0.2, no normalisation, then one
linear output) trained with the other classes' training images on the normal side and the same
images transformed on the anomalous side: each turned by 90°, 180° or 270°, or flipped top to bottom,
one of the four at random. Prints the AUROC of its output (high = anomalous) per fold, next to the
distance to the nearest training image in pixels (kNN at k = 1) on the same fold. Needs
python3-torch and python3-sklearn (Debian); not part of the product.

Usage: python3 benchmarks/loo/transformed_negatives.py [--steps 3000] [--seed 1] [--classes 0,1,...,9]
           [--data /usr/share/datasets/fashion-mnist]
"""
import argparse

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors

from noise_only_scorer import add_fold_arguments, folds, held_scores


def transformed(images):
    """Each (N, 1, 28, 28) image turned by 90°, 180° or 270° or flipped top to bottom, one at random."""
    out = torch.empty_like(images)
    kind = torch.randint(4, (len(images),))
    for k in range(3):
        out[kind == k] = torch.rot90(images[kind == k], k + 1, (2, 3))
    out[kind == 3] = torch.flip(images[kind == 3], (2,))
    return out


def discriminator():
    leaky = torch.nn.LeakyReLU(0.2)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 4, 2, 1), leaky,     # 14×14
        torch.nn.Conv2d(32, 64, 4, 2, 1), leaky,    # 7×7
        torch.nn.Conv2d(64, 128, 3, 2, 1), leaky,   # 4×4
        torch.nn.Flatten(), torch.nn.Linear(128 * 16, 1))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--seed", type=int, default=1, help="torch's seed for the scorer's weights and batches")
    add_fold_arguments(p)
    a = p.parse_args()
    print("| class | scorer, turned or flipped negatives | kNN, k = 1 |")
    print("| --- | ---: | ---: |")
    rows = []
    for c, x, train, held, anomalous in folds(a):
        images = torch.from_numpy(x).reshape(-1, 1, 28, 28)
        scores = held_scores(images[train], images[held], transformed, a.steps, a.seed, network=discriminator)
        distance = NearestNeighbors(n_neighbors=1).fit(x[train]).kneighbors(x[held])[0][:, 0]
        rows.append([roc_auc_score(anomalous, scores), roc_auc_score(anomalous, distance)])
        print(f"| {c} | {rows[-1][0]:.3f} | {rows[-1][1]:.3f} |", flush=True)
    print("| mean | " + " | ".join(f"{v:.3f}" for v in np.mean(rows, 0)) + " |")


if __name__ == "__main__":
    main()
