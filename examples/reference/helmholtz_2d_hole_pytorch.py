#!/usr/bin/python3
"""A plain PyTorch replica of the helmholtz_2d_hole example's training (DeepXDE's
Helmholtz_Neumann_2d_hole.py), used to check whether its u ~ 0 plateau is the port's or the setup's
(docs/gallery.md, "Helmholtz with a hole").

  -u_xx - u_yy - k0^2 u = k0^2 sin(k0 x) sin(k0 y), k0 = 2 pi, on [-1/2, 1/2]^2 minus the disk r < 1/4;
  u = exact on the square (weight 100), du/dn = exact on the hole (weight 10), residual weight 1;
  225 domain points, 240 boundary points split by perimeter, the residual on every point (as DeepXDE);
  FNN [2, 350, 350, 350, 1] sin, Glorot uniform, zero biases, Adam 1e-3, float32.

Points are uniform random here (DeepXDE: Hammersley), the only difference in kind.

  /usr/bin/python3 examples/reference/helmholtz_2d_hole_pytorch.py [--seed 0] [--steps 1500] [--threads 1]

Prints every 100 steps: residual, Neumann and Dirichlet losses, and the L2 relative error on 900 fresh
points of the domain.
"""
import argparse
import math

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    if a.steps < 0 or a.threads < 1:
        raise SystemExit(f"--steps = {a.steps}, --threads = {a.threads} (expected steps >= 0, threads >= 1)")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    k0, radius = 2 * math.pi, 0.25

    def exact(x):
        return torch.sin(k0 * x[:, 0:1]) * torch.sin(k0 * x[:, 1:2])

    def domain_points(n):
        out = torch.empty(0, 2)
        while len(out) < n:
            p = torch.rand(4 * n, 2) - 0.5
            out = torch.cat([out, p[p.norm(dim=1) >= radius]])
        return out[:n]

    n_hole = round(240 * 2 * math.pi * radius / (4 + 2 * math.pi * radius))
    n_square = 240 - n_hole
    theta = torch.rand(n_hole) * 2 * math.pi
    hole = torch.stack([radius * torch.cos(theta), radius * torch.sin(theta)], 1)
    s = torch.rand(n_square) * 4  # arc length along the square's perimeter
    side, u = s.floor(), s - s.floor() - 0.5
    half = torch.full_like(u, 0.5)
    square = torch.where((side == 0)[:, None], torch.stack([u, -half], 1),
             torch.where((side == 1)[:, None], torch.stack([half, u], 1),
             torch.where((side == 2)[:, None], torch.stack([-u, half], 1), torch.stack([-half, -u], 1))))
    inner = domain_points(225)
    x = torch.cat([inner, hole, square]).requires_grad_(True)
    n_in = len(inner)

    sizes = [2, 350, 350, 350, 1]
    layers = torch.nn.ModuleList(torch.nn.Linear(i, o) for i, o in zip(sizes[:-1], sizes[1:]))
    for layer in layers:
        torch.nn.init.xavier_uniform_(layer.weight)
        torch.nn.init.zeros_(layer.bias)

    def net(h):
        for layer in layers[:-1]:
            h = torch.sin(layer(h))
        return layers[-1](h)

    grad_exact = torch.stack([k0 * torch.cos(k0 * hole[:, 0]) * torch.sin(k0 * hole[:, 1]),
                              k0 * torch.sin(k0 * hole[:, 0]) * torch.cos(k0 * hole[:, 1])], 1)
    normal = -hole / radius  # the domain's outward normal on the hole points into it
    test = domain_points(900)
    opt = torch.optim.Adam(layers.parameters(), lr=1e-3)
    for step in range(a.steps + 1):
        y = net(x)
        g = torch.autograd.grad(y.sum(), x, create_graph=True)[0]
        y_xx = torch.autograd.grad(g[:, 0].sum(), x, create_graph=True)[0][:, 0:1]
        y_yy = torch.autograd.grad(g[:, 1].sum(), x, create_graph=True)[0][:, 1:2]
        residual = -y_xx - y_yy - k0 ** 2 * y - k0 ** 2 * exact(x)
        loss_pde = residual.square().mean()
        loss_neumann = ((g[n_in:n_in + n_hole] - grad_exact) * normal).sum(1).square().mean()
        loss_dirichlet = (y[n_in + n_hole:] - exact(square)).square().mean()
        if step % 100 == 0:
            with torch.no_grad():
                err = (net(test) - exact(test)).norm() / exact(test).norm()
            print(f"{step:6d}  residual {loss_pde.item():.3e}  Neumann {loss_neumann.item():.3e}  "
                  f"Dirichlet {loss_dirichlet.item():.3e}  L2 {err.item():.3e}", flush=True)
        if step == a.steps:
            break
        opt.zero_grad()
        (loss_pde + 10 * loss_neumann + 100 * loss_dirichlet).backward()
        opt.step()


if __name__ == "__main__":
    main()
