"""Discover, read and atomically write the files seedmigrate works on.

Reading keeps everything needed to write a file back byte-for-byte where nothing
changed: the raw bytes, the detected encoding (PEP 263 cookie or BOM) and the text
exactly as decoded (no newline translation, so CRLF survives).
"""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
import tokenize
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from seedmigrate.analysis.model import Finding

#: What a folder walk skips unless ``exclude`` replaces it (config or ``--exclude``):
#: VCS data, virtualenvs, caches and build output, matched by name at any depth.
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
    """A source that could not be read, decoded, parsed or encoded; carries a 1-based
    line and column, and for a notebook the number of the cell they count in."""

    def __init__(
        self, message: str, line: int = 1, column: int = 1, cell: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.cell = cell


@dataclass(frozen=True)
class SourceFile:
    """One Python file as read (a :class:`~seedmigrate.sources.Source` whose code is
    its text)."""

    path: Path
    raw: bytes
    text: str
    encoding: str
    bom: bool
    kind: ClassVar[str] = "file"

    @property
    def code(self) -> str:
        return self.text

    def text_of(self, code: str) -> str:
        return code

    def code_of(self, text: str) -> str:
        return text

    def file_text(self, text: str) -> str:
        return text

    def locate(self, findings: Sequence[Finding], code: str) -> list[Finding]:
        return list(findings)

    def encode(self, text: str) -> bytes:
        """Encode ``text`` the way this file was encoded (same codec, BOM kept);
        :class:`SourceError` when that codec cannot hold it."""
        try:
            data = text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            line = text.count("\n", 0, exc.start) + 1
            raise SourceError(
                f"the migrated text cannot be encoded as {exc.encoding}, the file's "
                f"encoding ({exc.object[exc.start]!r} on line {line})"
            ) from exc
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


_FILE_KINDS = (
    (stat.S_ISDIR, "folder"),
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
)


def _not_regular(mode: int) -> str | None:
    """Why a file of this ``st_mode`` is not read (``None`` for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "special file")
    return f"not a regular file ({kind}), not read"


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``, which must be a regular file (a link to one is followed).

    Anything else (a FIFO, a socket, a device) is never opened for reading, so it cannot
    block or have side effects: :class:`SourceError` says what it is, as it does when
    the file cannot be read at all.
    """
    try:
        why = _not_regular(os.stat(path).st_mode)
        if why is not None:
            raise SourceError(why)
        # O_NONBLOCK: should the file be swapped for a FIFO after the stat, the open
        # returns at once instead of waiting for a writer; fstat then refuses it
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from exc
    with os.fdopen(fd, "rb") as handle:
        why = _not_regular(os.fstat(fd).st_mode)
        if why is not None:
            raise SourceError(why)
        try:
            return handle.read()
        except OSError as exc:
            raise SourceError(f"cannot read file: {exc.strerror or exc}") from exc


class WriteError(Exception):
    """A file that was not rewritten; the message says why (reported as SEED000)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


#: Temporaries are named ``.<file>.seedmigrate-<random>.tmp``, so a user who finds one
#: (left by a killed run) sees what it is, and a later run can remove it.
TEMP_INFIX = ".seedmigrate-"
_TEMP_RE = re.compile(r"^\..+\.seedmigrate-[a-z0-9_]{8}\.tmp$")


def _keep_owner(tmp: str, info: os.stat_result) -> None:
    """Give ``tmp`` the owner and group in ``info`` where this process may; else keep
    at least the group, else nothing (not being allowed to is no reason to fail)."""
    for uid in (info.st_uid, -1):
        try:
            os.chown(tmp, uid, info.st_gid)
            return
        except PermissionError:
            continue
        except OSError:  # a filesystem without owners
            return


def _current(path: Path) -> bytes | None:
    """What ``path`` holds now; ``None`` when it is gone (deleted, renamed away)."""
    try:
        return read_bytes(path)
    except SourceError as exc:
        if not os.path.lexists(path):
            return None
        raise WriteError(exc.message) from exc


def _still_as_read(path: Path, expected: bytes | None) -> None:
    """Refuse to write ``path`` unless it still holds ``expected`` (when given)."""
    if expected is None:
        return
    now = _current(path)
    if now is None:
        raise WriteError("deleted or renamed while seedmigrate ran; not recreated")
    if now != expected:
        raise WriteError("changed on disk while seedmigrate ran; not rewritten")


def atomic_write(
    path: Path, data: bytes, *, fsync: bool = True, expected: bytes | None = None
) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its mode, owner and group.

    The bytes go to a temporary file in the same folder, which is then renamed over
    the original, so a crash leaves either the old or the new file, never half of one.
    A symlink is written through: its target is replaced and the link stays a link.
    ``expected``, when given, is what the file held when it was read: if it holds
    anything else just before the rename (edited, deleted or renamed meanwhile),
    nothing is written and :class:`WriteError` says so. ``fsync=False`` skips forcing
    the bytes to disk (for caches, where losing the file in a crash costs a re-run,
    never a wrong answer).
    """
    path = Path(os.path.realpath(path))
    try:
        info: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        info = None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TEMP_INFIX}", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        if info is not None:
            _keep_owner(tmp, info)
            os.chmod(tmp, stat.S_IMODE(info.st_mode))  # after chown, which clears setuid
        _still_as_read(path, expected)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _write_in_place(path: Path, data: bytes, expected: bytes | None) -> None:
    """Overwrite ``path``'s own inode, so that every hard link to it sees the change."""
    fd = os.open(path, os.O_RDWR | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "r+b") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise WriteError("no longer a regular file; not rewritten")
        if expected is not None and handle.read() != expected:
            raise WriteError("changed on disk while seedmigrate ran; not rewritten")
        handle.seek(0)
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(fd)


def remove_stale_temporaries(folder: Path, older_than: float) -> None:
    """Delete seedmigrate's own temporaries in ``folder`` last modified before
    ``older_than`` (left by a run that was killed); anything else is never touched."""
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                if not _TEMP_RE.match(entry.name):
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode) and info.st_mtime < older_than:
                        os.unlink(entry.path)
                except OSError:
                    continue
    except OSError:
        return


def write_back(path: Path, data: bytes, *, expected: bytes) -> None:
    """Rewrite a source file seedmigrate read as ``expected``: :class:`WriteError` (the
    file left as it is) when it is read-only, changed since, or cannot be written.

    A symlink is written through to its target; a file with several hard links is
    overwritten in place (not atomically: a crash in the middle can leave it half
    written) so that every link keeps seeing it; any other file is replaced
    atomically, keeping its mode, owner and group.
    """
    target = Path(os.path.realpath(path))
    try:
        info = os.stat(target)
    except FileNotFoundError as exc:
        raise WriteError("deleted or renamed while seedmigrate ran; not recreated") from exc
    except OSError as exc:
        raise WriteError(f"cannot write: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise WriteError("no longer a regular file; not rewritten")
    if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise WriteError("read-only, not rewritten")
    try:
        if info.st_nlink > 1:
            _write_in_place(target, data, expected)
        else:
            atomic_write(target, data, expected=expected)
    except OSError as exc:
        raise WriteError(f"cannot write: {exc.strerror or exc}") from exc


def _excluded(path: Path, root: Path, patterns: Iterable[str]) -> bool:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    for pattern in patterns:
        if fnmatch(path.name, pattern) or fnmatch(rel, pattern) or fnmatch(rel, pattern + "/*"):
            return True
    return False


@dataclass(frozen=True)
class Unreadable:
    """A folder :func:`discover` could not list (reported as SEED000, never skipped)."""

    path: Path
    message: str


def _identity(path: str | os.PathLike) -> tuple[int, int] | None:
    """(device, inode) of the file ``path`` leads to; ``None`` when it cannot be known."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def discover(
    paths: Iterable[Path],
    exclude: Iterable[str] = DEFAULT_EXCLUDES,
    *,
    root: Path | None = None,
    errors: list[Unreadable] | None = None,
) -> Iterator[Path]:
    """Yield the Python files and notebooks named by ``paths`` (files, or folders walked).

    A file named explicitly is always yielded, whatever its suffix or kind (reading it
    reports what it is); folders are walked skipping the ``exclude`` glob patterns
    (:data:`DEFAULT_EXCLUDES` unless replaced; each matched against the file or folder
    name and against the path relative to ``root``) and every virtual environment (a
    folder holding ``pyvenv.cfg``: never the user's code, and ``apply`` must not
    rewrite installed packages) below a folder named on the command line. A walk
    yields regular files only (a link to one included; a FIFO, socket or device is
    skipped, so nothing can block on it), each file once even when links give it
    several names, and never follows a link to a folder. A folder that cannot be
    listed is appended to ``errors``.
    """
    root = root or Path.cwd()
    patterns = tuple(exclude)
    seen: set[Path] = set()
    identities: set[tuple[int, int]] = set()

    def fresh(path: Path, identity: tuple[int, int] | None) -> bool:
        if path in seen or (identity is not None and identity in identities):
            return False
        seen.add(path)
        if identity is not None:
            identities.add(identity)
        return True

    for path in paths:
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except OSError:
            is_dir = False
        if is_dir:
            for candidate, identity in _walk(path, root, patterns, errors):
                if fresh(candidate, identity):
                    yield candidate
        elif fresh(path, _identity(path)):
            yield path


def _walk(
    top: Path, root: Path, patterns: tuple[str, ...], errors: list[Unreadable] | None
) -> Iterator[tuple[Path, tuple[int, int] | None]]:
    """Regular source files under ``top`` with their identity (see :func:`_identity`):
    a folder's files (sorted), then its folders.

    A folder named on the command line is walked even when it lies in an excluded one
    (``check .venv/lib/python3.11/site-packages/torch``, as ruff does): the patterns
    are then matched below it, relative to it, not to the project root.
    """
    if _excluded(top, root, patterns):
        root = top
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            if errors is not None:
                errors.append(Unreadable(folder, f"cannot read folder: {exc.strerror or exc}"))
            continue
        folders = []
        for entry in entries:
            candidate = folder / entry.name
            if _is_dir(entry):
                if (
                    not entry.is_symlink()
                    and not _excluded(candidate, root, patterns)
                    and not os.path.isfile(os.path.join(entry.path, "pyvenv.cfg"))
                ):
                    folders.append(candidate)
            elif (
                candidate.suffix in SOURCE_SUFFIXES
                and _may_be_regular(entry)
                and not _excluded(candidate, root, patterns)
            ):
                yield candidate, _identity(candidate)
        stack.extend(reversed(folders))


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _may_be_regular(entry: os.DirEntry) -> bool:
    """A regular file, or one that cannot be examined (reading it will say why)."""
    try:
        return entry.is_file()
    except OSError:
        return True


_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def split_lines(text: str) -> list[str]:
    """``text``'s lines as ``git`` and ``patch`` see them: ended by ``\\n`` only, ends kept.

    ``str.splitlines`` also breaks at ``\\f``, ``\\v``, ``\\x1c``-``\\x1e``, ``\\x85``,
    U+2028 and U+2029, and a diff built on such lines does not apply. A ``\\r`` stays in
    its line (``\\r\\n`` ends one, as both tools read it; a lone ``\\r`` is inside one).
    """
    return _LINE.findall(text)
