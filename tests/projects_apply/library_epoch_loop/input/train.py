import argparse

import torch

from engine import fit


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    fit(torch.nn.Linear(3, 1), 2)


if __name__ == "__main__":
    main()
