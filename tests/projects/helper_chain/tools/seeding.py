import random

import torch


def fix_everything(s):
    _seed_torch(s)
    random.seed(s)


def _seed_torch(value):
    torch.manual_seed(value)
