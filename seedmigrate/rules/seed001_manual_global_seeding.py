"""SEED001: manual seeding of a process-global RNG."""

from __future__ import annotations

from collections.abc import Iterator

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Edit, Finding
from seedmigrate.rules.base import Rule


def check(facts: FileFacts) -> Iterator[Finding]:
    seeding = facts.seeding
    for call in seeding.calls:
        if not call.statement_level or call.in_loop_or_thread:
            continue
        stmt = facts.ctx.parent(call.call)
        target = seeding.removal_target(stmt)
        yield facts.ctx.finding(
            "SEED001",
            call.call,
            f"`{call.qualname}` seeds a global RNG by hand; "
            "seeder.reseed derives its seed per task, epoch and rank",
            (Edit("remove", facts.ctx.pos(target)),),
        )


RULE = Rule(
    code="SEED001",
    slug="manual-global-seeding",
    summary="Global RNG seeded by hand",
    why=(
        "A fixed `torch.manual_seed(seed)` at start-up makes every epoch, every rank and "
        "every resumed run draw from one stream: ranks share dropout masks and augmentations, "
        "and a job resumed at epoch 50 replays epoch 0's randomness. `seeder.reseed(task, "
        "epoch)` derives an independent seed per (master seed, task, epoch, rank) instead."
    ),
    fix=(
        "`apply` removes the call. An `if` that only guarded seeding goes with it; a block "
        "left empty gets `pass`; an import left unused by the removal goes too. The master "
        "seed now reaches `seeder.init`."
    ),
    fixable=True,
    check=check,
    # every SEEDING_FUNCTIONS name ends in ...seed...
    tokens=(("seed",),),
    examples=(
        (
            "import numpy as np\nimport torch\n\nnp.random.seed(0)\ntorch.manual_seed(0)\n"
            "x = torch.from_numpy(np.ones(3))\n",
            "import numpy as np\nimport torch\n\nx = torch.from_numpy(np.ones(3))\n",
        ),
        (
            "from numpy import random as npr\n\n\ndef main(seed):\n"
            "    if seed is not None:\n        npr.seed(seed)\n    return npr.rand()\n",
            "from numpy import random as npr\n\n\ndef main(seed):\n    return npr.rand()\n",
        ),
    ),
    invalid=(
        "import random\nrandom.seed(1)\n",
        "import tensorflow.compat.v1 as tf\ntf.set_random_seed(3)\n",
        "from torch import manual_seed\nmanual_seed(7)\n",
        "import keras\nkeras.utils.set_random_seed(1)\n",
    ),
    valid=(
        "import torch\n\ndef f():\n    random = torch.randn(3)\n    random.seed(1)\n",
        "import random\nrng = random.Random(0)\n",
    ),
)
