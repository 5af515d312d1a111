"""Cost of ``seeder.reseed(1, it)`` at every iteration, against small training steps.

    python benchmarks/reseed_per_iteration.py [--pairs 400] [--threads 1] [--clock cpu|wall]
                                              [--skip-tf]

Iteration-based training (``seedmigrate verify --iters``) reseeds at every iteration, not
every epoch, so the reseed's cost is paid once per step. Each backend runs in its own
process (TensorFlow and PyTorch never share one) and times, on CPU:

- one ``seeder.reseed(1, it)`` in a tight loop, with a new ``it`` each call (every call
  derives fresh seeds: the per-epoch cache does not help here);
- for each training step below: the step, ``reseed``, the step again, in rounds
  (medians over ``--pairs`` rounds; fewer for the slower steps), so side effects of the
  reseed on the next step (TensorFlow's ``set_seed`` flushes its caches) count.

Times are CPU time of the benchmark process (``time.process_time``), not wall time, so
that other jobs on a shared machine do not inflate them (``--clock wall`` for wall time). Columns: the step alone, the
reseed just before a step (it runs with the caches the step left, so it costs more than
in a tight loop), the step right after the reseed, the reseed over the step, and the whole overhead
``(reseed + next step - step) / step`` (which also holds the step's own jitter).

Steps (batch 32): an MLP 784-256-10 with dropout (forward, backward, SGD with
momentum); a tiny char-level transformer (vocabulary 65, 64 tokens, 2 layers, width 64,
4 heads, AdamW); for TensorFlow the same MLP as a Keras model trained by a
``tf.function`` step. ``--threads`` sets the framework's intra-op threads (1 by default:
the figures are per core and steadier on a shared machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
_clock = CLOCKS["cpu"]
_CLOCK_NAME = "CPU"


def _timed(fn: Callable[[], None], count: int) -> float:
    """Seconds per call on the chosen clock (``cpu``: the whole process's CPU time, every
    framework thread included, other jobs on a shared machine excluded)."""
    start = _clock()
    for _ in range(count):
        fn()
    return (_clock() - start) / count


def _compare(step, reseed, pairs: int) -> tuple[float, float, float]:
    """Median CPU seconds of: the step alone, the reseed before a step, and the step after
    that reseed, timed in ``pairs`` alternating rounds (slow drifts of the machine hit
    all three alike, and the reseed runs with the caches the step left, as in training)."""
    for _ in range(3):  # warm up: lazy initialisation, allocator, tracing
        reseed()
        step()
    plain, reseeds, after = [], [], []
    clock = _clock
    for _ in range(pairs):
        start = clock()
        step()
        stepped = clock()
        reseed()
        reseeded = clock()
        step()
        plain.append(stepped - start)
        reseeds.append(reseeded - stepped)
        after.append(clock() - reseeded)
    return statistics.median(plain), statistics.median(reseeds), statistics.median(after)


def _report(name: str, plain_s: float, reseed_s: float, after_s: float) -> None:
    overhead = (reseed_s + after_s - plain_s) / plain_s
    print(
        f"{name:<34} {plain_s * 1e3:8.3f} {reseed_s * 1e6:10.1f} {after_s * 1e3:11.3f} "
        f"{reseed_s / plain_s * 100:10.2f}% {overhead * 100:+9.1f}%"
    )


def _header(framework: str, reseed_s: float) -> None:
    print(f"{framework}: reseed(1, it) in a tight loop: {reseed_s * 1e6:.1f} us")
    print(
        f"{'step (batch 32), ' + _CLOCK_NAME + ' time':<34} {'step ms':>8} {'reseed us':>10} "
        f"{'next step ms':>11} {'reseed/step':>11} {'overhead':>10}"
    )


def _counter_reseed(seeder) -> Callable[[], None]:
    iterations = iter(range(10**12))
    return lambda: seeder.reseed(1, next(iterations))


def _torch(args: argparse.Namespace) -> None:
    import torch
    from torch import nn

    import seeder_runtime.torch as seeder

    torch.set_num_threads(args.threads)
    seeder.init(2024)
    reseed = _counter_reseed(seeder)
    reseed_s = min(_timed(reseed, 2000) for _ in range(5))
    _header(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)", reseed_s)

    mlp = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.1), nn.Linear(256, 10))
    sgd = torch.optim.SGD(mlp.parameters(), lr=0.01, momentum=0.9)
    images, labels = torch.randn(32, 784), torch.randint(0, 10, (32,))

    def mlp_step() -> None:
        sgd.zero_grad()
        nn.functional.cross_entropy(mlp(images), labels).backward()
        sgd.step()

    _report("MLP 784-256-10", *_compare(mlp_step, reseed, args.pairs))

    vocab, length, width = 65, 64, 64

    class CharTransformer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(vocab, width)
            self.position = nn.Parameter(torch.zeros(length, width))
            layer = nn.TransformerEncoderLayer(
                width, 4, 4 * width, dropout=0.1, batch_first=True, norm_first=True
            )
            self.blocks = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.head = nn.Linear(width, vocab)
            self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(length))

        def forward(self, tokens: torch.Tensor) -> torch.Tensor:
            hidden = self.embed(tokens) + self.position
            return self.head(self.blocks(hidden, mask=self.mask, is_causal=True))

    model = CharTransformer()
    adamw = torch.optim.AdamW(model.parameters(), lr=1e-3)
    text = torch.randint(0, vocab, (32, length + 1))

    def transformer_step() -> None:
        adamw.zero_grad()
        logits = model(text[:, :-1])
        nn.functional.cross_entropy(logits.reshape(-1, vocab), text[:, 1:].reshape(-1)).backward()
        adamw.step()

    name = "char transformer 2x64, 64 tokens"
    _report(name, *_compare(transformer_step, reseed, max(args.pairs // 10, 5)))


def _tf(args: argparse.Namespace) -> None:
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras

    import seeder_runtime.tf as seeder

    seeder.init(2024)
    reseed = _counter_reseed(seeder)
    reseed_s = min(_timed(reseed, 200) for _ in range(5))
    _header(f"tensorflow {tf.__version__}, keras {keras.__version__}", reseed_s)

    model = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(10),
        ]
    )
    optimizer = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    images = tf.random.normal((32, 784))
    labels = tf.random.uniform((32,), maxval=10, dtype=tf.int32)

    @tf.function
    def train_step() -> None:
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, model(images, training=True))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))

    name = "Keras MLP 784-256-10, tf.function"
    _report(name, *_compare(train_step, reseed, max(args.pairs // 4, 5)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=400)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu")
    parser.add_argument("--skip-tf", action="store_true")
    parser.add_argument("--backend", choices=["torch", "tf"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    global _clock, _CLOCK_NAME
    _clock, _CLOCK_NAME = CLOCKS[args.clock], args.clock.upper() if args.clock == "cpu" else "wall"
    if args.backend:
        (_torch if args.backend == "torch" else _tf)(args)
        return
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    for backend in ["torch"] if args.skip_tf else ["torch", "tf"]:
        command = [sys.executable, __file__, "--backend", backend]
        command += ["--pairs", str(args.pairs), "--clock", args.clock]
        command += ["--threads", str(args.threads)]
        subprocess.run(command, check=True, env=env)


if __name__ == "__main__":
    main()
