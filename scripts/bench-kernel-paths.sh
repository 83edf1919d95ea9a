#!/usr/bin/env bash
# Speed of the pinned CPU kernel paths (KernelPaths) against the libraries' own choice, measured side
# by side: REPS interleaved runs of each, the 2-D experiment (one thread) and 40 steps per stage of
# the cpu image preset on one Fashion-MNIST fold (all threads; needs dataset-fashion-mnist).
# Prints the median training seconds of each and their ratio. Usage: scripts/bench-kernel-paths.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
out=$(mktemp -d)
dotnet build src/Omasgan.Cli -c Release -v quiet -nologo >/dev/null
cli=(dotnet src/Omasgan.Cli/bin/Release/net10.0/Omasgan.Cli.dll)
for rep in $(seq "$reps"); do
  for paths in pinned native; do
    kernels=$([ "$paths" = native ] && echo native || echo "")
    OMASGAN_KERNELS=$kernels "${cli[@]}" toy --out "$out/toy-$paths-$rep" >/dev/null
    OMASGAN_KERNELS=$kernels "${cli[@]}" train --dataset fashion-mnist --abnormal-class 1 --steps 40 --out "$out/image-$paths-$rep" >/dev/null
  done
done
python3 - "$out" "$reps" <<'PY'
import json, statistics, sys
out, reps = sys.argv[1], int(sys.argv[2])
def seconds(kind, paths, rep):
    m = json.load(open(f"{out}/{kind}-{paths}-{rep}/metrics.json"))
    return sum(m["stage_seconds"].values())
print("| run | pinned (median s) | native (median s) | pinned / native |")
print("| --- | --- | --- | --- |")
for kind, title in (("toy", "toy, 4 stages, 1 thread"), ("image", "cpu preset, 40 steps per stage, fold 1")):
    p = statistics.median(seconds(kind, "pinned", r) for r in range(1, reps + 1))
    n = statistics.median(seconds(kind, "native", r) for r in range(1, reps + 1))
    print(f"| {title} | {p:.1f} | {n:.1f} | {p / n:.2f} |")
PY
