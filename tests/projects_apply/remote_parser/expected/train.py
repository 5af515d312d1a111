import torch

from rl.utils import parse_args
import seeder_runtime.torch as seeder


def main():
    args = parse_args()
    seeder.init(master_seed=args.seed)
    args.seed = seeder.get_master_seed()
    seeder.reseed(0, 0)
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.Adam(model.parameters())
    for update in range(1, args.num_updates + 1):
        seeder.reseed(1, update)
        data = torch.randn(8, 3)
        for epoch in range(args.update_epochs):
            loss = model(data).pow(2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(update, loss.item())


if __name__ == "__main__":
    main()
