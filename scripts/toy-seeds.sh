#!/usr/bin/env bash
# Runs the 2-D experiment for several seeds and prints a Markdown table of what metrics.json says.
# Usage: scripts/toy-seeds.sh [FIRST LAST] [extra omasgan toy flags...]   (default seeds 1..10)
# Run folders go to $TOY_SEEDS_OUT (default runs/toy-seeds).
set -euo pipefail
cd "$(dirname "$0")/.."
first=${1:-1}; last=${2:-10}; shift $(( $# >= 2 ? 2 : $# ))
out=${TOY_SEEDS_OUT:-runs/toy-seeds}
dotnet build src/Omasgan.Cli -c Release -v quiet -nologo >/dev/null
for seed in $(seq "$first" "$last"); do
  dotnet src/Omasgan.Cli/bin/Release/net10.0/Omasgan.Cli.dll toy --seed "$seed" --out "$out/seed-$seed" "$@" >/dev/null 2>&1 \
    || { echo "seed $seed failed; see $out/seed-$seed" >&2; exit 1; }
done
python3 - "$out" "$first" "$last" <<'PY'
import json, statistics, sys
out, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = []
print("| seed | scorer AUROC | scorer AUPRC | Stage 1 −D AUROC | Stage 3 −D′ AUROC | median NN dist. G / B | B ring coverage | seconds |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for seed in range(first, last + 1):
    m = json.load(open(f"{out}/seed-{seed}/metrics.json"))
    d, b = m["detectors"], m["boundary"]
    rows.append(m)
    print(f"| {seed} | {m['auroc']:.4f} | {m['auprc']:.4f} | {d['stage1_discriminator']:.4f} | {d['stage3_discriminator']:.4f} "
          f"| {b['stage1_median_nearest_distance']:.3f} / {b['boundary_median_nearest_distance']:.3f} "
          f"| {b['boundary_angular_coverage']:.2f} | {m['total_seconds']:.1f} |")
def ms(key):
    v = [key(m) for m in rows]
    return f"{statistics.mean(v):.4f} ± {statistics.stdev(v) if len(v) > 1 else 0:.4f}"
print(f"| mean ± std | {ms(lambda m: m['auroc'])} | {ms(lambda m: m['auprc'])} | {ms(lambda m: m['detectors']['stage1_discriminator'])} "
      f"| {ms(lambda m: m['detectors']['stage3_discriminator'])} | | | |")
PY
