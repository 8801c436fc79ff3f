#!/usr/bin/env bash
# Quick start: set up .venv (constraints.txt's versions, offline-capable) and run the main job on the embedded mnist5k digits:
# rand, mag, SNIP, GraSP, SynFlow and NTK-SAP prune a small CIFAR-style ResNet with BatchNorm (digits-resnet8) at
# the paper's sparsities 36.0 / 89.3 / 95.6 / 98.2 %, each pruned network is trained for 2 epochs of the paper's
# SGD, then the table, the figure and a sentence saying where NTK-SAP stands at the two sparsest settings.
# Two processes of one thread each, in parallel (BatchNorm in eval mode while scoring for SynFlow, as in its paper,
# and in train mode for SNIP, GraSP and NTK-SAP, as the NTK-SAP paper recommends; rand and mag use no data, so the
# mode does not matter to them). Extra arguments are passed on to both (e.g. --post-epochs 3, --seed 1; not --expid:
# the two name their own, in a fresh time-stamped folder under Results/quickstart).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/ntksap ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install -q -c constraints.txt torch torchvision   # the versions CI uses (constraints.txt)
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[dev,slurm]"     # the package, the book's tools
fi
. .venv/bin/activate
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1   # one thread per process: the same numbers on any machine
OUT="Results/quickstart/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
COMMON=(--experiment multishot --dataset mnist5k --model digits-resnet8 --model-class lottery
        --optimizer sgd --lr 0.1 --weight-decay 1e-4 --train-batch-size 32 --post-epochs 2 --lr-drops 1
        --compression-list 2 10 14 18 --seed 0 --result-dir "$OUT" --progress False)
echo "main job: 6 pruners x 4 sparsities on digits-resnet8 (mnist5k), 2 epochs each; two processes, logs in $OUT"
start=$SECONDS
T_of() { ntksap pruners --flags "$@" | awk '{print $3}'; }   # each pruner's recommended T, declared by its class
ntksap "${COMMON[@]}" --expid eval-mode --pruner-list rand mag synflow --prune-epoch-list $(T_of rand mag synflow) \
  --prune-train-mode False "$@" > "$OUT/eval-mode.log" 2>&1 &
eval_pid=$!
ntksap "${COMMON[@]}" --expid train-mode --pruner-list snip grasp NTKSAP --prune-epoch-list $(T_of snip grasp NTKSAP) \
  --prune-train-mode True "$@" > "$OUT/train-mode.log" 2>&1 &
train_pid=$!
status=0
for job in eval-mode train-mode; do
  pid=$eval_pid; [ "$job" = train-mode ] && pid=$train_pid
  if wait "$pid"; then echo "  $job pruners done after $(( SECONDS - start )) s"
  else status=1; echo "  $job pruners FAILED; the end of $OUT/$job.log:" >&2; tail -n 20 "$OUT/$job.log" >&2; fi
done
[ "$status" = 0 ] || exit 1
ntksap report "$OUT"
