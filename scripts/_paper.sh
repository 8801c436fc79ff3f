# Shared by the paper-setting scripts (sourced, not run): arguments, --help, DRY_RUN, and the two torchrun jobs.
# Each script sets DESCRIPTION, SETTING (flags of the data set, model and training schedule), COMPRESSIONS (the
# paper's, unless the caller's environment sets COMPRESSIONS) and NAME.
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

# Pruning iterations T, BatchNorm mode while scoring and (NTK-SAP) R: each pruner's own recommendation, declared by
# its class and printed by 'ntksap pruners' (for NTK-SAP on CIFAR-10 the reference's R); EXTRA flags, given after
# them, win. Read once for all the pruners of this call.
dataset_of_setting() {
  local i
  for ((i = 0; i < ${#SETTING[@]} - 1; i++)); do [ "${SETTING[$i]}" = --dataset ] && echo "${SETTING[$((i + 1))]}"; done
}
declare -A PRUNER_FLAGS=()
while read -r name flags; do PRUNER_FLAGS[$name]="$flags"; done \
  <<< "$("${PYTHON:-python}" -m ntksap pruners --flags $PRUNERS --dataset "$(dataset_of_setting)")"
pruner_flags() { echo "${PRUNER_FLAGS[$1]}"; }

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
