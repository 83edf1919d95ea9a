#!/usr/bin/env python3
"""Per-class AUROC means over seeds from a leave-one-out run's loo.csv, as a Markdown table.

Usage: python3 benchmarks/loo/fold_means.py RUN/loo.csv
Rows: each left-out class, its AUROC averaged over the seeds run; then the mean ± std over every
fold (class × seed), and the mean ± std over seeds of each seed's mean. The best value of a row is bold.
"""
import csv
import statistics as st
import sys

rows = list(csv.DictReader(open(sys.argv[1], newline="")))
detectors = [c[: -len("_auroc")] for c in rows[0] if c.endswith("_auroc")]
classes = sorted({int(r["class"]) for r in rows})
seeds = sorted({int(r["seed"]) for r in rows})
names = {int(r["class"]): r["class_name"] for r in rows}


def auroc(r, d):
    return float(r[d + "_auroc"]) if r[d + "_auroc"] else float("nan")


def spread(values):
    values = [v for v in values if v == v]
    return f"{st.mean(values):.3f} ± {st.stdev(values) if len(values) > 1 else 0:.3f}"


print("| class | " + " | ".join(detectors) + " |")
print("| --- |" + " ---: |" * len(detectors))
for c in classes:
    means = [st.mean(auroc(r, d) for r in rows if int(r["class"]) == c) for d in detectors]
    print(f"| {c} {names[c]} | " + " | ".join(f"**{v:.3f}**" if v == max(means) else f"{v:.3f}" for v in means) + " |")
print(f"| mean ± std, {len(rows)} folds | " + " | ".join(spread([auroc(r, d) for r in rows]) for d in detectors) + " |")
print(f"| seed means ± std, seeds {','.join(map(str, seeds))} | " + " | ".join(
    spread([st.mean(auroc(r, d) for r in rows if int(r["seed"]) == s) for s in seeds]) for d in detectors) + " |")
