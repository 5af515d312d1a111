"""Hugging Face's old examples/run_glue.py (BERT era), shrunk: ``--local_rank`` (read from
LOCAL_RANK so torchrun works), ``if args.local_rank == -1 or args.no_cuda:`` single device
else ``torch.distributed.init_process_group``, a ``set_seed(args)`` helper seeding
random/numpy/torch (and CUDA when there are GPUs), ``train_iterator = trange(...)``-style
epoch loop and an inner step loop with gradient accumulation."""

import argparse
import json
import logging
import os
import random
import sys

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, RandomSampler, TensorDataset
from torch.utils.data.distributed import DistributedSampler

logger = logging.getLogger(__name__)


def set_seed(args):
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    if args.n_gpu > 0:
        torch.cuda.manual_seed_all(args.seed)


class TinyClassifier(nn.Module):
    def __init__(self, vocab=20, hidden=8, num_labels=2, dropout=0.3):
        super().__init__()
        self.embeddings = nn.Embedding(vocab, hidden)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden, num_labels)

    def forward(self, input_ids, labels):
        pooled = self.dropout(self.embeddings(input_ids).mean(dim=1))
        logits = self.classifier(pooled)
        return nn.functional.cross_entropy(logits, labels), logits


def load_examples():
    ids = (torch.arange(40 * 6) * 7 % 20).reshape(40, 6)
    labels = (ids.sum(dim=1) % 2).long()
    return TensorDataset(ids, labels, torch.arange(40))


def train(args, train_dataset, model):
    train_sampler = (
        RandomSampler(train_dataset) if args.local_rank == -1 else DistributedSampler(train_dataset)
    )
    train_dataloader = DataLoader(
        train_dataset, sampler=train_sampler, batch_size=args.train_batch_size
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate)
    if args.local_rank != -1:
        model = torch.nn.parallel.DistributedDataParallel(model)

    global_step = 0
    model.zero_grad()
    set_seed(args)  # Added here for reproductibility (even between python 2 and 3)
    for epoch in range(int(args.num_train_epochs)):
        if args.local_rank != -1:
            train_sampler.set_epoch(epoch)
        losses, seen = [], []
        for step, batch in enumerate(train_dataloader):
            model.train()
            input_ids, labels, index = batch
            loss, _ = model(input_ids, labels)
            if args.gradient_accumulation_steps > 1:
                loss = loss / args.gradient_accumulation_steps
            loss.backward()
            losses.append(loss.item().hex())
            seen += index.tolist()
            if (step + 1) % args.gradient_accumulation_steps == 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
                optimizer.step()
                model.zero_grad()
                global_step += 1
        result = {
            "rank": max(args.local_rank, 0),
            "epoch": epoch,
            "losses": losses,
            "indices": seen,
            "probe": [
                random.random().hex(),
                float(np.random.random()).hex(),
                torch.rand(1).item().hex(),
            ],
        }
        print("RESULT " + json.dumps(result), flush=True)
    return global_step


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train_batch_size", default=8, type=int)
    parser.add_argument("--learning_rate", default=5e-2, type=float)
    parser.add_argument("--num_train_epochs", default=3.0, type=float)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=1)
    parser.add_argument("--max_grad_norm", default=1.0, type=float)
    parser.add_argument("--no_cuda", action="store_true", help="Avoid using CUDA when available")
    parser.add_argument("--seed", type=int, default=42, help="random seed for initialization")
    parser.add_argument(
        "--local_rank",
        type=int,
        default=int(os.environ.get("LOCAL_RANK", -1)),
        help="For distributed training: local_rank",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)

    # Setup CUDA, GPU & distributed training
    if args.local_rank == -1 or args.no_cuda:
        device = torch.device("cuda" if torch.cuda.is_available() and not args.no_cuda else "cpu")
        args.n_gpu = 0 if args.no_cuda else torch.cuda.device_count()
    else:  # Initializes the distributed backend which will take care of synchronizing nodes/GPUs
        device = torch.device("cpu")  # this copy trains on CPU: gloo instead of nccl
        torch.distributed.init_process_group(backend="gloo")
        args.n_gpu = 0
    args.device = device

    logging.basicConfig(level=logging.INFO if args.local_rank in [-1, 0] else logging.WARN)
    logger.warning("Process rank: %s, device: %s, n_gpu: %s", args.local_rank, device, args.n_gpu)

    # Set seed
    set_seed(args)

    model = TinyClassifier()
    model.to(args.device)
    train_dataset = load_examples()
    global_step = train(args, train_dataset, model)
    logger.info(" global_step = %s", global_step)


if __name__ == "__main__":
    main()
    # Leave without interpreter shutdown: a gloo worker thread still releasing the last
    # collective would then abort the rank (pytorch/pytorch#179291: "terminate called
    # without an active exception"). Everything is printed and flushed by now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
