import os
import random

import numpy as np
import torch


def setup(seed, deterministic=True):
    """Make runs repeatable and fast enough."""
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # deterministic kernels cost speed
    torch.backends.cudnn.deterministic = deterministic
    torch.backends.cudnn.benchmark = not deterministic
