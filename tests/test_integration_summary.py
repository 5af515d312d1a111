"""``apply --summary markdown``: a merge-request description of the whole migration."""

from __future__ import annotations

import textwrap

from helpers import run_cli_inprocess

TRAIN = textwrap.dedent(
    """\
    import numpy as np
    import torch

    np.random.seed(0)
    torch.manual_seed(0)
    g = torch.Generator()
    for epoch in range(3):
        torch.save({"model": 1}, "c.pt")
    """
)
DALI = textwrap.dedent(
    """\
    from nvidia.dali import pipeline_def


    @pipeline_def
    def pipe():
        return 1
    """
)


def _project(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "data.py").write_text(DALI)
    (tmp_path / "done.py").write_text("x = 1\n")
    (tmp_path / "broken.py").write_text("import torch\ntorch.manual_seed(0\n")
    return tmp_path


def test_summary_lists_fixes_and_every_follow_up(tmp_path):
    project = _project(tmp_path)
    out = run_cli_inprocess("apply", "--summary", "markdown", ".", cwd=project)
    assert out.returncode == 2  # broken.py could not be parsed
    md = out.stdout
    assert md.startswith("## Deterministic seeding migration\n")
    assert "`seedmigrate apply` changed **1 file**; **3 follow-ups** need a human" in md
    train = md[md.index("### `train.py`") :]
    assert "- SEED001 `manual-global-seeding` — Global RNG seeded by hand (×2)" in train
    assert "SEED005 `missing-seeder-init`" in train
    assert "SEED006 `epoch-loop-reseed`" in train
    # the follow-ups point at the file as written, with the rule's own fix text
    written = (project / "train.py").read_text().splitlines()
    generator_line = next(i for i, line in enumerate(written, 1) if "torch.Generator()" in line)
    assert f"- [ ] `train.py:{generator_line}` SEED013" in train
    assert "Fix: Register a function that reseeds it" in train
    assert "SEED016" in train and "'epoch': epoch" in train
    assert "### `data.py`" in md and "SEED014" in md
    assert "done.py" not in md
    assert "### Not migrated" in md and "`broken.py:2:" in md
    assert "1 file changed" in out.stderr


def test_summary_with_diff_writes_nothing_and_goes_to_output_file(tmp_path):
    project = _project(tmp_path)
    (project / "broken.py").unlink()
    out = run_cli_inprocess(
        "apply", "--diff", "--summary", "markdown", "-o", "mr.md", ".", cwd=project
    )
    assert out.returncode == 1
    assert out.stdout.startswith("--- a/train.py")  # stdout stays the patch
    md = (project / "mr.md").read_text()
    assert "would change **1 file**" in md
    assert (project / "train.py").read_text() == TRAIN


def test_summary_when_nothing_to_do(tmp_path):
    (tmp_path / "done.py").write_text("x = 1\n")
    out = run_cli_inprocess("apply", "--summary", "markdown", ".", cwd=tmp_path)
    assert out.returncode == 0
    assert "Nothing to migrate" in out.stdout
