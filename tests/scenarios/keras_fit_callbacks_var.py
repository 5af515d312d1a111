"""A Keras script: ``tf.random.set_seed(args.seed)`` + ``np.random.seed(args.seed)``, a
Sequential model with Dropout, and ``model.fit(..., callbacks=callbacks)`` where
``callbacks`` is a list built beforehand (here a LambdaCallback that prints results)."""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    tf.random.set_seed(args.seed)
    np.random.seed(args.seed)

    x = np.sin(np.arange(32 * 4, dtype="float32") * 0.3).reshape(32, 4)
    y = (x.sum(axis=1) > 0).astype("float32")

    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.4),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")

    def report(epoch, logs):
        result = {
            "epoch": epoch,
            "loss": float(logs["loss"]).hex(),
            "weights": [float(w).hex() for w in model.layers[0].kernel.numpy().flatten()[:4]],
            "probe": [float(np.random.random()).hex(), float(tf.random.uniform(())).hex()],
        }
        print("RESULT " + json.dumps(result), flush=True)

    callbacks = [keras.callbacks.LambdaCallback(on_epoch_end=report)]
    model.fit(
        x,
        y,
        epochs=args.epochs,
        batch_size=args.batch_size,
        shuffle=True,
        callbacks=callbacks,
        verbose=0,
    )


if __name__ == "__main__":
    main()
