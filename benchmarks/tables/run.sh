#!/usr/bin/env bash
# Tables benchmark: OMASGAN (vector preset) and every vector baseline on real tabular data that
# Debian's python3-sklearn ships, five seeded splits each (docs/tables.md).
# Usage: benchmarks/tables/run.sh OUT_DIR   (about 25 minutes on 2 cores)
set -euo pipefail
out=${1:-runs/tables}
here=$(cd "$(dirname "$0")" && pwd)
omasgan=${OMASGAN:-"dotnet run --project $here/../../src/Omasgan.Cli -c Release --"}
/usr/bin/python3 "$here/export.py" "$out"
seeds=1,2,3,4,5
$omasgan loo --table "$out/breast-cancer.csv" --label-column label --anomaly-label 0 --seeds $seeds --out "$out/breast-cancer"
$omasgan loo --table "$out/wine.csv" --label-column label --seeds $seeds --out "$out/wine"
$omasgan loo --table "$out/iris.csv" --label-column label --seeds $seeds --out "$out/iris"
