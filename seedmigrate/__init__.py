"""seedmigrate: migrate ML training scripts to deterministic, resumable seeding.

The CLI lives in :mod:`seedmigrate.cli`. Importing this package is cheap: it pulls in
neither torch nor TensorFlow (nor libcst, until a file is actually rewritten).
"""

from __future__ import annotations

__version__ = "0.1.0"
