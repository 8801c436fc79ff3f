#!/usr/bin/env bash
# Every pruner, as pruned and under the three sanity checks of Frankle et al. (ICLR 2021), three seeds: the
# reproduction chapter's tables of every method (nbs/20_reproduction.ipynb, "Every method, and the sanity checks").
#
#   bash scripts/all_methods.sh                        # the digits table: compression 18 (sparsity 98.20 %)
#   STUDY=cifar10 bash scripts/all_methods.sh          # ResNet-20 on the CIFAR-10 subset: compression 14 (95.60 %)
#   COMPRESSIONS="2 6 10 14 18" bash scripts/all_methods.sh   # the paper's five sparsities (resumes the above)
#   DRY_RUN=1 bash scripts/all_methods.sh              # the plan and the commands, nothing run
#
# One `ntksap grid` call: 16 pruners x 4 variants x 3 seeds, one prune job each and one training job per
# compression, JOBS at a time (default 1; each job on one thread, so the results do not depend on JOBS); finished
# cells are skipped, so the same command continues a stopped table, and more compressions add cells. It ends with a
# report per variant and RESULT_DIR/variants.csv, variants_runs.csv and variants.png (copied into nbs/reproduction/
# for the chapter). Each pruner runs with its recommended T except PX (T = 20 instead of 100: 100 iterations take
# 104 s per mask on the digits).
#   digits:  mnist5k (embedded) with the chapter's small conv net, Adam lr 1e-3, batch 64, ONE epoch.
#   cifar10: the CPU study's setting (scripts/cpu_study.py): ResNet-20 on a fixed class-balanced 10,000-image subset
#            of CIFAR-10 at 16x16 pixels, 2,000 test images, 3 epochs of SGD (lr 0.1, x0.1 for the last epoch,
#            weight decay 1e-4, batch 128); needs DATA_DIR/cifar10-jpeg (default: ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
STUDY="${STUDY:-digits}"
case "$STUDY" in
  digits)
    SETTING=(--dataset mnist5k --model conv --model-class default --optimizer adam --lr 0.001 --train-batch-size 64
             --post-epochs 1)
    COMPRESSIONS="${COMPRESSIONS:-18}"
    RESULT_DIR="${RESULT_DIR:-Results/all_methods}" ;;
  cifar10)
    SETTING=(--dataset cifar10 --data-dir "${DATA_DIR:-../shared/data}" --image-size 16 --train-subset 10000
             --test-subset 2000 --model resnet20 --model-class lottery --optimizer sgd --lr 0.1 --weight-decay 1e-4
             --train-batch-size 128 --post-epochs 3 --lr-drops 2)
    COMPRESSIONS="${COMPRESSIONS:-14}"
    RESULT_DIR="${RESULT_DIR:-Results/all_methods_cifar10}" ;;
  *) echo "all_methods.sh: STUDY must be digits or cifar10, not '$STUDY'" >&2; exit 2 ;;
esac
DRY=(); [ -n "${DRY_RUN:-}" ] && DRY=(--dry-run)
# T per pruner, in --pruner-list's order: each pruner's own (`ntksap pruners`) but px
exec nice -n 5 "${PYTHON:-python}" -m ntksap grid "${SETTING[@]}" \
  --pruner-list rand mag snip grasp synflow itersnip ntksap px synflowl2 erk force grasp_it prospr phew npb mag_erk \
  --prune-epoch-list 1 1 1 1 100 100 20 20 100 1 1 60 1 1 1 1 \
  --compression-list $COMPRESSIONS --seeds 0 1 2 --variants pruned shuffle reinitialize invert \
  --jobs "${JOBS:-1}" --threads 1 --grid-dir "$RESULT_DIR" --progress False "${DRY[@]}" "$@"
