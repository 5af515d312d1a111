from utils.misc import fix_random_seeds as frs


def main(args):
    frs(args.seed)


def local_import(seed):
    from utils import misc

    misc.fix_random_seeds(seed)


if __name__ == "__main__":
    main(None)
