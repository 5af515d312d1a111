"""Small Keras training run used by the SeederCB resume test.

usage: keras_resume.py OUT_JSON --epochs N [--stop-after K | --start K] --checkpoint PATH
       [--no-layer-reset]
Writes {"losses": [loss-as-hex per epoch]} to OUT_JSON.
"""

from __future__ import annotations

import argparse
import json

import keras
import numpy as np

import seeder_runtime.tf as seeder


class ReseedOnly(keras.callbacks.Callback):
    """SeederCB without the SeedGenerator reset: what a resume looks like without it."""

    def on_epoch_begin(self, epoch, logs=None):
        seeder.reseed(1, epoch)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--stop-after", type=int, default=None)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--no-layer-reset", action="store_true")
    args = parser.parse_args()

    seeder.init(master_seed=7)
    seeder.reseed(0, 0)
    data = np.random.RandomState(3)
    x = data.rand(64, 8).astype("float32")
    y = data.rand(64, 1).astype("float32")
    callback = ReseedOnly() if args.no_layer_reset else seeder.SeederCB()
    if args.start:
        model = keras.models.load_model(args.checkpoint)
    else:
        model = keras.Sequential(
            [
                keras.Input((8,)),
                keras.layers.Dense(16, activation="relu"),
                keras.layers.Dropout(0.5),
                keras.layers.Dense(1),
            ]
        )
        model.compile(optimizer="adam", loss="mse")
    epochs = args.stop_after if args.stop_after is not None else args.epochs
    history = model.fit(
        x,
        y,
        epochs=epochs,
        initial_epoch=args.start,
        batch_size=8,
        shuffle=True,
        callbacks=[callback],
        verbose=0,
    )
    if args.stop_after is not None:
        model.save(args.checkpoint)
    with open(args.out, "w") as f:
        json.dump({"losses": [float(v).hex() for v in history.history["loss"]]}, f)


if __name__ == "__main__":
    main()
