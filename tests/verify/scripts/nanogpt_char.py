"""A nanoGPT-shaped character model, as a user has it before migrating (test input).

Iteration-based: a ``while True`` loop counts ``iter_num``, the checkpoint stores it and
``--resume`` restores it; ``get_batch`` draws its positions with ``torch.randint`` and
the model has dropout. Seeded once at start-up with a fixed default, so runs never vary
and a resumed run replays other randomness than the uninterrupted one.
"""

import argparse
import os

import torch
import torch.nn as nn
from torch.nn import functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--max_iters", type=int, default=8)
parser.add_argument("--seed", type=int, default=1337)
parser.add_argument("--save", default=None)
parser.add_argument("--resume", default=None)
parser.add_argument(
    "--data", default=os.path.join(os.path.dirname(__file__), "..", "data", "tiny_text.txt")
)
args = parser.parse_args()

torch.manual_seed(args.seed)
torch.set_num_threads(1)

with open(args.data, encoding="utf-8") as handle:
    text = handle.read()
chars = sorted(set(text))
stoi = {ch: i for i, ch in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
block_size, batch_size = 16, 8


def get_batch():
    ix = torch.randint(len(data) - block_size - 1, (batch_size,))
    x = torch.stack([data[i : i + block_size] for i in ix])
    y = torch.stack([data[i + 1 : i + 1 + block_size] for i in ix])
    return x, y


class CharModel(nn.Module):
    def __init__(self, vocab, width=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.drop = nn.Dropout(0.2)
        self.hidden = nn.Linear(width, width)
        self.head = nn.Linear(width, vocab)

    def forward(self, idx, targets):
        h = self.drop(torch.tanh(self.hidden(self.embed(idx))))
        logits = self.head(h)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = CharModel(len(chars))
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
iter_num = 0
if args.resume:
    checkpoint = torch.load(args.resume)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    iter_num = checkpoint["iter_num"]

while True:
    X, Y = get_batch()
    loss = model(X, Y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    print(f"iter {iter_num}: loss {loss.item()!r}")
    iter_num += 1
    if iter_num >= args.max_iters:
        break

if args.save:
    torch.save(
        {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "iter_num": iter_num},
        args.save,
    )
