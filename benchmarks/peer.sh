#!/bin/bash
# Side-by-side speed of the project's Stage 1 step and the PyTorch peer's (benchmarks/pytorch_peer.py),
# in one session on the same cores: peer, omasgan bench, peer again. Writes the three outputs to
# OUT_DIR (default runs/peer) and prints the Stage 1 medians and their ratios.
# Needs Debian's python3-torch and libopenblas0-pthread (benchmark-only; the product never uses them).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/peer}
BLOCKS=${BLOCKS:-6}
PY=${PYTHON:-/usr/bin/python3}
mkdir -p "$OUT"
"$PY" -c "import torch" 2>/dev/null || { echo "error: $PY cannot import torch (apt-get install python3-torch libopenblas0-pthread)" >&2; exit 2; }
dotnet build src/Omasgan.Cli -c Release -v q -nologo > /dev/null
THREADS=$(nproc)
"$PY" benchmarks/pytorch_peer.py --blocks "$BLOCKS" --threads "$THREADS" | tee "$OUT/peer-1.md"
dotnet run --project src/Omasgan.Cli -c Release --no-build -- bench --blocks "$BLOCKS" --out "$OUT/bench.md" > "$OUT/bench.log"
"$PY" benchmarks/pytorch_peer.py --blocks "$BLOCKS" --threads "$THREADS" | tee "$OUT/peer-2.md"
"$PY" - "$OUT" <<'PY'
import re, statistics, sys
out = sys.argv[1]
def stage1(path, pattern):
    rows = {}
    for line in open(path):
        m = re.match(pattern, line)
        if m: rows[m.group(1)] = float(m.group(2))
    return rows
ours = stage1(f"{out}/bench.md", r"\| DCGAN ×([0-9.]+)(?: \(cpu preset\))? \| 1 \| ([0-9.]+) \|")
peer = [stage1(f"{out}/peer-{i}.md", r"\| DCGAN ×([0-9.]+) \| 1 \| ([0-9.]+) \|") for i in (1, 2)]
print("\n| DCGAN width | Omasgan.NET Stage 1 step (ms) | PyTorch peer step (ms), runs 1 / 2 | peer median / ours |")
print("| --- | ---: | ---: | ---: |")
for w, ms in ours.items():
    p = [r[w] for r in peer if w in r]
    if p:
        print(f"| ×{w} | {ms:.1f} | {' / '.join(f'{x:.1f}' for x in p)} | {statistics.median(p) / ms:.2f}× |")
PY
