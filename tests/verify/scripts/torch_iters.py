"""An iteration-based PyTorch training script for verify's slow ``--iters`` test.

A small MLP with dropout on synthetic data; each iteration samples its batch and dropout
masks after ``seeder.reseed(1, it)``, and the checkpoint (``torch.save``) holds the model,
the optimizer and the iteration reached, so a resumed run continues bit for bit.

    python torch_iters.py --iters N [--seed S] [--save PATH] [--resume PATH]
"""

import argparse

import torch
from torch import nn

import seeder_runtime.torch as seeder


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iters", type=int, required=True)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--save")
    parser.add_argument("--resume")
    args = parser.parse_args()
    torch.set_num_threads(1)

    seeder.init(master_seed=args.seed)
    seeder.reseed(0, 0)
    data = torch.linspace(-1, 1, 256 * 8).reshape(256, 8)
    target = (data.sum(dim=1, keepdim=True) > 0).float()
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    start = 0
    if args.resume:
        state = torch.load(args.resume, weights_only=True)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start = state["iter"]
    for it in range(start, args.iters):
        seeder.reseed(1, it)
        batch = torch.randint(0, len(data), (32,))
        optimizer.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(model(data[batch]), target[batch])
        loss.backward()
        optimizer.step()
        print(f"iter {it} loss={loss.item()!r}")
    if args.save:
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict()}
        torch.save({**state, "iter": args.iters}, args.save)


if __name__ == "__main__":
    main()
