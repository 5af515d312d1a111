"""Helpers of the training scripts."""
import random

import numpy as np
import torch


def fix_random_seeds(seed=31):
    """Fix random seeds."""
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    np.random.seed(seed)
    random.seed(seed)


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
