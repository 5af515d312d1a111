"""A script with two seeds: ``--seed`` for the model (torch) and ``--data-seed`` for the
data order (numpy), as fairseq-style and Hugging Face ``data_seed`` setups have.
``seeder.init`` takes one master seed, so removing ``np.random.seed(args.data_seed)``
would silently drop the data seed, and keeping it beside ``init`` would not keep it either
(``seeder.reseed(1, epoch)`` reseeds numpy): apply must leave the script as it is and say
why (SEED022, guarantee e), for a human to decide."""

import argparse
import json

import numpy as np
import torch
from torch import nn


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=3, help="model initialisation and dropout")
    parser.add_argument("--data-seed", type=int, default=0, help="order of the training data")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    np.random.seed(args.data_seed)

    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.linspace(-1, 1, 30).reshape(10, 3)
    y = x.sum(dim=1, keepdim=True)

    for epoch in range(args.epochs):
        order = np.random.permutation(len(x))
        losses = []
        for i in range(0, len(order), 2):
            batch = torch.from_numpy(order[i : i + 2])
            loss = nn.functional.mse_loss(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item().hex())
        result = {
            "epoch": epoch,
            "order": order.tolist(),
            "losses": losses,
            "probe": [torch.rand(1).item().hex()],
        }
        print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
