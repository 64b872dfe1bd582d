#!/usr/bin/env python3
"""Plain-PyTorch reference of bench/neural_ode.cpp's training step (no torchdiffeq: Debian has none).

    python3 bench/reference/neural_ode.py [--steps 50] [--float64]

Same network (FNN [2, 64, 64, 2] tanh, weights from the same formula), same 20 sub-trajectories of the
damped oscillator, same solvers: rk4 (Kutta's 3/8 rule, each interval split into ceil(len/0.025) steps)
and dopri5 (rtol 1e-5, atol 1e-7, torchdiffeq's step control and initial step, 4th-order dense output),
backprop through the solver, MSE, Adam. Prints ms per step and function evaluations (NFE) per step in the
C++ benchmark's format; the NFE must agree with it (the same ODE takes the same steps).
"""
import argparse
import math
import time

import torch

C = [1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0]
A = [[1 / 5], [3 / 40, 9 / 40], [44 / 45, -56 / 15, 32 / 9],
     [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
     [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656]]
B5 = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0]
B4 = [5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40]
CMID = [6025192743 / 30085553152 / 2, 0, 51252292925 / 65400821598 / 2, -2691868925 / 45128329728 / 2,
        187940372067 / 1594534317056 / 2, -1776094331 / 19743644256 / 2, 11237099 / 235043384 / 2]


def combo(y, h, a, k):
    acc = None
    for ai, ki in zip(a, k):
        if ai != 0:
            acc = ai * ki if acc is None else acc + ai * ki
    return h * acc if y is None else y + h * acc


def rms(x):
    return x.detach().pow(2).mean().sqrt().item()


class Counter:
    def __init__(self, f):
        self.f, self.nfe = f, 0

    def __call__(self, t, y):
        self.nfe += 1
        return self.f(t, y)


def rk4(f, y0, t, step_size):
    ys, y = [y0], y0
    for i in range(len(t) - 1):
        length = t[i + 1] - t[i]
        n = max(1, math.ceil(length / step_size - 1e-9))
        h = length / n
        for k in range(n):
            tk = t[i + 1] - h if k + 1 == n else t[i] + k * h
            k1 = f(tk, y)
            k2 = f(tk + h / 3, y + (h / 3) * k1)
            k3 = f(tk + 2 * h / 3, y + h * (k2 - k1 / 3))
            k4 = f(tk + h, y + h * (k1 - k2 + k3))
            y = y + (h / 8) * (k1 + 3 * (k2 + k3) + k4)
        ys.append(y)
    return torch.stack(ys)


def dopri5(f, y0, t, rtol, atol, safety=0.9, ifactor=10.0, dfactor=0.2):
    f0 = f(t[0], y0)
    # initial step (Hairer), as torchdiffeq
    with torch.no_grad():
        scale = atol + y0.abs() * rtol
        d0, d1 = rms(y0 / scale), rms(f0 / scale)
        h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
        f1 = f(t[0] + h0, y0 + h0 * f0)
        d2 = rms((f1 - f0) / scale) / h0
        h1 = max(1e-6, h0 * 1e-3) if (d1 <= 1e-15 and d2 <= 1e-15) else (0.01 / max(d1, d2)) ** (1 / 5)
        dt = min(100 * h0, h1)
    t0 = t1 = t[0]
    y1, fy1, coef = y0, f0, None
    ys = [y0]
    for ti in t[1:]:
        while ti > t1:
            while True:
                k = [fy1]
                for s in range(5):
                    k.append(f(t1 + C[s] * dt, combo(y1, dt, A[s], k)))
                y_new = combo(y1, dt, B5, k)
                k.append(f(t1 + dt, y_new))
                with torch.no_grad():
                    err = combo(None, dt, [b5 - b4 for b5, b4 in zip(B5, B4)], [x.detach() for x in k])
                    tol = atol + rtol * torch.max(y1.detach().abs(), y_new.detach().abs())
                    ratio = rms(err / tol)
                if not math.isfinite(ratio):
                    factor = dfactor
                elif ratio == 0:
                    factor = ifactor
                else:
                    factor = min(ifactor, max(safety * ratio ** -0.2, 1.0 if ratio < 1 else dfactor))
                if math.isfinite(ratio) and ratio <= 1:
                    y_mid = combo(y1, dt, CMID, k)
                    fa, fb = k[0], k[6]
                    coef = [y1, dt * fa, dt * (fb - 4 * fa) - 11 * y1 - 5 * y_new + 16 * y_mid,
                            dt * (5 * fa - 3 * fb) + 18 * y1 + 14 * y_new - 32 * y_mid,
                            2 * dt * (fb - fa) - 8 * (y_new + y1) + 16 * y_mid]
                    t0, t1, y1, fy1 = t1, t1 + dt, y_new, fb
                    dt *= factor
                    break
                dt *= factor
        if ti == t1:
            ys.append(y1)
        else:
            x = (ti - t0) / (t1 - t0)
            ys.append(coef[0] + x * (coef[1] + x * (coef[2] + x * (coef[3] + x * coef[4]))))
    return torch.stack(ys)


def oscillator(t):
    a, w = 0.15, math.sqrt(4 - 0.15 ** 2)
    e = torch.exp(-a * t)
    return torch.stack([e * (torch.cos(w * t) + a / w * torch.sin(w * t)), -(4 / w) * e * torch.sin(w * t)], -1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--float64", action="store_true")
    args = p.parse_args()
    dtype = torch.float64 if args.float64 else torch.float32
    print(f"threads: {torch.get_num_threads()}  dtype: {'float64' if args.float64 else 'float32'}  "
          f"torch {torch.__version__}")
    t_obs = torch.linspace(0, 5, 100, dtype=torch.float64)
    y_obs = oscillator(t_obs).to(dtype)
    idx = torch.arange(0, 80, 4).unsqueeze(1) + torch.arange(10).unsqueeze(0)
    target = y_obs[idx.reshape(-1)].view(20, 10, 2).transpose(0, 1).contiguous()
    y0 = target[0].clone()
    t_rel = t_obs[:10].tolist()
    for method in ["rk4", "dopri5"]:
        net = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.Tanh(), torch.nn.Linear(64, 64), torch.nn.Tanh(),
                                  torch.nn.Linear(64, 2))
        with torch.no_grad():
            for i, prm in enumerate(net.parameters()):
                k = torch.arange(prm.numel(), dtype=torch.float64)
                v = 0.9 * torch.sin(0.7 * k + 1.3 * i) / math.sqrt(prm.shape[1]) if prm.dim() == 2 else 0.1 * torch.cos(k + i)
                prm.copy_(v.view(prm.shape))
        net = net.to(dtype)
        adam = torch.optim.Adam(net.parameters(), lr=1e-3)

        def step(counter):
            adam.zero_grad()
            if method == "rk4":
                pred = rk4(counter, y0, t_rel, 0.025)
            else:
                pred = dopri5(counter, y0, t_rel, 1e-5, 1e-7)
            loss = (pred - target).pow(2).mean()
            loss.backward()
            adam.step()
            return loss.item()

        counter = Counter(lambda t, h: net(h))
        first = step(counter)
        for _ in range(4):
            step(counter)
        counter.nfe = 0
        t0 = time.perf_counter()
        last = 0
        for _ in range(args.steps):
            last = step(counter)
        ms = (time.perf_counter() - t0) * 1000 / args.steps
        print(f"train step  {method}: {ms:.4g} ms/step, {counter.nfe / args.steps:.4g} NFE/step "
              f"(first loss {first:.6g}, last {last:.6g})")


if __name__ == "__main__":
    main()
