# Shared by the paper-setting scripts (sourced, not run): arguments, --help, DRY_RUN, and the two torchrun jobs.
# Each script sets DESCRIPTION, SETTING (flags of the data set, model and training schedule), COMPRESSIONS and NAME.
set -euo pipefail

usage() {
  cat <<USAGE
usage: $(basename "$0") [PRUNER] [NGPUS] [DATA_DIR] [EXTRA NTKSAP FLAGS...]

$DESCRIPTION
Runs two torchrun jobs: the pruning job (multishot_ddp_prune, on one process while the others wait) for
compressions $COMPRESSIONS, then one DDP training job (multishot_ddp_train) per compression.

  PRUNER    rand, mag, snip, grasp, synflow, itersnip or ntksap (default: ntksap)
  NGPUS     processes (one per GPU) on this machine (default: 1); --train-batch-size is the global batch
  DATA_DIR  folder holding the data sets (default: Data)
  EXTRA     further ntksap flags, appended to both jobs (e.g. --seed 1 --post-epochs 10)

Environment:
  RESULT_DIR     where results go (default: Results/data)
  DRY_RUN=1      print the commands instead of running them
  TORCHRUN_ARGS  torchrun flags (default: --standalone), e.g. "--standalone --max-restarts 3", or for
                 2 nodes: "--nnodes 2 --rdzv-backend c10d --rdzv-endpoint HOST:29400 --rdzv-id JOB"
A training job that is killed resumes from its last epoch checkpoint when the same command is run again.
USAGE
}

case "${1:-}" in -h|--help) usage; exit 0;; esac
PRUNER="${1:-ntksap}"; NGPUS="${2:-1}"; DATA_DIR="${3:-Data}"
shift $(( $# < 3 ? $# : 3 )); EXTRA=("$@")
RESULT_DIR="${RESULT_DIR:-Results/data}"
read -r -a TORCHRUN <<< "${TORCHRUN_ARGS:---standalone}"

# Pruning iterations T and BatchNorm mode while scoring. NTK-SAP: T = 20, train mode (the reference's
# scripts/run.sh). SynFlow: T = 100 in eval mode (its paper). Iterative SNIP: T = 100 (our choice).
# One-shot pruners: T = 1, train mode.
case "$PRUNER" in
  ntksap|NTKSAP) T=20;  TRAIN_MODE=True ;;
  synflow)       T=100; TRAIN_MODE=False ;;
  itersnip)      T=100; TRAIN_MODE=True ;;
  *)             T=1;   TRAIN_MODE=True ;;
esac

run() { if [ "${DRY_RUN:-0}" = 1 ]; then echo "$*"; else "$@"; fi; }
ntksap_job() { run torchrun "${TORCHRUN[@]}" --nproc_per_node="$NGPUS" -m ntksap "$@" "${EXTRA[@]}"; }

paper_run() {
  local expid="$PRUNER-$NAME"
  local common=("${SETTING[@]}" --pruner "$PRUNER" --prune-epochs "$T" --prune-train-mode "$TRAIN_MODE" --ntksap_R 5
                --data-dir "$DATA_DIR" --result-dir "$RESULT_DIR")
  ntksap_job --experiment multishot_ddp_prune --expid "$expid" --compression-list $COMPRESSIONS "${common[@]}"
  for c in $COMPRESSIONS; do
    ntksap_job --experiment multishot_ddp_train --expid "$expid-c$c" --compression "$c" \
               --prune-dir "$RESULT_DIR/multishot_ddp_prune/$expid" "${common[@]}"
  done
}
