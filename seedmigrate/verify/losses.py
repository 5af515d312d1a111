"""Readers that pull the training loss of every step out of a run's output.

Three formats, chosen with ``--loss-format``:

- ``regex``: the first group of every match of ``--loss-regex``, in order;
- ``dllogger``: NVIDIA DLLogger JSON lines (``DLLL {...}`` or ``DLL {...}``), the
  ``train_loss`` entry (or ``--loss-key``) of every per-step ``LOG`` record;
- ``jsonl``: one JSON object per line, the value under ``--loss-key`` (default ``loss``).

Output is read line by line (as it streams in, see :mod:`~seedmigrate.verify.runner`), so
a loss is printed on one line. Lines that do not match are ignored, so a script may print
anything else it likes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_LOSS_REGEX = r"loss[=:] *([-+]?(?i:nan|inf(?:inity)?)\b|[-+0-9.eE]+)"
"""Matches ``loss=0.25`` and ``loss: 0.25``, and ``loss=nan`` / ``loss: -inf`` (any case,
as Python, NumPy and PyTorch print them): a diverged run must be seen, not skipped. The
number is group 1."""

LOSS_FORMATS = ("regex", "dllogger", "jsonl")

DEFAULT_LOSS_KEYS = {"dllogger": "train_loss", "jsonl": "loss"}

_DLLOGGER_LINE = re.compile(r"\bDLLL? (\{.*\})\s*$")


class LossFormatError(ValueError):
    """The reader's configuration is unusable (bad regex, regex without a group)."""


@dataclass(frozen=True)
class LossReader:
    """How to read losses from output text: a format plus its regex or key."""

    format: str = "regex"
    regex: str = DEFAULT_LOSS_REGEX
    key: str | None = None

    def __post_init__(self) -> None:
        if self.format not in LOSS_FORMATS:
            raise LossFormatError(
                f"unknown loss format {self.format!r}; choose one of {', '.join(LOSS_FORMATS)}"
            )
        if self.format == "regex":
            compile_loss_regex(self.regex)

    @property
    def effective_key(self) -> str:
        """The JSON key read by the ``dllogger`` and ``jsonl`` formats."""
        return self.key or DEFAULT_LOSS_KEYS.get(self.format, "loss")

    def read(self, text: str) -> list[float]:
        """Return the losses found in ``text``, in the order they were printed."""
        read_line = self.line_reader()
        return [loss for line in text.splitlines() for loss in read_line(line)]

    def line_reader(self) -> Callable[[str], list[float]]:
        """A function returning the losses of one line (without its line break).

        Output is read line by line, as it streams in: a loss must be printed on one
        line (a regex match does not span lines).
        """
        if self.format == "regex":
            pattern = compile_loss_regex(self.regex)
            return lambda line: _regex_line(pattern, line)
        key = self.effective_key
        if self.format == "dllogger":
            return lambda line: _dllogger_line(line, key)
        return lambda line: _jsonl_line(line, key)

    def describe(self) -> str:
        """A short human description, used in error messages."""
        if self.format == "regex":
            return f"--loss-regex {self.regex!r}"
        return f"--loss-format {self.format} (key {self.effective_key!r})"


def compile_loss_regex(pattern: str) -> re.Pattern[str]:
    """Compile a loss regex, insisting on at least one capturing group."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise LossFormatError(f"invalid --loss-regex {pattern!r}: {exc}") from exc
    if compiled.groups < 1:
        raise LossFormatError(
            f"--loss-regex {pattern!r} has no capturing group; put the number in (...)"
        )
    return compiled


def read_regex(text: str, pattern: str) -> list[float]:
    """Return the first group of every match of ``pattern`` in ``text`` as a float.

    ``text`` is matched line by line. A match whose group is not a number (``loss=.``
    say) is skipped rather than fatal: a run that yields no losses at all is reported by
    the caller.
    """
    return LossReader("regex", regex=pattern).read(text)


def _regex_line(pattern: re.Pattern[str], line: str) -> list[float]:
    losses = []
    for match in pattern.finditer(line):
        value = _to_float(match.group(1))
        if value is not None:
            losses.append(value)
    return losses


def read_dllogger(text: str, key: str = "train_loss") -> list[float]:
    """Return ``data[key]`` of every per-step DLLogger ``LOG`` record in ``text``.

    DLLogger's JSON stream backend writes lines such as::

        DLLL {"timestamp": "...", "elapsedtime": 1.2, "datetime": "...", "type": "LOG",
              "step": [0, 1], "data": {"train_loss": 0.5}}

    Summary records (``"step": []``) and ``PARAMETER`` records are skipped: they are
    not steps of training.
    """
    return LossReader("dllogger", key=key).read(text)


def _dllogger_line(line: str, key: str) -> list[float]:
    match = _DLLOGGER_LINE.search(line)
    if match is None:
        return []
    record = _load_json_object(match.group(1))
    if record is None or record.get("type", "LOG") != "LOG":
        return []
    step = record.get("step")
    if step in ([], (), "", None) or step == "PARAMETER":
        return []
    data = record.get("data")
    if isinstance(data, dict) and key in data:
        value = _to_float(data[key])
        if value is not None:
            return [value]
    return []


def read_jsonl(text: str, key: str = "loss") -> list[float]:
    """Return ``record[key]`` of every line of ``text`` that is a JSON object holding it."""
    return LossReader("jsonl", key=key).read(text)


def _jsonl_line(line: str, key: str) -> list[float]:
    stripped = line.strip()
    if not stripped.startswith("{"):
        return []
    record = _load_json_object(stripped)
    if record is not None and key in record:
        value = _to_float(record[key])
        if value is not None:
            return [value]
    return []


def _load_json_object(text: str) -> dict | None:
    try:
        record = json.loads(text)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _to_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
