import sys
from pathlib import Path

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
