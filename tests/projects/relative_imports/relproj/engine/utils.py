from ..common import seed as seed_module
from ..common.seed import seed_everything


def set_seed(seed):
    seed_everything(seed)


def also_seeds(value):
    seed_module.seed_everything(value)
