"""Lightning: SEED020 + ``seeder_runtime.lightning.SeederCallback`` on a real CPU Trainer."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from helpers import REPO, run_cli

L = pytest.importorskip("lightning")
torch = pytest.importorskip("torch")

SCRIPT = textwrap.dedent(
    """\
    import argparse

    import lightning as L
    import torch
    from torch.utils.data import DataLoader, TensorDataset


    class Tiny(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(
                torch.nn.Linear(4, 16), torch.nn.Dropout(0.5), torch.nn.Linear(16, 1)
            )

        def training_step(self, batch, batch_idx):
            x, y = batch
            loss = torch.nn.functional.mse_loss(self.net(x), y)
            print(f"epoch {self.current_epoch} step {batch_idx} loss={loss.item():.10f}")
            return loss

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.05)


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=42)
        args = parser.parse_args()
        L.seed_everything(args.seed)
        x = torch.randn(64, 4)
        loader = DataLoader(TensorDataset(x, x.sum(1, keepdim=True)), batch_size=16, shuffle=True)
        trainer = L.Trainer(
            max_epochs=2,
            accelerator="cpu",
            enable_progress_bar=False,
            logger=False,
            enable_checkpointing=False,
            enable_model_summary=False,
        )
        trainer.fit(Tiny(), loader)


    if __name__ == "__main__":
        main()
    """
)


def _losses(script, *args) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=script.parent,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [line for line in done.stdout.splitlines() if "loss=" in line]


@pytest.mark.slow
def test_migrated_lightning_script_is_deterministic(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    out = run_cli("check", "train.py", cwd=tmp_path)
    assert "SEED020" in out.stdout and "SEED001" in out.stdout
    out = run_cli("apply", "train.py", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    migrated = script.read_text()
    assert "import seeder_runtime.lightning as seeder\n" in migrated
    assert "seed_everything" not in migrated
    assert "seeder.init(master_seed=args.seed)" in migrated
    assert "        callbacks=[seeder.SeederCallback()],\n" in migrated
    assert run_cli("check", "train.py", cwd=tmp_path).returncode == 0
    assert run_cli("apply", "--diff", "train.py", cwd=tmp_path).returncode == 0  # idempotent

    first = _losses(script, "--seed", "3")
    assert len(first) == 8  # 2 epochs x 4 steps
    assert _losses(script, "--seed", "3") == first
    assert _losses(script, "--seed", "4") != first


def test_callback_reseeds_each_epoch_from_the_trainer_rank():
    from torch.utils.data import DataLoader, TensorDataset

    import seeder_runtime.lightning as seeder

    drawn = []

    class Record(L.pytorch.Callback):
        def on_train_epoch_start(self, trainer, pl_module):
            drawn.append(torch.rand(1).item())

    class Tiny(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Linear(2, 1)

        def training_step(self, batch, batch_idx):
            return self.net(batch[0]).pow(2).mean()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    seeder.init(master_seed=11, ngpus=1, local_rank=0)
    trainer = L.Trainer(
        max_epochs=3,
        accelerator="cpu",
        enable_progress_bar=False,
        logger=False,
        enable_checkpointing=False,
        enable_model_summary=False,
        callbacks=[seeder.SeederCallback(), Record()],
    )
    loader = DataLoader(TensorDataset(torch.ones(4, 2)), batch_size=2)
    trainer.fit(Tiny(), loader)
    expected = []
    for epoch in range(3):
        seeder.reseed(1, epoch)
        expected.append(torch.rand(1).item())
    assert drawn == expected
    assert seeder.get_master_seed() == 11
    assert isinstance(seeder.SeederCallback(), L.pytorch.Callback)


def test_lightning_backend_reexports_the_torch_api():
    import seeder_runtime.lightning as lightning_backend
    import seeder_runtime.torch as torch_backend

    for name in torch_backend.__all__:
        assert getattr(lightning_backend, name) is getattr(torch_backend, name)
    code = "import sys, seeder_runtime.lightning; assert 'tensorflow' not in sys.modules"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 0


@pytest.mark.parametrize(
    ("trainer", "expected"),
    [
        ("Trainer(callbacks=cbs)", "Trainer(callbacks=[*cbs, seeder.SeederCallback()])"),
        (
            "Trainer(callbacks=EarlyStopping('loss'))",
            "Trainer(callbacks=[EarlyStopping('loss'), seeder.SeederCallback()])",
        ),
        ("Trainer(callbacks=None)", "Trainer(callbacks=[seeder.SeederCallback()])"),
    ],
)
def test_callbacks_forms(trainer, expected):
    from helpers import migrate

    from seedmigrate.config import Config

    source = (
        "from pytorch_lightning import Trainer, seed_everything\n\n"
        f"cbs = [a, b]\nseed_everything(1)\ntrainer = {trainer}\n"
    )
    out = migrate(source, Config(select=("SEED020",)))
    assert f"trainer = {expected}\n" in out
    assert "import seeder_runtime.lightning as seeder\n" in out


def test_kwargs_trainer_and_other_backends_are_reported_not_fixed():
    from seedmigrate.engine import analyse_source

    kwargs = "import lightning as L\nL.seed_everything(1)\nt = L.Trainer(**cfg)\n"
    (finding,) = [f for f in analyse_source(kwargs) if f.code == "SEED020"]
    assert not finding.fixable
    torch_backend = (
        "import lightning as L\nimport seeder_runtime.torch as seeder\nt = L.Trainer()\n"
    )
    (finding,) = [f for f in analyse_source(torch_backend) if f.code == "SEED020"]
    assert not finding.fixable
