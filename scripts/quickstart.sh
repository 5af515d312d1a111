#!/usr/bin/env bash
# Set up .venv and run seedmigrate's main job on a bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
seedmigrate --version
