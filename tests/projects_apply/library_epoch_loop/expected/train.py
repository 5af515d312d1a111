import argparse

import torch

from engine import fit
import seeder_runtime.torch as seeder


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seeder.init(master_seed=args.seed)
    args.seed = seeder.get_master_seed()
    seeder.reseed(0, 0)
    fit(torch.nn.Linear(3, 1), 2)


if __name__ == "__main__":
    main()
