#!/usr/bin/env bash
# Create .venv (if missing) and install the project with everything the tests need.
# torch==2.13.0 is pinned and installed *first*: it is a local CPU build here, while any
# other torch spec would pull a multi-GB CUDA build. tensorflow-cpu is the CPU-only TF.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q -U pip
python -m pip install -q "torch==2.13.0"
python -m pip install -q tensorflow-cpu
python -m pip install -q -e ".[test,plot]"
python -c "import torch, tensorflow, libcst, seedmigrate, seeder_runtime"
