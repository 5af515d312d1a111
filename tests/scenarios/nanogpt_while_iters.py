"""karpathy/nanoGPT train.py, shrunk: a module-level script (no parser), DDP detected from
RANK, ``seed_offset = ddp_rank``, ``torch.manual_seed(1337 + seed_offset)``, random
batches drawn with ``torch.randint``, and a ``while True:`` loop counting ``iter_num``
that breaks after ``max_iters``."""

import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.distributed import barrier, destroy_process_group, init_process_group
from torch.nn import functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

# -----------------------------------------------------------------------------
batch_size = 4
block_size = 8
max_iters = 10
learning_rate = 1e-2
dropout = 0.2
backend = "gloo"  # 'nccl', 'gloo', etc.
device = "cpu"
# -----------------------------------------------------------------------------

# various inits, derived attributes, I/O setup
ddp = int(os.environ.get("RANK", -1)) != -1  # is this a ddp run?
if ddp:
    init_process_group(backend=backend)
    ddp_rank = int(os.environ["RANK"])
    ddp_local_rank = int(os.environ["LOCAL_RANK"])
    ddp_world_size = int(os.environ["WORLD_SIZE"])
    master_process = ddp_rank == 0  # this process will do logging, checkpointing etc.
    seed_offset = ddp_rank  # each process gets a different seed
else:
    # if not ddp, we are running on a single gpu, and one process
    master_process = True
    seed_offset = 0
    ddp_rank = 0
    ddp_world_size = 1

torch.manual_seed(1337 + seed_offset)
torch.set_num_threads(1)

# poor man's data loader
vocab_size = 16
data = np.array([(i * 7 + i // 5) % vocab_size for i in range(400)], dtype=np.int64)


def get_batch():
    ix = torch.randint(len(data) - block_size, (batch_size,))
    x = torch.stack([torch.from_numpy(data[i : i + block_size]) for i in ix])
    y = torch.stack([torch.from_numpy(data[i + 1 : i + 1 + block_size]) for i in ix])
    return x, y, ix


class BigramLanguageModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, 16)
        self.drop = nn.Dropout(dropout)
        self.lm_head = nn.Linear(16, vocab_size)

    def forward(self, idx, targets):
        logits = self.lm_head(self.drop(self.token_embedding_table(idx)))
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


model = BigramLanguageModel()
if ddp:
    model = DDP(model)
optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)

X, Y, ix = get_batch()  # fetch the very first batch
iter_num = 0
while True:
    logits, loss = model(X, Y)
    seen = ix.tolist()
    X, Y, ix = get_batch()  # prefetch the next batch
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    # every process logs (not only master_process), so runs can be compared per rank
    result = {
        "rank": ddp_rank,
        "iter": iter_num,
        "loss": loss.item().hex(),
        "batch": seen,
        "probe": [torch.rand(1).item().hex()],
    }
    print("RESULT " + json.dumps(result), flush=True)
    iter_num += 1

    # termination conditions
    if iter_num > max_iters:
        break

if ddp:
    # both ranks finish their gloo work before either tears down: without the barrier, gloo
    # aborts a process at exit now and then ("terminate called without an active exception")
    barrier()
    destroy_process_group()
    # Leave without interpreter shutdown: a gloo worker thread still releasing the last
    # collective would then abort the rank (pytorch/pytorch#179291: "terminate called
    # without an active exception"). Everything is printed and flushed by now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
