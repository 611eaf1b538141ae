#!/usr/bin/env bash
# One shard of an experiment per Slurm array task (docs/cluster.md). Edit the lines below.
# Build once before submitting:
#   swift build -c release
# Submit and merge:
#   jobid=$(sbatch --parsable Scripts/slurm-shards.sh)
#   sbatch --dependency=afterok:$jobid --wrap ".build/release/exp-merge results/distortion/shard-*.json --json results/distortion/all.json"
#SBATCH --job-name=qjl-distortion
#SBATCH --array=0-15
#SBATCH --cpus-per-task=2
#SBATCH --time=01:00:00
#SBATCH --output=logs/%x-%a.out
set -euo pipefail
SHARDS=${SHARDS:-16}            # must equal the size of --array
EXPERIMENT=${EXPERIMENT:-exp-distortion}
OUT=${OUT:-results/distortion}
TASK=${SLURM_ARRAY_TASK_ID:?run this under sbatch --array}
mkdir -p "$OUT" logs
".build/release/$EXPERIMENT" --trials 100000 --seed 7 --threads "${SLURM_CPUS_PER_TASK:-1}" \
    --shard "$TASK/$SHARDS" --json "$OUT/shard-$TASK.json" --quiet
