import argparse

import torch

from proj import seed_all


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed_all(args.seed if args.seed is not None else 0)
    for epoch in range(2):
        print("a", epoch, torch.rand(1).item())


if __name__ == "__main__":
    main()
