import random

import numpy as np
import torch


def set_seed(seed, rank):
    """Each rank draws its own stream."""
    seed = seed + rank
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
