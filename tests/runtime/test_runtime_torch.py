"""seeder_runtime.torch in this process: torch seeding, state_dict, worker seeds, sampler."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest

pytest.importorskip("torch")
import torch

import seeder_runtime
import seeder_runtime.torch as seeder
from seeder_runtime import _core


def test_backend_module_shares_the_core_api():
    assert set(seeder.__all__) == {*_core.__all__, "sampler_seed", "worker_init_fn"}
    for name in seeder_runtime.__all__:
        assert getattr(seeder, name) is getattr(seeder_runtime, name)


def test_reseed_seeds_torch_like_manual_seed():
    seeder.init(31, ngpus=2, local_rank=1)
    seeder.reseed(1, 4)
    got = torch.rand(5)
    torch.manual_seed(_core.derive_words(31, 1, 4, 1)[_core.CONSUMER_WORDS["torch"]])
    assert torch.equal(got, torch.rand(5))


def test_python_numpy_and_torch_draw_different_streams():
    seeder.init(0)
    for epoch in range(10):
        seeder.reseed(1, epoch)
        py = random.getrandbits(32)
        np_draw = int(np.random.randint(0, 2**32, dtype=np.uint64))
        torch_draw = int(torch.randint(0, 2**32, (1,), dtype=torch.int64))
        assert len({py, np_draw, torch_draw}) == 3
        words = _core.derive_words(0, 1, epoch, 0)
        seeds = {words[0], words[1] & 0xFFFFFFFF, words[_core.CONSUMER_WORDS["torch"]]}
        assert len(seeds) == 3


def test_register_torch_generator():
    gen = torch.Generator()
    seeder.register_generator(gen.manual_seed)
    seeder.init(5)
    seeder.reseed(1, 2)
    first = torch.rand(3, generator=gen)
    seeder.reseed(1, 3)
    assert not torch.equal(first, torch.rand(3, generator=gen))
    seeder.reseed(1, 2)
    assert torch.equal(first, torch.rand(3, generator=gen))


def _draws():
    return (random.random(), float(np.random.normal()), torch.rand(3).tolist())


def test_state_dict_mid_epoch_resume_through_torch_save_weights_only():
    seeder.init(17, ngpus=4, local_rank=2)
    seeder.reseed(1, 6)
    _draws()  # part of the epoch already done
    buffer = io.BytesIO()
    torch.save(seeder.state_dict(), buffer)
    expected = [_draws() for _ in range(3)]

    seeder.init(3)
    seeder.reseed(1, 0)
    buffer.seek(0)
    seeder.init(17, ngpus=4, local_rank=2)
    seeder.load_state_dict(torch.load(buffer, weights_only=True))
    assert [_draws() for _ in range(3)] == expected
    assert _core.last_reseed() == (17, 1, 6, 2, 4)


@pytest.mark.parametrize(
    "bad", [{}, {"cpu": "state"}, {"cpu": torch.zeros(7, dtype=torch.uint8)}, {"cpu": None}]
)
def test_malformed_torch_state_raises_valueerror_before_restoring_anything(bad):
    seeder.init(17)
    seeder.reseed(1, 6)
    saved = {**seeder.state_dict(), "torch": bad}
    seeder.reset()
    random.seed(1)
    torch.manual_seed(1)
    before = (random.getstate(), torch.get_rng_state())
    with pytest.raises(ValueError, match="torch"):
        seeder.load_state_dict(saved)
    assert random.getstate() == before[0] and torch.equal(torch.get_rng_state(), before[1])
    with pytest.raises(RuntimeError, match=r"init\(\)"):
        seeder.get_master_seed()


def test_worker_init_fn_pickles_the_seeder_state():
    import pickle

    seeder.init(42, ngpus=2, local_rank=1)
    seeder.reseed(1, 7)
    restored = pickle.loads(pickle.dumps(seeder.worker_init_fn))
    assert restored._seeder_state == (42, 1, 7, 1, 2)


def test_sampler_seed_shared_by_ranks_and_follows_master():
    seeds = set()
    for rank in range(3):
        seeder.init(123, ngpus=3, local_rank=rank)
        seeds.add(seeder.sampler_seed())
    assert len(seeds) == 1
    (seed,) = seeds
    assert 0 <= seed < 2**62
    seeder.init(124)
    assert seeder.sampler_seed() != seed


def test_sampler_seed_before_init():
    with pytest.raises(RuntimeError, match=r"init\(\)"):
        seeder.sampler_seed()
