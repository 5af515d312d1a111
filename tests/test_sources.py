"""The one interface the pipeline reads every kind of source through."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seedmigrate.analysis.model import Finding
from seedmigrate.files import SourceError
from seedmigrate.sources import open_source

PY = b"# -*- coding: latin-1 -*-\r\nimport random\r\nrandom.seed(0)  # \xe9\r\n"
NOTEBOOK = json.dumps(
    {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# title"},
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
             "source": ["%matplotlib inline\n", "import random"]},
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
             "source": "random.seed(0)"},
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
             "source": "\n\n"},
        ],
        "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    },
    indent=1,
).encode()  # fmt: skip


@pytest.mark.parametrize(("name", "raw"), [("a.py", PY), ("a.ipynb", NOTEBOOK)])
def test_an_unchanged_source_round_trips(name, raw):
    source = open_source(Path(name), raw)
    assert source.encode(source.text) == raw
    assert source.text_of(source.code) == source.text
    assert source.code_of(source.text) == source.code
    whole = raw.decode("utf-8") if name.endswith(".ipynb") else source.text
    assert source.file_text(source.text) == whole


def test_a_python_file_is_its_own_code_and_finds_where_it_found():
    source = open_source(Path("a.py"), PY)
    assert source.kind == "file" and source.code == source.text
    finding = Finding("SEED001", "m", 3, 1, 3, 15, True, (), "a.py")
    assert source.locate([finding], source.code) == [finding]


def test_a_notebook_locates_findings_in_its_cells():
    source = open_source(Path("a.ipynb"), NOTEBOOK)
    assert source.kind == "notebook"
    assert source.text == "# %% cell_2\n%matplotlib inline\nimport random\n# %% cell_3\n" + (
        "random.seed(0)\n# %% cell_4\n\n\n"
    )
    line = source.code.splitlines().index("random.seed(0)") + 1
    finding = Finding("SEED001", "m", line, 1, line, 15, True, (), "a.ipynb")
    (located,) = source.locate([finding], source.code)
    assert (located.path, located.cell, located.line, located.end_line) == ("a.ipynb", 3, 1, 1)
    assert located.where == "a.ipynb:cell_3"
    fixed = source.text.replace("random.seed(0)\n", "")
    after = json.loads(source.file_text(fixed))
    assert after["cells"][2]["source"] == "" and after["cells"][0]["source"] == "# title"


def test_errors_say_where_they_are():
    broken = NOTEBOOK.replace(b'"random.seed(0)"', b'"random.seed(0"')
    with pytest.raises(SourceError) as caught:
        open_source(Path("b.ipynb"), broken)
    assert (caught.value.cell, caught.value.line) == (3, 1)
    assert caught.value.message.startswith("cannot parse: ")
    with pytest.raises(SourceError, match="cannot be encoded as latin-1"):
        open_source(Path("a.py"), PY).encode("x = '\u20ac'\n")
