"""``--output-format json``: one JSON array of findings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from seedmigrate.analysis.model import Finding


def write_json(findings: Sequence[Finding], stream: TextIO) -> None:
    """Each finding as an object with path, line, column, code, message, fixable."""
    json.dump([f.to_dict() for f in findings], stream, indent=2)
    stream.write("\n")
