"""A config-driven script: ``--config path.json`` holds every hyper-parameter, the seed
included (``"seed": null`` means 'unseeded': ``np.random.seed(None)`` draws fresh
entropy). It seeds ``np.random.seed(cfg["seed"])`` and trains a numpy linear model."""

import argparse
import json
import random

import numpy as np


def main():
    parser = argparse.ArgumentParser(description="train from a config file")
    parser.add_argument("--config", required=True, help="JSON config")
    args = parser.parse_args()
    cfg = json.load(open(args.config))

    np.random.seed(cfg["seed"])
    random.seed(cfg["seed"])

    weights = np.random.normal(0, 0.1, size=3)
    inputs = np.linspace(-1, 1, 30).reshape(10, 3)
    targets = inputs @ np.array([0.5, -1.5, 2.0])

    for epoch in range(cfg["epochs"]):
        losses = []
        for i in np.random.permutation(len(inputs)):
            x = inputs[i] + np.random.normal(0, cfg["noise"], size=3)
            err = x @ weights - targets[i]
            if random.random() < cfg["drop_rate"]:
                continue  # randomly skip a sample
            weights -= cfg["lr"] * err * x
            losses.append(float(err * err).hex())
        result = {
            "epoch": epoch,
            "losses": losses,
            "probe": [random.random().hex(), float(np.random.random()).hex()],
        }
        print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
