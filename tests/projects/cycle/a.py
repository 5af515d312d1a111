import random

from b import seed_b


def seed_a(seed, again=True):
    random.seed(seed)
    if again:
        seed_b(seed, False)
