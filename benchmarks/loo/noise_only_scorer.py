#!/usr/bin/env python3
"""A cross-check for the `cpu-pca` preset: how far a scorer gets with no GAN stages at all.

Fashion-MNIST leave-one-out on the validation split (the last sixth of each class of the training
split held out; the test split is not read). Per left-out class: PCA (scikit-learn) on the other
classes' remaining training images, each component standardised, then an MLP (3 hidden layers of
128, LeakyReLU 0.2) trained as a GAN discriminator with the training rows as the normal side and the
training rows moved by N(0, s²) per standardised component as the anomalous side: the half of the
preset's Stage 4 negatives that is not boundary samples, alone. Prints the AUROC of its output per
scale s. Needs python3-torch and python3-sklearn (Debian); not part of the product.

Differences from the product: the images stay 28×28 (the product resizes to 32×32 before its PCA),
one torch seed, Adam 1e-3 with betas (0.5, 0.999), batch 64 per side.

With --scale-range LO,HI, one more scorer has rows moved by a scale of its own each, drawn
log-uniformly in [LO, HI]. With --mixup, one more scorer has blended training rows as its anomalous
side instead (each row λ·a + (1 − λ)·b with another random row b, λ uniform in [0.3, 0.7]);
--components 0 trains on the pixels as they are instead of principal components, --embeddings on the
ResNet-18 embeddings of the training split from the product's cache (`docs/embeddings.md`), scaled as
--scaling says (s is then per embedding number).

Usage: python3 benchmarks/loo/noise_only_scorer.py [--components 32 | --embeddings FILE [--scaling standardise|none|l2]]
           [--scales 0.5,1] [--scale-range LO,HI] [--mixup]
           [--classes 0,1,...,9] [--steps 3000] [--data /usr/share/datasets/fashion-mnist]
"""
import argparse
import gzip
import os
import struct
import sys

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score


def idx(path):
    raw = gzip.open(path).read()
    n = int.from_bytes(raw[4:8], "big")
    if raw[3] == 3:  # images: uint8 (n, 28, 28) -> [-1, 1]
        return np.frombuffer(raw, np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 127.5 - 1
    return np.frombuffer(raw, np.uint8, offset=8)


def validation_split(folder):
    """The training split's images in [-1, 1], its labels, and the rows the product's validation
    mode holds out (the last sixth of each class)."""
    x = idx(os.path.join(folder, "train-images-idx3-ubyte.gz"))
    y = idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"))
    held = np.zeros(len(y), bool)
    for c in range(10):
        i = np.where(y == c)[0]
        held[i[-len(i) // 6:]] = True
    return x, y, held


def add_fold_arguments(p):
    p.add_argument("--classes", default="0,1,2,3,4,5,6,7,8,9", help="the left-out classes to run")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")


def folds(a):
    """Per left-out class of --classes: the class, the images, the mask of its training rows, the mask
    of the held-out rows, and which held-out rows are anomalous (1) or normal (0)."""
    torch.set_num_threads(2)
    x, y, held = validation_split(a.data)
    for c in (int(c) for c in a.classes.split(",")):
        yield c, x, (~held) & (y != c), held, (y[held] == c).astype(int)


def components(x, train, k):
    """The images' leading k principal components (fitted on the training rows), each standardised on
    the training rows; the images as they are for k = 0."""
    if not k:
        return x
    return standardised(PCA(k, random_state=0).fit(x[train]).transform(x).astype(np.float32), train)


def standardised(z, train):
    """Each column of z shifted and scaled to mean 0 and standard deviation 1 over the training rows."""
    return (z - z[train].mean(0)) / z[train].std(0)


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


def add_view_arguments(p):
    p.add_argument("--components", type=int, default=32, help="0: the pixels as they are")
    p.add_argument("--embeddings", help="an embedding cache file of the training split, e.g. "
                   "~/.omasgan/cache/embeddings/fashion-mnist-train.resnet18-64.emb")
    p.add_argument("--scaling", choices=["standardise", "none", "l2"], default="standardise",
                   help="how the embeddings are scaled (only with --embeddings)")


def checked_view(p, a):
    """Stops with a usage error where the view's arguments do not go together; returns the embeddings
    of --embeddings, or None."""
    if a.scaling != "standardise" and not a.embeddings:
        p.error("--scaling applies to --embeddings only")
    return embeddings(os.path.expanduser(a.embeddings)) if a.embeddings else None


def view(a, features, x, train):
    """The rows a fold is run on: the embeddings scaled as --scaling says (standardised on the training
    rows, the product's way; as they are; or each row divided by its length, so that distances rank as
    cosine similarities do), or else the images' --components."""
    if features is None:
        return components(x, train, a.components)
    if len(features) != len(x):
        sys.exit(f"{a.embeddings}: {len(features)} rows, not the training split's {len(x)}")
    if a.scaling == "standardise":
        return standardised(features, train)
    if a.scaling == "l2":
        return features / np.linalg.norm(features, axis=1, keepdims=True)
    return np.array(features)


def mlp(k, width=128):
    """3 hidden layers of `width`, LeakyReLU 0.2, one output, for rows of k numbers."""
    layers = []
    for i in range(3):
        layers += [torch.nn.Linear(k if i == 0 else width, width), torch.nn.LeakyReLU(0.2)]
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, 1))


def train_discriminator(train, negatives, steps, seed=1, width=128, batch=64, network=None):
    """A network (`network()`, or else an MLP of `width`) trained as a GAN discriminator: the rows of
    `train` on the normal side, `negatives(rows)` (as many rows as it is given training rows) on the
    anomalous side, `batch` rows a side, softplus(S(normal)) + softplus(-S(negative)), so S is high on
    the anomalous side. Adam 1e-3 with betas (0.5, 0.999)."""
    torch.manual_seed(seed)
    net = network() if network else mlp(train.shape[1], width)
    opt = torch.optim.Adam(net.parameters(), 1e-3, betas=(0.5, 0.999))
    x = torch.as_tensor(train)
    for _ in range(steps):
        normal = x[torch.randint(len(x), (batch,))]
        negative = negatives(x[torch.randint(len(x), (batch,))])
        loss = torch.nn.functional.softplus(net(normal)).mean() + torch.nn.functional.softplus(-net(negative)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net


def moved(rows, low, high):
    """Each row moved by N(0, s²) per component, with s drawn for the row log-uniformly in [low, high]."""
    s = torch.empty(len(rows), 1).uniform_(np.log(low), np.log(high)).exp()
    return rows + s * torch.randn_like(rows)


def mixed(rows):
    """Each row blended with another random row: λ·a + (1 − λ)·b, λ uniform in [0.3, 0.7]."""
    weight = 0.3 + 0.4 * torch.rand(len(rows), 1)
    return weight * rows + (1 - weight) * rows[torch.randperm(len(rows))]


def held_scores(train, held, negatives, steps, seed=1, width=128, batch=64, network=None):
    """S on the held-out rows, for S trained by train_discriminator."""
    net = train_discriminator(train, negatives, steps, seed, width, batch, network)
    with torch.no_grad():
        return net(torch.as_tensor(held)).squeeze(1).numpy()


def scorer_auroc(train, held, anomalous, negatives, steps, seed=1):
    return roc_auc_score(anomalous, held_scores(train, held, negatives, steps, seed))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_view_arguments(p)
    p.add_argument("--scales", default="0.5,1", help="moved-row scales; empty for none")
    p.add_argument("--scale-range", help="LO,HI: also a scorer against rows moved by scales log-uniform in [LO, HI]")
    p.add_argument("--mixup", action="store_true", help="also a scorer against blended training rows")
    p.add_argument("--steps", type=int, default=3000)
    add_fold_arguments(p)
    a = p.parse_args()
    features = checked_view(p, a)
    columns = [(f"s = {float(s):g}", lambda rows, s=float(s): rows + s * torch.randn_like(rows))
               for s in a.scales.split(",") if s]
    if a.scale_range:
        low, high = (float(v) for v in a.scale_range.split(","))
        columns.append((f"s in [{low:g}, {high:g}]", lambda rows: moved(rows, low, high)))
    if a.mixup:
        columns.append(("blended", mixed))
    print("| class | " + " | ".join(name for name, _ in columns) + " |")
    print("| --- |" + " ---: |" * len(columns))
    means = [[] for _ in columns]
    for c, x, train, held, anomalous in folds(a):
        z = view(a, features, x, train)
        row = []
        for j, (_, negatives) in enumerate(columns):
            auc = scorer_auroc(z[train], z[held], anomalous, negatives, a.steps)
            means[j].append(auc)
            row.append(f"{auc:.3f}")
        print(f"| {c} | " + " | ".join(row) + " |", flush=True)
    print("| mean | " + " | ".join(f"{np.mean(m):.3f}" for m in means) + " |")


if __name__ == "__main__":
    main()
