import argparse
import os

import torch

import seeder_runtime.torch as seeder


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    seeder.init(master_seed=args.seed)
    args.seed = seeder.get_master_seed()
    seeder.reseed(0, 0)
    rank = int(os.environ.get("RANK", 0))
    model = torch.nn.Linear(3, 1)
    for epoch in range(args.epochs):
        seeder.reseed(1, epoch)
        print(epoch, model(torch.randn(2, 3)).sum().item())


if __name__ == "__main__":
    main()
