import random


def set_seed(s):
    random.seed(s)
