import argparse

import torch

import proj.rng


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    proj.rng.seed_all(args.seed)
    for epoch in range(2):
        print("b", epoch, torch.rand(1).item())


if __name__ == "__main__":
    main()
