"""Report formats for CI: GitHub annotations, SARIF, -o, --statistics, --exit-zero."""

from __future__ import annotations

import json
import textwrap

import pytest
from helpers import run_cli_inprocess

from seedmigrate.output.sarif import apply_replacements, replacements
from seedmigrate.rules import ALL_RULES

TRAIN = textwrap.dedent(
    """\
    import argparse

    import numpy as np
    import torch


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--epochs", type=int, default=3)
        args = parser.parse_args()
        torch.manual_seed(0)
        np.random.seed(0)
        g = torch.Generator()
        for epoch in range(args.epochs):
            print(torch.rand(1, generator=g))


    if __name__ == "__main__":
        main()
    """
)
CLEAN = "import torch\n\nx = torch.zeros(3)\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "clean.py").write_text(CLEAN)
    return tmp_path


def test_github_annotations(project):
    out = run_cli_inprocess("check", "--output-format", "github", "train.py", cwd=project)
    assert out.returncode == 1, out.stderr
    lines = out.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ")) for line in lines)
    manual = next(line for line in lines if "title=SEED013" in line)
    assert manual.startswith("::error file=train.py,line=13,col=9,endLine=13,endColumn=26,")
    assert manual.endswith("register it: seeder.register_generator(g.manual_seed)")
    fixable = next(line for line in lines if "title=SEED001" in line)
    assert fixable.startswith("::warning file=train.py,line=11,col=5,")
    assert "(fixable with `seedmigrate apply`)" in fixable
    assert out.stderr == ""  # nothing else on the annotations' streams


def test_github_escapes_properties_and_data():
    from seedmigrate.analysis.model import Finding
    from seedmigrate.output.github import format_annotation

    finding = Finding("SEED000", "cannot parse: 100%\nbad", 1, 2, 1, 3, False, (), "a,b:c.py")
    assert format_annotation(finding) == (
        "::error file=a%2Cb%3Ac.py,line=1,col=2,endLine=1,endColumn=3,"
        "title=SEED000::cannot parse: 100%25%0Abad"
    )


def test_sarif_log_has_rules_results_and_fixes(project):
    out = run_cli_inprocess("check", "--output-format", "sarif", ".", cwd=project)
    assert out.returncode == 1, out.stderr
    log = json.loads(out.stdout)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "seedmigrate"
    assert [r["id"] for r in driver["rules"]] == [r.code for r in ALL_RULES]
    seed013 = driver["rules"][[r.code for r in ALL_RULES].index("SEED013")]
    assert seed013["name"] == "local-generator"
    assert "register_generator" in seed013["help"]["text"]
    assert seed013["help"]["markdown"].startswith("## SEED013")
    results = run["results"]
    assert {r["ruleId"] for r in results} >= {"SEED001", "SEED005", "SEED006", "SEED013"}
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "train.py", "uriBaseId": "%SRCROOT%"}
        assert location["region"]["startLine"] >= 1
        fixable = result["level"] == "warning"
        assert ("fixes" in result) == fixable, result
    # every fix, applied alone to the file, gives what apply does for that finding
    for result in results:
        for fix in result.get("fixes", []):
            (change,) = fix["artifactChanges"]
            after = apply_replacements(TRAIN, change["replacements"])
            assert after != TRAIN
            compile(after, "train.py", "exec")
    init = next(r for r in results if r["ruleId"] == "SEED005")
    fixed = apply_replacements(TRAIN, init["fixes"][0]["artifactChanges"][0]["replacements"])
    assert "seeder.init(master_seed=args.seed)" in fixed
    assert "import seeder_runtime.torch as seeder\n" in fixed


def test_sarif_without_findings_is_a_valid_empty_run(project):
    out = run_cli_inprocess("check", "--output-format", "sarif", "clean.py", cwd=project)
    assert out.returncode == 0
    assert json.loads(out.stdout)["runs"][0]["results"] == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("a\nb\nc\n", "x\na\nc\nd\n"),
        ("a\nb", "a\nb\nc"),
        ("a\r\nb\r\n", "a\r\nz\r\nb\r\n"),
        ("", "new\n"),
        ("only\n", ""),
        ("é€\n😀x\n", "é€\ny😀x\n"),
    ],
)
def test_sarif_replacements_reproduce_the_after_text(before, after):
    changes = replacements(before, after)
    assert apply_replacements(before, changes) == after
    for change in changes:
        region = change["deletedRegion"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_output_file_gets_the_report(project):
    out = run_cli_inprocess(
        "check", "--output-format", "json", "-o", "report.json", ".", cwd=project
    )
    assert out.returncode == 1
    assert out.stdout == ""
    findings = json.loads((project / "report.json").read_text())
    assert {f["code"] for f in findings} >= {"SEED001", "SEED013"}
    out = run_cli_inprocess("check", "--output-file", "report.txt", "train.py", cwd=project)
    text = (project / "report.txt").read_text()
    assert "train.py:11:5: SEED001" in text
    assert "\x1b[" not in text
    assert "Found" in out.stderr


def test_output_file_in_a_missing_folder_is_a_usage_error(project):
    out = run_cli_inprocess("check", "-o", "no/such/dir/r.txt", "train.py", cwd=project)
    assert out.returncode == 2
    assert "--output-file" in out.stderr


def test_statistics_counts_per_rule(project):
    out = run_cli_inprocess("check", "--statistics", "train.py", cwd=project)
    rows = [line.split("\t") for line in out.stdout.splitlines() if "\t" in line]
    counts = {row[1]: int(row[0]) for row in rows}
    assert counts["SEED001"] == 2
    assert counts["SEED013"] == 1
    assert any(row[1] == "SEED001" and row[2].startswith("[*]") for row in rows)
    # with a machine-readable format, statistics go to stderr and stdout stays parseable
    out = run_cli_inprocess(
        "check", "--statistics", "--output-format", "sarif", "train.py", cwd=project
    )
    json.loads(out.stdout)
    assert "SEED001" in out.stderr


def test_exit_zero(project):
    assert run_cli_inprocess("check", "train.py", cwd=project).returncode == 1
    out = run_cli_inprocess("check", "--exit-zero", "train.py", cwd=project)
    assert out.returncode == 0
    assert "SEED001" in out.stdout
    out = run_cli_inprocess("apply", "--diff", "--exit-zero", "train.py", cwd=project)
    assert out.returncode == 0
    assert out.stdout.startswith("--- a/train.py")


def test_apply_reports_manual_findings_as_annotations(project):
    out = run_cli_inprocess("apply", "--output-format", "github", "train.py", cwd=project)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("::error file=train.py,line=")
    assert "title=SEED013" in lines[0]
    assert "import seeder_runtime.torch as seeder" in (project / "train.py").read_text()


def test_apply_diff_keeps_stdout_a_patch_and_sends_the_report_to_a_file(project):
    out = run_cli_inprocess(
        "apply", "--diff", "--output-format", "sarif", "-o", "r.sarif", "train.py", cwd=project
    )
    assert out.returncode == 1
    assert out.stdout.startswith("--- a/train.py\n+++ b/train.py\n")
    results = json.loads((project / "r.sarif").read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["SEED013"]
    assert (project / "train.py").read_text() == TRAIN
