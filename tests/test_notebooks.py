"""Jupyter notebooks: real .ipynb files written with nbformat, checked and migrated."""

from __future__ import annotations

import json

import pytest
from helpers import run_cli, run_cli_inprocess

nbformat = pytest.importorskip("nbformat")
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output  # noqa: E402

from seedmigrate.notebooks import (  # noqa: E402
    _MAGIC_RE,
    CodeCell,
    build_module,
    split_module,
)


def _notebook(*cells, **metadata):
    nb = new_notebook(cells=list(cells))
    nb.metadata.update(
        {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            **metadata,
        }
    )
    return nb


def _write(path, nb):
    nbformat.write(nb, str(path))
    return path.read_bytes()


def _training_notebook():
    plot = new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2])", execution_count=1)
    plot.outputs = [new_output("execute_result", {"text/plain": "[<Line2D>]"}, execution_count=1)]
    return _notebook(
        new_markdown_cell("# Train a tiny model"),
        new_code_cell(
            "%matplotlib inline\n!pip install -q torch\nimport numpy as np\nimport torch"
        ),
        new_code_cell("%%time\nnp.random.seed(0)\ntorch.manual_seed(0)\nw = torch.zeros(3)"),
        new_code_cell("g = torch.Generator()\nfiles = !ls\nnp.zeros?"),
        new_code_cell("for epoch in range(3):\n    %time w += torch.rand(3)\n    print(epoch)"),
        new_code_cell("%%bash\necho $((1 + 1))\nnp.random.seed(9)"),
        plot,
    )


def test_check_reports_findings_inside_cells(tmp_path):
    _write(tmp_path / "train.ipynb", _training_notebook())
    out = run_cli_inprocess("check", "train.ipynb", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    lines = out.stdout.splitlines()
    # cell_3 is the notebook's third cell (the markdown cell counts): line 2 of that cell
    assert "train.ipynb:cell_3:2:1: SEED001 `numpy.random.seed`" in out.stdout
    assert "train.ipynb:cell_3:3:1: SEED001 `torch.manual_seed`" in out.stdout
    assert any(line.startswith("train.ipynb:cell_4:1:5: SEED013") for line in lines)
    assert any(line.startswith("train.ipynb:cell_5:1:5: SEED006") for line in lines)
    assert not any("cell_6" in line for line in lines)  # %%bash cell: not Python


def test_apply_migrates_cells_and_keeps_magics_outputs_and_metadata(tmp_path):
    nb = _training_notebook()
    path = tmp_path / "train.ipynb"
    original = _write(path, nb)
    out = run_cli_inprocess("apply", "train.ipynb", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert path.read_bytes() != original
    new = nbformat.read(str(path), as_version=4)
    nbformat.validate(new)
    sources = [cell.source for cell in new.cells]
    # the import lands once, among the first code cell's imports; magics are intact
    assert sources[1] == (
        "%matplotlib inline\n!pip install -q torch\nimport numpy as np\nimport torch\n"
        "import seeder_runtime.torch as seeder"
    )
    assert sum(s.count("import seeder_runtime") for s in sources) == 1
    assert sources[2].startswith("%%time\n")
    assert "np.random.seed" not in sources[2] and "torch.manual_seed" not in sources[2]
    assert "seeder.init(master_seed=0)" in sources[2]
    assert sources[3] == "g = torch.Generator()\nfiles = !ls\nnp.zeros?"
    assert sources[4] == (
        "for epoch in range(3):\n    seeder.reseed(1, epoch)\n"
        "    %time w += torch.rand(3)\n    print(epoch)"
    )
    assert sources[5] == nb.cells[5].source  # %%bash untouched
    assert new.cells[0] == nb.cells[0]
    assert new.cells[6] == nb.cells[6]  # outputs and execution count kept
    assert new.metadata == nb.metadata
    # written the way nbformat writes it: only the changed sources differ
    assert path.read_text() == nbformat.writes(new) + "\n" or path.read_text() == nbformat.writes(
        new
    )
    # idempotent, and an unchanged notebook is not rewritten at all
    stat = path.stat()
    out = run_cli_inprocess("apply", "train.ipynb", cwd=tmp_path)
    assert out.returncode == 0
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert "0 files changed" in out.stderr
    out = run_cli_inprocess("check", "train.ipynb", cwd=tmp_path)
    assert "SEED001" not in out.stdout and "SEED006" not in out.stdout


def test_init_goes_where_seeding_was_and_import_before_first_use(tmp_path):
    nb = _notebook(
        new_code_cell("import torch"),
        new_code_cell("x = 1"),
        new_code_cell("import numpy as np\nnp.random.seed(1)"),
    )
    path = tmp_path / "nb.ipynb"
    _write(path, nb)
    assert run_cli_inprocess("apply", "nb.ipynb", cwd=tmp_path).returncode == 0
    cells = [c.source for c in nbformat.read(str(path), as_version=4).cells]
    assert cells[0] == "import torch\nimport seeder_runtime.torch as seeder"
    assert cells[1] == "x = 1"
    # numpy served only the removed seeding: its import goes, as in a .py file
    assert cells[2] == "seeder.init(master_seed=1)\nseeder.reseed(0, 0)"


def test_unchanged_notebooks_stay_byte_for_byte(tmp_path):
    nb = _notebook(new_code_cell("x = 1\nprint('é')"), new_markdown_cell("seed 0"))
    path = tmp_path / "clean.ipynb"
    raw = _write(path, nb)
    out = run_cli_inprocess("apply", ".", cwd=tmp_path)
    assert out.returncode == 0
    assert path.read_bytes() == raw


def test_json_layout_of_the_file_is_kept(tmp_path):
    nb = _notebook(new_code_cell("import random\nrandom.seed(0)\nprint('é')"))
    path = tmp_path / "two.ipynb"
    path.write_text(json.dumps(nb, indent=2, ensure_ascii=True))  # no final newline
    assert run_cli_inprocess("apply", "two.ipynb", cwd=tmp_path).returncode == 0
    text = path.read_text()
    assert text.split("\n")[1].startswith('  "') and not text.split("\n")[1].startswith("   ")
    assert not text.endswith("\n")
    assert "\\u00e9" in text
    data = json.loads(text)
    assert data["cells"][0]["source"] == "import seeder_runtime as seeder\n" + (
        "seeder.init(master_seed=0)\nseeder.reseed(0, 0)\nprint('é')"
    )


def test_folders_are_walked_for_notebooks_but_not_checkpoints(tmp_path):
    nb = _notebook(new_code_cell("import torch\ntorch.manual_seed(0)"))
    _write(tmp_path / "a.ipynb", nb)
    (tmp_path / ".ipynb_checkpoints").mkdir()
    _write(tmp_path / ".ipynb_checkpoints" / "a-checkpoint.ipynb", nb)
    out = run_cli_inprocess("check", ".", cwd=tmp_path)
    assert "a.ipynb:cell_1:2:1: SEED001" in out.stdout
    assert "checkpoint" not in out.stdout


def test_diff_shows_the_cells(tmp_path):
    _write(tmp_path / "a.ipynb", _notebook(new_code_cell("import torch\ntorch.manual_seed(0)")))
    out = run_cli_inprocess("apply", "--diff", "a.ipynb", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stdout.startswith("--- a/a.ipynb\n+++ b/a.ipynb\n")
    assert " # %% cell_1\n" in out.stdout
    assert "-torch.manual_seed(0)\n" in out.stdout


def test_interactive_review_of_a_notebook(tmp_path):
    cells = [new_code_cell("import torch\ntorch.manual_seed(0)")]
    cells += [new_code_cell(f"x{i} = {i}") for i in range(4)]
    cells += [new_code_cell("for epoch in range(2):\n    pass")]
    path = tmp_path / "a.ipynb"
    _write(path, _notebook(*cells))
    out = run_cli("apply", "--interactive", "a.ipynb", cwd=tmp_path, stdin="y\nn\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("Apply this hunk") == 2
    new = nbformat.read(str(path), as_version=4)
    assert "seeder.init" in new.cells[0].source
    assert new.cells[5].source == "for epoch in range(2):\n    pass"


def test_stdin_notebook(tmp_path):
    nb = _notebook(new_code_cell("import torch\ntorch.manual_seed(0)"))
    raw = nbformat.writes(nb) + "\n"
    out = run_cli("apply", "-", "--stdin-filename", "x.ipynb", cwd=tmp_path, stdin=raw)
    assert out.returncode == 0, out.stderr
    assert "seeder.init" in nbformat.reads(out.stdout, as_version=4).cells[0].source


def test_sarif_and_github_point_at_the_notebook(tmp_path):
    _write(tmp_path / "a.ipynb", _notebook(new_code_cell("import torch\ntorch.manual_seed(0)")))
    out = run_cli_inprocess("check", "--output-format", "github", "a.ipynb", cwd=tmp_path)
    assert "::warning file=a.ipynb,title=SEED001::cell_1:2:1: `torch.manual_seed`" in out.stdout
    out = run_cli_inprocess("check", "--output-format", "sarif", "a.ipynb", cwd=tmp_path)
    results = json.loads(out.stdout)["runs"][0]["results"]
    seed001 = next(r for r in results if r["ruleId"] == "SEED001")
    assert seed001["properties"] == {"cell": 1, "cellLine": 2, "cellColumn": 1}
    (change,) = seed001["fixes"][0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "a.ipynb"
    from seedmigrate.output.sarif import apply_replacements

    fixed = json.loads(
        apply_replacements((tmp_path / "a.ipynb").read_text(), change["replacements"])
    )
    assert "torch.manual_seed" not in "".join(fixed["cells"][0]["source"])


def test_broken_cells_and_files_are_reported_and_left_alone(tmp_path):
    bad = _notebook(new_code_cell("x = 1"), new_code_cell("import torch\ntorch.manual_seed(0"))
    raw = _write(tmp_path / "bad.ipynb", bad)
    (tmp_path / "junk.ipynb").write_text("{not json")
    out = run_cli_inprocess("apply", ".", cwd=tmp_path)
    assert out.returncode == 2
    assert "bad.ipynb:cell_2:2:" in out.stdout and "SEED000" in out.stdout
    assert "junk.ipynb:1:1: SEED000 not a notebook: invalid JSON" in out.stdout
    assert (tmp_path / "bad.ipynb").read_bytes() == raw


def test_non_python_kernels_are_skipped(tmp_path):
    nb = _notebook(new_code_cell("set.seed(1)"))
    nb.metadata["kernelspec"] = {"name": "ir", "language": "R", "display_name": "R"}
    _write(tmp_path / "r.ipynb", nb)
    out = run_cli_inprocess("check", "r.ipynb", cwd=tmp_path)
    assert out.returncode == 0


def test_masking_round_trips_every_ipython_line():
    cells = [
        CodeCell(0, "%load_ext autoreload\n%autoreload 2\nx = !ls -la \\\n  --color\ny = 1"),
        CodeCell(2, "%%timeit\nsum(range(10))\nlen?\n# what?\nz = 'a?'"),
    ]
    module = build_module(cells)
    assert len(module.magics) == 6
    assert not any(line.lstrip().startswith(("%", "!")) for line in module.text.splitlines())
    compile(module.text, "m", "exec")
    back = split_module(module.text, module)
    assert back == {0: cells[0].text + "\n", 2: cells[1].text + "\n"}
    assert _MAGIC_RE.search(module.text)


def test_many_notebooks_with_a_process_pool(tmp_path):
    nb = _notebook(new_code_cell("import torch\ntorch.manual_seed(0)"))
    for i in range(9):  # >= 8 files: seedmigrate uses worker processes
        _write(tmp_path / f"n{i}.ipynb", nb)
    out = run_cli("apply", "-j", "2", ".", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "9 files changed" in out.stderr
    for i in range(9):
        cell = nbformat.read(str(tmp_path / f"n{i}.ipynb"), as_version=4).cells[0]
        assert "seeder.init(master_seed=0)" in cell.source


def test_cached_findings_keep_their_cell(tmp_path):
    _write(tmp_path / "a.ipynb", _notebook(new_code_cell("import torch\ntorch.manual_seed(0)")))
    args = ("check", "--output-format", "github", "a.ipynb")
    first = run_cli_inprocess(*args, cwd=tmp_path)
    assert (tmp_path / ".seedmigrate_cache").is_dir()
    again = run_cli_inprocess(*args, cwd=tmp_path)  # served from the cache
    assert again.stdout == first.stdout
    assert "::warning file=a.ipynb,title=SEED001::cell_1:2:1:" in again.stdout


def test_findings_carry_the_cell_and_the_notebook_path(tmp_path):
    from seedmigrate.config import Config
    from seedmigrate.pipeline import process_file

    path = tmp_path / "a.ipynb"
    _write(path, _notebook(new_markdown_cell("x"), new_code_cell("import random\nrandom.seed(0)")))
    result = process_file(path, Config(), False, True)
    (finding,) = [f for f in result.findings if f.code == "SEED001"]
    assert (finding.path, finding.cell, finding.line) == (str(path), 2, 2)
    assert finding.where == f"{path}:cell_2"
    assert finding.to_dict()["path"] == f"{path}:cell_2"


def test_the_notebook_adapter_does_not_import_the_pipeline():
    import subprocess
    import sys

    code = "import sys, seedmigrate.notebooks; print('seedmigrate.pipeline' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
