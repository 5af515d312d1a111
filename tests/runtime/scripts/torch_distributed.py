"""One rank of the 2-process gloo test: prints this rank's seeds as JSON."""

from __future__ import annotations

import json
import os
import sys

import torch
import torch.distributed as dist

import seeder_runtime.torch as seeder
from seeder_runtime import _core


def main():
    dist.init_process_group("gloo")
    seen = {}
    seeder.register_generator(lambda s: seen.__setitem__("rank", s))
    seeder.register_generator(lambda s: seen.__setitem__("shared", s), shared=True)
    master = seeder.init()  # None: generated on rank 0, broadcast to every rank
    seeder.reseed(1, 3)
    report = {
        "rank": dist.get_rank(),
        "detected": list(_core.last_reseed()[3:]),
        "master": master,
        "rank_seed": seen["rank"],
        "shared_seed": seen["shared"],
        "torch_draw": torch.rand(1).item(),
        "sampler_seed": seeder.sampler_seed(),
    }
    dist.barrier()
    dist.destroy_process_group()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
    # Skip interpreter shutdown: a gloo worker still releasing the last collective's
    # tensors then would need the GIL and abort the rank (pytorch/pytorch#179291).
    sys.stdout.flush()
    os._exit(0)
