"""pytorch/examples word_language_model/main.py shape: ``torch.manual_seed(args.seed)``
(default 1111) at module level, the epoch loop wrapped in ``try: ... except
KeyboardInterrupt:`` (so Ctrl-C ends training early), learning-rate annealing, random
batch offsets, and manual SGD updates ``p.data.add_(p.grad, alpha=-lr)``."""

import argparse
import json

import torch
import torch.nn as nn

parser = argparse.ArgumentParser(description="PyTorch Language Model")
parser.add_argument("--lr", type=float, default=2.0, help="initial learning rate")
parser.add_argument("--clip", type=float, default=0.25, help="gradient clipping")
parser.add_argument("--epochs", type=int, default=3, help="upper epoch limit")
parser.add_argument("--bptt", type=int, default=5, help="sequence length")
parser.add_argument("--dropout", type=float, default=0.2)
parser.add_argument("--seed", type=int, default=1111, help="random seed")
args = parser.parse_args()

# Set the random seed manually for reproducibility.
torch.manual_seed(args.seed)
torch.set_num_threads(1)

ntokens = 12
train_data = torch.tensor([(i * 5 + i // 3) % ntokens for i in range(120)]).reshape(-1, 4)


class RNNModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Embedding(ntokens, 8)
        self.rnn = nn.GRU(8, 8)
        self.drop = nn.Dropout(args.dropout)
        self.decoder = nn.Linear(8, ntokens)

    def forward(self, x):
        output, _ = self.rnn(self.drop(self.encoder(x)))
        return self.decoder(self.drop(output))


model = RNNModel()
criterion = nn.CrossEntropyLoss()


def train():
    model.train()
    losses = []
    offset = int(torch.randint(0, args.bptt, (1,)))  # random start, as variable-length BPTT does
    for i in range(offset, train_data.size(0) - 1 - args.bptt, args.bptt):
        data, targets = train_data[i : i + args.bptt], train_data[i + 1 : i + 1 + args.bptt]
        model.zero_grad()
        output = model(data)
        loss = criterion(output.view(-1, ntokens), targets.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        losses.append(loss.item().hex())
    return losses


lr = args.lr
best_val_loss = None

# At any point you can hit Ctrl + C to break out of training early.
try:
    for epoch in range(1, args.epochs + 1):
        losses = train()
        val_loss = float.fromhex(losses[-1])
        print("RESULT " + json.dumps({"epoch": epoch, "losses": losses}), flush=True)
        if not best_val_loss or val_loss < best_val_loss:
            best_val_loss = val_loss
        else:
            # Anneal the learning rate if no improvement has been seen in the validation dataset.
            lr /= 4.0
except KeyboardInterrupt:
    print("-" * 89)
    print("Exiting from training early")
