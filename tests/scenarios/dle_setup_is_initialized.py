"""NVIDIA DeepLearningExamples style: a ``setup_distributed()`` helper called from main()
that initialises the process group only ``if "RANK" in os.environ`` and ``if not
torch.distributed.is_initialized()``, seeding with ``args.seed + rank`` so each worker
draws its own data noise, and a DistributedSampler with ``set_epoch``."""

import argparse
import json
import os
import random
import sys

import numpy as np
import torch
import torch.distributed
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler


def parse_args():
    parser = argparse.ArgumentParser(description="PyTorch Training")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1, help="Random seed")
    parser.add_argument("--backend", default="gloo")
    return parser.parse_args()


def setup_distributed(args):
    args.distributed = False
    args.world_size = 1
    args.rank = 0
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        args.distributed = int(os.environ["WORLD_SIZE"]) > 1
    if args.distributed:
        if not torch.distributed.is_initialized():
            torch.distributed.init_process_group(backend=args.backend, init_method="env://")
        args.world_size = torch.distributed.get_world_size()
        args.rank = torch.distributed.get_rank()
    return args


def build_loader(args):
    x = torch.cos(torch.arange(64 * 4, dtype=torch.float32) * 0.21).reshape(64, 4)
    y = x @ torch.tensor([[0.5], [-1.0], [0.25], [2.0]])
    dataset = TensorDataset(x, y, torch.arange(64))
    sampler = DistributedSampler(dataset) if args.distributed else None
    loader = DataLoader(
        dataset, batch_size=args.batch_size, sampler=sampler, shuffle=sampler is None
    )
    return loader, sampler


def main():
    args = parse_args()
    torch.set_num_threads(1)
    setup_distributed(args)

    torch.manual_seed(args.seed + args.rank)
    np.random.seed(seed=args.seed + args.rank)
    random.seed(args.seed + args.rank)

    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Dropout(0.2), nn.Linear(16, 1))
    if args.distributed:
        model = nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    loader, sampler = build_loader(args)

    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        losses, seen = [], []
        for inputs, targets, index in loader:
            inputs = inputs + torch.from_numpy(np.random.normal(0, 0.05, inputs.shape)).float()
            loss = nn.functional.mse_loss(model(inputs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item().hex())
            seen += index.tolist()
        result = {
            "rank": args.rank,
            "epoch": epoch,
            "losses": losses,
            "indices": seen,
            "probe": [
                random.random().hex(),
                float(np.random.random()).hex(),
                torch.rand(1).item().hex(),
            ],
        }
        print("RESULT " + json.dumps(result), flush=True)

    if args.distributed:
        # both ranks finish their gloo work before either tears down: without the barrier, gloo
        # aborts a process at exit now and then ("terminate called without an active exception")
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
    # Leave without interpreter shutdown: a gloo worker thread still releasing the last
    # collective would then abort the rank (pytorch/pytorch#179291: "terminate called
    # without an active exception"). Everything is printed and flushed by now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
