#!/usr/bin/env bash
# Submits a MoDE-J experiment to Slurm as job arrays, one unit of work per array task:
#   examples/cluster/submit-slurm.sh EXPERIMENT_FILE OUT_DIR [sbatch options, e.g. --partition=gpu --time=2:00:00]
# With a pretrained backbone in the file, unit 0 (the backbone) is one job and units 1..N-1 an
# array that starts after it (--dependency=afterok); with a given checkpoint, all units are one
# array. OUT_DIR must be on a file system every node mounts (with working POSIX locks: see README).
# Task logs: OUT_DIR/slurm/<job>_<task>.log. Prints the job ids; `squeue` shows them.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 EXPERIMENT_FILE OUT_DIR [sbatch options...]" >&2; exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export MODEJ="${MODEJ:-$(cd "$here/../.." && pwd)/modej}"
export EXPERIMENT OUT
EXPERIMENT=$(realpath "$1")
OUT=$(realpath -m "$2")
shift 2
mkdir -p "$OUT/slurm"
# --list builds MoDE-J first if its sources changed, so that the tasks do not all build at once
units=$("$MODEJ" experiment "$EXPERIMENT" --out "$OUT" ${MODEJ_ARGS:-} --list | grep -v '^#')
count=$(printf '%s\n' "$units" | wc -l)
first=$(printf '%s\n' "$units" | head -1 | cut -f2)
log="$OUT/slurm/%A_%a.log"
if [ "$first" = backbone ]; then
  backbone=$(sbatch --parsable --array=0 --output="$log" "$@" "$here/experiment.sbatch")
  echo "unit 0 (backbone): job $backbone"
  if [ "$count" -gt 1 ]; then
    runs=$(sbatch --parsable --array=1-$((count - 1)) --dependency=afterok:"$backbone" --output="$log" "$@" \
      "$here/experiment.sbatch")
    echo "units 1-$((count - 1)) (runs): array job $runs, after job $backbone"
  fi
else
  runs=$(sbatch --parsable --array=0-$((count - 1)) --output="$log" "$@" "$here/experiment.sbatch")
  echo "units 0-$((count - 1)) (runs): array job $runs"
fi
echo "report, once every unit is finished: $OUT/report.md (progress: $MODEJ experiment $EXPERIMENT --out $OUT --list)"
