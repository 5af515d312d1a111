import argparse

import torch

import utils


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    utils.fix_random_seeds(args.seed)
    model = torch.nn.Linear(3, 1)
    print("parameters", utils.count_parameters(model))
    for epoch in range(args.epochs):
        print(epoch, model(torch.randn(2, 3)).sum().item())


if __name__ == "__main__":
    main()
