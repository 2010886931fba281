#!/usr/bin/env bash
# Usage: [GPUS=8 GPUS_PER_NODE=8 CPUS_PER_TASK=5 SRUN_ARGS=...] \
#     tools/slurm_train.sh PARTITION JOB_NAME CONFIG [train.py args...]
#
# Preemption: srun asks Slurm for SIGUSR1 NOTICE seconds (default 120)
# before the job's time is up; every task then finishes its iteration,
# rank 0 saves and the tasks exit 75. Submitted as a batch job, e.g.
#     sbatch --requeue --signal=B:USR1@120 -N 8 tools/slurm_train.sh ...
# the script also passes SIGTERM / SIGUSR1 it receives on to the tasks,
# requeues the job (scontrol requeue) when they stop that way, and the
# requeued job (SLURM_RESTART_COUNT > 0) trains on with --resume.
set -e
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
NOTICE=${NOTICE:-120}
SRUN_ARGS=${SRUN_ARGS:-""}
PREEMPTED=75
export MASTER_PORT=${MASTER_PORT:-$((12000 + RANDOM % 20000))}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# the checkout's virtual environment (`make install`) when there is one
if [ -x "$ROOT/.venv/bin/python" ]; then DEFAULT_PYTHON="$ROOT/.venv/bin/python"
else DEFAULT_PYTHON=$(command -v python3 || command -v python); fi
PYTHON=${PYTHON:-$DEFAULT_PYTHON}
RESUME=()
if [ "${SLURM_RESTART_COUNT:-0}" -gt 0 ]; then RESUME=(--resume); fi

PYTHONPATH="$ROOT:$PYTHONPATH" \
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    --signal=USR1@"$NOTICE" \
    $SRUN_ARGS \
    "$PYTHON" -u "$ROOT/tools/train.py" "$CONFIG" --launcher=slurm \
    "${@:4}" "${RESUME[@]}" &
SRUN=$!
NOTICED=""
trap 'NOTICED=1; kill -USR1 "$SRUN" 2>/dev/null || true' TERM USR1
# wait returns early when a trapped signal arrives: wait again for srun
CODE=0
while :; do
    wait "$SRUN" && CODE=0 || CODE=$?
    if ! kill -0 "$SRUN" 2>/dev/null; then break; fi
done
if [ -n "${SLURM_JOB_ID:-}" ] && { [ "$CODE" -eq "$PREEMPTED" ] || [ -n "$NOTICED" ]; }; then
    echo "preempted: requeueing job $SLURM_JOB_ID (it resumes with --resume)" >&2
    scontrol requeue "$SLURM_JOB_ID"
    exit "$PREEMPTED"
fi
exit "$CODE"
