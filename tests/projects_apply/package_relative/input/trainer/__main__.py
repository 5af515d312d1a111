import argparse

import torch

from .seeding import set_seed as seed_everything


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    seed_everything(args.seed)
    model = torch.nn.Linear(3, 1)
    for epoch in range(args.epochs):
        print(epoch, model(torch.randn(2, 3)).sum().item())


main()
