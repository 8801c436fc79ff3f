# Shared by the paper-setting scripts (sourced, not run): arguments, --help, and one `ntksap grid` call.
# Each script sets DESCRIPTION, SETTING (flags of the data set, model and training schedule), COMPRESSIONS (the
# paper's, unless the caller's environment sets COMPRESSIONS) and NAME.
set -euo pipefail

usage() {
  cat <<USAGE
usage: $(basename "$0") [PRUNERS] [NGPUS] [DATA_DIR] [EXTRA NTKSAP FLAGS...]

$DESCRIPTION
One 'ntksap grid' call: for each pruner and seed one prune job (one process: pruning is one GPU's work) for
compressions $COMPRESSIONS, then one training job per compression (torchrun, NGPUS processes); JOBS of them at a
time; finished jobs are skipped and interrupted ones resume, so the same command continues a stopped table. It ends
with 'ntksap report' over RESULT_DIR: the table, the figure and paper.csv (the paper's NTK-SAP numbers beside ours).

  PRUNERS   one pruner, a comma-separated list, or 'all' = the paper's seven (default: ntksap);
            'ntksap pruners' lists every pruner, the newer px, synflowl2 and erk included
  NGPUS     GPUs (processes) per training job on each machine (default: 1); --train-batch-size is the global batch
  DATA_DIR  folder holding the data sets (default: Data)
  EXTRA     further flags for 'ntksap grid', given after the setting's, so they win (e.g. --post-epochs 10)

Environment:
  SEEDS          seeds to run, e.g. "0 1 2" (default: 0)
  COMPRESSIONS   compressions (density 0.8**c) instead of the paper's, e.g. "2 6 10 14 18"
  RESULT_DIR     the grid's folder (default: Results/data)
  JOBS           jobs at a time (default: 1); several may share a GPU (see 'ntksap grid --help')
  DRY_RUN=1      print the plan and the commands instead of running them
  NNODES, NODE_RANK, MASTER_ADDR, MASTER_PORT
                 several machines per training job: run the same command on each machine with its NODE_RANK
                 (0 .. NNODES-1) and machine 0's address; RESULT_DIR on a file system all of them see
  TORCHRUN_ARGS  further torchrun flags for the training jobs, e.g. "--max-restarts 3"
  PYTHON         the Python that has ntksap (default: python)
USAGE
}

case "${1:-}" in -h|--help) usage; exit 0;; esac
PRUNERS="${1:-ntksap}"; NGPUS="${2:-1}"; DATA_DIR="${3:-Data}"
shift $(( $# < 3 ? $# : 3 )); EXTRA=("$@")
# the paper's seven; unknown names are refused by the grid (it knows every pruner)
[ "$PRUNERS" = all ] && PRUNERS="rand mag snip itersnip grasp synflow ntksap"
PRUNERS="${PRUNERS//,/ }"

# Each pruner runs with its own recommended T, BatchNorm mode and (NTK-SAP) R, declared by its class
# ('ntksap pruners'); EXTRA flags, given after them, win.
paper_run() {
  local grid=(grid "${SETTING[@]}" --pruner-list $PRUNERS --compression-list $COMPRESSIONS --seeds ${SEEDS:-0}
              --expid "$NAME" --data-dir "$DATA_DIR" --grid-dir "${RESULT_DIR:-Results/data}"
              --gpus-per-cell "$NGPUS" --jobs "${JOBS:-1}")
  if [ -n "${NNODES:-}" ]; then
    grid+=(--nnodes "$NNODES" --node-rank "${NODE_RANK:-0}" --master-port "${MASTER_PORT:-29500}"
           --master-addr "${MASTER_ADDR:-}")
  fi
  [ -n "${TORCHRUN_ARGS:-}" ] && grid+=(--torchrun-args "$TORCHRUN_ARGS")
  [ "${DRY_RUN:-0}" = 1 ] && grid+=(--dry-run)
  exec "${PYTHON:-python}" -m ntksap "${grid[@]}" "${EXTRA[@]}"
}
