"""Train a small PyTorch classifier with a plain training loop on synthetic data.

An *unmigrated* script, seeded the old manual way: run ``seedmigrate apply`` on it to
make it deterministic and resumable, and ``seedmigrate verify`` to prove it. It has the
usual sources of randomness: weight init, Dropout, a shuffling ``DataLoader`` with two
worker processes, and numpy noise added in the Dataset's ``__getitem__``.

Run it (a few seconds on a CPU):

    python examples/torch_loop/train.py --epochs 4
    python examples/torch_loop/train.py --epochs 2 --save /tmp/ckpt.pt
    python examples/torch_loop/train.py --epochs 4 --resume /tmp/ckpt.pt

The checkpoint, written after every epoch, holds the model, the optimizer and the next
epoch, so ``--resume``
continues where the saved run stopped. Every training step prints
``epoch E step S loss=L`` with the loss at full precision.
"""

import argparse
import random

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

NUM_SAMPLES = 256
NUM_FEATURES = 16
NUM_CLASSES = 3
BATCH_SIZE = 32


class NoisyPoints(Dataset):
    """Fixed points and labels; each access adds fresh Gaussian noise (augmentation)."""

    def __init__(self, x, y, noise=0.1):
        self.x, self.y, self.noise = x, y, noise

    def __len__(self):
        return len(self.x)

    def __getitem__(self, index):
        noise = np.random.normal(0.0, self.noise, size=self.x[index].shape)
        return torch.from_numpy((self.x[index] + noise).astype(np.float32)), int(self.y[index])


def make_dataset():
    """Synthetic data: points labelled by a random linear map."""
    x = np.random.normal(size=(NUM_SAMPLES, NUM_FEATURES))
    weights = np.random.normal(size=(NUM_FEATURES, NUM_CLASSES))
    y = np.argmax(x @ weights, axis=1)
    return NoisyPoints(x, y)


def build_model():
    return nn.Sequential(
        nn.Linear(NUM_FEATURES, 32),
        nn.ReLU(),
        nn.Dropout(0.3),
        nn.Linear(32, NUM_CLASSES),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=42, help="random seed")
    parser.add_argument("--save", help="write a checkpoint here after every epoch")
    parser.add_argument("--resume", help="resume from this checkpoint")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)

    dataset = make_dataset()
    loader = DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=True, num_workers=2)
    model = build_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    start_epoch = 0
    if args.resume:
        checkpoint = torch.load(args.resume)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        start_epoch = checkpoint["epoch"]

    for epoch in range(start_epoch, args.epochs):
        model.train()
        for step, (inputs, targets) in enumerate(loader):
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
            print(f"epoch {epoch} step {step} loss={loss.item()!r}", flush=True)
        if args.save:
            checkpoint = {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "epoch": epoch + 1,
            }
            torch.save(checkpoint, args.save)


if __name__ == "__main__":
    main()
