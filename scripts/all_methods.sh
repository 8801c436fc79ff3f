#!/usr/bin/env bash
# Every pruner, as pruned and under the three sanity checks of Frankle et al. (ICLR 2021), three seeds: the
# reproduction chapter's table of every method (nbs/20_reproduction.ipynb, "Every method, and the sanity checks").
#
#   bash scripts/all_methods.sh                      # the committed table: compression 18 (sparsity 98.20 %)
#   COMPRESSIONS="2 6 10 14 18" bash scripts/all_methods.sh   # the paper's five sparsities (resumes the above)
#   DRY_RUN=1 bash scripts/all_methods.sh            # the plan and the commands, nothing run
#
# One `ntksap grid` call: 15 pruners x 4 variants x 3 seeds, one prune job each and one training job per
# compression, one at a time on one thread (the machine is shared); finished cells are skipped, so the same command
# continues a stopped table, and more compressions add cells. It ends with a report per variant and
# RESULT_DIR/variants.csv, variants_runs.csv and variants.png (copied into nbs/reproduction/ for the chapter).
# Settings: the digits (mnist5k, embedded) with the chapter's small conv net, Adam lr 1e-3, batch 64, ONE epoch;
# each pruner's recommended T except PX (T = 20 instead of 100: 100 iterations take 104 s per mask here).
set -euo pipefail
cd "$(dirname "$0")/.."
COMPRESSIONS="${COMPRESSIONS:-18}"
RESULT_DIR="${RESULT_DIR:-Results/all_methods}"
DRY=(); [ -n "${DRY_RUN:-}" ] && DRY=(--dry-run)
# T per pruner, in --pruner-list's order: each pruner's own (`ntksap pruners`) but px
exec nice -n 5 "${PYTHON:-python}" -m ntksap grid --dataset mnist5k --model conv --model-class default \
  --optimizer adam --lr 0.001 --train-batch-size 64 --post-epochs 1 \
  --pruner-list rand mag snip grasp synflow itersnip ntksap px synflowl2 erk force prospr phew npb mag_erk \
  --prune-epoch-list 1 1 1 1 100 100 20 20 100 1 1 1 1 1 1 \
  --compression-list $COMPRESSIONS --seeds 0 1 2 --variants pruned shuffle reinitialize invert \
  --jobs 1 --threads 1 --grid-dir "$RESULT_DIR" --progress False "${DRY[@]}" "$@"
