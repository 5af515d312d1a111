"""Train a small Keras classifier with ``model.fit`` on synthetic data.

An *unmigrated* script, seeded the old manual way: run ``seedmigrate apply`` on it to
make it deterministic and resumable, and ``seedmigrate verify`` to prove it.

Run it (a few seconds on a CPU):

    python examples/keras_fit/train.py --epochs 4
    python examples/keras_fit/train.py --epochs 2 --save /tmp/model.keras
    python examples/keras_fit/train.py --epochs 4 --resume /tmp/model.keras --initial-epoch 2

Every training step prints ``epoch E step S loss=L`` with the loss at full precision.
"""

import argparse
import random

import numpy as np
import tensorflow as tf
from tensorflow import keras

NUM_SAMPLES = 320
NUM_FEATURES = 16
NUM_CLASSES = 3
BATCH_SIZE = 32


class PrintLoss(keras.callbacks.Callback):
    """Print the loss after every training step (Keras reports the epoch's running mean)."""

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        print(f"epoch {self.epoch} step {batch} loss={float(logs['loss'])!r}", flush=True)


def make_dataset():
    """Synthetic data: points labelled by a random linear map, plus label noise."""
    x = np.random.normal(size=(NUM_SAMPLES, NUM_FEATURES)).astype("float32")
    weights = np.random.normal(size=(NUM_FEATURES, NUM_CLASSES))
    y = np.argmax(x @ weights + 0.5 * np.random.normal(size=(NUM_SAMPLES, NUM_CLASSES)), axis=1)
    return x, y


def build_model():
    model = keras.Sequential(
        [
            keras.Input(shape=(NUM_FEATURES,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(NUM_CLASSES, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-2),
        loss="sparse_categorical_crossentropy",
    )
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=42, help="random seed")
    parser.add_argument("--save", help="save the model here after training (a .keras file)")
    parser.add_argument("--resume", help="resume from this saved model")
    parser.add_argument("--initial-epoch", type=int, default=0, help="epoch to resume at")
    args = parser.parse_args()

    tf.random.set_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)

    x, y = make_dataset()
    if args.resume:
        model = keras.models.load_model(args.resume)
    else:
        model = build_model()

    model.fit(
        x,
        y,
        batch_size=BATCH_SIZE,
        epochs=args.epochs,
        initial_epoch=args.initial_epoch,
        shuffle=True,
        verbose=0,
        callbacks=[PrintLoss()],
    )

    if args.save:
        model.save(args.save)


if __name__ == "__main__":
    main()
