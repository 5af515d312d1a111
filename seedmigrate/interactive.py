"""``apply --interactive``: review each hunk of each file's change before it is written.

Like ``git add -p``: every hunk is shown (coloured on a terminal) and one answer is
read from stdin:

- ``y`` apply this hunk; ``n`` leave it out;
- ``a`` apply this hunk and all the remaining ones in this file;
- ``d`` done with this file: leave out this hunk and the remaining ones;
- ``q`` quit: leave out this hunk and everything after it, in every file;
- ``?`` print this help.

End of input counts as ``q``. The chosen hunks are applied to the original lines as
text; the result must still be valid Python (for a notebook: every cell), else the
file is left as it was and a message says why. The findings still open are computed
again on what is actually written.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from seedmigrate.config import Config
from seedmigrate.output.diff import split_lines

HELP = (
    "y - apply this hunk\n"
    "n - do not apply this hunk\n"
    "a - apply this hunk and all later hunks in this file\n"
    "d - done with this file: do not apply this hunk or any later one in it\n"
    "q - quit: do not apply this hunk or any later one, in any file\n"
    "? - print this help\n"
)
_ANSWERS = frozenset("ynadq")


@dataclass(frozen=True)
class Hunk:
    """One group of changes with its context, as ``difflib`` groups them for a diff."""

    opcodes: tuple[tuple[str, int, int, int, int], ...]

    def header(self) -> str:
        first, last = self.opcodes[0], self.opcodes[-1]
        old = f"{first[1] + 1},{last[2] - first[1]}"
        new = f"{first[3] + 1},{last[4] - first[3]}"
        return f"@@ -{old} +{new} @@"

    def lines(self, before: Sequence[str], after: Sequence[str]) -> list[str]:
        """The hunk body: ``' '``, ``'-'`` and ``'+'`` lines, without line endings."""
        out: list[str] = []
        for tag, i1, i2, j1, j2 in self.opcodes:
            if tag == "equal":
                out.extend(" " + line.rstrip("\r\n") for line in before[i1:i2])
                continue
            out.extend("-" + line.rstrip("\r\n") for line in before[i1:i2])
            out.extend("+" + line.rstrip("\r\n") for line in after[j1:j2])
        return out


def hunks(before: Sequence[str], after: Sequence[str], context: int = 3) -> list[Hunk]:
    """The hunks of a unified diff between two lists of lines."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [Hunk(tuple(group)) for group in matcher.get_grouped_opcodes(context)]


def apply_hunks(before: Sequence[str], after: Sequence[str], selected: Sequence[Hunk]) -> list[str]:
    """``before`` with only the ``selected`` hunks' changes applied."""
    result: list[str] = []
    at = 0
    changes = sorted(
        (op for hunk in selected for op in hunk.opcodes if op[0] != "equal"),
        key=lambda op: op[1],
    )
    for _, i1, i2, j1, j2 in changes:
        result.extend(before[at:i1])
        result.extend(after[j1:j2])
        at = i2
    result.extend(before[at:])
    return result


class Quit(Exception):
    """The user answered ``q``."""


class HunkReviewer:
    """Asks about every hunk of a changed :class:`~seedmigrate.pipeline.FileResult`.

    Call it with a result; it returns the result as it should be written: all, some
    or none of its changes, with ``remaining`` recomputed when only some were taken.
    """

    def __init__(
        self,
        answers: TextIO,
        out: TextIO,
        *,
        config: Config,
        display: Callable[[Path], str] = str,
        color: bool | None = None,
    ) -> None:
        self.answers = answers
        self.out = out
        self.config = config
        self.display = display
        self.color = out.isatty() if color is None else color
        self.quitting = False

    # -- showing and asking ----------------------------------------------------------

    def _paint(self, line: str) -> str:
        if not self.color:
            return line
        code = {"+": "32", "-": "31", "@": "36"}.get(line[:1])
        return f"\033[{code}m{line}\033[0m" if code else line

    def _ask(self, name: str, number: int, total: int) -> str:
        while True:
            self.out.write(f"({number}/{total}) Apply this hunk to {name} [y,n,a,d,q,?]? ")
            self.out.flush()
            line = self.answers.readline()
            if not line:  # end of input
                self.out.write("\n")
                return "q"
            answer = line.strip().lower()[:1]
            if not _isatty(self.answers):
                self.out.write(line.strip() + "\n")  # answers from a pipe: keep the log readable
            if answer in _ANSWERS:
                return answer
            self.out.write(HELP)

    # -- one file --------------------------------------------------------------------

    def __call__(self, result):
        if self.quitting or not result.changed:
            return _unchanged(result)
        name = self.display(Path(result.path))
        before = split_lines(result.source.text)  # as --diff shows them
        after = split_lines(result.new_text)
        found = hunks(before, after)
        chosen: list[Hunk] = []
        take_rest = False
        for number, hunk in enumerate(found, start=1):
            if take_rest:
                chosen.append(hunk)
                continue
            self.out.write(self._paint(f"--- a/{name}") + "\n")
            self.out.write(self._paint(f"+++ b/{name}") + "\n")
            self.out.write(self._paint(hunk.header()) + "\n")
            for line in hunk.lines(before, after):
                self.out.write(self._paint(line) + "\n")
            answer = self._ask(name, number, len(found))
            if answer == "y":
                chosen.append(hunk)
            elif answer == "a":
                chosen.append(hunk)
                take_rest = True
            elif answer == "d":
                break
            elif answer == "q":
                self.quitting = True
                break
        if len(chosen) == len(found):
            return result
        if not chosen:
            return _unchanged(result)
        text = "".join(apply_hunks(before, after, chosen))
        try:
            remaining = self._reanalyse(result, text)
        except SyntaxError as exc:
            where = f"line {exc.lineno}: " if exc.lineno else ""
            if exc.filename and exc.filename.startswith("cell_"):
                where = f"{exc.filename}:{exc.lineno}: "
            self.out.write(
                f"seedmigrate: the hunks chosen for {name} do not form valid Python "
                f"({where}{exc.msg}); {name} left unchanged\n"
            )
            return _unchanged(result)
        self.out.write(f"{name}: {len(chosen)} of {len(found)} hunks applied\n")
        return replace(result, new_text=text, remaining=remaining)

    def _reanalyse(self, result, text: str) -> list:
        """Findings on ``text``; ``SyntaxError`` if it is not valid Python, or if it
        uses a name that only an import in a hunk left out would bind."""
        from seedmigrate.analysis.context import parse
        from seedmigrate.engine import analyse_tree
        from seedmigrate.files import SourceError

        source = result.source
        try:
            code, full = source.code_of(text), source.code_of(result.new_text)
        except SourceError as exc:
            raise SyntaxError(exc.message) from exc
        tree = parse(code, result.path)
        missing = sorted(_imported_names(parse(full, result.path)) - _imported_names(tree))
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        for name in missing:
            if name in used:
                raise SyntaxError(f"uses `{name}` but the hunk that imports it was left out")
        return source.locate(analyse_tree(code, tree, self.config, result.path), code)


def _imported_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add(alias.asname or alias.name.split(".")[0])
    return names


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except ValueError:  # closed
        return False


def _unchanged(result):
    return replace(result, new_text=None, remaining=list(result.findings))
