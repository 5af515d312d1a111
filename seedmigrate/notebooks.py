"""Jupyter notebooks (``.ipynb``): check and migrate their code cells as one module.

A notebook runs its cells top to bottom in one namespace, like a script: the runtime
import and ``seeder.init`` must happen once, before the first cell that needs them.
So the code cells are joined into one Python module and analysed and fixed exactly
as a ``.py`` file is. Between two cells the module holds a marker statement
(``class __seedmigrate_cell_N__: pass``); being a compound statement, it also ends
the "leading imports" block, so the runtime import lands among the first code cell's
imports, never after a cell that uses it.

The notebook is a :class:`~seedmigrate.sources.Source` like a ``.py`` file: the
pipeline runs the same stages on it, and this module only translates between the
notebook and its module (no stage of the pipeline lives here).

IPython syntax is masked so the cells parse: line magics (``%matplotlib inline``),
shell lines (``!pip install x``, ``files = !ls``), help (``obj?``) and the first line of
cell magics that run Python (``%%time``) become placeholder calls that mention the
names the line uses (so ``%time model(np.ones(3))`` keeps ``import numpy as np`` alive),
restored exactly afterwards. A cell magic that runs something else (``%%bash``, ``%%writefile``) keeps
its cell out of the analysis. A notebook whose kernel is not Python is left alone.

Findings are attributed to ``nb.ipynb`` and ``Finding.cell`` ``N`` (shown as
``nb.ipynb:cell_N``) with the line and column *inside that cell*, where ``N`` counts
every cell from 1, markdown cells included (the N-th cell
as seen scrolling the notebook; ``nb.cells[N - 1]`` in nbformat).

Writing back changes only the ``source`` of the cells that changed: outputs, metadata,
ids and key order stay as they are, and the JSON is written with the indentation,
escaping and final newline it was read with. An unchanged notebook is never written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from keyword import iskeyword
from pathlib import Path
from typing import Any, ClassVar

from seedmigrate.analysis.context import parse
from seedmigrate.analysis.model import Finding
from seedmigrate.files import SourceError

#: Cell magics whose body is Python: only their first line is masked.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "pypy"})

_CELL_MARKER = "class __seedmigrate_cell_{}__: pass\n"
_CELL_MARKER_RE = re.compile(r"^class __seedmigrate_cell_(\d+)__: pass$", re.MULTILINE)
_MAGIC = "__seedmigrate_magic_{}__"
_MAGIC_RE = re.compile(r"__seedmigrate_magic_(\d+)__")
_VIEW_HEADER = "# %% cell_{}\n"
_VIEW_HEADER_RE = re.compile(r"^# %% cell_(\d+)$", re.MULTILINE)
_NAME_RE = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_ASSIGN_MAGIC_RE = re.compile(r"^\s*[\w.\[\], ]+\s*=\s*[%!]")


class NotebookError(SourceError):
    """A notebook could not be read, or a fix could not be mapped back to its cells."""


class CellSyntaxError(SyntaxError):
    """A code cell that does not parse: ``filename`` is its label (``cell_3``), ``cell``
    its number, ``lineno`` and ``offset`` count inside it."""

    cell: int


@dataclass(frozen=True)
class CodeCell:
    """A code cell that takes part in the analysis."""

    index: int  # position among all cells, 0-based
    text: str  # its source, joined


@dataclass(frozen=True)
class Module:
    """Code cells joined into one parseable module, and how to take it apart again."""

    text: str
    starts: tuple[tuple[int, int], ...]  # (first module line, cell index) per cell
    magics: tuple[str, ...]  # original lines masked by ``__seedmigrate_magic_K__``


def cell_label(index: int) -> str:
    """``cell_3`` for the cell at 0-based ``index`` 2."""
    return f"cell_{index + 1}"


# -- masking IPython syntax ----------------------------------------------------------


def _is_ipython_line(line: str) -> bool:
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return False
    return (
        stripped.startswith(("%", "!", "?"))
        or (stripped.endswith("?") and "#" not in stripped)  # ``obj?``, ``obj??``
        or bool(_ASSIGN_MAGIC_RE.match(line))
    )


def _cell_magic(text: str) -> str | None:
    """The name of the cell magic that starts ``text`` (``time`` for ``%%time``)."""
    first = text.lstrip("\n").split("\n", 1)[0].strip()
    if not first.startswith("%%"):
        return None
    return first[2:].split(None, 1)[0] if first[2:].strip() else ""


def _mask(text: str, magics: list[str]) -> str:
    """``text`` with every IPython-only line replaced by a placeholder of same indent."""
    out = []
    continued = False
    indent = ""
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        if continued or _is_ipython_line(body):
            if not continued:  # a continuation line stays at its magic's indentation
                indent = body[: len(body) - len(body.lstrip())]
            names = dict.fromkeys(n for n in _NAME_RE.findall(body) if not iskeyword(n))
            # the names the line mentions stay visible, so an import it uses is kept
            uses = f"({', '.join(names)})" if names else ""
            out.append(f"{indent}{_MAGIC.format(len(magics))}{uses}{ending}")
            magics.append(body)
            continued = body.endswith("\\")
        else:
            out.append(line)
    return "".join(out)


def _unmask(text: str, magics: Sequence[str], seen: set[int]) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        match = _MAGIC_RE.search(line)
        if match is None:
            out.append(line)
            continue
        number = int(match.group(1))
        if number >= len(magics) or number in seen:
            raise NotebookError("a masked IPython line was duplicated by the fix")
        seen.add(number)
        body = line.rstrip("\r\n")
        out.append(magics[number] + line[len(body) :])
    return "".join(out)


def _with_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def build_module(cells: Sequence[CodeCell]) -> Module:
    """Join (masked) cells into one module; :class:`CellSyntaxError` names a cell that
    does not parse."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    magics: list[str] = []
    line = 1
    for number, cell in enumerate(cells):
        if number:
            parts.append(_CELL_MARKER.format(cell.index + 1))
            line += 1
        masked = _with_newline(_mask(cell.text, magics))
        try:
            parse(masked, cell_label(cell.index))
        except SyntaxError as exc:
            error = CellSyntaxError(
                exc.msg,
                (cell_label(cell.index), exc.lineno, exc.offset, exc.text)
                + (exc.end_lineno, exc.end_offset),
            )
            error.cell = cell.index + 1
            raise error from exc
        starts.append((line, cell.index))
        parts.append(masked)
        line += masked.count("\n")
    return Module("".join(parts), tuple(starts), tuple(magics))


def split_module(text: str, module: Module) -> dict[int, str]:
    """The cells' texts (cell index -> text) of a fixed module, magics restored."""
    markers = list(_CELL_MARKER_RE.finditer(text))
    expected = [index + 1 for _, index in module.starts[1:]]
    if [int(m.group(1)) for m in markers] != expected:
        raise NotebookError("the cell boundaries did not survive the fix")
    bounds = [0, *(m.start() for m in markers), len(text)]
    seen: set[int] = set()
    cells = {}
    for number, (_, index) in enumerate(module.starts):
        start = bounds[number]
        if number:
            start = markers[number - 1].end() + 1  # past the marker and its newline
        cells[index] = _unmask(text[start : bounds[number + 1]], module.magics, seen)
    if len(seen) != len(module.magics):
        raise NotebookError("a masked IPython line was removed by the fix")
    return cells


def module_starts(text: str, module: Module) -> tuple[tuple[int, int], ...]:
    """``Module.starts`` for a fixed version of ``module``'s text."""
    starts = [(1, module.starts[0][1])] if module.starts else []
    for match in _CELL_MARKER_RE.finditer(text):
        line = text.count("\n", 0, match.start()) + 2
        starts.append((line, int(match.group(1)) - 1))
    return tuple(starts)


def remap(finding: Finding, starts: Sequence[tuple[int, int]]) -> Finding:
    """``finding`` (module lines) attributed to its cell, with lines in that cell."""
    if not starts:
        return finding
    chosen = starts[0]
    for start in starts:
        if start[0] <= finding.line:
            chosen = start
    first, index = chosen
    line = max(finding.line - first + 1, 1)
    end_line, end_column = finding.end_line - first + 1, finding.end_column
    following = [s for s in starts if s[0] > first]
    if end_line < line or (following and finding.end_line >= following[0][0]):
        end_line, end_column = line, finding.column
    return replace(finding, line=line, end_line=end_line, end_column=end_column, cell=index + 1)


# -- reading and writing the .ipynb file ---------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How the notebook's JSON was written, to write it back the same way: indentation
    (spaces or tabs), escaping, line endings, BOM and final newline."""

    indent: int | str | None
    ensure_ascii: bool
    final_newline: bool
    newline: str = "\n"
    bom: bool = False

    @classmethod
    def of(cls, raw: str) -> Layout:
        """The layout of ``raw``, the notebook's bytes decoded as UTF-8 (BOM included)."""
        bom = raw.startswith("\ufeff")
        body = raw[1:] if bom else raw
        second = body.split("\n", 2)[1] if body.count("\n") >= 2 else ""
        whitespace = second[: len(second) - len(second.lstrip(" \t"))]
        indent: int | str | None = whitespace or None
        if whitespace and not whitespace.strip(" "):
            indent = len(whitespace)  # spaces: as json.dump(indent=N)
        return cls(
            indent=indent,
            ensure_ascii=body.isascii() and "\\u" in body,
            final_newline=body.endswith("\n"),
            newline="\r\n" if "\r\n" in body else "\n",
            bom=bom,
        )

    def dumps(self, notebook: dict[str, Any]) -> str:
        text = json.dumps(notebook, indent=self.indent, ensure_ascii=self.ensure_ascii)
        if self.final_newline:
            text += "\n"
        if self.newline != "\n":  # JSON strings hold no raw newline: each is structure
            text = text.replace("\n", self.newline)
        return "\ufeff" + text if self.bom else text


def _source_text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _kernel_language(notebook: dict[str, Any]) -> str | None:
    metadata = notebook.get("metadata") or {}
    kernelspec = metadata.get("kernelspec") or {}
    language = kernelspec.get("language") or (metadata.get("language_info") or {}).get("name")
    return language.lower() if isinstance(language, str) else None


def load_notebook(raw: bytes) -> dict[str, Any]:
    """The notebook's JSON (:class:`NotebookError` when it is not an nbformat 4 notebook)."""
    try:
        notebook = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise NotebookError(f"cannot decode notebook as utf-8: {exc.reason}") from exc
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"not a notebook: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        if isinstance(notebook, dict) and "worksheets" in notebook:
            raise NotebookError(
                "nbformat 3 notebook: upgrade it with `jupyter nbconvert --to notebook`"
            )
        raise NotebookError("not a notebook: no list of cells")
    return notebook


def code_cells(notebook: dict[str, Any]) -> list[CodeCell]:
    """The code cells to analyse: all, except those of non-Python cell magics."""
    if _kernel_language(notebook) not in (None, "python", "python3"):
        return []
    found = []
    for index, cell in enumerate(notebook["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        text = _source_text(cell)
        magic = _cell_magic(text)
        if magic is not None and magic not in PYTHON_CELL_MAGICS:
            continue
        found.append(CodeCell(index, text))
    return found


def _trailing_newlines(text: str) -> int:
    return len(text) - len(text.rstrip("\n"))


@dataclass(frozen=True)
class NotebookSource:
    """A notebook as read: a :class:`~seedmigrate.sources.Source` whose code is its
    joined module (:class:`Module`).

    ``text`` is the notebook's *view*: its analysed code cells, each under a
    ``# %% cell_N`` header (as in jupytext's percent format). Diffs and interactive
    review work on this view, and :meth:`encode` turns an edited view back into the
    notebook's bytes.
    """

    path: Path
    raw: bytes
    notebook: dict[str, Any] = field(repr=False)
    cells: tuple[CodeCell, ...]
    module: Module = field(repr=False)
    layout: Layout
    kind: ClassVar[str] = "notebook"

    @property
    def code(self) -> str:
        return self.module.text

    @property
    def text(self) -> str:
        return view({cell.index: cell.text for cell in self.cells})

    def text_of(self, code: str) -> str:
        """The view of a fixed module."""
        return view(split_module(code, self.module))

    def code_of(self, text: str) -> str:
        """The module of an edited view (:class:`CellSyntaxError` when a cell is invalid)."""
        texts = self.cell_texts(text)
        return build_module([CodeCell(index, texts[index]) for index in sorted(texts)]).text

    def file_text(self, text: str) -> str:
        """The notebook's JSON holding the view ``text``."""
        return self.encode(text).decode("utf-8")

    def locate(self, findings: Sequence[Finding], code: str) -> list[Finding]:
        """``findings`` on the module ``code`` attributed to the cells they are in."""
        starts = module_starts(code, self.module)
        return [remap(finding, starts) for finding in findings]

    def cell_texts(self, view_text: str) -> dict[int, str]:
        """Cell index -> text of an edited view (:class:`NotebookError` if malformed)."""
        headers = list(_VIEW_HEADER_RE.finditer(view_text))
        if [int(h.group(1)) - 1 for h in headers] != [c.index for c in self.cells]:
            raise NotebookError("the cell headers of the notebook view were changed")
        texts = {}
        for number, header in enumerate(headers):
            end = headers[number + 1].start() if number + 1 < len(headers) else len(view_text)
            texts[int(header.group(1)) - 1] = view_text[header.end() + 1 : end]
        return texts

    def encode_cells(self, texts: dict[int, str]) -> bytes:
        """The notebook's bytes with these cell texts (the original bytes if none changed)."""
        originals = {cell.index: cell.text for cell in self.cells}
        changed = {}
        for index, text in texts.items():
            original = originals[index]
            body = text.rstrip("\n")
            new = body + "\n" * _trailing_newlines(original) if body else ""
            if new != original:
                changed[index] = new
        if not changed:
            return self.raw
        notebook = json.loads(json.dumps(self.notebook))  # a copy: self stays as read
        for index, new in changed.items():
            cell = notebook["cells"][index]
            if isinstance(cell.get("source"), list):
                cell["source"] = new.splitlines(keepends=True)
            else:
                cell["source"] = new
        return self.layout.dumps(notebook).encode("utf-8")

    def encode(self, text: str) -> bytes:
        """The notebook's bytes after the edits shown in the view ``text`` (the bytes as
        read when there are none)."""
        if text == self.text:  # a cell of blank lines only is shown as empty
            return self.raw
        return self.encode_cells(self.cell_texts(text))


def view(texts: dict[int, str]) -> str:
    """Cell texts under ``# %% cell_N`` headers, in cell order."""
    return "".join(
        _VIEW_HEADER.format(index + 1) + _with_newline(text)
        for index, text in sorted(texts.items())
    )


def read_notebook(path: Path, raw: bytes) -> NotebookSource:
    """Read ``raw`` as the notebook ``path``: :class:`NotebookError` when it is not a
    notebook or a cell does not parse (then with the cell and the place in it)."""
    notebook = load_notebook(raw)
    cells = tuple(code_cells(notebook))
    try:
        module = build_module(cells)
    except CellSyntaxError as exc:
        line, column = exc.lineno or 1, max(exc.offset or 1, 1)
        raise NotebookError(f"cannot parse: {exc.msg}", line, column, exc.cell) from exc
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, deep nesting
        raise NotebookError(f"cannot parse: {exc}") from exc
    return NotebookSource(path, raw, notebook, cells, module, Layout.of(raw.decode("utf-8")))
