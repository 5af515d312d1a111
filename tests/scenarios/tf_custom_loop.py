"""A TensorFlow 2 custom training loop (the 'writing a training loop from scratch'
guide's shape): ``tf.random.set_seed``, a ``tf.data`` dataset shuffled each epoch,
``for epoch in range(epochs):`` / ``for step, (x, y) in enumerate(dataset):`` with
``tf.GradientTape()`` and ``optimizer.apply_gradients``, a Dropout layer in training mode."""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--seed", type=int, default=1234)
args = parser.parse_args()

tf.random.set_seed(args.seed)

x_train = np.cos(np.arange(24 * 3, dtype="float32") * 0.4).reshape(24, 3)
y_train = (x_train[:, 0] > x_train[:, 1]).astype("int64")
train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(24).batch(6)

inputs = keras.Input(shape=(3,))
hidden = keras.layers.Dense(8, activation="relu")(inputs)
hidden = keras.layers.Dropout(0.5)(hidden)
outputs = keras.layers.Dense(2)(hidden)
model = keras.Model(inputs=inputs, outputs=outputs)

optimizer = keras.optimizers.SGD(learning_rate=0.1)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

for epoch in range(args.epochs):
    losses = []
    for step, (x_batch_train, y_batch_train) in enumerate(train_dataset):
        with tf.GradientTape() as tape:
            logits = model(x_batch_train, training=True)
            loss_value = loss_fn(y_batch_train, logits)
        grads = tape.gradient(loss_value, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        losses.append(float(loss_value).hex())
    result = {"epoch": epoch, "losses": losses, "probe": [float(tf.random.uniform(())).hex()]}
    print("RESULT " + json.dumps(result), flush=True)
