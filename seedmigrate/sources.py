"""What the pipeline reads, analyses and writes back: one interface for every kind of
source, so that a ``.py`` file, a notebook and a source on stdin take the same path.

A source has two texts. ``code`` is the Python module the rules analyse and the fixes
rewrite; ``text`` is what a person sees of it (``--diff``, ``--interactive``) and what
:meth:`Source.encode` turns back into the file's bytes. For a Python file they are the
same text; for a notebook, ``code`` joins the code cells into one module and ``text``
shows each cell under a ``# %% cell_N`` header (see :mod:`seedmigrate.notebooks`).
Findings are computed on ``code``; :meth:`Source.locate` says where the user sees them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from seedmigrate.analysis.model import Finding
from seedmigrate.files import decode_source, read_bytes


class Source(Protocol):
    """One source as read. A method that cannot do its job raises
    :class:`~seedmigrate.files.SourceError` with a message for the user."""

    @property
    def path(self) -> Path:
        """The file it was read from (``-`` for stdin)."""

    @property
    def raw(self) -> bytes:
        """The bytes as read: an unchanged source is written back as these, never
        re-encoded."""

    @property
    def kind(self) -> str:
        """What the user calls it in messages: ``file`` or ``notebook``."""

    @property
    def code(self) -> str:
        """The Python text to analyse and fix."""

    @property
    def text(self) -> str:
        """The text a person reviews: what diffs show and what :meth:`encode` takes."""

    def text_of(self, code: str) -> str:
        """The reviewed text of ``code``, a fixed version of :attr:`code`."""

    def code_of(self, text: str) -> str:
        """The Python text of ``text``, an edited version of :attr:`text`
        (``SyntaxError`` when part of it does not parse on its own)."""

    def encode(self, text: str) -> bytes:
        """The file's bytes holding ``text``, an edited version of :attr:`text`."""

    def file_text(self, text: str) -> str:
        """The whole file, as text, holding ``text`` (what SARIF fixes replace in)."""

    def locate(self, findings: Sequence[Finding], code: str) -> list[Finding]:
        """``findings`` on ``code`` (a version of :attr:`code`) where the user sees them."""


def open_source(path: Path, data: bytes | None = None) -> Source:
    """Read ``path`` (or take ``data``, for stdin) as the kind of source its suffix says.

    :class:`~seedmigrate.files.SourceError` when it cannot be read, decoded or (a
    notebook's cells) parsed.
    """
    raw = data if data is not None else read_bytes(path)
    if path.suffix == ".ipynb":
        from seedmigrate.notebooks import read_notebook

        return read_notebook(path, raw)
    return decode_source(raw, path)
