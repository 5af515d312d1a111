"""An absl application (the TF-research / JAX-examples shape): ``flags.DEFINE_integer(
"seed", 42, ...)``, ``FLAGS.seed`` used in ``main(argv)`` to seed random/numpy/torch,
and ``app.run(main)``."""

import json
import random

import numpy as np
import torch
from absl import app, flags
from torch import nn

FLAGS = flags.FLAGS
flags.DEFINE_integer("epochs", 3, "Number of training epochs.")
flags.DEFINE_float("learning_rate", 0.05, "Learning rate.")
flags.DEFINE_integer("seed", 42, "Random seed.")


def main(argv):
    del argv  # Unused.
    random.seed(FLAGS.seed)
    np.random.seed(FLAGS.seed)
    torch.manual_seed(FLAGS.seed)
    torch.set_num_threads(1)

    model = nn.Sequential(nn.Linear(2, 10), nn.Tanh(), nn.Dropout(0.2), nn.Linear(10, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=FLAGS.learning_rate)
    x = torch.cos(torch.arange(24, dtype=torch.float32)).reshape(12, 2)
    y = x[:, :1] - x[:, 1:]

    for epoch in range(FLAGS.epochs):
        losses = []
        order = np.random.permutation(len(x))
        for i in range(0, len(order), 3):
            batch = torch.from_numpy(order[i : i + 3])
            loss = nn.functional.mse_loss(model(x[batch]), y[batch])
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
    app.run(main)
