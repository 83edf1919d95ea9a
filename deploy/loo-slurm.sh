#!/bin/bash
# Leave-one-out as a Slurm job array: one fold (class) per array index, every task writing into one
# shared run folder, then one dependent job that rebuilds the report from the complete folds.
#
#   sbatch deploy/loo-slurm.sh                       # submits the folds and the report step
#
# Settings (override with sbatch --export=ALL,DATASET=...,SEEDS=...):
#SBATCH --job-name=omasgan-loo
#SBATCH --array=0-9
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=01:00:00
#SBATCH --output=omasgan-loo-%A-%a.out
set -euo pipefail

DATASET=${DATASET:-fashion-mnist}
PRESET=${PRESET:-cpu}
SEEDS=${SEEDS:-1,2,3}
RUN=${RUN:-$PWD/runs/loo-$DATASET-$PRESET}   # on storage every node mounts
OMASGAN=${OMASGAN:-omasgan}                    # the installed tool, or "dotnet /path/Omasgan.Cli.dll"

if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
    # Called without an array index: submit the array, then the report step after every task ends.
    array=$(sbatch --parsable --export=ALL "$0")
    sbatch --dependency=afterany:"$array" --job-name=omasgan-loo-report --ntasks=1 --cpus-per-task=1 \
        --wrap="$OMASGAN loo report $RUN"
    exit 0
fi

# One class per task; every seed of it, with --threads matching the CPUs Slurm gave the task.
$OMASGAN --threads "${SLURM_CPUS_PER_TASK:-2}" loo --dataset "$DATASET" --preset "$PRESET" \
    --classes "$SLURM_ARRAY_TASK_ID" --seeds "$SEEDS" --out "$RUN" --resume
