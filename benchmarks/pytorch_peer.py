#!/usr/bin/python3
"""PyTorch peer of `omasgan bench`'s Stage 1 step, for a side-by-side speed comparison.

The same step as the project's Stage 1 with the cpu preset's settings: the DCGAN pair for 1×32×32
images (widths ×0.25 and ×1), batch 64, latents U[0, 1]^100, Pearson χ² f-GAN losses
(T(v) = v, F*(v) = v²/4 + v), an R1 gradient penalty with γ = 0.01 on the real batch, Adam 2e-4 for
G and D, one D update per G update, both networks in training mode, real batches drawn from 54,000
synthetic images. Timing as `omasgan bench`: blocks of ten steps, the first block warm-up, the
median of the remaining blocks' per-step times.

A benchmark-only script: the product never depends on Python or PyTorch. Run it with Debian's
python3-torch (1.13, CPU) and libopenblas0-pthread:

    /usr/bin/python3 benchmarks/pytorch_peer.py --blocks 6 --threads 2
"""
import argparse
import statistics
import time

import torch
from torch import nn


def width(base, multiplier):
    return max(1, round(base * multiplier))


class Generator(nn.Module):
    def __init__(self, latent, channels, m):
        super().__init__()
        g0, g1, g2, g3 = (width(b, m) for b in (512, 256, 128, 64))
        self.g0 = g0
        self.project = nn.Sequential(nn.Linear(latent, g0 * 16), nn.BatchNorm1d(g0 * 16), nn.ReLU())
        self.body = nn.Sequential(
            nn.ConvTranspose2d(g0, g1, 4, 2, 1), nn.BatchNorm2d(g1), nn.ReLU(),
            nn.ConvTranspose2d(g1, g2, 4, 2, 1), nn.BatchNorm2d(g2), nn.ReLU(),
            nn.ConvTranspose2d(g2, g3, 4, 2, 1), nn.BatchNorm2d(g3), nn.ReLU(),
            nn.Conv2d(g3, channels, 3, padding=1), nn.Tanh())

    def forward(self, z):
        return self.body(self.project(z).view(-1, self.g0, 4, 4))


class Discriminator(nn.Module):
    def __init__(self, channels, m):
        super().__init__()
        d0, d1, d2, d3 = (width(b, m) for b in (64, 128, 256, 512))
        self.body = nn.Sequential(
            nn.Conv2d(channels, d0, 4, 2, 1), nn.BatchNorm2d(d0), nn.ELU(),
            nn.Conv2d(d0, d1, 4, 2, 1), nn.BatchNorm2d(d1), nn.ELU(),
            nn.Conv2d(d1, d2, 4, 2, 1), nn.BatchNorm2d(d2), nn.ELU(),
            nn.Flatten(),
            nn.Linear(d2 * 16, d3), nn.BatchNorm1d(d3), nn.ELU(),
            nn.Linear(d3, 1))

    def forward(self, x):
        return self.body(x).squeeze(1)


def conjugate(v):       # Pearson χ² F*(v)
    return v.square() / 4 + v


def stage1_ms(multiplier, blocks, data_size, batch=64, latent=100, gamma=0.01, lr=2e-4):
    torch.manual_seed(1)
    data = torch.rand(data_size, 1, 32, 32) * 2 - 1
    g, d = Generator(latent, 1, multiplier), Discriminator(1, multiplier)
    opt_g = torch.optim.Adam(g.parameters(), lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr, betas=(0.5, 0.999))
    g.train()
    d.train()

    def step():
        with torch.no_grad():
            fake = g(torch.rand(batch, latent))
        real = data.index_select(0, torch.randint(0, data_size, (batch,))).requires_grad_(True)
        on_real = d(real)
        grad, = torch.autograd.grad(on_real.sum(), real, create_graph=True)
        penalty = gamma / 2 * grad.reshape(batch, -1).square().sum(1).mean()
        loss_d = conjugate(d(fake)).mean() - on_real.mean() + penalty
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = -conjugate(d(g(torch.rand(batch, latent)))).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        loss_d.item()
        loss_g.item()

    per_step = []
    for block in range(blocks + 1):
        start = time.perf_counter()
        for _ in range(10):
            step()
        if block > 0:
            per_step.append((time.perf_counter() - start) * 100)   # ms per step
    return statistics.median(per_step)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=6, help="timed blocks of ten steps after one warm-up block")
    parser.add_argument("--threads", type=int, default=2, help="intra-op threads (the project uses libtorch's default: one per core)")
    parser.add_argument("--data", type=int, default=54_000, help="synthetic normal images drawn from")
    parser.add_argument("--widths", default="0.25,1", help="DCGAN width multipliers")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, BLAS: "
          f"{'OpenBLAS' if 'openblas' in torch.__config__.show().lower() else 'see torch.__config__.show()'}")
    print("| networks | stage | median step (ms) | images/s |")
    print("| --- | --- | ---: | ---: |")
    for m in (float(w) for w in args.widths.split(",")):
        ms = stage1_ms(m, args.blocks, args.data)
        print(f"| DCGAN ×{m:g} | 1 | {ms:.1f} | {64 / (ms / 1000):.0f} |", flush=True)


if __name__ == "__main__":
    main()
