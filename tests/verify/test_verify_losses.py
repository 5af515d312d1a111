"""Loss readers: regex, DLLogger JSON lines and JSON lines."""

from __future__ import annotations

import json
import math

import pytest

from seedmigrate.verify.losses import (
    DEFAULT_LOSS_REGEX,
    LossFormatError,
    LossReader,
    read_dllogger,
    read_jsonl,
    read_regex,
)


def test_default_regex_reads_every_loss_in_order_at_full_precision():
    text = (
        "Epoch 1/2\n"
        "epoch 0 step 0 loss=0.6931471805599453\n"
        "some log line without the word\n"
        "epoch 0 step 1 loss: 1.5e-3\n"
        "epoch 0 step 2 loss=-2\n"
    )
    assert read_regex(text, DEFAULT_LOSS_REGEX) == [0.6931471805599453, 1.5e-3, -2.0]


def test_default_regex_reads_non_finite_losses():
    text = (
        "epoch 0 step 0 loss=nan\n"
        "epoch 0 step 1 loss: inf\n"
        "epoch 0 step 2 loss=-inf, lr=0.1\n"
        "epoch 0 step 3 loss=NaN\n"
        "epoch 0 step 4 loss: -Infinity\n"
        "epoch 0 step 5 loss=0.5\n"
        "loss: information about the loss follows\n"  # a word, not a number
    )
    losses = read_regex(text, DEFAULT_LOSS_REGEX)
    assert len(losses) == 6 and math.isnan(losses[0]) and math.isnan(losses[3])
    assert losses[1:3] == [math.inf, -math.inf] and losses[4:] == [-math.inf, 0.5]


@pytest.mark.parametrize(
    ("fmt", "line"),
    [
        ("regex", "loss=nan"),
        ("jsonl", '{"loss": NaN}'),
        ("jsonl", '{"loss": "inf"}'),
        ("dllogger", 'DLLL {"type": "LOG", "step": [0, 1], "data": {"train_loss": NaN}}'),
        ("dllogger", 'DLLL {"type": "LOG", "step": [0, 1], "data": {"train_loss": -Infinity}}'),
    ],
)
def test_every_reader_reads_non_finite_losses(fmt, line):
    (loss,) = LossReader(format=fmt).read(line + "\n")
    assert not math.isfinite(loss)


def test_regex_uses_the_first_group_and_skips_non_numbers():
    text = "train_loss 0.5 val_loss 9\ntrain_loss . \ntrain_loss 0.25"
    assert read_regex(text, r"train_loss ([^ \n]+)") == [0.5, 0.25]


def test_regex_without_group_or_invalid_is_rejected():
    with pytest.raises(LossFormatError, match="no capturing group"):
        LossReader(regex=r"loss=[0-9.]+")
    with pytest.raises(LossFormatError, match="invalid --loss-regex"):
        LossReader(regex=r"loss=([0-9.]+")


def _dll(prefix: str, step, data, kind: str = "LOG") -> str:
    record = {
        "timestamp": "1700000000.123",
        "datetime": "2023-11-14 22:13:20.123456",
        "elapsedtime": 1.5,
        "type": kind,
        "step": step,
        "data": data,
    }
    return prefix + json.dumps(record)


def test_dllogger_reads_train_loss_of_step_records_with_both_prefixes():
    text = "\n".join(
        [
            _dll("DLLL ", "PARAMETER", {"lr": 0.1}, kind="PARAMETER"),
            _dll("DLLL ", [0, 1], {"train_loss": 0.5, "lr": 0.1}),
            _dll("DLL ", [0, 2], {"train_loss": 0.25}),
            _dll("DLLL ", [0, 3], {"val_loss": 9.0}),
            "DLLL {not json",
            _dll("DLLL ", [], {"train_loss": 0.1}),  # the end-of-run summary
            "[1,0]<stdout>:" + _dll("DLLL ", [1, 0], {"train_loss": 0.125}),
        ]
    )
    assert read_dllogger(text) == [0.5, 0.25, 0.125]
    assert read_dllogger(text, key="val_loss") == [9.0]


def test_jsonl_reads_the_key_and_ignores_other_lines():
    text = "\n".join(
        [
            "starting",
            json.dumps({"step": 0, "loss": 1.0}),
            json.dumps({"step": 1, "acc": 0.5}),
            json.dumps([1, 2]),
            "{broken",
            json.dumps({"step": 2, "loss": "NaN"}),
            '  {"loss": 0.5, "flag": true}  ',
            json.dumps({"loss": True}),
        ]
    )
    losses = read_jsonl(text)
    assert losses[0] == 1.0 and math.isnan(losses[1]) and losses[2] == 0.5
    assert len(losses) == 3
    assert read_jsonl(text, key="acc") == [0.5]


@pytest.mark.parametrize(
    ("fmt", "key", "line", "expected"),
    [
        ("regex", None, "loss=0.5", [0.5]),
        ("jsonl", None, '{"loss": 0.5}', [0.5]),
        ("jsonl", "train/loss", '{"train/loss": 0.5}', [0.5]),
        ("dllogger", None, _dll("DLLL ", [0, 0], {"train_loss": 0.5}), [0.5]),
        ("dllogger", "loss", _dll("DLLL ", [0, 0], {"loss": 0.5}), [0.5]),
    ],
)
def test_reader_dispatches_on_format_and_key(fmt, key, line, expected):
    assert LossReader(format=fmt, key=key).read(line + "\n") == expected


def test_unknown_format_is_rejected():
    with pytest.raises(LossFormatError, match="unknown loss format"):
        LossReader(format="csv")
