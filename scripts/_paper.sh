# Shared by the paper-setting scripts (sourced, not run): arguments, --help, DRY_RUN, and the two torchrun jobs.
# Each script sets DESCRIPTION, SETTING (flags of the data set, model and training schedule), COMPRESSIONS (the
# paper's, unless the caller's environment sets COMPRESSIONS), NTKSAP_R and NAME.
set -euo pipefail

ALL_PRUNERS="rand mag snip itersnip grasp synflow ntksap"
NEWER_PRUNERS="px synflowl2 erk"   # accepted by name, not part of 'all' (the paper's seven)

usage() {
  cat <<USAGE
usage: $(basename "$0") [PRUNERS] [NGPUS] [DATA_DIR] [EXTRA NTKSAP FLAGS...]

$DESCRIPTION
For each pruner and seed, runs the pruning job (multishot_ddp_prune, one process: pruning is one GPU's work) for
compressions $COMPRESSIONS, then one DDP training job (multishot_ddp_train, NGPUS processes) per compression.
Results go to RESULT_DIR/multishot_ddp_{prune,train}/PRUNER-$NAME-seedS[-cC]; 'ntksap report RESULT_DIR'
turns them into the table, the figure and paper.csv (the paper's NTK-SAP numbers beside ours).

  PRUNERS   one pruner, a comma-separated list, or 'all' = $ALL_PRUNERS (default: ntksap);
            the newer pruners $NEWER_PRUNERS are accepted by name
  NGPUS     processes (one per GPU) on this machine (default: 1); --train-batch-size is the global batch
  DATA_DIR  folder holding the data sets (default: Data)
  EXTRA     further ntksap flags, appended to every job, so they win (e.g. --post-epochs 10)

Environment:
  SEEDS          seeds to run, e.g. "0 1 2" (default: 0)
  COMPRESSIONS   compressions (density 0.8**c) instead of the paper's, e.g. "2 6 10 14 18"
  RESULT_DIR     where results go (default: Results/data)
  DRY_RUN=1      print the commands instead of running them
  TORCHRUN_ARGS  torchrun flags (default: --standalone), e.g. "--standalone --max-restarts 3", or for
                 2 nodes: "--nnodes 2 --rdzv-backend c10d --rdzv-endpoint HOST:29400 --rdzv-id JOB"
A training job that is killed resumes from its last epoch checkpoint when the same command is run again.
USAGE
}

case "${1:-}" in -h|--help) usage; exit 0;; esac
PRUNERS="${1:-ntksap}"; NGPUS="${2:-1}"; DATA_DIR="${3:-Data}"
shift $(( $# < 3 ? $# : 3 )); EXTRA=("$@")
[ "$PRUNERS" = all ] && PRUNERS="$ALL_PRUNERS"
PRUNERS="${PRUNERS//,/ }"
for p in $PRUNERS; do
  case "$p" in rand|mag|snip|itersnip|grasp|synflow|ntksap|NTKSAP|px|synflowl2|erk) ;;
    *) echo "$(basename "$0"): unknown pruner '$p'; valid: $ALL_PRUNERS $NEWER_PRUNERS (or all)" >&2; exit 2;; esac
done
SEEDS="${SEEDS:-0}"
RESULT_DIR="${RESULT_DIR:-Results/data}"
read -r -a TORCHRUN <<< "${TORCHRUN_ARGS:---standalone}"

# Pruning iterations T and BatchNorm mode while scoring. NTK-SAP: T = 20, train mode, R = NTKSAP_R (the
# reference's scripts/run.sh: R = 5 for CIFAR-10; its README: R = 1 elsewhere). SynFlow: T = 100 in eval mode
# (its paper; the README: train mode for every pruner but SynFlow). Iterative SNIP: T = 100 (our choice).
# PX and SynFlow-L2: T = 100 in eval mode (the PX repository's scripts). One-shot pruners (ERK too): T = 1, train mode.
pruner_flags() {
  case "$1" in
    ntksap|NTKSAP) echo "--prune-epochs 20 --prune-train-mode True --ntksap_R ${NTKSAP_R:-1}" ;;
    synflow)       echo "--prune-epochs 100 --prune-train-mode False" ;;
    px|synflowl2)  echo "--prune-epochs 100 --prune-train-mode False" ;;   # the PX repository: 100 rounds, eval mode
    itersnip)      echo "--prune-epochs 100 --prune-train-mode True" ;;
    *)             echo "--prune-epochs 1 --prune-train-mode True" ;;
  esac
}

run() { if [ "${DRY_RUN:-0}" = 1 ]; then echo "$*"; else "$@"; fi; }
# the pruning job on one process (the others would only hold a GPU idle); training on NGPUS
prune_job() { run torchrun "${TORCHRUN[@]}" --nproc_per_node=1 -m ntksap "$@" "${EXTRA[@]}"; }
train_job() { run torchrun "${TORCHRUN[@]}" --nproc_per_node="$NGPUS" -m ntksap "$@" "${EXTRA[@]}"; }

paper_run() {
  local pruner seed expid flags
  for seed in $SEEDS; do
    for pruner in $PRUNERS; do
      expid="$pruner-$NAME-seed$seed"
      read -r -a flags <<< "$(pruner_flags "$pruner")"
      local common=("${SETTING[@]}" --pruner "$pruner" "${flags[@]}" --seed "$seed" --data-dir "$DATA_DIR" --result-dir "$RESULT_DIR")
      prune_job --experiment multishot_ddp_prune --expid "$expid" --compression-list $COMPRESSIONS "${common[@]}"
      for c in $COMPRESSIONS; do
        train_job --experiment multishot_ddp_train --expid "$expid-c$c" --compression "$c" \
                   --prune-dir "$RESULT_DIR/multishot_ddp_prune/$expid" "${common[@]}"
      done
    done
  done
}
