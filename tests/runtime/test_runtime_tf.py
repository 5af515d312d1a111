"""seeder_runtime.tf in this process: TF/Keras global RNGs, state_dict, SeederCB."""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest

pytest.importorskip("tensorflow")
import keras
import tensorflow as tf

import seeder_runtime
import seeder_runtime.tf as seeder
from seeder_runtime import _core


def _draws():
    return (
        random.random(),
        float(np.random.random()),
        float(tf.random.uniform(())),
        float(tf.random.get_global_generator().normal(())),
        float(keras.random.uniform(())),
    )


def test_backend_module_shares_the_core_api():
    extras = {"SeederCB", "model_seed_generators", "reset_model_seed_generators"}
    assert set(seeder.__all__) == {*_core.__all__, *extras}
    for name in seeder_runtime.__all__:
        assert getattr(seeder, name) is getattr(seeder_runtime, name)


def test_reseed_repeats_every_tf_and_keras_stream():
    seeder.init(12, ngpus=2, local_rank=1)
    seeder.reseed(1, 3)
    first = _draws()
    seeder.reseed(1, 4)
    other = _draws()
    seeder.reseed(1, 3)
    assert _draws() == first
    assert all(a != b for a, b in zip(first, other, strict=True))
    assert len(set(first)) == len(first)


def test_tf_generator_state_matches_reset_from_seed():
    seeder.init(4)
    seeder.reseed(2, 9)
    seed = _core.derive_words(4, 2, 9, 0)[_core.CONSUMER_WORDS["tf_generator"]]
    reference = tf.random.Generator.from_seed(seed)
    assert tf.random.get_global_generator().state.numpy().tolist() == (
        reference.state.numpy().tolist()
    )


def test_keras_global_seed_generator_is_reset_even_after_set_random_seed():
    seeder.init(5)
    keras.utils.set_random_seed(1)  # drops Keras's global SeedGenerator
    seeder.reseed(1, 1)
    first = float(keras.random.normal(()))
    keras.random.normal(())
    seeder.reseed(1, 1)
    assert float(keras.random.normal(())) == first


def test_state_dict_mid_epoch_resume_through_pickle():
    seeder.init(17, ngpus=4, local_rank=2)
    seeder.reseed(1, 6)
    _draws()
    blob = pickle.dumps(seeder.state_dict())
    expected = [_draws()[:2] + _draws()[3:] for _ in range(2)]

    seeder.init(3)
    seeder.reseed(1, 0)
    _draws()
    seeder.init(17, ngpus=4, local_rank=2)
    seeder.load_state_dict(pickle.loads(blob))
    # tf.random.uniform (op-level seeds from the global seed) is not capturable; the
    # global Generator and Keras's SeedGenerator are.
    assert [_draws()[:2] + _draws()[3:] for _ in range(2)] == expected


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("generator_state", "x"),
        ("generator_state", [1, 2, 3, 4, 5, 6, 7]),
        ("generator_algorithm", None),
        ("keras_seed_generator", [1.5, 2]),
    ],
)
def test_malformed_tf_state_raises_valueerror_before_restoring_anything(key, value):
    seeder.init(17)
    seeder.reseed(1, 6)
    saved = seeder.state_dict()
    saved["tf"] = {**saved["tf"], key: value}
    seeder.reset()
    random.seed(1)
    before = (random.getstate(), tf.random.get_global_generator().state.numpy().tolist())
    with pytest.raises(ValueError, match="tf"):
        seeder.load_state_dict(saved)
    after = (random.getstate(), tf.random.get_global_generator().state.numpy().tolist())
    assert after == before


def _model():
    inner = keras.Sequential([keras.layers.Dropout(0.3, name="inner_drop")], name="inner")
    return keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(4, name="dense"),
            keras.layers.Dropout(0.5, name="drop"),
            keras.layers.GaussianNoise(0.1, name="noise"),
            inner,
        ],
        name="outer",
    )


def test_model_seed_generators_found_with_stable_paths():
    paths = [path for path, _ in seeder.model_seed_generators(_model())]
    assert paths == ["outer/drop#0", "outer/noise#0", "outer/inner/inner_drop#0"]


def test_seedercb_reseeds_and_resets_layer_generators():
    seeder.init(8, ngpus=2, local_rank=0)
    model = _model()
    callback = seeder.SeederCB()
    callback.set_model(model)
    callback.on_epoch_begin(3)
    assert _core.last_reseed()[1:3] == (1, 3)
    states = {p: g.state.numpy().tolist() for p, g in seeder.model_seed_generators(model)}
    assert all(state[1] == 0 for state in states.values())
    assert len({state[0] for state in states.values()}) == 3
    x = np.ones((2, 4), dtype="float32")
    first = model(x, training=True).numpy()
    callback.on_epoch_begin(3)
    np.testing.assert_array_equal(model(x, training=True).numpy(), first)
    callback.on_epoch_begin(4)
    assert not np.array_equal(model(x, training=True).numpy(), first)
    # same model on the other rank: different dropout masks
    seeder.init(8, ngpus=2, local_rank=1)
    callback.on_epoch_begin(3)
    assert not np.array_equal(model(x, training=True).numpy(), first)


def test_reset_before_init_says_to_call_init():
    with pytest.raises(RuntimeError, match=r"init\(\)"):
        seeder.reset_model_seed_generators(_model())
