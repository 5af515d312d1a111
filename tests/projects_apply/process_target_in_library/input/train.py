"""Hogwild-style training: the entry script seeds, then starts one process per worker
with mp.Process; the worker function lives in another module and seeds itself with the
seed plus its worker number (the parent's seeding does not reach a spawned process)."""

import argparse

import torch
import torch.multiprocessing as mp

from workers import run_worker

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    shared = torch.nn.Linear(3, 1)
    shared.share_memory()
    mp.set_start_method("spawn", force=True)
    queue = mp.SimpleQueue()
    procs = [mp.Process(target=run_worker, args=(n, args, shared, queue)) for n in range(args.workers)]
    for proc in procs:
        proc.start()
    results = sorted(queue.get() for _ in procs)
    for proc in procs:
        proc.join()
    for line in results:
        print(line)
