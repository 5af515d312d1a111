"""Small PyTorch training run used by the resume test.

usage: torch_resume.py OUT_JSON --epochs N [--start K --checkpoint PATH] [--stop-after K]
Prints nothing; writes {"losses": [[epoch, step, loss-as-hex], ...]} to OUT_JSON.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

import seeder_runtime.torch as seeder


class NoisyData(Dataset):
    """Fixed data plus per-sample augmentation noise drawn in the workers."""

    def __init__(self):
        gen = torch.Generator().manual_seed(1234)
        self.x = torch.randn(48, 6, generator=gen)
        self.y = torch.randn(48, 1, generator=gen)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        noise = torch.randn(6) * 0.1 + float(np.random.normal()) * 0.01
        return self.x[i] + noise, self.y[i]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--stop-after", type=int, default=None)
    parser.add_argument("--checkpoint", default=None)
    args = parser.parse_args()

    seeder.init(master_seed=2024)
    seeder.reseed(0, 0)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    if args.start:
        checkpoint = torch.load(args.checkpoint, weights_only=True)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        assert checkpoint["epoch"] == args.start
    loader = DataLoader(
        NoisyData(), batch_size=8, shuffle=True, num_workers=2, worker_init_fn=seeder.worker_init_fn
    )
    losses = []
    for epoch in range(args.start, args.epochs):
        seeder.reseed(1, epoch)
        model.train()
        for step, (x, y) in enumerate(loader):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append([epoch, step, float(loss).hex()])
        if args.stop_after is not None and epoch + 1 == args.stop_after:
            torch.save(
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "epoch": epoch + 1,
                },
                args.checkpoint,
            )
            break
    with open(args.out, "w") as f:
        json.dump({"losses": losses}, f)


if __name__ == "__main__":
    main()
