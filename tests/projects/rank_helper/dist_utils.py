import os
import random

import numpy as np
import torch
import torch.distributed as dist


def seed_per_rank(seed):
    seed = seed + dist.get_rank()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def seed_with_local_rank(seed, local_rank):
    torch.manual_seed(seed + local_rank)


def seed_from_env(base):
    np.random.seed(base + int(os.environ["RANK"]))


def seed_process(args):
    seed_with_local_rank(args.seed, args.local_rank)
