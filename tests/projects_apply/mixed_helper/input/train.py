import argparse

import torch

from common import setup


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    setup(args.seed)
    model = torch.nn.Linear(3, 1)
    for epoch in range(args.epochs):
        print(epoch, model(torch.randn(2, 3)).sum().item())


if __name__ == "__main__":
    main()
