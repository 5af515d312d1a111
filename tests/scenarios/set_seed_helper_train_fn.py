"""pytorch/examples mnist/main.py shape with a ``set_seed(seed)`` helper that only seeds:
main() parses ``--seed`` (default 1) and calls ``set_seed(args.seed)``, then
``train(args, model)`` holds the epoch loop (``for epoch in range(1, args.epochs + 1)``)
and calls a per-epoch ``train_one_epoch`` with its batch loop; a StepLR scheduler."""

import argparse
import json
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(9, 16)
        self.dropout1 = nn.Dropout(0.25)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        x = self.dropout1(F.relu(self.fc1(x)))
        return F.log_softmax(self.fc2(x), dim=1)


def train_one_epoch(args, model, device, train_loader, optimizer, epoch):
    model.train()
    losses = []
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item().hex())
    return losses


def train(args, model):
    device = torch.device("cpu")
    images = torch.cos(torch.arange(36 * 9, dtype=torch.float32) * 0.05).reshape(36, 9)
    labels = torch.arange(36) % 3
    train_loader = DataLoader(
        TensorDataset(images, labels), batch_size=args.batch_size, shuffle=True
    )
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        losses = train_one_epoch(args, model, device, train_loader, optimizer, epoch)
        scheduler.step()
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


def main():
    # Training settings
    parser = argparse.ArgumentParser(description="PyTorch MNIST Example")
    parser.add_argument("--batch-size", type=int, default=6, metavar="N")
    parser.add_argument("--epochs", type=int, default=3, metavar="N")
    parser.add_argument("--lr", type=float, default=1.0, metavar="LR")
    parser.add_argument("--gamma", type=float, default=0.7, metavar="M")
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default: 1)")
    args = parser.parse_args()
    torch.set_num_threads(1)

    set_seed(args.seed)

    model = Net()
    train(args, model)


if __name__ == "__main__":
    main()
