"""seeder_runtime.tf across fresh processes: Keras resume, determinism flag, imports."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest
from runtime_helpers import REPO_ROOT, run_python_json, subprocess_env

# The children import TensorFlow; this process need not.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None, reason="TensorFlow is not installed"
)

SCRIPT = REPO_ROOT / "tests" / "runtime" / "scripts" / "keras_resume.py"


def _start(tmp_path, name, *args):
    out = tmp_path / f"{name}.json"
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), str(out), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(),
    )
    return proc, out


def _finish(started):
    results = []
    for proc, out in started:
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.read_text())["losses"])
    return results


@pytest.mark.slow
def test_keras_resume_with_seedercb_is_bit_identical(tmp_path):
    ckpt = str(tmp_path / "model.keras")
    full, first = _finish(
        [
            _start(tmp_path, "full", "--epochs", "4", "--checkpoint", ckpt),
            _start(tmp_path, "first", "--epochs", "4", "--stop-after", "2", "--checkpoint", ckpt),
        ]
    )
    resumed, without_reset = _finish(
        [
            _start(tmp_path, "resumed", "--epochs", "4", "--start", "2", "--checkpoint", ckpt),
            _start(
                tmp_path,
                "without",
                "--epochs",
                "4",
                "--start",
                "2",
                "--checkpoint",
                ckpt,
                "--no-layer-reset",
            ),
        ]
    )
    assert len(full) == 4
    assert first == full[:2]
    assert resumed == full[2:]
    # Keras does not save Dropout's SeedGenerator state: reseeding alone is not enough.
    assert without_reset[0] != full[2]


def test_tf_import_stays_torch_free_and_deterministic_flag_works():
    out = run_python_json(
        """
        import json, sys
        import seeder_runtime.tf as seeder
        assert "torch" not in sys.modules, sorted(m for m in sys.modules if "torch" in m)
        from tensorflow.python.framework import config
        before = config.is_op_determinism_enabled()
        seeder.init(1)
        default = config.is_op_determinism_enabled()
        seeder.init(1, deterministic=True)
        print(json.dumps([before, default, config.is_op_determinism_enabled()]))
        """
    )
    assert out == [False, False, True]
