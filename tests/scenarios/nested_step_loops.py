"""A trainer class whose ``train_epoch`` method loops ``for step in range(
self.steps_per_epoch)``, called from the epoch loop of main(), which also runs a
``for step in range(steps_per_epoch):`` loop of its own (an auxiliary head). Only the
epoch loop is an epoch loop: the step loops must not be reseeded."""

import argparse
import json
import random

import numpy as np
import torch
from torch import nn


class Trainer:
    def __init__(self, model, optimizer, steps_per_epoch, batch_size):
        self.model = model
        self.optimizer = optimizer
        self.steps_per_epoch = steps_per_epoch
        self.batch_size = batch_size

    def sample(self):
        x = torch.randn(self.batch_size, 4)
        return x, x.sum(dim=1, keepdim=True)

    def train_epoch(self):
        self.model.train()
        losses = []
        for step in range(self.steps_per_epoch):
            x, y = self.sample()
            loss = nn.functional.mse_loss(self.model(x), y)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            losses.append(loss.item().hex())
        return losses


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--steps-per-epoch", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.25), nn.Linear(8, 1))
    aux_head = nn.Linear(4, 1)
    trainer = Trainer(model, torch.optim.SGD(model.parameters(), lr=0.05), args.steps_per_epoch, 6)
    aux_optimizer = torch.optim.SGD(aux_head.parameters(), lr=0.05)
    steps_per_epoch = args.steps_per_epoch

    for epoch in range(args.epochs):
        losses = trainer.train_epoch()
        aux_losses = []
        for step in range(steps_per_epoch):
            x = torch.from_numpy(np.random.uniform(-1, 1, size=(6, 4))).float()
            aux_loss = nn.functional.mse_loss(aux_head(x), x.mean(dim=1, keepdim=True))
            aux_optimizer.zero_grad()
            aux_loss.backward()
            aux_optimizer.step()
            aux_losses.append(aux_loss.item().hex())
        result = {
            "epoch": epoch,
            "losses": losses,
            "aux_losses": aux_losses,
            "probe": [
                random.random().hex(),
                float(np.random.random()).hex(),
                torch.rand(1).item().hex(),
            ],
        }
        print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
