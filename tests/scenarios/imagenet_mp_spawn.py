"""pytorch/examples imagenet/main.py, shrunk: seeding in main() under ``if args.seed is
not None:``, ``mp.spawn(main_worker, ...)`` with --multiprocessing-distributed, the
process group set up in main_worker, DistributedSampler.set_epoch per epoch.

A CPU stand-in for the GPUs of a node: ``--procs-per-node`` processes per node."""

import argparse
import json
import os
import random
import sys
import warnings

import numpy as np
import torch
import torch.backends.cudnn as cudnn
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.utils.data
import torch.utils.data.distributed

parser = argparse.ArgumentParser(description="PyTorch ImageNet Training")
parser.add_argument("--epochs", default=3, type=int, metavar="N", help="number of total epochs")
parser.add_argument("--start-epoch", default=0, type=int, metavar="N")
parser.add_argument("-b", "--batch-size", default=8, type=int, metavar="N")
parser.add_argument("--lr", "--learning-rate", default=0.05, type=float, dest="lr")
parser.add_argument("--momentum", default=0.9, type=float)
parser.add_argument("--world-size", default=-1, type=int, help="number of nodes")
parser.add_argument("--rank", default=-1, type=int, help="node rank")
parser.add_argument("--dist-url", default="tcp://127.0.0.1:23456", type=str)
parser.add_argument("--dist-backend", default="gloo", type=str)
parser.add_argument("--seed", default=None, type=int, help="seed for initializing training. ")
parser.add_argument("--multiprocessing-distributed", action="store_true")
parser.add_argument("--procs-per-node", default=2, type=int, help="CPU stand-in for GPUs")


class RandomFlipDataset(torch.utils.data.Dataset):
    """Fixed 'images' with a random horizontal flip (the augmentation of the original)."""

    def __init__(self, n=48):
        grid = torch.arange(n * 2 * 4, dtype=torch.float32)
        self.images = torch.sin(grid * 0.37).reshape(n, 1, 2, 4)
        self.targets = (self.images.sum(dim=(1, 2, 3)) > 0).long()

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        image = self.images[index]
        if random.random() < 0.5:
            image = torch.flip(image, dims=[2])
        return image, self.targets[index], index


def main():
    args = parser.parse_args()

    if args.seed is not None:
        random.seed(args.seed)
        torch.manual_seed(args.seed)
        cudnn.deterministic = True
        cudnn.benchmark = False
        warnings.warn(
            "You have chosen to seed training. "
            "This will turn on the CUDNN deterministic setting, "
            "which can slow down your training considerably! "
            "You may see unexpected behavior when restarting "
            "from checkpoints."
        )

    if args.dist_url == "env://" and args.world_size == -1:
        args.world_size = int(os.environ["WORLD_SIZE"])

    args.distributed = args.world_size > 1 or args.multiprocessing_distributed

    ngpus_per_node = torch.cuda.device_count() or args.procs_per_node
    if args.multiprocessing_distributed:
        args.world_size = ngpus_per_node * args.world_size
        mp.spawn(main_worker, nprocs=ngpus_per_node, args=(ngpus_per_node, args))
    else:
        main_worker(None, ngpus_per_node, args)


def main_worker(gpu, ngpus_per_node, args):
    torch.set_num_threads(1)
    if args.distributed:
        if args.dist_url == "env://" and args.rank == -1:
            args.rank = int(os.environ["RANK"])
        if args.multiprocessing_distributed:
            args.rank = args.rank * ngpus_per_node + gpu
        dist.init_process_group(
            backend=args.dist_backend,
            init_method=args.dist_url,
            world_size=args.world_size,
            rank=args.rank,
        )

    model = nn.Sequential(
        nn.Flatten(), nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 2)
    )
    if args.distributed:
        model = torch.nn.parallel.DistributedDataParallel(model)

    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), args.lr, momentum=args.momentum)

    train_dataset = RandomFlipDataset()
    if args.distributed:
        train_sampler = torch.utils.data.distributed.DistributedSampler(train_dataset)
    else:
        train_sampler = None
    train_loader = torch.utils.data.DataLoader(
        train_dataset,
        batch_size=args.batch_size,
        shuffle=(train_sampler is None),
        num_workers=0,
        sampler=train_sampler,
    )

    for epoch in range(args.start_epoch, args.epochs):
        if args.distributed:
            train_sampler.set_epoch(epoch)
        losses, seen = train(train_loader, model, criterion, optimizer, epoch, args)
        result = {
            "rank": dist.get_rank() if args.distributed else 0,
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
        dist.barrier()
        dist.destroy_process_group()
        if args.multiprocessing_distributed:  # a spawned process: the same ending as below
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)


def train(train_loader, model, criterion, optimizer, epoch, args):
    model.train()
    losses, seen = [], []
    for i, (images, target, index) in enumerate(train_loader):
        output = model(images)
        loss = criterion(output, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item().hex())
        seen += index.tolist()
    return losses, seen


if __name__ == "__main__":
    main()
    # Leave without interpreter shutdown: a gloo worker thread still releasing the last
    # collective would then abort the rank (pytorch/pytorch#179291: "terminate called
    # without an active exception"). Everything is printed and flushed by now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
