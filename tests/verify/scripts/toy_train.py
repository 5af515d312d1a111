"""A stand-in training script for verify's end-to-end tests: no framework, milliseconds.

The "model" is one weight pulled towards noisy targets; the noise comes from a
generator reseeded at every epoch from (seed, epoch), like a migrated script. Flags
break it on purpose:

--behaviour good           deterministic, resumes exactly, random without --seed
--behaviour ignores-seed   draws fresh entropy even when given --seed
--behaviour fixed-seed     --seed defaults to 42, so runs without it do not spread
--behaviour broken-resume  one generator for the whole run, not reseeded on resume
--behaviour crash          fails at the first step of epoch 1
--behaviour silent         trains but prints no losses
--behaviour nan-once       the loss is nan at step 2 of every epoch
--behaviour all-nan        every loss is nan
"""

import argparse
import json
import os
import random
import sys

STEPS_PER_EPOCH = 5


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--save")
    parser.add_argument("--resume")
    parser.add_argument("--initial-epoch", type=int, default=0)
    parser.add_argument("--behaviour", default="good")
    parser.add_argument("--format", default="text", choices=["text", "jsonl", "dllogger"])
    args = parser.parse_args()

    seed = args.seed
    if seed is None:
        seed = 42 if args.behaviour == "fixed-seed" else int.from_bytes(os.urandom(4), "little")
    if args.behaviour == "ignores-seed":
        seed = int.from_bytes(os.urandom(4), "little")

    weight, start_epoch = 1.0, 0
    if args.resume:
        with open(args.resume) as handle:
            state = json.load(handle)
        weight, start_epoch = state["weight"], state["epoch"]
        if state["epoch"] != args.initial_epoch:
            sys.exit(f"checkpoint is at epoch {state['epoch']}, not {args.initial_epoch}")

    whole_run = random.Random(f"{seed}")
    for epoch in range(start_epoch, args.epochs):
        noise = random.Random(f"{seed}-{epoch}")
        if args.behaviour == "broken-resume":
            noise = whole_run
        for step in range(STEPS_PER_EPOCH):
            if args.behaviour == "crash" and epoch == 1:
                raise RuntimeError("CUDA error: an illegal memory access was encountered")
            weight -= 0.2 * (weight - noise.gauss(0.0, 1.0))
            loss = weight * weight
            if args.behaviour == "all-nan" or (args.behaviour == "nan-once" and step == 2):
                loss = float("nan")
            if args.behaviour == "silent":
                continue
            if args.format == "jsonl":
                print(json.dumps({"epoch": epoch, "step": step, "loss": loss}))
            elif args.format == "dllogger":
                record = {
                    "timestamp": "1700000000.0",
                    "datetime": "2023-11-14 22:13:20.000000",
                    "elapsedtime": 0.1,
                    "type": "LOG",
                    "step": [epoch, step],
                    "data": {"train_loss": loss},
                }
                print("DLLL " + json.dumps(record))
            else:
                print(f"epoch {epoch} step {step} loss={loss!r}")
    if args.save:
        with open(args.save, "w") as handle:
            json.dump({"weight": weight, "epoch": args.epochs}, handle)


if __name__ == "__main__":
    main()
