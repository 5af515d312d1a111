"""Cost of one ``seeder.reseed`` against the direct seeding calls it replaces.

    python benchmarks/reseed.py [--number N] [--repeat R] [--skip-tf]

Prints microseconds per call (best of R runs of N calls) for:
- the torch backend vs ``torch.manual_seed`` + ``np.random.seed`` + ``random.seed``
  (target: ratio <= 1.3);
- the tf backend vs ``tf.random.set_seed`` + ``np.random.seed`` + ``random.seed``, and vs
  the calls that cover what it covers (``keras.utils.set_random_seed`` + a new global
  ``tf.random.Generator``), in a child process so TensorFlow and PyTorch never share one.
TensorFlow figures include the eager kernel-cache flush that ``tf.random.set_seed`` causes
(it makes the next eager ops slow once), so they vary a lot with the machine.
Each reseed walks epochs so the derivation cache is not the only path measured.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import timeit
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _best_us(fn, number: int, repeat: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def _measure(backend: str, number: int, repeat: int) -> list[tuple[str, float, float]]:
    import random

    import numpy as np

    if backend == "torch":
        import torch

        import seeder_runtime.torch as seeder

        def direct():
            torch.manual_seed(123456789)
            np.random.seed(12345)
            random.seed(123456789)

    else:
        import keras
        import tensorflow as tf

        import seeder_runtime.tf as seeder

        def direct():
            tf.random.set_seed(123456789)
            np.random.seed(12345)
            random.seed(123456789)

        def same_coverage():
            # What reseed covers, spelled out: Keras's global SeedGenerator too (via
            # set_random_seed) and a fresh global tf.random.Generator.
            keras.utils.set_random_seed(123456789)
            tf.random.set_global_generator(tf.random.Generator.from_seed(987654321))

    seeder.init(2024)
    epochs = iter(range(10**9))

    def via_seeder():
        seeder.reseed(1, next(epochs) % 64)

    via_seeder(), direct()  # warm up lazy imports and caches
    seeder_us = _best_us(via_seeder, number, repeat)
    rows = [(backend, seeder_us, _best_us(direct, number, repeat))]
    if backend == "tf":
        rows.append(("tf (same coverage)", seeder_us, _best_us(same_coverage, number, repeat)))
    return rows


def _report(backend: str, seeder_us: float, direct_us: float) -> None:
    print(
        f"{backend:>18}: reseed {seeder_us:9.1f} us | direct calls {direct_us:9.1f} us | "
        f"ratio {seeder_us / direct_us:5.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-tf", action="store_true")
    parser.add_argument("--backend", choices=["torch", "tf"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.backend:
        number = args.number if args.backend == "torch" else max(args.number // 10, 20)
        for row in _measure(args.backend, number, args.repeat):
            _report(*row)
        return
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    backends = ["torch"] if args.skip_tf else ["torch", "tf"]
    for backend in backends:
        cmd = [sys.executable, __file__, "--backend", backend, "--number", str(args.number)]
        cmd += ["--repeat", str(args.repeat)]
        subprocess.run(cmd, check=True, env=env)


if __name__ == "__main__":
    main()
