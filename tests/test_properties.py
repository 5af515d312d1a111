"""Property tests: on any mix of the patterns the rules look for, analysis never
crashes, apply always emits code that parses, and a second apply changes nothing."""

from __future__ import annotations

import ast

import pytest

# a test dependency, not a framework: skip rather than error where it is missing
pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedmigrate.config import Config
from seedmigrate.guarantees import check, facts_for
from seedmigrate.pipeline import analyse_file, fix_file

IMPORTS = [
    "import random",
    "import numpy as np",
    "from numpy import random as npr",
    "import torch",
    "from torch import manual_seed",
    "import tensorflow as tf",
    "from tensorflow import keras",
    "import argparse",
    "import horovod.torch as hvd",
    "import torch.distributed as dist",
    "import seeder_runtime.torch as seeder",
    "import fwr13y.seeder.pyt as seeder",
    "from absl import flags, app",
    "import os",
    "import torch.multiprocessing as mp",
]
STATEMENTS = [
    "random.seed(0)",
    "np.random.seed(args.seed)",
    "npr.seed(1); x = 1",
    "manual_seed(3)",
    "torch.manual_seed(SEED)",
    "torch.cuda.manual_seed_all(0)",
    "tf.random.set_seed(5)",
    "g = torch.manual_seed(0)",
    "rng = np.random.default_rng(0)",
    "random = torch.randn(3)",
    "parser = argparse.ArgumentParser()",
    "parser.add_argument('--seed', type=int, default=42)",
    "parser.add_argument('--epochs', type=int, default=2)",
    "args = parser.parse_args()",
    "args.seed = random.randint(0, 9)",
    "hvd.init()",
    "dist.init_process_group('gloo')",
    "model.fit(x, y, callbacks=[cb])",
    "model.fit(x, y)",
    "history = model.fit(x, callbacks=cbs)",
    "torch.save({'model': 1}, 'c.pt')",
    "flags.DEFINE_integer('seed', 1, 'seed')",
    "seeder.init(master_seed=1)",
    "# a comment about seeding\ntorch.manual_seed(1)",
    "torch.manual_seed(int(os.environ['SEED']))  # from the launcher",
    "sub = parser.add_subparsers()",
    "sp = sub.add_parser('train')",
    "sp.add_argument('--seed', type=int, default=3)",
    "loss.backward()",
    "optimizer.step()",
    "it += 1",
    "mp.spawn(main, nprocs=2)",
    "pass",
    "SEED = 0",
]
HEADERS = [
    "if args.seed is not None:",
    "if torch.cuda.is_available():",
    "for epoch in range(args.epochs):",
    "for ep in range(start_epoch, n_epochs):",
    "for step, batch in enumerate(loader):",
    "for step in range(steps_per_epoch):",
    "for update in range(num_updates):",
    "while it < max_iters:",
    "if args.distributed:",
    "def set_seed(seed):",
    "def main():",
    "if __name__ == '__main__':",
    "with open('f') as handle:",
    "try:",
]


@st.composite
def blocks(draw, depth=0):
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.booleans()):
            header = draw(st.sampled_from(HEADERS))
            body = draw(blocks(depth + 1))
            lines.append(header)
            lines.extend("    " + line for line in body)
            if header == "try:":
                lines.append("except Exception:")
                lines.append("    pass")
        else:
            lines.extend(draw(st.sampled_from(STATEMENTS)).split("\n"))
    return lines


@st.composite
def programs(draw):
    imports = draw(st.lists(st.sampled_from(IMPORTS), max_size=5, unique=True))
    body = draw(blocks())
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join([*imports, "", *body]) + newline
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_apply_never_crashes_and_emits_valid_idempotent_code(tmp_path_factory, source):
    path = tmp_path_factory.mktemp("prop") / "train.py"
    path.write_bytes(source.encode())
    ast.parse(source)  # the generator only builds valid programs
    config = Config()
    result = fix_file(analyse_file(path, config, force=True), config)
    assert result.error is None, (result.error, source)
    if not result.changed:
        return
    ast.parse(result.new_text)
    assert ("\r\n" in result.new_text) == ("\r\n" in source)
    # what apply writes keeps every guarantee (the checker in seedmigrate.guarantees)
    before = facts_for(result.source.text, ast.parse(result.source.text))
    assert check(before, facts_for(result.new_text, ast.parse(result.new_text))) == []
    path.write_bytes(result.source.encode(result.new_text))
    again = fix_file(analyse_file(path, config, force=True), config)
    assert again.error is None, again.error
    assert not again.changed, (source, result.new_text, again.new_text)
