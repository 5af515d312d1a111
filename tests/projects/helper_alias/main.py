from utils.misc import fix_random_seeds as frs


def main(args):
    frs(args.seed)


if __name__ == "__main__":
    main(None)
