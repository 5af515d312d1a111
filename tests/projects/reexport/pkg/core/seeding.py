import random


def set_seed(seed):
    random.seed(seed)
