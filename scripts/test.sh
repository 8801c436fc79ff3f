#!/usr/bin/env bash
# The README's test command: every notebook's tests (cells flagged `slow` are skipped; add --flags slow to run them).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -z "${VIRTUAL_ENV:-}" ] && [ -f .venv/bin/activate ] && . .venv/bin/activate
# one BLAS/OpenMP thread per notebook: the runner already runs notebooks in parallel, one per core
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
python scripts/run_tests.py "$@"
