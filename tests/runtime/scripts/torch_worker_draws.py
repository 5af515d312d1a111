"""Draws made inside DataLoader workers seeded by seeder.worker_init_fn.

usage: torch_worker_draws.py CONTEXT [RANK,EPOCH ...]   (CONTEXT: fork or spawn;
default: ranks 0-1 x epochs 0-1)
Prints {"<rank>,<epoch>": [[python, numpy, torch] per sample]} as JSON.
"""

from __future__ import annotations

import json
import random
import sys

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

import seeder_runtime.torch as seeder


class Draws(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        return torch.tensor(
            [random.random(), float(np.random.random()), torch.rand(()).item()],
            dtype=torch.float64,
        )


def main():
    context = sys.argv[1]
    combos = sys.argv[2:] or ["0,0", "0,1", "1,0", "1,1"]
    result = {}
    for combo in combos:
        rank, epoch = (int(v) for v in combo.split(","))
        seeder.init(99, ngpus=2, local_rank=rank)
        seeder.reseed(1, epoch)
        loader = DataLoader(
            Draws(),
            batch_size=1,
            num_workers=2,
            worker_init_fn=seeder.worker_init_fn,
            multiprocessing_context=context,
        )
        result[f"{rank},{epoch}"] = torch.cat(list(loader)).tolist()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
