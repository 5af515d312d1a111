"""One process of the rank-detection tests: distribution set up (or not), then ``init``
exactly as ``seedmigrate apply`` writes it, after the set-up and outside its condition.

    python init_placement.py --setup {none,torch-imported,gloo,fake-horovod}
        [--backend core|torch] [--rank R --world-size W --init-method URL] [--seed N]
        [--init-before-group]

``--init-before-group``: a first ``init`` before the group exists (the parse site, as in
pytorch/examples imagenet run one process per rank), whose drawn seed is written back
into ``args.seed`` and handed to the ``init`` after the group is set up.

Prints one JSON line: the rank and world size the seeder uses and the master seed (plus,
for the fake Horovod, what was broadcast). Horovod is not installed here: ``fake-horovod``
puts a minimal ``horovod.torch`` module (``is_initialized``, ``rank``, ``size``,
``broadcast_object``) into ``sys.modules``, which is all the runtime looks at.
"""

from __future__ import annotations

import argparse
import json
import sys
import types

HOROVOD_ROOT_SEED = 4242  # what the fake broadcast_object returns: "rank 0's value"


def fake_horovod(rank: int, size: int, broadcasts: list) -> None:
    hvd = types.ModuleType("horovod.torch")
    hvd.is_initialized = lambda: True
    hvd.rank = lambda: rank
    hvd.size = lambda: size

    def broadcast_object(obj, root_rank=0, name=None):
        broadcasts.append([obj, root_rank])
        return HOROVOD_ROOT_SEED

    hvd.broadcast_object = broadcast_object
    sys.modules["horovod"] = types.ModuleType("horovod")
    sys.modules["horovod.torch"] = hvd


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", required=True)
    parser.add_argument("--backend", default="core", choices=["core", "torch"])
    parser.add_argument("--rank", type=int, default=0)
    parser.add_argument("--world-size", type=int, default=1)
    parser.add_argument("--init-method")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--init-before-group", action="store_true")
    args = parser.parse_args()

    broadcasts: list = []
    dist = None
    if args.init_before_group:
        import seeder_runtime as early

        early.init(master_seed=args.seed)
        args.seed = early.get_master_seed()
        early.reseed(0, 0)
    if args.setup == "fake-horovod":
        fake_horovod(args.rank, args.world_size, broadcasts)
    elif args.setup in ("torch-imported", "gloo"):
        import torch.distributed as dist
    if args.setup == "gloo":  # the script's own `if args.distributed:` block
        dist.init_process_group(
            "gloo", init_method=args.init_method, rank=args.rank, world_size=args.world_size
        )

    if args.backend == "torch":
        import seeder_runtime.torch as seeder
    else:
        import seeder_runtime as seeder
    seeder.init(master_seed=args.seed)
    args.seed = seeder.get_master_seed()
    seeder.reseed(0, 0)

    placement = seeder.state_dict()["seeder"]
    report = {
        "rank": placement["rank"],
        "world_size": placement["world_size"],
        "master": args.seed,
        "broadcasts": broadcasts,
        "torch_loaded": "torch" in sys.modules,
    }
    if args.setup == "gloo":
        dist.barrier()
        dist.destroy_process_group()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
