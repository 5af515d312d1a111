"""pytorch/examples regression/main.py shape: fits a random polynomial, never seeds,
no parser; ``for batch_idx in count(1):`` draws a random batch each step, updates the
parameters by hand after ``loss.backward()``, and stops when the loss is small (or after
a bounded number of steps)."""

import json
from itertools import count

import torch
import torch.nn.functional as F

POLY_DEGREE = 4
MAX_STEPS = 30
W_target = torch.randn(POLY_DEGREE, 1) * 5
b_target = torch.randn(1) * 5


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x**i for i in range(1, POLY_DEGREE + 1)], 1)


def f(x):
    """Approximated function."""
    return x.mm(W_target) + b_target.item()


def get_batch(batch_size=32):
    """Builds a batch i.e. (x, f(x)) pair."""
    random = torch.randn(batch_size)
    x = make_features(random)
    y = f(x)
    return x, y


torch.set_num_threads(1)
# Define model
fc = torch.nn.Linear(W_target.size(0), 1)

for batch_idx in count(1):
    # Get data
    batch_x, batch_y = get_batch()

    # Reset gradients
    fc.zero_grad()

    # Forward pass
    output = F.smooth_l1_loss(fc(batch_x), batch_y)
    loss = output.item()

    # Backward pass
    output.backward()

    # Apply gradients
    for param in fc.parameters():
        param.data.add_(-0.01 * param.grad)

    print("RESULT " + json.dumps({"batch": batch_idx, "loss": loss.hex()}), flush=True)
    # Stop criterion
    if loss < 1e-3 or batch_idx >= MAX_STEPS:
        break
