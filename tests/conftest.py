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
