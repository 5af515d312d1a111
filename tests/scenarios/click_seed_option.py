"""A click command-line trainer: ``@click.option("--seed", default=0)`` passed to the
command function, which seeds random/numpy/torch and trains."""

import json
import random

import click
import numpy as np
import torch
from torch import nn


@click.command()
@click.option("--epochs", default=3, show_default=True, help="Number of epochs.")
@click.option("--lr", default=0.05, show_default=True, help="Learning rate.")
@click.option("--seed", default=0, show_default=True, help="Random seed.")
def train(epochs, lr, seed):
    """Train a tiny MLP on synthetic data."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)

    model = nn.Sequential(nn.Linear(3, 12), nn.ReLU(), nn.Dropout(0.3), nn.Linear(12, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    x = torch.linspace(0, 1, 36).reshape(12, 3)
    y = x.prod(dim=1, keepdim=True)

    for epoch in range(epochs):
        losses = []
        for batch in torch.randperm(len(x)).split(4):
            loss = nn.functional.mse_loss(model(x[batch]), y[batch])
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
        click.echo("RESULT " + json.dumps(result))


if __name__ == "__main__":
    train()
