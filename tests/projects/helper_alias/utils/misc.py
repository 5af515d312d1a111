import numpy as np


def fix_random_seeds(seed=31):
    """Fix random seeds."""
    np.random.seed(seed)
