"""FileContext's positions and source segments agree with ``ast`` on any text.

``source_of`` replaces ``ast.get_source_segment`` (which re-split the file on every
call) and ``pos`` converts byte columns through the same line table, so both are
checked against ``ast`` itself, including line breaks ``str.splitlines`` disagrees on.
"""

from __future__ import annotations

import ast

import pytest

# a test dependency, not a framework: skip rather than error where it is missing
pytest.importorskip("hypothesis")
from hypothesis import given, settings
from hypothesis import strategies as st

from seedmigrate.analysis.context import FileContext, source_lines
from seedmigrate.engine import analyse_source, suppressed_codes

SEGMENT_CASES = [
    "import random\nrandom.seed(0)\n",
    "x = 'é' + f(a,\n   b)  # ü\ny = [1,\r\n 2]\r\n",
    "a = 1\x0c\nb = (2 +\x0c\n 3)\n",
    "s = '\u2028'\nt = g(\n  '\x85', 1)\n",
    "def f():\n\treturn {'κ': [x for x in y]}\n",
    "x = 1\ry = 2\rz = h(x,\r y)",
]


def _segments_agree(text: str) -> None:
    tree = ast.parse(text)
    ctx = FileContext(text, tree)
    assert ctx.nodes == list(ast.walk(tree))
    for node in ctx.nodes:
        if hasattr(node, "end_lineno"):
            assert ctx.source_of(node) == (ast.get_source_segment(text, node) or "")


@pytest.mark.parametrize("text", SEGMENT_CASES)
def test_source_of_matches_ast(text):
    _segments_agree(text)


_PIECES = st.sampled_from(
    ["x", "= 1", "f(a, b)", "'é'", "(1,\n 2)", "\n", "\r\n", "\r", "\x0c", " ", "#c\u2028\n"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=12))
def test_source_of_matches_ast_on_generated_text(pieces):
    text = "".join(pieces)
    try:
        ast.parse(text)
    except SyntaxError:
        return
    _segments_agree(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab \r\n\x0c\x0b\x1c\x85\u2028é", max_size=20))
def test_source_lines_split_like_the_tokenizer(text):
    assert source_lines(text) == ast._splitlines_no_ff(text)


def test_form_feed_does_not_shift_positions():
    """A form feed (``^L``, common between sections) is not a line break for ``ast``."""
    plain = "import random\n# a   b\nx = 1; random.seed(0)\n"
    with_ff = "import random\n# a\x0c b\nx = 1; random.seed(0)\n"
    where = [(f.code, f.line, f.column, f.end_column) for f in analyse_source(plain)]
    assert [(f.code, f.line, f.column, f.end_column) for f in analyse_source(with_ff)] == where
    assert ("SEED001", 3, 8, 22) in where


def test_suppression_lines_counted_like_ast():
    text = "# \x0c\nimport random\nrandom.seed(0)  # seedmigrate: ignore[SEED001]\n"
    assert suppressed_codes(text) == {3: {"SEED001"}}
    assert "SEED001" not in [f.code for f in analyse_source(text)]
