"""Discover, read and atomically write the files seedmigrate works on.

Reading keeps everything needed to write a file back byte-for-byte where nothing
changed: the raw bytes, the detected encoding (PEP 263 cookie or BOM) and the text
exactly as decoded (no newline translation, so CRLF survives).
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

#: Folders never walked into: VCS data, virtualenvs, caches and build output.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    ".env",
    "env",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".seedmigrate_cache",
    ".ipynb_checkpoints",
    "build",
    "dist",
    "site-packages",
    "node_modules",
    "*.egg-info",
)

#: What a folder walk picks up: Python files and Jupyter notebooks.
SOURCE_SUFFIXES = (".py", ".ipynb")


class SourceError(Exception):
    """A file that could not be read or decoded; carries a 1-based line and column."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class SourceFile:
    """One Python file as read from disk."""

    path: Path
    raw: bytes
    text: str
    encoding: str
    bom: bool

    def encode(self, text: str) -> bytes:
        """Encode ``text`` the way this file was encoded (same codec, BOM kept)."""
        data = text.encode(self.encoding)
        if self.bom and not data.startswith(b"\xef\xbb\xbf"):
            data = b"\xef\xbb\xbf" + data
        return data


def decode_source(raw: bytes, path: Path | str = "<string>") -> SourceFile:
    """Decode Python source bytes, honouring a BOM or an encoding cookie.

    Raises :class:`SourceError` with a location when the bytes cannot be decoded.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:  # bad cookie, BOM + conflicting cookie
        raise SourceError(f"cannot detect encoding: {exc.msg}", exc.lineno or 1, 1) from exc
    bom = encoding == "utf-8-sig"
    codec = "utf-8" if bom else encoding
    body = raw[3:] if bom else raw
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        column = exc.start - (body.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            f"cannot decode as {codec}: invalid byte 0x{body[exc.start]:02x}", line, column
        ) from exc
    except LookupError as exc:
        raise SourceError(f"unknown encoding {codec!r}", 1, 1) from exc
    return SourceFile(Path(path), raw, text, codec, bom)


def read_source(path: Path) -> SourceFile:
    """Read and decode one file (:class:`SourceError` if unreadable or undecodable)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from exc
    return decode_source(raw, path)


def atomic_write(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its permission bits.

    The bytes go to a temporary file in the same folder, which is then renamed over
    the original, so a crash leaves either the old or the new file, never half of one.
    ``fsync=False`` skips forcing the bytes to disk (for caches, where losing the file
    in a crash costs a re-run, never a wrong answer).
    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _excluded(path: Path, root: Path, patterns: Iterable[str]) -> bool:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    for pattern in patterns:
        if fnmatch(path.name, pattern) or fnmatch(rel, pattern) or fnmatch(rel, pattern + "/*"):
            return True
    return False


def discover(
    paths: Iterable[Path], exclude: Iterable[str] = (), *, root: Path | None = None
) -> Iterator[Path]:
    """Yield the Python files and notebooks named by ``paths`` (files, or folders walked).

    A file named explicitly is always yielded, whatever its suffix; folders are walked
    skipping :data:`DEFAULT_EXCLUDES` and the user's ``exclude`` glob patterns (matched
    against the file or folder name and against the path relative to ``root``).
    """
    root = root or Path.cwd()
    patterns = tuple(exclude)
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                here = Path(dirpath)
                dirnames[:] = sorted(
                    d
                    for d in dirnames
                    if not any(fnmatch(d, p) for p in DEFAULT_EXCLUDES)
                    and not _excluded(here / d, root, patterns)
                )
                for name in sorted(filenames):
                    candidate = here / name
                    if candidate.suffix in SOURCE_SUFFIXES and not _excluded(
                        candidate, root, patterns
                    ):
                        if candidate not in seen:
                            seen.add(candidate)
                            yield candidate
        elif path not in seen:
            seen.add(path)
            yield path
