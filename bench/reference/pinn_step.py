#!/usr/bin/python3
"""A plain PyTorch training step of the same PINN problems as bench/bench_step.cpp, written the way a
PyTorch or DeepXDE user writes it: X = [condition rows | domain rows], one forward over X, derivatives by
torch.autograd.grad(create_graph=True), the residual sliced to the domain rows, MSE terms, Adam.

  /usr/bin/python3 bench/reference/pinn_step.py --problem flagship --steps 200 [--float64] [--threads 2]
      [--blas-threads 1] [--lbfgs-iters 30]

Prints one JSON line: {"problem", "dtype", "threads", "ms_per_step", "ms_per_lbfgs_iter"}.
Uses Debian's python3-torch (the same LibTorch 1.13.1 as pinnxde). OpenBLAS runs single-threaded inside
LibTorch's threads and with OPENBLAS_CORETYPE=SkylakeX where the CPU has AVX-512 (what pinnxde sets up).
"""
import argparse, json, math, os, sys, time

def reexec_with_blas_env():
    blas = "1"
    for i, arg in enumerate(sys.argv):
        if arg == "--blas-threads" and i + 1 < len(sys.argv):
            blas = sys.argv[i + 1]
    want = {"OPENBLAS_NUM_THREADS": blas, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "")}
    want = {k: v for k, v in want.items() if v}
    flags = open("/proc/cpuinfo").read()
    if "avx512f" in flags:
        want["OPENBLAS_CORETYPE"] = "SkylakeX"
    elif "avx2" in flags:
        want["OPENBLAS_CORETYPE"] = "Haswell"
    if any(os.environ.get(k) != v for k, v in want.items()):
        env = dict(os.environ, **want)
        os.execve(sys.executable, [sys.executable] + sys.argv, env)

reexec_with_blas_env()
import torch  # noqa: E402

PROBLEMS = {
    # name: (layers, activation, domain rows (train_x_all), condition rows, outputs)
    "flagship": ([2, 64, 64, 64, 1], "tanh", 3000 + 300 + 300, 600),
    "heat": ([2, 20, 20, 20, 1], "tanh", 2540 + 80 + 160, 240),
    "heat_wide": ([2, 64, 128, 128, 64, 1], "tanh", 2540 + 80 + 160, 240),
    "burgers": ([2, 20, 20, 20, 1], "tanh", 2540 + 80 + 160, 240),
    "lshape": ([2, 50, 50, 50, 50, 1], "tanh", 1200 + 120, 120),
    "kovasznay": ([2, 50, 50, 50, 50, 3], "tanh", 2601 + 400, 1200),
    "helmholtz_hole": ([2, 350, 350, 350, 1], "sin", 900 + 120, 120),
}


def d(y, x):
    return torch.autograd.grad(y, x, torch.ones_like(y), create_graph=True)[0]


def residual(kind, x, y):
    """The residual(s) as DeepXDE computes them: a Jacobian row per output, then rows of those."""
    if kind == "kovasznay":
        Re = 20.0
        u, v = y[:, 0:1], y[:, 1:2]
        gu, gv, gp = d(u, x), d(y[:, 1:2], x), d(y[:, 2:3], x)
        u_x, u_y, v_x, v_y = gu[:, 0:1], gu[:, 1:2], gv[:, 0:1], gv[:, 1:2]
        lap_u = d(u_x, x)[:, 0:1] + d(u_y, x)[:, 1:2]
        lap_v = d(v_x, x)[:, 0:1] + d(v_y, x)[:, 1:2]
        return [u * u_x + v * u_y + gp[:, 0:1] - lap_u / Re, u * v_x + v * v_y + gp[:, 1:2] - lap_v / Re, u_x + v_y]
    g = d(y, x)
    y_x, y_t = g[:, 0:1], g[:, 1:2]
    y_xx = d(y_x, x)[:, 0:1]
    if kind == "flagship":
        return [y_t - y_xx + y]
    if kind in ("heat", "heat_wide"):
        return [y_t - 0.4 / math.pi ** 2 * y_xx]
    if kind == "burgers":
        return [y_t + y * y_x - 0.01 / math.pi * y_xx]
    y_yy = d(y_t, x)[:, 1:2]
    if kind == "lshape":
        return [-y_xx - y_yy - 1]
    if kind == "helmholtz_hole":
        k0 = 4 * math.pi
        return [-y_xx - y_yy - k0 ** 2 * y]
    raise ValueError(kind)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problem", default="flagship", choices=sorted(PROBLEMS))
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--lbfgs-iters", type=int, default=0)
    ap.add_argument("--float64", action="store_true")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--blas-threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dtype = torch.float64 if a.float64 else torch.float32
    layers, act, n_dom, n_bc = PROBLEMS[a.problem]
    kind = a.problem
    mods = []
    for i in range(len(layers) - 1):
        lin = torch.nn.Linear(layers[i], layers[i + 1])
        torch.nn.init.xavier_normal_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        mods.append(lin)
        if i + 2 < len(layers):
            mods.append(torch.nn.Tanh() if act == "tanh" else SinModule())
    net = torch.nn.Sequential(*mods).to(dtype)
    X = (torch.rand(n_bc + n_dom, 2, dtype=dtype) * 2 - 1).requires_grad_(True)
    target = torch.zeros(n_bc, layers[-1], dtype=dtype)

    def loss_fn():
        y = net(X)
        loss = sum((r[n_bc:] ** 2).mean() for r in residual(kind, X, y))
        return loss + ((y[:n_bc] - target) ** 2).mean()

    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(10):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    ms = (time.perf_counter() - t0) * 1000 / a.steps
    out = {"problem": a.problem, "dtype": "float64" if a.float64 else "float32", "engine": "pytorch",
           "threads": a.threads, "blas_threads": a.blas_threads, "ms_per_step": round(ms, 3)}
    if a.lbfgs_iters:
        lb = torch.optim.LBFGS(net.parameters(), lr=1, max_iter=a.lbfgs_iters, max_eval=a.lbfgs_iters * 5 // 4,
                               tolerance_grad=0, tolerance_change=0, history_size=100, line_search_fn="strong_wolfe")
        evals = [0]

        def closure():
            evals[0] += 1
            lb.zero_grad()
            loss = loss_fn()
            loss.backward()
            return loss

        t0 = time.perf_counter()
        lb.step(closure)
        n_iter = lb.state[lb._params[0]]["n_iter"]
        out["ms_per_lbfgs_iter"] = round((time.perf_counter() - t0) * 1000 / max(1, n_iter), 3)
        out["lbfgs_evals_per_iter"] = round(evals[0] / max(1, n_iter), 3)
    print(json.dumps(out))

class SinModule(torch.nn.Module):
    def forward(self, x):
        return torch.sin(x)

if __name__ == "__main__":
    main()
