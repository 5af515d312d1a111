import random

import numpy as np
import torch


def _seed_torch(seed):
    torch.manual_seed(seed)


def seed_all(seed):
    """Two levels down: seed_all -> _seed_torch."""
    random.seed(seed)
    np.random.seed(seed)
    _seed_torch(seed)
