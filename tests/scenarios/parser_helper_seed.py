"""NVIDIA DeepLearningExamples ConvNets style: options added by ``add_parser_arguments(
parser)``, a helper that receives the parser, including ``--seed`` (default None);
seeding guarded by ``if args.seed is not None:`` with a per-rank offset."""

import argparse
import json
import random

import numpy as np
import torch
from torch import nn


def add_parser_arguments(parser):
    parser.add_argument("--epochs", default=3, type=int, metavar="N", help="number of total epochs")
    parser.add_argument("-b", "--batch-size", default=4, type=int, metavar="N")
    parser.add_argument("--lr", default=0.1, type=float, metavar="LR")
    parser.add_argument(
        "--seed", default=None, type=int, help="random seed used for numpy and pytorch"
    )
    parser.add_argument("--local_rank", default=0, type=int)


def main(args):
    torch.set_num_threads(1)
    if args.seed is not None:
        print("Using seed = {}".format(args.seed))
        torch.manual_seed(args.seed + args.local_rank)
        torch.cuda.manual_seed(args.seed + args.local_rank)
        np.random.seed(seed=args.seed + args.local_rank)
        random.seed(args.seed + args.local_rank)

    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    images = torch.sin(torch.arange(32 * 4, dtype=torch.float32)).reshape(32, 4)
    labels = torch.arange(32) % 3
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(images, labels), batch_size=args.batch_size, shuffle=True
    )

    for epoch in range(0, args.epochs):
        losses = []
        for i, (inputs, target) in enumerate(loader):
            loss = nn.functional.cross_entropy(model(inputs), target)
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
    parser = argparse.ArgumentParser(description="PyTorch ImageNet Training")
    add_parser_arguments(parser)
    args = parser.parse_args()
    main(args)
