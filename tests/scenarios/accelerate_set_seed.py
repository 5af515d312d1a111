"""Hugging Face accelerate 'nlp_example' shape: ``accelerator = Accelerator(cpu=True)``,
``set_seed(args.seed)`` from accelerate.utils, ``accelerator.prepare(...)`` and
``accelerator.backward(loss)`` in an epoch loop with a shuffled DataLoader."""

import argparse
import json
import os
import random
import sys

import numpy as np
import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def training_function(args):
    accelerator = Accelerator(cpu=args.cpu)
    set_seed(args.seed)
    torch.set_num_threads(1)

    features = torch.sin(torch.arange(40 * 5, dtype=torch.float32) * 0.9).reshape(40, 5)
    labels = (features[:, 0] + features[:, 3] > 0).long()
    train_dataloader = DataLoader(
        TensorDataset(features, labels), shuffle=True, batch_size=args.batch_size
    )
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 2))
    optimizer = torch.optim.AdamW(params=model.parameters(), lr=args.lr)
    model, optimizer, train_dataloader = accelerator.prepare(model, optimizer, train_dataloader)

    for epoch in range(args.num_epochs):
        model.train()
        losses = []
        for step, (inputs, targets) in enumerate(train_dataloader):
            outputs = model(inputs)
            loss = nn.functional.cross_entropy(outputs, targets)
            accelerator.backward(loss)
            optimizer.step()
            optimizer.zero_grad()
            losses.append(loss.item().hex())
        result = {
            "rank": accelerator.process_index,
            "epoch": epoch,
            "losses": losses,
            "probe": [
                random.random().hex(),
                float(np.random.random()).hex(),
                torch.rand(1).item().hex(),
            ],
        }
        print("RESULT " + json.dumps(result), flush=True)  # every process, not only the main one


def main():
    parser = argparse.ArgumentParser(description="Simple example of training script.")
    parser.add_argument("--cpu", action="store_true", help="If passed, will train on the CPU.")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--lr", type=float, default=2e-2)
    parser.add_argument("--num_epochs", type=int, default=3)
    parser.add_argument("--batch_size", type=int, default=8)
    args = parser.parse_args()
    training_function(args)


if __name__ == "__main__":
    main()
    # Leave without interpreter shutdown: a gloo worker thread still releasing the last
    # collective would then abort the rank (pytorch/pytorch#179291: "terminate called
    # without an active exception"). Everything is printed and flushed by now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
