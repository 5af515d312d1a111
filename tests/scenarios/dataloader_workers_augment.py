"""A Dataset that augments with ``np.random`` and ``random`` inside ``__getitem__``, read by
a shuffling ``DataLoader(num_workers=2)``: the randomness happens in worker processes.
Seeded once at start-up with ``--seed`` (default 0) as most scripts do."""

import argparse
import json
import random

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class NoisySignals(Dataset):
    def __init__(self, n=16):
        self.signals = np.sin(np.arange(n * 4, dtype=np.float32) * 0.8).reshape(n, 4)

    def __len__(self):
        return len(self.signals)

    def __getitem__(self, index):
        signal = self.signals[index] + np.random.normal(0, 0.2, size=4).astype(np.float32)
        if random.random() < 0.5:
            signal = signal[::-1].copy()
        return torch.from_numpy(signal), torch.tensor([float(self.signals[index].sum())]), index


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    np.random.seed(args.seed)
    random.seed(args.seed)
    torch.manual_seed(args.seed)

    loader = DataLoader(NoisySignals(), batch_size=4, shuffle=True, num_workers=args.workers)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)

    for epoch in range(args.epochs):
        losses, batches = [], []
        for inputs, targets, index in loader:
            loss = nn.functional.mse_loss(model(inputs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item().hex())
            batches.append(index.tolist())
        result = {"epoch": epoch, "losses": losses, "batches": batches}
        print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
