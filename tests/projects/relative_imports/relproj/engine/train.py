from . import utils
from .utils import set_seed


def main(seed):
    utils.set_seed(seed)
    set_seed(seed)


if __name__ == "__main__":
    main(0)
