"""The verdict rules on synthetic loss series."""

from __future__ import annotations

import math

import pytest

# a test dependency, not a framework: skip rather than error where it is missing
pytest.importorskip("hypothesis")
from hypothesis import given
from hypothesis import strategies as st

from seedmigrate.verify.stats import evaluate, first_difference, series_stats, values_equal

EPOCHS = 4
STEPS = 5  # per epoch


def _full(offset: float = 0.0) -> list[float]:
    return [1.0 / (step + 1) + offset for step in range(EPOCHS * STEPS)]


def _healthy(repeats: int = 3) -> dict[str, list[list[float]]]:
    full = _full()
    half = EPOCHS // 2 * STEPS
    return {
        "full": [list(full) for _ in range(repeats)],
        "half": [full[:half] for _ in range(repeats)],
        "resume": [full[half:] for _ in range(repeats)],
        "unseeded": [_full(0.01 * r) for r in range(repeats)],
    }


def test_identical_series_pass():
    verdict = evaluate(_healthy(), epochs=EPOCHS)
    assert verdict.passed, verdict.reasons
    assert [ok for ok, _ in verdict.outcomes] == [True] * 4
    assert verdict.seeded_spread == 0.0 and verdict.unseeded_spread > 0
    assert verdict.half_steps == 10


def test_full_repeat_diverging_at_step_k_is_named():
    losses = _healthy()
    losses["full"][2][13] += 1e-7
    verdict = evaluate(losses, epochs=EPOCHS)
    assert not verdict.passed
    (reason,) = [r for r in verdict.reasons if r.startswith("experiment 1")]
    assert "repeat 2" in reason and "step 13 (epoch 2)" in reason
    assert "1e-07" in reason and "1 of 3 repeats differ" in reason


def test_half_run_diverging_is_named():
    losses = _healthy()
    for run in losses["half"]:
        run[4] = 2.0
    verdict = evaluate(losses, epochs=EPOCHS)
    (reason,) = verdict.reasons
    assert reason.startswith("experiment 2") and "step 4 (epoch 0)" in reason
    assert "3 of 3 repeats differ" in reason


def test_half_run_with_wrong_length_fails_even_if_it_matches():
    losses = _healthy()
    losses["half"][1] = _full()[:12]
    (reason,) = evaluate(losses, epochs=EPOCHS).reasons
    assert "experiment 2" in reason and "has 12 steps" in reason and "has 10" in reason


def test_resume_compared_to_the_second_half_with_global_step_numbers():
    losses = _healthy()
    losses["resume"][0][3] += 0.5
    reasons = evaluate(losses, epochs=EPOCHS).reasons
    (reason,) = [r for r in reasons if not r.startswith("experiment 4")]
    assert reason.startswith("experiment 3") and "repeat 0" in reason
    assert "step 13 (epoch 2)" in reason and "|Δ| = 0.5" in reason


def test_resume_that_restarts_from_scratch_fails():
    losses = _healthy()
    losses["resume"] = [_full() for _ in range(3)]
    (reason,) = evaluate(losses, epochs=EPOCHS).reasons
    assert "experiment 3" in reason and "step 10" in reason


def test_resume_that_is_too_short_fails():
    losses = _healthy()
    losses["resume"] = [run[:-1] for run in losses["resume"]]
    (reason,) = evaluate(losses, epochs=EPOCHS).reasons
    assert "has 9 steps" in reason


def test_unseeded_runs_without_spread_fail_with_a_hint():
    losses = _healthy()
    losses["unseeded"] = [_full() for _ in range(3)]
    (reason,) = evaluate(losses, epochs=EPOCHS).reasons
    assert reason.startswith("experiment 4") and "fixed --seed default" in reason


def test_unseeded_spread_must_exceed_seeded_spread():
    losses = _healthy()
    losses["full"][1] = _full(0.5)
    verdict = evaluate(losses, epochs=EPOCHS)
    assert any(r.startswith("experiment 4") for r in verdict.reasons)
    assert verdict.seeded_spread > verdict.unseeded_spread


def test_atol_accepts_tiny_differences_only():
    losses = _healthy()
    losses["full"][1] = _full(1e-9)
    losses["resume"][2][0] += 2e-9
    assert not evaluate(losses, epochs=EPOCHS).passed
    assert evaluate(losses, epochs=EPOCHS, atol=1e-8).passed
    losses["resume"][2][0] += 1e-6
    (reason,) = evaluate(losses, epochs=EPOCHS, atol=1e-8).reasons
    assert reason.startswith("experiment 3")


def test_epochs_that_do_not_split_steps_evenly_fall_back_to_the_save_run():
    full = [float(i) for i in range(11)]  # 11 steps over 2 epochs: logging every k steps
    losses = {
        "full": [full, list(full)],
        "half": [full[:6], full[:6]],
        "resume": [full[6:], full[6:]],
        "unseeded": [full, [x + 1 for x in full]],
    }
    verdict = evaluate(losses, epochs=2)
    assert verdict.passed, verdict.reasons
    losses["resume"][1] = full[5:]
    reasons = evaluate(losses, epochs=2).reasons
    (reason,) = [r for r in reasons if not r.startswith("experiment 4")]
    assert "experiment 3" in reason and "epoch" not in reason.split(":")[1]


def test_nan_repeats_nan_and_missing_experiment_1_fails():
    assert values_equal(math.nan, math.nan) and not values_equal(math.nan, 1.0)
    assert not values_equal(1.0, math.nan, atol=10.0)
    verdict = evaluate({"full": []}, epochs=2)
    assert not verdict.passed and "no runs" in verdict.reasons[0]


@pytest.mark.parametrize(
    ("key", "repeat", "index", "value", "label", "step"),
    [
        ("full", 1, 7, math.nan, "experiment 1", "step 7 (epoch 1)"),
        ("half", 0, 0, math.inf, "experiment 2", "step 0 (epoch 0)"),
        ("resume", 2, 3, -math.inf, "experiment 3", "step 13 (epoch 2)"),  # experiment 1's steps
        ("unseeded", 0, 19, math.nan, "experiment 4", "step 19 (epoch 3)"),
    ],
)
def test_a_non_finite_loss_fails_naming_experiment_repeat_and_step(
    key, repeat, index, value, label, step
):
    losses = _healthy()
    losses[key][repeat][index] = value
    verdict = evaluate(losses, epochs=EPOCHS)
    assert not verdict.passed
    (reason,) = [r for r in verdict.reasons if "non-finite" in r]
    assert reason.startswith(f"{label} (") and f"repeat {repeat}:" in reason
    assert f"non-finite loss {value!r} at {step}" in reason


def test_the_same_nan_in_every_repeat_still_fails():
    # Identical NaNs repeat each other (rules 1-3 hold), but a NaN loss is never a pass.
    losses = _healthy()
    full = losses["full"][0]
    full[12] = math.nan
    half = EPOCHS // 2 * STEPS
    losses["full"] = [list(full) for _ in range(3)]
    losses["half"] = [full[:half] for _ in range(3)]
    losses["resume"] = [full[half:] for _ in range(3)]
    verdict = evaluate(losses, epochs=EPOCHS)
    assert not verdict.passed
    assert [r.split(",")[0] for r in verdict.reasons] == [
        "experiment 1 (seeded",
        "experiment 3 (seeded",
    ]
    assert "3 of 3 repeats have non-finite losses" in verdict.reasons[0]


def test_one_unseeded_repeat_cannot_show_a_spread():
    losses = _healthy()
    losses["unseeded"] = losses["unseeded"][:1]
    (reason,) = evaluate(losses, epochs=EPOCHS).reasons
    assert "at least 2 repeats" in reason


def test_series_stats_are_per_step_population_mean_and_sigma():
    stats = series_stats([[1.0, 2.0, 5.0], [3.0, 2.0], [2.0, 2.0, 9.0]])
    assert stats.mean == pytest.approx([2.0, 2.0])
    assert stats.std == pytest.approx([math.sqrt(2.0 / 3.0), 0.0])
    assert series_stats([[0.1] * 3, [0.1] * 3, [0.1] * 3]).spread == 0.0
    assert series_stats([]).mean == []


floats = st.floats(allow_nan=False, allow_infinity=False, width=32)


@given(st.lists(floats, min_size=1, max_size=40), st.data())
def test_first_difference_finds_exactly_the_changed_step(series, data):
    k = data.draw(st.integers(min_value=0, max_value=len(series) - 1))
    changed = list(series)
    changed[k] = changed[k] + 1.0 if abs(changed[k]) < 1e6 else 0.0
    assert first_difference(series, series) is None
    diff = first_difference(series, changed, offset=100)
    assert diff is not None and diff.step == 100 + k and diff.expected == series[k]
