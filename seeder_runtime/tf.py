"""TensorFlow / Keras backend: ``import seeder_runtime.tf as seeder``.

Everything ``seeder_runtime`` does, plus TensorFlow's global seed, the global
``tf.random.Generator``, Keras 3's global ``SeedGenerator`` (used by ``keras.random`` ops
without a seed) and :class:`SeederCB`. Never imports PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from seeder_runtime import _core
from seeder_runtime._core import *  # noqa: F403  (the API, listed once in _core.__all__)

__all__ = ["SeederCB", "model_seed_generators", "reset_model_seed_generators"]
__all__ += _core.__all__

try:  # Keras 3 keeps its global SeedGenerator and seed in a private registry.
    from keras.src.backend.common import global_state as _keras_global_state
    from keras.src.random import seed_generator as _keras_seed_generator
except ImportError:  # pragma: no cover - other Keras layouts: nothing global to reset
    _keras_global_state = None
    _keras_seed_generator = None

_TF_WORD = _core.CONSUMER_WORDS["tf"]
_TF_GENERATOR_WORD = _core.CONSUMER_WORDS["tf_generator"]
_KERAS_WORD = _core.CONSUMER_WORDS["keras"]
_MASK31 = (1 << 31) - 1
_GLOBAL_SEED_GENERATOR = "global_seed_generator"
_GLOBAL_RANDOM_SEED = "global_random_seed"


def _keras_seed(word: int) -> int:
    # SeedGenerator state is int32 on some Keras backends: stay in [0, 2**31).
    return word & _MASK31


def _reset_tf_generator(generator: tf.random.Generator, seed: int) -> None:
    """``generator.reset_from_seed(seed)`` for ``0 <= seed < 2**63``, without its graph of
    small TF ops (milliseconds per call): such a seed's state is ``[seed, 0, ...]``."""
    state = np.zeros(generator.state.shape, dtype=np.int64)
    state[0] = seed
    generator.state.assign(state)


def _reset_seed_generator(generator: Any, seed: int) -> None:
    generator.state.assign(np.array([seed, 0], dtype=generator.state.dtype))


class _TFBackend:
    name = "tf"
    consumers: tuple[str, ...] = ("tf", "tf_generator", "keras")

    def reseed(self, words: tuple[int, ...]) -> None:
        # Reset the global generator in place rather than tf.random.set_global_generator:
        # same state, but tf.functions that captured the generator keep working.
        _reset_tf_generator(tf.random.get_global_generator(), words[_TF_GENERATOR_WORD])
        if _keras_global_state is not None:
            seed = _keras_seed(words[_KERAS_WORD])
            _keras_global_state.set_global_attribute(_GLOBAL_RANDOM_SEED, seed)
            generator = _keras_global_state.get_global_attribute(_GLOBAL_SEED_GENERATOR)
            if generator is None:
                generator = _keras_seed_generator.SeedGenerator(seed=seed)
                _keras_global_state.set_global_attribute(_GLOBAL_SEED_GENERATOR, generator)
            else:
                _reset_seed_generator(generator, seed)
        # Like keras.utils.set_random_seed, but Python and NumPy already got their own
        # seeds from the core instead of this same number. Last, because set_seed clears
        # TF's eager kernel caches, which makes every op after it slow once.
        tf.random.set_seed(words[_TF_WORD])

    def state_dict(self) -> dict[str, Any]:
        generator = tf.random.get_global_generator()
        state: dict[str, Any] = {
            "generator_state": [int(v) for v in generator.state.numpy()],
            "generator_algorithm": int(generator.algorithm),
            "keras_seed_generator": None,
        }
        if _keras_global_state is not None:
            keras_generator = _keras_global_state.get_global_attribute(_GLOBAL_SEED_GENERATOR)
            if keras_generator is not None:
                state["keras_seed_generator"] = [int(v) for v in keras_generator.state.numpy()]
        return state

    def prepare_state(self, state: Any) -> Callable[[], None]:
        algorithm = _core._check_int("tf.generator_algorithm", state["generator_algorithm"])
        values = _int64_array("tf.generator_state", state["generator_state"])
        current = tf.random.get_global_generator()
        replacement = None
        if int(current.algorithm) != algorithm:
            try:
                replacement = tf.random.Generator.from_state(values, algorithm)
            except (TypeError, ValueError, tf.errors.OpError) as exc:
                raise ValueError(f"load_state_dict: tf.generator_state: {exc}") from None
        elif values.shape != tuple(current.state.shape):
            raise ValueError(
                f"load_state_dict: tf.generator_state has {values.size} values, the global "
                f"generator {current.state.shape[0]}"
            )
        saved = state.get("keras_seed_generator")
        keras_values = None
        if saved is not None and _keras_global_state is not None:
            keras_values = _int64_array("tf.keras_seed_generator", saved)
            if keras_values.shape != (2,):
                raise ValueError("load_state_dict: tf.keras_seed_generator must hold 2 ints")

        def restore() -> None:
            if replacement is None:
                tf.random.get_global_generator().reset(values)
            else:
                tf.random.set_global_generator(replacement)
            if keras_values is not None:
                keras_generator = _keras_global_state.get_global_attribute(_GLOBAL_SEED_GENERATOR)
                if keras_generator is None:
                    keras_generator = _keras_seed_generator.SeedGenerator(seed=int(keras_values[0]))
                    _keras_global_state.set_global_attribute(
                        _GLOBAL_SEED_GENERATOR, keras_generator
                    )
                keras_generator.state.assign(keras_values.astype(keras_generator.state.dtype))

        return restore

    def enable_determinism(self) -> None:
        tf.config.experimental.enable_op_determinism()


def _int64_array(name: str, values: Any) -> np.ndarray:
    """``values`` as a 1-d int64 array, or ValueError naming ``name``."""
    if isinstance(values, (str, bytes)) or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values
    ):
        raise ValueError(f"load_state_dict: {name} must be a list of ints, got {values!r:.80}")
    try:
        return np.asarray(values, dtype=np.int64).reshape(-1)
    except OverflowError as exc:
        raise ValueError(f"load_state_dict: {name}: {exc}") from None


_core.register_backend(_TFBackend())


def _seed_generators(layer: Any, path: str, seen: set[int]) -> Iterator[tuple[str, Any]]:
    """Yield ``(path, SeedGenerator)`` for ``layer`` and its sublayers, depth first.

    Paths are built from layer names (which ``keras.models.load_model`` restores), not
    from the generators' auto-numbered variable names, so a reloaded model gets the
    same keys as the model that was saved.
    """
    if id(layer) in seen:
        return
    seen.add(id(layer))
    for index, generator in enumerate(getattr(layer, "_seed_generators", ())):
        yield f"{path}#{index}", generator
    for child in getattr(layer, "_layers", ()):
        yield from _seed_generators(child, f"{path}/{child.name}", seen)


def model_seed_generators(model: Any) -> list[tuple[str, Any]]:
    """Every Keras ``SeedGenerator`` of ``model`` (Dropout, noise, augmentation layers),
    with a stable path key, in traversal order."""
    return list(_seed_generators(model, model.name, set()))


def reset_model_seed_generators(model: Any) -> dict[str, int]:
    """Reset every ``SeedGenerator`` of ``model`` from seeds derived for the last reseed.

    Each generator's seed depends on (master seed, task, epoch, rank) and its path in the
    model. Returns ``{path: seed}``.

    Raises:
        RuntimeError: ``init`` was not called.
    """
    master, task, epoch, rank, _ = _core.last_reseed()
    seeds = {}
    for path, generator in model_seed_generators(model):
        seed = _keras_seed(_core.derive_seed(f"keras-layer/{path}", master, task, epoch, rank))
        _reset_seed_generator(generator, seed)
        seeds[path] = seed
    return seeds


class SeederCB(keras.callbacks.Callback):
    """Keras callback: ``reseed(1, epoch)`` at the start of every epoch, then reset the
    state of every ``SeedGenerator`` in the model being trained.

    Keras does not save SeedGenerator states with the model, so without the reset a
    ``fit(..., initial_epoch=k)`` after ``keras.models.load_model`` draws different
    dropout masks from an uninterrupted run.
    """

    def __init__(self, task: int = 1) -> None:
        super().__init__()
        self.task = task

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        _core.reseed(self.task, epoch)
        reset_model_seed_generators(self.model)
