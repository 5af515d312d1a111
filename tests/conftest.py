import os
import sys
from pathlib import Path

import pytest

# tests/helpers.py is imported as ``helpers`` by the test modules.
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_addoption(parser):
    parser.addoption(
        "--regen-findings",
        action="store_true",
        help="rewrite tests/fixtures/*/expected.findings from the current analysis",
    )
    parser.addoption(
        "--regen-projects",
        action="store_true",
        help="rewrite tests/projects_apply/*/expected/ from the current apply",
    )


def pytest_report_header(config):
    """Say which tier runs: plain ``pytest`` deselects ``slow`` (pyproject's addopts)."""
    expression = config.getoption("markexpr")
    if expression == "not slow":
        return "tier: fast (slow tests deselected; -m slow runs them, -m 'slow or not slow' all)"
    return f"tier: -m {expression!r}" if expression else "tier: all tests"


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """Plain ``pytest`` (no paths, no ``-n``) spreads the fast tier over the machine's
    cores when pytest-xdist is installed: the default run stays well under 90 s on 2
    cores (serially it takes about 95). Naming paths, ``-n 0``, or
    ``SEEDMIGRATE_TESTS_SERIAL=1`` keeps one process; without pytest-xdist nothing
    changes."""
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist"):
        return
    if getattr(config.option, "numprocesses", 0) is not None:
        return  # -n given
    if os.environ.get("SEEDMIGRATE_TESTS_SERIAL", "") not in ("", "0"):
        return
    if config.args_source is not pytest.Config.ArgsSource.TESTPATHS:
        return  # paths named: one test or one file starts faster without workers
    if config.getoption("collectonly") or config.getoption("usepdb"):
        return
    config.option.numprocesses = "auto"
