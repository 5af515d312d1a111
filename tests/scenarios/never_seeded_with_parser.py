"""A script that parses options but never seeds (many research scripts): an MLP trained
for ``--iters`` iterations on freshly drawn batches, counting ``for it in
range(args.iters):``, with Dropout. Migrated, it gets ``--seed`` and the reseed in its
iteration loop; before that, no two runs agree."""

import argparse
import json

import torch
from torch import nn


def get_batch(batch_size):
    x = torch.randn(batch_size, 6)
    y = (x[:, :3].sum(dim=1) > 0).long()
    return x, y


def main():
    parser = argparse.ArgumentParser(description="never-seeded MLP")
    parser.add_argument("--iters", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args()
    torch.set_num_threads(1)

    model = nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Dropout(0.3), nn.Linear(12, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    for it in range(args.iters):
        x, y = get_batch(args.batch_size)
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        result = {"iter": it, "loss": loss.item().hex(), "probe": [torch.rand(1).item().hex()]}
        print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
