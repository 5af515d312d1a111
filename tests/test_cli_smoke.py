import subprocess
import sys

from seedmigrate import __version__


def test_version_runs_as_module():
    out = subprocess.run(
        [sys.executable, "-m", "seedmigrate", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert __version__ in out.stdout


def test_no_command_is_usage_error():
    out = subprocess.run([sys.executable, "-m", "seedmigrate"], capture_output=True, text=True)
    assert out.returncode == 2
