#!/usr/bin/env python3
"""Per-class AUROC means over seeds from a leave-one-out run's loo.csv, as a Markdown table.

Usage: python3 benchmarks/loo/fold_means.py RUN/loo.csv
Rows: each left-out class, its AUROC averaged over the seeds run (± the std over seeds when more than
one seed ran); then the mean ± std over every fold (class × seed), the mean ± std over seeds of each
seed's mean, each seed's mean (when more than one seed ran), and each detector's median seconds per
fold (fit and score). The best value of a row is bold.
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
    values = [[auroc(r, d) for r in rows if int(r["class"]) == c] for d in detectors]
    means = [st.mean(v) for v in values]
    cells = [f"{m:.3f}" + (f" ± {st.stdev(v):.3f}" if len(v) > 1 else "") for m, v in zip(means, values)]
    print(f"| {c} {names[c]} | " + " | ".join(f"**{t}**" if m == max(means) else t for m, t in zip(means, cells)) + " |")
print(f"| mean ± std, {len(rows)} folds | " + " | ".join(spread([auroc(r, d) for r in rows]) for d in detectors) + " |")
seed_means = {d: [st.mean(auroc(r, d) for r in rows if int(r["seed"]) == s) for s in seeds] for d in detectors}
print(f"| seed means ± std, seeds {','.join(map(str, seeds))} | " + " | ".join(spread(seed_means[d]) for d in detectors) + " |")
if len(seeds) > 1:
    for i, s in enumerate(seeds):
        print(f"| seed {s} mean | " + " | ".join(f"{seed_means[d][i]:.3f}" for d in detectors) + " |")


def seconds(d):
    # OMASGAN's time is recorded as "omasgan_seconds"; the three OMASGAN scores share it.
    column = ("omasgan" if d in ("scorer", "stage1_discriminator", "stage3_discriminator") else d) + "_seconds"
    values = [float(r[column]) for r in rows if r.get(column)]
    return f"{st.median(values):.0f}" if values else ""


print("| median seconds per fold | " + " | ".join(seconds(d) for d in detectors) + " |")
