#!/usr/bin/env bash
# Set up .venv, then run seedmigrate's whole loop on a bundled, unmigrated example:
#   1. seedmigrate check      -- what still needs migrating (exit 1: findings)
#   2. seedmigrate apply --diff  -- the exact change a reviewer would see
#   3. seedmigrate apply      -- rewrite the copy in place
#   4. seedmigrate verify     -- prove the migrated script is deterministic and resumes
# The example is copied to build/quickstart/ first; examples/ stays untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate

work=build/quickstart
rm -rf "$work"
mkdir -p "$work"
cp examples/torch_loop/train.py "$work/train.py"
cd "$work"

echo "== seedmigrate check train.py"
seedmigrate check train.py || true
echo
echo "== seedmigrate apply --diff train.py"
seedmigrate apply --diff train.py || true
echo
echo "== seedmigrate apply train.py"
seedmigrate apply train.py
echo
echo "== seedmigrate verify (2 epochs, 2 repeats per experiment)"
seedmigrate verify --epochs 2 --repeats 2 -j 2 --seed 1234 --out verify-out \
    --seed-arg "--seed {seed}" --save-arg "--save {ckpt}" --resume-arg "--resume {ckpt}" \
    -- python train.py --epochs {epochs}
echo
echo "Report and figures: $work/verify-out/ (report.json, runs.png, overlay.png)"
