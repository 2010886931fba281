#!/usr/bin/env bash
# Usage: tools/dist_train.sh CONFIG NUM_PROCS [train.py args...]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
# Without a GPU the processes train on CPU with gloo. torchrun (through
# motionmae_mm.engine.launcher) stops every rank when one dies and names it.
# SIGTERM / SIGUSR1 to this script reach every rank: each finishes its
# iteration, rank 0 saves, and the script exits 75; --resume continues.
set -e
CONFIG=$1
NPROC=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# the checkout's virtual environment (`make install`) when there is one
if [ -x "$ROOT/.venv/bin/python" ]; then DEFAULT_PYTHON="$ROOT/.venv/bin/python"
else DEFAULT_PYTHON=$(command -v python3 || command -v python); fi
PYTHON=${PYTHON:-$DEFAULT_PYTHON}

PYTHONPATH="$ROOT:$PYTHONPATH" \
exec "$PYTHON" -m motionmae_mm.engine.launcher --nnodes="$NNODES" --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" --master_port="$PORT" \
    --nproc_per_node="$NPROC" \
    "$ROOT/tools/train.py" "$CONFIG" --launcher pytorch "${@:3}"
