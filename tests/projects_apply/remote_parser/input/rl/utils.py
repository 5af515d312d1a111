import argparse


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=42, help="seed of the experiment")
    parser.add_argument("--num-updates", type=int, default=3)
    parser.add_argument("--update-epochs", type=int, default=2)
    return parser.parse_args()
