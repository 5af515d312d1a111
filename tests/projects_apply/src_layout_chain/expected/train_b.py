import argparse

import torch

import seeder_runtime.torch as seeder


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seeder.init(master_seed=args.seed)
    args.seed = seeder.get_master_seed()
    seeder.reseed(0, 0)
    for epoch in range(2):
        seeder.reseed(1, epoch)
        print("b", epoch, torch.rand(1).item())


if __name__ == "__main__":
    main()
