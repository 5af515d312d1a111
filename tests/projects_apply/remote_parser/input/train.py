import random

import numpy as np
import torch

from rl.utils import parse_args


def main():
    args = parse_args()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.Adam(model.parameters())
    for update in range(1, args.num_updates + 1):
        data = torch.randn(8, 3)
        for epoch in range(args.update_epochs):
            loss = model(data).pow(2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(update, loss.item())


if __name__ == "__main__":
    main()
