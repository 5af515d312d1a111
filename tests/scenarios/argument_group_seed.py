"""timm train.py style: options spread over argument groups, the seed option in the
'Miscellaneous' group without a type (``--seed 7`` arrives as a string), and a
``random_seed(seed, rank)`` helper that seeds random/numpy/torch."""

import argparse
import json
import random

import numpy as np
import torch
from torch import nn

parser = argparse.ArgumentParser(description="Training Config", add_help=True)
group = parser.add_argument_group("Model parameters")
group.add_argument("--hidden", type=int, default=16, metavar="N")
group.add_argument("--drop", type=float, default=0.25, metavar="PCT", help="Dropout rate")
train = parser.add_argument_group("Training parameters")
train.add_argument("--epochs", type=int, default=3, metavar="N")
train.add_argument("--lr", type=float, default=0.1, metavar="LR")
train.add_argument("--seed", default=42, metavar="S", help="random seed (default: 42)")
misc = parser.add_argument_group("Miscellaneous parameters")
misc.add_argument("--log-interval", type=int, default=50, metavar="N")


def random_seed(seed=42, rank=0):
    torch.manual_seed(seed + rank)
    np.random.seed(seed + rank)
    random.seed(seed + rank)


def main():
    args = parser.parse_args()
    torch.set_num_threads(1)
    args.rank = 0
    random_seed(int(args.seed), args.rank)

    model = nn.Sequential(
        nn.Linear(3, args.hidden), nn.GELU(), nn.Dropout(args.drop), nn.Linear(args.hidden, 1)
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    inputs = torch.linspace(-1, 1, 60).reshape(20, 3)
    targets = inputs.pow(2).sum(dim=1, keepdim=True)

    for epoch in range(args.epochs):
        order = np.random.permutation(len(inputs))
        losses = []
        for start in range(0, len(order), 5):
            batch = torch.from_numpy(order[start : start + 5])
            loss = nn.functional.mse_loss(model(inputs[batch]), targets[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item().hex())
        result = {
            "epoch": epoch,
            "losses": losses,
            "order": order.tolist(),
            "probe": [
                random.random().hex(),
                float(np.random.random()).hex(),
                torch.rand(1).item().hex(),
            ],
        }
        print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
