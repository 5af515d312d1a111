"""``check``'s content-hash cache: reused when nothing changed, never trusted otherwise."""

from __future__ import annotations

import json

import pytest
from helpers import run_cli

from seedmigrate import pipeline
from seedmigrate.cache import CACHE_DIR_NAME, CheckCache, config_key
from seedmigrate.cli import main
from seedmigrate.config import Config

TRAIN = "import random\nimport torch\nrandom.seed(0)\nfor epoch in range(3):\n    pass\n"
HELPER = "import numpy as np\nnp.random.seed(1)\n"
PLAIN = "x = 1\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project with a pyproject.toml and three files; cwd is its root."""
    (tmp_path / "pyproject.toml").write_text("[tool.seedmigrate]\n")
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(TRAIN)
    (src / "helper.py").write_text(HELPER)
    (src / "plain.py").write_text(PLAIN)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEEDMIGRATE_NO_CACHE", raising=False)
    return tmp_path


@pytest.fixture
def analysed(monkeypatch):
    """Paths check_file analysed (i.e. were not served from the cache)."""
    seen: list[str] = []
    real = pipeline.check_file

    def counting(path, config, force=False, project=None):
        seen.append(path.name)
        return real(path, config, force, project)

    monkeypatch.setattr(pipeline, "check_file", counting)
    return seen


def check(capsys, *args: str) -> tuple[int, str]:
    code = main(["check", "-j", "1", *args])
    return code, capsys.readouterr().out


def test_second_run_is_served_from_the_cache(project, analysed, capsys):
    first = check(capsys, "src", "--output-format", "json")
    assert sorted(analysed) == ["helper.py", "plain.py", "train.py"]
    analysed.clear()
    second = check(capsys, "src", "--output-format", "json")
    assert analysed == []
    assert second == first
    assert first[0] == 1 and json.loads(first[1])
    cache_dir = project / CACHE_DIR_NAME
    assert (cache_dir / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not [p for p in cache_dir.iterdir() if p.name.endswith(".tmp")]


def test_cached_findings_equal_fresh_ones_edits_included(project):
    config = Config(source=project / "pyproject.toml")
    path = project / "src" / "train.py"
    fresh = pipeline.check_file(path, config)
    cache = CheckCache.open(config)
    cache.store(fresh, False)
    cache.save()
    hit = CheckCache.open(config).lookup(path, False)
    assert hit is not None and hit.findings == fresh.findings
    assert [f.edits for f in hit.findings] == [f.edits for f in fresh.findings]
    assert any(f.edits for f in hit.findings)


def test_changed_file_is_analysed_again(project, analysed, capsys):
    check(capsys, "src")
    analysed.clear()
    (project / "src" / "plain.py").write_text("import random\nrandom.seed(3)\n")
    code, out = check(capsys, "src")
    assert analysed == ["plain.py"]
    assert "plain.py:2:1: SEED001" in out.replace("\\", "/")


def test_config_change_is_a_different_cache(project, analysed, capsys):
    check(capsys, "src")
    analysed.clear()
    code, out = check(capsys, "src", "--select", "SEED001")
    assert sorted(analysed) == ["helper.py", "plain.py", "train.py"]
    assert "SEED005" not in out and "SEED001" in out
    assert config_key(Config(select=("SEED001",))) != config_key(Config())
    assert config_key(Config(runtime_module="rt")) != config_key(Config())
    assert config_key(Config(exclude=("x",))) == config_key(Config())


def test_explicit_and_walked_files_are_cached_apart(project, capsys):
    """A walked file the pre-filter skips is not parsed; named explicitly it is."""
    (project / "src" / "broken.py").write_text("def f(:\n")
    assert check(capsys, "src")[0] == 1  # findings, no SEED000
    code, out = check(capsys, "src/broken.py")
    assert code == 2 and "SEED000" in out
    assert check(capsys, "src")[0] == 1


@pytest.mark.parametrize(
    "garbage",
    [b"", b"{not json", b"[1, 2]", b'{"format": 1}', None],
    ids=["empty", "truncated", "list", "no-files", "bad-entries"],
)
def test_corrupt_cache_is_ignored(project, analysed, capsys, garbage):
    first = check(capsys, "src")
    (cache_file,) = (project / CACHE_DIR_NAME).glob("check-*.json")
    if garbage is None:  # right layout, nonsense entries
        data = json.loads(cache_file.read_text())
        for name in data["files"]:
            data["files"][name] = [data["files"][name][0], False, [{"code": 1}], 7, None]
        garbage = json.dumps(data).encode()
    cache_file.write_bytes(garbage)
    analysed.clear()
    assert check(capsys, "src") == first
    assert sorted(analysed) == ["helper.py", "plain.py", "train.py"]
    analysed.clear()
    assert check(capsys, "src") == first  # and it was rewritten
    assert analysed == []


def test_unwritable_cache_is_not_fatal(project, capsys):
    (project / CACHE_DIR_NAME).write_text("a file where the folder should be")
    code, out = check(capsys, "src")
    assert code == 1 and "SEED001" in out


def test_no_cache_flag_and_env(project, analysed, capsys, monkeypatch):
    check(capsys, "src", "--no-cache")
    assert not (project / CACHE_DIR_NAME).exists()
    monkeypatch.setenv("SEEDMIGRATE_NO_CACHE", "1")
    check(capsys, "src")
    assert not (project / CACHE_DIR_NAME).exists()
    monkeypatch.setenv("SEEDMIGRATE_NO_CACHE", "0")
    check(capsys, "src")
    analysed.clear()
    check(capsys, "src", "--no-cache")
    assert len(analysed) == 3  # --no-cache does not read it either


def test_cache_goes_to_the_project_root(project, capsys, monkeypatch):
    monkeypatch.chdir(project / "src")
    check(capsys, ".")
    assert (project / CACHE_DIR_NAME).is_dir()
    assert not (project / "src" / CACHE_DIR_NAME).exists()


def test_deleted_files_are_pruned(project, capsys):
    check(capsys, "src")
    (project / "src" / "helper.py").unlink()
    (project / "src" / "plain.py").write_text("y = 2\n")  # a change, so the cache is rewritten
    check(capsys, "src")
    (cache_file,) = (project / CACHE_DIR_NAME).glob("check-*.json")
    names = {n.replace("\\", "/") for n in json.loads(cache_file.read_text())["files"]}
    assert names == {"src/plain.py", "src/train.py"}


def test_apply_never_uses_the_cache(project, capsys):
    check(capsys, "src")
    assert main(["apply", "-j", "1", "src"]) == 0
    capsys.readouterr()
    assert "seeder.reseed(1, epoch)" in (project / "src" / "train.py").read_text()


def test_parallel_check_through_the_cli(project):
    for i in range(12):  # enough files for a process pool
        (project / "src" / f"m{i}.py").write_text(HELPER)
    cold = run_cli("check", "src", "-j", "2", cwd=project)
    warm = run_cli("check", "src", "-j", "2", cwd=project)
    assert cold.returncode == warm.returncode == 1
    assert cold.stdout == warm.stdout and cold.stdout.count("SEED001") == 14
