import torch

__all__ = ["seed_torch"]


def seed_torch(s):
    torch.manual_seed(s)


def _private_seed(s):
    torch.manual_seed(s)
