"""The Hugging Face example-script habit of seeding twice: ``set_seed(args.seed)`` in
main() before the model is built, and again in ``train()`` right before the epoch loop
("added here for reproducibility"). The model's initial weights depend on the first call,
so whatever replaces it must still run before the model is built."""

import argparse
import json
import random

import numpy as np
import torch
from torch import nn


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train(args, model):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.linspace(-1, 1, 24).reshape(8, 3)
    y = x.sum(dim=1, keepdim=True)
    set_seed(args.seed)  # Added here for reproducibility
    for epoch in range(args.epochs):
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
            "weights": [w.hex() for w in model[0].weight.flatten().tolist()[:3]],
            "probe": [random.random().hex(), float(np.random.random()).hex()],
        }
        print("RESULT " + json.dumps(result), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42, help="random seed for initialization")
    args = parser.parse_args()
    torch.set_num_threads(1)
    set_seed(args.seed)

    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 1))
    train(args, model)


if __name__ == "__main__":
    main()
