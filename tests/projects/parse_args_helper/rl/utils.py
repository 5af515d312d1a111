import argparse


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--env-id", type=str, default="CartPole-v1")
    parser.add_argument("--seed", type=int, default=42, help="seed of the experiment")
    return parser.parse_args()


def add_common_args(parser):
    group = parser.add_argument_group("common")
    group.add_argument("--random-seed", type=int, default=0)


def build_parser():
    parser = argparse.ArgumentParser()
    add_common_args(parser)
    return parser


def parse_known():
    parser = build_parser()
    args, _ = parser.parse_known_args()
    return args
