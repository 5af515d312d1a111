import argparse
import os

import torch

from dist_utils import set_seed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    rank = int(os.environ.get("RANK", 0))
    set_seed(args.seed, rank)
    model = torch.nn.Linear(3, 1)
    for epoch in range(args.epochs):
        print(epoch, model(torch.randn(2, 3)).sum().item())


if __name__ == "__main__":
    main()
