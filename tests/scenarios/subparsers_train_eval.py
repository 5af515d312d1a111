"""pytorch/examples fast_neural_style/neural_style.py shape: ``train`` and ``eval``
subcommands (``add_subparsers``), each with its own ``--seed`` (default 42); train seeds
numpy and torch inside ``train(args)``, eval seeds torch in ``stylize(args)``."""

import argparse
import json
import sys

import numpy as np
import torch
from torch import nn


class TransformerNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Dropout(0.3), nn.Linear(12, 6))

    def forward(self, x):
        return self.body(x)


def train(args):
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    images = torch.cos(torch.arange(30 * 6, dtype=torch.float32) * 0.11).reshape(30, 6)
    transformer = TransformerNet()
    optimizer = torch.optim.Adam(transformer.parameters(), args.lr)

    for e in range(args.epochs):
        transformer.train()
        losses = []
        batch_ids = np.random.permutation(len(images)).reshape(-1, args.batch_size)
        for batch_id, rows in enumerate(batch_ids):
            x = images[torch.from_numpy(rows)]
            optimizer.zero_grad()
            y = transformer(x)
            content_loss = args.content_weight * nn.functional.mse_loss(y, x)
            style_loss = args.style_weight * y.var()
            total_loss = content_loss + style_loss
            total_loss.backward()
            optimizer.step()
            losses.append(total_loss.item().hex())
        result = {
            "epoch": e,
            "losses": losses,
            "probe": [float(np.random.random()).hex(), torch.rand(1).item().hex()],
        }
        print("RESULT " + json.dumps(result), flush=True)


def stylize(args):
    torch.manual_seed(args.seed)
    style_model = TransformerNet()
    content = torch.sin(torch.arange(4 * 6, dtype=torch.float32)).reshape(4, 6)
    with torch.no_grad():
        jitter = content + 0.1 * torch.randn_like(content)  # random test-time jitter
        output = style_model(jitter)
    print(
        "RESULT " + json.dumps({"output": [v.hex() for v in output.flatten().tolist()]}), flush=True
    )


def main():
    main_arg_parser = argparse.ArgumentParser(description="parser for fast-neural-style")
    subparsers = main_arg_parser.add_subparsers(title="subcommands", dest="subcommand")

    train_arg_parser = subparsers.add_parser("train", help="parser for training arguments")
    train_arg_parser.add_argument(
        "--epochs", type=int, default=2, help="number of training epochs, default is 2"
    )
    train_arg_parser.add_argument(
        "--batch-size", type=int, default=5, help="batch size for training, default is 5"
    )
    train_arg_parser.add_argument("--seed", type=int, default=42, help="random seed for training")
    train_arg_parser.add_argument("--content-weight", type=float, default=1.0)
    train_arg_parser.add_argument("--style-weight", type=float, default=10.0)
    train_arg_parser.add_argument(
        "--lr", type=float, default=1e-2, help="learning rate, default is 1e-2"
    )

    eval_arg_parser = subparsers.add_parser(
        "eval", help="parser for evaluation/stylizing arguments"
    )
    eval_arg_parser.add_argument("--seed", type=int, default=42, help="random seed for the jitter")

    args = main_arg_parser.parse_args()

    if args.subcommand is None:
        print("ERROR: specify either train or eval")
        sys.exit(1)
    torch.set_num_threads(1)

    if args.subcommand == "train":
        train(args)
    else:
        stylize(args)


if __name__ == "__main__":
    main()
