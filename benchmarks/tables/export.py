"""Writes scikit-learn's bundled real datasets as CSV files for `omasgan loo --table`.

Debian's python3-sklearn ships these datasets inside the package (no download). Benchmark-only:
the product reads the CSV files and does not depend on Python.

Usage: /usr/bin/python3 benchmarks/tables/export.py OUT_DIR
"""
import csv
import os
import sys

import sklearn
from sklearn import datasets

LOADERS = {
    "breast-cancer": datasets.load_breast_cancer,  # 569 rows, 30 features; target 0 = malignant
    "wine": datasets.load_wine,                    # 178 rows, 13 features, 3 cultivars
    "iris": datasets.load_iris,                    # 150 rows, 4 features, 3 species
    "digits": datasets.load_digits,                # 1797 rows, 64 features (8x8 images), 10 digits
}


def main(out):
    os.makedirs(out, exist_ok=True)
    for name, load in LOADERS.items():
        data = load()
        names = [str(f).replace(",", " ") for f in data.feature_names]
        path = os.path.join(out, name + ".csv")
        with open(path, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(names + ["label"])
            for row, label in zip(data.data, data.target):
                writer.writerow([repr(float(v)) for v in row] + [int(label)])
        print(f"{path}: {data.data.shape[0]} rows, {data.data.shape[1]} features (scikit-learn {sklearn.__version__})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "runs/tables")
