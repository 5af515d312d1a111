import os

import torch


def setup(seed, deterministic=True):
    """Make runs repeatable and fast enough."""
    os.environ["PYTHONHASHSEED"] = str(seed)
    # deterministic kernels cost speed
    torch.backends.cudnn.deterministic = deterministic
    torch.backends.cudnn.benchmark = not deterministic
