"""The piecewise rewrite of long files (transforms.apply_edits) gives byte for byte what
the whole-file rewrite gives: every golden fixture, rewritten piecewise."""

from __future__ import annotations

import libcst
import pytest
from test_fixtures import CASES, FIXTURES, apply_bytes

from seedmigrate import transforms


@pytest.mark.parametrize("case", CASES)
def test_piecewise_rewrite_matches_the_whole_file_rewrite(case, monkeypatch):
    monkeypatch.setattr(transforms, "WINDOWED_FROM", 0)
    got, _ = apply_bytes(FIXTURES / case / "input.py")
    assert got == (FIXTURES / case / "expected.py").read_bytes()


def test_a_long_file_is_rewritten_piecewise(monkeypatch):
    """libcst never sees the statements no edit touches (here: a 300 KB table)."""
    table = "".join(f"    ({i}, {i * 0.5}),\n" for i in range(20_000))
    source = (
        "import random\n\nimport torch\n\nTABLE = [\n" + table + "]\n\n\n"
        "def main():\n    random.seed(0)\n    torch.manual_seed(0)\n"
        "    for epoch in range(2):\n        print(TABLE[epoch], torch.rand(1))\n\n\n"
        'if __name__ == "__main__":\n    main()\n'
    )
    parsed: list[int] = []
    real = libcst.parse_module
    monkeypatch.setattr(libcst, "parse_module", lambda text: parsed.append(len(text)) or real(text))
    from seedmigrate.config import Config
    from seedmigrate.engine import analyse_source
    from seedmigrate.fixing import fix_text

    fixed = fix_text(source, analyse_source(source), Config(), "big.py")
    assert max(parsed) < 1_000, parsed
    assert "TABLE = [\n" + table + "]\n" in fixed.text
    assert "import random" not in fixed.text
    assert "    seeder.init(master_seed=0)\n" in fixed.text
    assert "        seeder.reseed(1, epoch)\n" in fixed.text
