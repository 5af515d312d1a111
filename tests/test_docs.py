"""Every code block in ``docs/*.md`` and ``README.md`` is run, so the docs cannot rot.

The convention, by the fenced block's info string (the word after the opening fence):

``python``
    Executed as a script in a fresh subprocess (``python -c``) whose working directory
    is the document's scratch folder, with ``PYTHONPATH`` set to the repository. It
    must exit 0. Use ``assert`` to state what the reader should see.

``python file=NAME`` (any language: ``toml file=pyproject.toml``)
    Not executed: written to ``NAME`` in the document's scratch folder, for the blocks
    after it (a training script the ``console`` blocks then migrate).

``console`` / ``bash`` / ``shell`` / ``sh``
    Run when the block's first ``$ `` line is a ``seedmigrate`` command. Every ``$ ``
    line is run with bash in the scratch folder (``seedmigrate`` is this checkout's
    CLI; ``\\`` continues a command). The lines after a command, up to the next ``$``
    line, are its expected output (stdout and stderr together), compared line by line
    (trailing blanks ignored); a line ``...`` stands for any number of lines. No lines:
    output not checked. A last line ``[N]`` is the expected exit status (cram's
    notation); without it the command must exit 0. Blocks whose first command is not
    ``seedmigrate`` (``pip install ...``) are shown, not run.

Anything with ``no-run`` in its info string (```` ```python no-run````, ```` ```console
no-run````), and every other language (``text``, ``toml``, ``yaml``, ``diff``, ``json``),
is not run.

``slow`` in the info string (```` ```python slow````) marks a block that trains a model
or runs a training script: the fast tier (plain ``pytest``) runs every other block of
the document, and a second test of the document, marked ``slow``, runs all of its blocks
in order. A block that needs an optional module which is not installed (torch,
TensorFlow, Keras, Lightning, nbformat, ...: imported by the block, or by a ``file=``
script it runs) ends the document's test there, as skipped: the blocks before it ran,
and later blocks may build on it.

The blocks of one document run in order and share its scratch folder (a fresh
temporary folder per document). ``docs/rules.md`` is skipped here: it is generated from
the rules' examples, which ``tests/test_rules.py`` runs.

A failure names the document, the block number (counted from 1 in the document), its
line and first lines, and shows the command, the expected and the actual output.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import REPO

SKIPPED_DOCS = {"docs/rules.md"}
# Optional third-party modules doc blocks may need; CI installs all of them, so only a
# smaller environment (no torch, no TensorFlow) leaves blocks out for them.
OPTIONAL_MODULES = ("torch", "tensorflow", "keras", "lightning", "nbformat", "matplotlib", "yaml")
RUN_LANGUAGES = {"console", "bash", "shell", "sh", "shell-session"}
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
_EXIT = re.compile(r"^\[(\d+)\]$")


@dataclass
class Block:
    doc: str
    number: int  # 1-based, among the document's fenced blocks
    line: int  # of the opening fence
    info: str
    text: str

    @property
    def language(self) -> str:
        return self.info.split()[0].lower() if self.info.split() else ""

    @property
    def options(self) -> list[str]:
        return self.info.split()[1:]

    def where(self) -> str:
        head = "\n".join(f"    {line}" for line in self.text.splitlines()[:3])
        return f"{self.doc}, block {self.number} (line {self.line}, ```{self.info}):\n{head}"


def parse_blocks(doc: str, text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text, in order."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        indent, fence = match["indent"], match["fence"]
        start = i
        body = []
        i += 1
        while i < len(lines) and not (
            lines[i].strip().startswith(fence) and set(lines[i].strip()) <= {fence[0]}
        ):
            line = lines[i]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
        blocks.append(Block(doc, len(blocks) + 1, start + 1, match["info"].strip(), ""))
        blocks[-1].text = "\n".join(body) + ("\n" if body else "")
        i += 1
    return blocks


@dataclass
class Command:
    line: str
    expected: list[str]
    status: int


def parse_session(text: str) -> list[Command]:
    """``$ command`` lines with their expected output and exit status."""
    commands: list[Command] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            i += 1
            continue
        command = lines[i][2:]
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command = command[:-1] + " " + lines[i].lstrip("> ").strip()
        i += 1
        expected = []
        while i < len(lines) and not lines[i].startswith("$ "):
            expected.append(lines[i].rstrip())
            i += 1
        while expected and not expected[-1]:
            expected.pop()
        status = 0
        if expected and _EXIT.match(expected[-1]):
            status = int(_EXIT.match(expected[-1]).group(1))
            expected.pop()
        commands.append(Command(command, expected, status))
    return commands


def output_matches(expected: list[str], actual: list[str]) -> bool:
    """Line-by-line match where an ``...`` line matches any number of lines."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head == "...":
        return any(output_matches(rest, actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and actual[0] == head and output_matches(rest, actual[1:])


def _docs() -> list[str]:
    found = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "docs").glob("*.md"))
    return [d for d in [*found, "README.md"] if d not in SKIPPED_DOCS]


def _doc_params() -> list:
    """Each document once without its ``slow`` blocks; those that have some, once more
    with every block (marked ``slow``)."""
    params = []
    for doc in _docs():
        params.append(pytest.param(doc, False, id=doc))
        blocks = parse_blocks(doc, (REPO / doc).read_text(encoding="utf-8"))
        if any("slow" in block.options for block in blocks):
            params.append(pytest.param(doc, True, id=f"{doc}+slow", marks=pytest.mark.slow))
    return params


def _imported_modules(text: str) -> set[str]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _is_python(block: Block) -> bool:
    return block.language in ("python", "py", "python3")


def _file_target(block: Block) -> str | None:
    return next((o[5:] for o in block.options if o.startswith("file=")), None)


def _executes(block: Block) -> bool:
    """Whether :func:`run_block` runs something for this block (rather than writing it)."""
    if "no-run" in block.options or _file_target(block) is not None:
        return False
    if _is_python(block):
        return True
    commands = parse_session(block.text) if block.language in RUN_LANGUAGES else []
    return bool(commands) and commands[0].line.startswith("seedmigrate")


def missing_modules(
    block: Block, scripts: dict[str, str], optional: tuple[str, ...] = OPTIONAL_MODULES
) -> list[str]:
    """Optional modules a block needs that are not installed: imported by a ``python``
    block itself, or by a script written by an earlier ``file=`` block that it runs (a
    python block that imports ``subprocess`` and names the script in quotes, a console
    block running ``python NAME``)."""
    if _is_python(block):
        texts = [block.text]
        imported = _imported_modules(block.text)
        runs = r"[\"']{}[\"']" if "subprocess" in imported else None
    else:
        texts = []
        runs = r"\bpython3?\s+{}\b"
    if runs is not None:
        texts += [
            s for name, s in scripts.items() if re.search(runs.format(re.escape(name)), block.text)
        ]
    needed = set().union(*map(_imported_modules, texts))
    return sorted(n for n in needed & set(optional) if importlib.util.find_spec(n) is None)


def _env(bin_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",  # stdout and stderr interleave as written
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "NO_COLOR": "1",
        "COLUMNS": "100",
    }


def _shim(bin_dir: Path) -> None:
    """``seedmigrate`` (this checkout's CLI) and ``python`` (the interpreter running the
    tests, with torch/numpy) on PATH, whatever the shell would otherwise find."""
    bin_dir.mkdir()
    python = shlex.quote(sys.executable)
    for name, command in (("seedmigrate", f"{python} -m seedmigrate"), ("python", python)):
        shim = bin_dir / name
        shim.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
        shim.chmod(0o755)


def run_block(block: Block, cwd: Path, env: dict[str, str]) -> None:
    if "no-run" in block.options:
        return
    target = _file_target(block)
    if target is not None:
        (cwd / target).parent.mkdir(parents=True, exist_ok=True)
        (cwd / target).write_text(block.text)
        return
    if block.language in ("python", "py", "python3"):
        done = subprocess.run(
            [sys.executable, "-c", block.text],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            pytest.fail(
                f"{block.where()}\nexited {done.returncode}\n"
                f"--- output ---\n{done.stdout}{done.stderr}",
                pytrace=False,
            )
        return
    if block.language not in RUN_LANGUAGES:
        return
    commands = parse_session(block.text)
    if not commands or not commands[0].line.startswith("seedmigrate"):
        return
    for command in commands:
        done = subprocess.run(
            ["bash", "-c", command.line],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
        )
        actual = [line.rstrip() for line in done.stdout.splitlines()]
        while actual and not actual[-1]:
            actual.pop()
        problems = []
        if done.returncode != command.status:
            problems.append(f"exit status {done.returncode}, expected {command.status}")
        if command.expected and not output_matches(command.expected, actual):
            problems.append("output differs")
        if problems:
            expected = "\n".join(command.expected) or "(not checked)"
            pytest.fail(
                f"{block.where()}\n$ {command.line}\n{'; '.join(problems)}\n"
                f"--- expected ---\n{expected}\n--- actual ---\n{done.stdout}",
                pytrace=False,
            )


@pytest.mark.parametrize(("doc", "with_slow_blocks"), _doc_params())
def test_doc_code_blocks_run(doc, with_slow_blocks, tmp_path):
    text = (REPO / doc).read_text(encoding="utf-8")
    bin_dir = tmp_path / "bin"
    _shim(bin_dir)
    work = tmp_path / "work"
    work.mkdir()
    env = _env(bin_dir)
    scripts: dict[str, str] = {}
    for block in parse_blocks(doc, text):
        if "slow" in block.options and not with_slow_blocks:
            continue
        target = _file_target(block)
        if target is not None and _is_python(block):
            scripts[target] = block.text
        missing = missing_modules(block, scripts) if _executes(block) else []
        if missing:
            # later blocks may build on this one: stop here
            pytest.skip(
                f"{doc}: blocks before block {block.number} ran; it (line {block.line}) "
                f"needs {', '.join(missing)}, which is not installed"
            )
        run_block(block, work, env)


# -- the convention itself -----------------------------------------------------------


def test_parse_blocks_and_sessions():
    text = (
        "intro\n\n```python\nprint(1)\n```\n\n- item\n\n  ```console\n  $ seedmigrate check \\\n"
        "      x.py\n  x.py:1:1: SEED001 ...\n  ...\n  [1]\n  ```\n\n```toml\na = 1\n```\n"
    )
    blocks = parse_blocks("d.md", text)
    assert [(b.number, b.line, b.language) for b in blocks] == [
        (1, 3, "python"),
        (2, 9, "console"),
        (3, 17, "toml"),
    ]
    (command,) = parse_session(blocks[1].text)
    assert command.line == "seedmigrate check  x.py"
    assert command.expected == ["x.py:1:1: SEED001 ...", "..."]
    assert command.status == 1


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        (["a", "...", "d"], ["a", "b", "c", "d"], True),
        (["a", "..."], ["a"], True),
        (["a", "d"], ["a", "b", "d"], False),
        (["...", "x"], ["a", "b"], False),
    ],
)
def test_output_matching(expected, actual, ok):
    assert output_matches(expected, actual) is ok


def test_a_failing_block_says_where(tmp_path):
    block = parse_blocks("docs/x.md", "# t\n\n```python\nassert 1 == 2, 'nope'\n```\n")[0]
    with pytest.raises(pytest.fail.Exception) as info:
        run_block(block, tmp_path, {**os.environ, "PYTHONPATH": str(REPO)})
    message = str(info.value)
    assert message.startswith("docs/x.md, block 1 (line 3, ```python):\n    assert 1 == 2")
    assert "AssertionError: nope" in message


def test_blocks_that_need_a_missing_module_are_found():
    text = (
        "```python file=train.py\nimport no_such_framework.nn\n```\n\n"
        "```python\nimport subprocess\nsubprocess.run(['python', 'train.py'])\n```\n\n"
        "```python\nfrom pathlib import Path\nPath('train.py').write_text('')\n```\n\n"
        "```console\n$ seedmigrate check train.py\n```\n\n"
        "```console\n$ seedmigrate verify -- python train.py --epochs {epochs}\n```\n\n"
        "```python\nfrom numpy import random\n```\n"
    )
    blocks = parse_blocks("d.md", text)
    scripts = {"train.py": blocks[0].text}
    optional = ("no_such_framework", "numpy")
    needs = [missing_modules(block, scripts, optional) for block in blocks[1:]]
    # editing train.py or `check` on it does not run it; numpy is installed
    assert needs == [["no_such_framework"], [], [], ["no_such_framework"], []]
