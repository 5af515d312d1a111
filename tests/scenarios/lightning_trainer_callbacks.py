"""A PyTorch Lightning script: a LightningModule with Dropout, ``torch.manual_seed(args.seed)``
and ``L.seed_everything(args.seed)``, and ``L.Trainer(max_epochs=..., callbacks=callbacks)``
with ``callbacks`` a list built beforehand."""

import argparse
import json
import random

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class LitRegressor(L.LightningModule):
    def __init__(self, lr=0.05):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 1))
        self.epoch_losses = []

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.mse_loss(self.net(x), y)
        self.epoch_losses.append(loss.item().hex())
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


class PrintResults(L.Callback):
    def on_train_epoch_end(self, trainer, pl_module):
        result = {
            "epoch": trainer.current_epoch,
            "losses": pl_module.epoch_losses,
            "probe": [
                random.random().hex(),
                float(np.random.random()).hex(),
                torch.rand(1).item().hex(),
            ],
        }
        pl_module.epoch_losses = []
        print("RESULT " + json.dumps(result), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()
    torch.set_num_threads(1)

    torch.manual_seed(args.seed)
    L.seed_everything(args.seed)

    x = torch.sin(torch.arange(32 * 4, dtype=torch.float32) * 0.7).reshape(32, 4)
    y = x.sum(dim=1, keepdim=True)
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=True)
    model = LitRegressor()

    callbacks = [PrintResults()]
    trainer = L.Trainer(
        max_epochs=args.max_epochs,
        callbacks=callbacks,
        accelerator="cpu",
        devices=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        logger=False,
        enable_checkpointing=False,
    )
    trainer.fit(model, train_dataloaders=loader)


if __name__ == "__main__":
    main()
