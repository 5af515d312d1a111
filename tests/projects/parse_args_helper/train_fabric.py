import torch
from rl.utils import parse_args


def main(args):
    torch.manual_seed(args.seed)


if __name__ == "__main__":
    args = parse_args()
    main(args)
