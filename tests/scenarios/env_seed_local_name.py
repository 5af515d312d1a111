"""The environment-seeded job script as it is often written: the seed is read once into a
local (``seed = int(os.environ["SEED"])``), but one call re-reads the environment
(``torch.manual_seed(int(os.environ["SEED"]))``); numpy and random get ``seed``. Both
spellings are the same value, so all three calls can go."""

import json
import os
import random

import numpy as np
import torch
from torch import nn


def main():
    seed = int(os.environ["SEED"])
    epochs = int(os.environ.get("EPOCHS", "3"))
    torch.manual_seed(int(os.environ["SEED"]))
    np.random.seed(seed)
    random.seed(seed)
    torch.set_num_threads(1)

    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.4), nn.Linear(8, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    x = torch.linspace(-2, 2, 40).reshape(20, 2)
    y = (x[:, :1] * x[:, 1:]).tanh()

    for epoch in range(epochs):
        perm = torch.randperm(len(x))
        losses = []
        for i in range(0, len(x), 5):
            idx = perm[i : i + 5]
            if random.random() < 0.2:
                continue  # skip a batch now and then
            noisy = x[idx] + torch.from_numpy(np.random.normal(0, 0.1, (len(idx), 2))).float()
            loss = nn.functional.mse_loss(model(noisy), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item().hex())
        result = {
            "epoch": epoch,
            "losses": losses,
            "probe": [
                random.random().hex(),
                float(np.random.random()).hex(),
                torch.rand(1).item().hex(),
            ],
        }
        print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
