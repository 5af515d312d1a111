#!/usr/bin/env bash
# Set up .venv and run the whole test suite; this is what CI runs (.ci/run):
#   ruff check, ruff format --check, mypy, the fast tier (everything but `slow`), the slow tier.
# Arguments go to both pytest runs (e.g. -x, -k EXPR, a test path); a tier that selects
# no test is reported and passes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate

# Every optional test dependency is installed here, so no test may skip for want of one
# (the suite skips, rather than errors, without torch/TF for smaller environments).
python -c "import hypothesis, lightning, matplotlib, nbformat, tensorflow, torch, xdist, yaml"

tier() {
    local name=$1
    shift
    echo "== $name: python -m pytest $*"
    local start=$SECONDS status=0
    python -m pytest "$@" || status=$?
    if [ "$status" -eq 5 ]; then  # pytest: no test selected
        echo "== $name: no test selected"
        status=0
    fi
    echo "== $name: exit $status after $((SECONDS - start)) s"
    return "$status"
}

echo "== ruff check ."
ruff check .
echo "== ruff format --check ."
ruff format --check .
echo "== mypy (seedmigrate, seeder_runtime: [tool.mypy] in pyproject.toml)"
python -m mypy
tier "fast tier" -n 2 "$@"
tier "slow tier" -n 2 -m slow "$@"
