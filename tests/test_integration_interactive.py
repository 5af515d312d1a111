"""``apply --interactive``: per-hunk y/n/a/d/q answers read from stdin."""

from __future__ import annotations

import textwrap

from helpers import run_cli

from seedmigrate.interactive import apply_hunks, hunks

# two changes far enough apart to be two hunks: the removal at the top, the reseed
# in the loop at the bottom (plus the import and init at the top, in the first hunk)
TRAIN = textwrap.dedent(
    """\
    import torch

    torch.manual_seed(0)
    a = 1
    b = 2
    c = 3
    d = 4
    e = 5
    f = 6
    g = 7
    for epoch in range(3):
        torch.rand(1)
    """
)
OTHER = "import random\n\nrandom.seed(3)\n"


def _run(tmp_path, answers, *files):
    for name, text in (("a.py", TRAIN), ("b.py", OTHER)):
        (tmp_path / name).write_text(text)
    return run_cli(
        "apply", "--interactive", *(files or ("a.py", "b.py")), cwd=tmp_path, stdin=answers
    )


def test_hunks_split_and_apply_subsets():
    after = TRAIN.replace("torch.manual_seed(0)\n", "").replace(
        "range(3):\n", "range(3):\n    seeder.reseed(1, epoch)\n"
    )
    old, new = TRAIN.splitlines(True), after.splitlines(True)
    found = hunks(old, new)
    assert len(found) == 2
    assert "".join(apply_hunks(old, new, found)) == after
    assert "".join(apply_hunks(old, new, [])) == TRAIN
    assert "".join(apply_hunks(old, new, found[1:])) == TRAIN.replace(
        "range(3):\n", "range(3):\n    seeder.reseed(1, epoch)\n"
    )


def test_yes_to_all(tmp_path):
    out = _run(tmp_path, "y\ny\ny\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("Apply this hunk") == 3
    assert "@@ -1," in out.stdout and "-torch.manual_seed(0)" in out.stdout
    assert "\x1b[" not in out.stdout  # not a terminal: no colours
    assert "seeder.reseed(1, epoch)" in (tmp_path / "a.py").read_text()
    assert "random.seed" not in (tmp_path / "b.py").read_text()


def test_a_subset_using_a_name_whose_import_was_left_out_is_refused(tmp_path):
    out = _run(tmp_path, "n\ny\n", "a.py")
    assert out.returncode == 0, out.stderr
    assert "uses `seeder` but the hunk that imports it was left out" in out.stdout
    assert "a.py left unchanged" in out.stdout
    assert (tmp_path / "a.py").read_text() == TRAIN


def test_a_subset_that_does_not_parse_is_refused():
    import io

    from seedmigrate.config import Config
    from seedmigrate.files import decode_source
    from seedmigrate.interactive import HunkReviewer
    from seedmigrate.pipeline import FileResult

    filler = "".join(f"v{i} = {i}\n" for i in range(8))
    before = "x = [\n    1,\n" + filler + "]\n"
    after = "x = (\n    1,\n" + filler + ")\n"
    result = FileResult("m.py", source=decode_source(before.encode(), "m.py"), new_text=after)
    out = io.StringIO()
    reviewer = HunkReviewer(io.StringIO("y\nn\n"), out, config=Config())
    reviewed = reviewer(result)
    assert not reviewed.changed
    assert "do not form valid Python" in out.getvalue()
    assert "m.py left unchanged" in out.getvalue()
    # both hunks together are fine
    reviewed = HunkReviewer(io.StringIO("y\ny\n"), io.StringIO(), config=Config())(result)
    assert reviewed.new_text == after


def test_a_takes_the_rest_of_the_file_and_d_skips_it(tmp_path):
    out = _run(tmp_path, "a\nd\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("Apply this hunk") == 2  # a.py once, b.py once
    assert "seeder.reseed(1, epoch)" in (tmp_path / "a.py").read_text()
    assert (tmp_path / "b.py").read_text() == OTHER


def test_q_stops_everything_and_end_of_input_is_q(tmp_path):
    out = _run(tmp_path, "q\n")
    assert out.returncode == 0
    assert (tmp_path / "a.py").read_text() == TRAIN
    assert (tmp_path / "b.py").read_text() == OTHER
    assert out.stdout.count("Apply this hunk") == 1
    out = _run(tmp_path, "")
    assert (tmp_path / "a.py").read_text() == TRAIN


def test_unknown_answer_prints_help_and_asks_again(tmp_path):
    out = _run(tmp_path, "x\nn\nn\nn\n")
    assert "a - apply this hunk and all later hunks" in out.stdout
    assert (tmp_path / "a.py").read_text() == TRAIN


def test_guarded_seeding_removed_as_one_hunk(tmp_path):
    source = "import torch\n\nif True:\n    torch.manual_seed(0)\n" + "x = 1\n" * 8
    (tmp_path / "c.py").write_text(source)
    # SEED001 alone would leave the script unseeded (guarantee c2): init comes with it
    out = run_cli(
        "apply", "--interactive", "--select", "SEED001,SEED005", "c.py", cwd=tmp_path, stdin="y\n"
    )
    assert out.returncode == 0
    assert out.stdout.count("Apply this hunk") == 1
    assert "torch.manual_seed" not in (tmp_path / "c.py").read_text()
