"""A job script configured through the environment (a scheduler sets SEED and EPOCHS):
``torch.manual_seed(int(os.environ["SEED"]))`` and the same for numpy, no parser."""

import json
import os

import numpy as np
import torch
from torch import nn


def main():
    epochs = int(os.environ.get("EPOCHS", "3"))
    torch.manual_seed(int(os.environ["SEED"]))
    np.random.seed(int(os.environ["SEED"]))
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
            noisy = x[idx] + torch.from_numpy(np.random.normal(0, 0.1, (len(idx), 2))).float()
            loss = nn.functional.mse_loss(model(noisy), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item().hex())
        result = {
            "epoch": epoch,
            "losses": losses,
            "probe": [float(np.random.random()).hex(), torch.rand(1).item().hex()],
        }
        print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
