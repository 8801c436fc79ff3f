#!/usr/bin/env bash
# Quick start: set up .venv (pinned versions, offline-capable) and run the main job on the embedded mnist5k digits:
# rand, mag, snip, grasp, synflow and NTK-SAP at five densities down to 0.8**20, then the table and the figure.
# Extra arguments are passed on to ntksap (e.g. --post-epochs 5, --seed 1, --expid NAME).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/ntksap ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install -q torch==2.14.1 torchvision==0.29.1
  .venv/bin/python -m pip install -q -e .
fi
. .venv/bin/activate
exec ntksap --experiment multishot --dataset mnist5k --model conv --model-class default \
  --optimizer adam --lr 0.001 --train-batch-size 64 --post-epochs 3 \
  --pruner-list rand mag snip grasp synflow NTKSAP --prune-epoch-list 1 1 1 1 100 20 \
  --compression-list 0 5 10 15 20 --seed 0 --result-dir Results/quickstart "$@"
