"""Train a small model with DistributedDataParallel on 2 CPU processes (gloo backend).

An *unmigrated* script, seeded the old manual way: run ``seedmigrate apply`` on it to
make it deterministic and resumable, and ``seedmigrate verify`` to prove it.

One command starts the whole job: run without ``LOCAL_RANK`` in the environment, the
script starts itself once per rank (like ``torchrun --nproc-per-node 2`` would) and
waits for them; if a rank fails, it stops the others and exits non-zero, naming the
rank and its exit status or signal. Each rank trains on its shard of the data
(``DistributedSampler`` with ``set_epoch``); rank 0 prints the loss averaged over the
ranks and writes the checkpoint (model, optimizer, next epoch).

    python examples/torch_ddp/train.py --epochs 4
    python examples/torch_ddp/train.py --epochs 2 --save /tmp/ddp.pt
    python examples/torch_ddp/train.py --epochs 4 --resume /tmp/ddp.pt

``NPROC`` sets the number of processes (default 2). It also runs under ``torchrun``,
which sets ``LOCAL_RANK`` itself. Every training step prints ``epoch E step S loss=L``.
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

NUM_SAMPLES = 256
NUM_FEATURES = 16
NUM_CLASSES = 3
BATCH_SIZE = 16


def make_dataset():
    """Fixed synthetic data, identical on every rank as if read from disk."""
    grid = torch.arange(NUM_SAMPLES * NUM_FEATURES, dtype=torch.float32)
    x = (torch.sin(grid * 0.731) + torch.cos(grid * 0.173)).reshape(NUM_SAMPLES, NUM_FEATURES)
    weights = torch.cos(torch.arange(NUM_FEATURES * NUM_CLASSES, dtype=torch.float32) * 1.3)
    y = torch.argmax(x @ weights.reshape(NUM_FEATURES, NUM_CLASSES), dim=1)
    return TensorDataset(x, y)


def build_model():
    return nn.Sequential(
        nn.Linear(NUM_FEATURES, 32),
        nn.ReLU(),
        nn.Dropout(0.3),
        nn.Linear(32, NUM_CLASSES),
    )


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=42, help="random seed")
    parser.add_argument("--save", help="write a checkpoint here after every epoch")
    parser.add_argument("--resume", help="resume from this checkpoint")
    parser.add_argument("--local_rank", type=int, default=int(os.environ.get("LOCAL_RANK", 0)))
    parser.add_argument("--world-size", type=int, default=int(os.environ.get("WORLD_SIZE", 1)))
    return parser.parse_args()


def main():
    args = parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)

    dist.init_process_group("gloo", rank=args.local_rank, world_size=args.world_size)
    rank = dist.get_rank()

    dataset = make_dataset()
    sampler = DistributedSampler(dataset, shuffle=True)
    loader = DataLoader(dataset, batch_size=BATCH_SIZE, sampler=sampler)
    model = DistributedDataParallel(build_model())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    start_epoch = 0
    if args.resume:
        checkpoint = torch.load(args.resume)
        model.module.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        start_epoch = checkpoint["epoch"]

    for epoch in range(start_epoch, args.epochs):
        sampler.set_epoch(epoch)
        model.train()
        for step, (inputs, targets) in enumerate(loader):
            # Input noise as augmentation, drawn from numpy as many scripts do.
            noise = torch.from_numpy(np.random.normal(0.0, 0.1, size=tuple(inputs.shape)))
            optimizer.zero_grad()
            loss = loss_fn(model(inputs + noise.float()), targets)
            loss.backward()
            optimizer.step()
            mean_loss = loss.detach().clone()
            dist.all_reduce(mean_loss)
            mean_loss /= dist.get_world_size()
            if rank == 0:
                print(f"epoch {epoch} step {step} loss={mean_loss.item()!r}", flush=True)
        if args.save and rank == 0:
            checkpoint = {
                "model": model.module.state_dict(),
                "optimizer": optimizer.state_dict(),
                "epoch": epoch + 1,
            }
            torch.save(checkpoint, args.save)
        dist.barrier()

    dist.destroy_process_group()


def launch_local_ranks(nproc):
    """Start this script once per rank on localhost, as torchrun would; return the exit code.

    Like torchrun's agent, the launcher hosts the rendezvous store (a TCPStore on a port
    the kernel picks) and keeps it bound until the ranks are done; the ranks connect to
    it as clients (``TORCHELASTIC_USE_AGENT_STORE``, torchrun's switch). Choosing a free
    port and leaving rank 0 to bind it seconds later (after importing torch) lets
    another job on the machine take it in between, and the two jobs then rendezvous
    with each other. The store also outlives every rank, so no rank loses it while
    still shutting down.

    When a rank fails, the others are stopped (they would wait for it forever) and the
    exit code says why: the rank's own status, or 128 + N for a rank killed by signal N.
    """
    store = dist.TCPStore("127.0.0.1", 0, is_master=True, wait_for_workers=False)
    procs = {}
    for local_rank in range(nproc):
        env = dict(
            os.environ,
            MASTER_ADDR="127.0.0.1",
            MASTER_PORT=str(store.port),
            TORCHELASTIC_USE_AGENT_STORE="True",
            RANK=str(local_rank),
            LOCAL_RANK=str(local_rank),
            WORLD_SIZE=str(nproc),
        )
        procs[local_rank] = subprocess.Popen([sys.executable, *sys.argv], env=env)
    failed = None
    while procs:
        for rank, proc in list(procs.items()):
            status = proc.poll()
            if status is None:
                continue
            del procs[rank]
            if status != 0 and failed is None:
                failed = rank, status
                print(f"launcher: rank {rank} {describe_exit(status)}", file=sys.stderr)
                stop_ranks(procs)
        time.sleep(0.05)
    if failed is None:
        return 0
    status = failed[1]
    return 128 - status if status < 0 else status


def describe_exit(status):
    """``exited with status 1`` or ``was killed by signal SIGABRT (6)``."""
    if status >= 0:
        return f"exited with status {status}"
    try:
        name = signal.Signals(-status).name
    except ValueError:
        name = "signal"
    return f"was killed by signal {name} ({-status})"


def stop_ranks(procs, grace=10.0):
    """Terminate the ranks still running, and kill those that outlive ``grace`` seconds."""
    for proc in procs.values():
        proc.terminate()
    deadline = time.monotonic() + grace
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def exit_rank():
    """End a rank without interpreter shutdown, once everything is written and flushed.

    After the last collective a gloo worker thread may still be releasing it, and with it
    tensors that Python objects own (torch issue: pytorch/pytorch#179291). If the
    interpreter is already shutting down by then, the thread cannot take the GIL, exits
    inside a noexcept destructor, and the rank dies of SIGABRT ("terminate called without
    an active exception"), rarely and more often on a busy machine. Leaving with
    ``os._exit`` after ``destroy_process_group`` skips that shutdown.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    if "LOCAL_RANK" in os.environ:
        main()
        exit_rank()
    else:
        sys.exit(launch_local_ranks(int(os.environ.get("NPROC", "2"))))
