import random

import numpy as np


def seed_everything(seed):
    """Seed random and numpy."""
    random.seed(seed)
    np.random.seed(seed)
