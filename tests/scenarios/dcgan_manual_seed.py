"""pytorch/examples dcgan/main.py shape: a module-level script with ``--manualSeed``
(no default); when it is missing the script draws one with ``random.randint(1, 10000)``,
prints it and seeds random and torch with it; GAN training alternates D and G steps."""

import argparse
import json
import random

import torch
import torch.backends.cudnn as cudnn
import torch.nn as nn
import torch.optim as optim

parser = argparse.ArgumentParser()
parser.add_argument("--batchSize", type=int, default=8, help="input batch size")
parser.add_argument("--nz", type=int, default=4, help="size of the latent z vector")
parser.add_argument("--niter", type=int, default=3, help="number of epochs to train for")
parser.add_argument("--lr", type=float, default=0.01, help="learning rate, default=0.01")
parser.add_argument("--beta1", type=float, default=0.5, help="beta1 for adam. default=0.5")
parser.add_argument("--manualSeed", type=int, help="manual seed")

opt = parser.parse_args()
print(opt)

if opt.manualSeed is None:
    opt.manualSeed = random.randint(1, 10000)
print("Random Seed: ", opt.manualSeed)
random.seed(opt.manualSeed)
torch.manual_seed(opt.manualSeed)

cudnn.benchmark = True
torch.set_num_threads(1)

real_data = torch.sin(torch.arange(24 * 6, dtype=torch.float32) * 0.5).reshape(24, 6)
dataloader = torch.utils.data.DataLoader(real_data, batch_size=opt.batchSize, shuffle=True)
nz = int(opt.nz)

netG = nn.Sequential(nn.Linear(nz, 12), nn.ReLU(True), nn.Linear(12, 6), nn.Tanh())
netD = nn.Sequential(
    nn.Linear(6, 12),
    nn.LeakyReLU(0.2, inplace=True),
    nn.Dropout(0.3),
    nn.Linear(12, 1),
    nn.Sigmoid(),
)
criterion = nn.BCELoss()

fixed_noise = torch.randn(opt.batchSize, nz)
real_label = 1
fake_label = 0

optimizerD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))

for epoch in range(opt.niter):
    errs = []
    for i, data in enumerate(dataloader, 0):
        ############################
        # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        ###########################
        netD.zero_grad()
        real_cpu = data
        batch_size = real_cpu.size(0)
        label = torch.full((batch_size,), real_label, dtype=real_cpu.dtype)
        output = netD(real_cpu).view(-1)
        errD_real = criterion(output, label)
        errD_real.backward()

        noise = torch.randn(batch_size, nz)
        fake = netG(noise)
        label.fill_(fake_label)
        output = netD(fake.detach()).view(-1)
        errD_fake = criterion(output, label)
        errD_fake.backward()
        errD = errD_real + errD_fake
        optimizerD.step()

        ############################
        # (2) Update G network: maximize log(D(G(z)))
        ###########################
        netG.zero_grad()
        label.fill_(real_label)  # fake labels are real for generator cost
        output = netD(fake).view(-1)
        errG = criterion(output, label)
        errG.backward()
        optimizerG.step()
        errs.append([errD.item().hex(), errG.item().hex()])

    with torch.no_grad():
        sample = netG(fixed_noise)
    result = {"epoch": epoch, "errs": errs, "sample": [v.hex() for v in sample[0].tolist()]}
    print("RESULT " + json.dumps(result), flush=True)
