"""An iteration-based stand-in training script for verify's ``--iters`` tests.

No framework, milliseconds. One weight follows noisy targets; iteration ``it`` draws its
noise after ``seeder.reseed(1, it)``, so a run resumed at any iteration continues exactly.
The checkpoint holds the weight and the iteration reached.

--iters N             train iterations [start, N)
--seed S              master seed (default: drawn by the seeder)
--save PATH           write the checkpoint at the end
--resume PATH         start from a checkpoint (its iteration)
--start-iter K        if given, must equal the checkpoint's iteration
--log-every K         print the loss of every K-th iteration (default 1)
--behaviour good           deterministic, resumes exactly, random without --seed
--behaviour broken-resume  one noise stream for the whole run, not reseeded per iteration
"""

import argparse
import json
import random
import sys

import numpy as np

import seeder_runtime as seeder


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iters", type=int, required=True)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--save")
    parser.add_argument("--resume")
    parser.add_argument("--start-iter", type=int)
    parser.add_argument("--log-every", type=int, default=1)
    parser.add_argument("--behaviour", default="good", choices=["good", "broken-resume"])
    args = parser.parse_args()

    seeder.init(master_seed=args.seed)
    weight, start = 1.0, 0
    if args.resume:
        with open(args.resume) as handle:
            state = json.load(handle)
        weight, start = state["weight"], state["iter"]
        if args.start_iter is not None and args.start_iter != start:
            sys.exit(f"checkpoint is at iteration {start}, not {args.start_iter}")

    whole_run = random.Random(seeder.get_master_seed())
    for it in range(start, args.iters):
        if args.behaviour == "broken-resume":
            noise = whole_run.gauss(0.0, 1.0)
        else:
            seeder.reseed(1, it)
            noise = float(np.random.normal())
        weight -= 0.2 * (weight - noise)
        if it % args.log_every == 0:
            print(f"iter {it} loss={weight * weight!r}")
    if args.save:
        with open(args.save, "w") as handle:
            json.dump({"weight": weight, "iter": args.iters}, handle)


if __name__ == "__main__":
    main()
