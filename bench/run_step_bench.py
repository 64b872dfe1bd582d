#!/usr/bin/python3
"""The step benchmark: pinnxde's forward engine, its reverse engine and a plain PyTorch script of the same
step (bench/reference/pinn_step.py, Debian's python3-torch), for every problem and float type, interleaved
round by round so that machine noise hits all alike. Writes the JSON records and a markdown table of
medians (docs/performance.md quotes it).

  cmake --build build --target bench_step
  /usr/bin/python3 bench/run_step_bench.py [--build build] [--rounds 3] [--problems flagship,heat]
      [--threads 2] [--out bench/results/step.json] [--markdown bench/results/step.md]

Run it on a quiet machine: nothing else may use the cores while it runs.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ALL = ["flagship", "heat", "heat_wide", "burgers", "lshape", "kovasznay", "helmholtz_hole"]


def run(cmd, env):
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_atomic(path, text):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--problems", default=",".join(ALL))
    ap.add_argument("--dtypes", default="float32,float64")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--lbfgs-iters", type=int, default=20)
    ap.add_argument("--out", default="bench/results/step.json")
    ap.add_argument("--markdown", default="bench/results/step.md")
    a = ap.parse_args()
    exe = os.path.join(a.build, "bench", "bench_step")
    if not os.access(exe, os.X_OK):
        raise SystemExit(f"{exe} not found: cmake --build {a.build} --target bench_step")
    problems = [p for p in a.problems.split(",") if p]
    for p in problems:
        if p not in ALL:
            raise SystemExit(f"unknown problem '{p}'; valid: {', '.join(ALL)}")
    env = dict(os.environ, PINNXDE_NUM_THREADS=str(a.threads))
    records = []
    for r in range(a.rounds):
        for p in problems:
            steps = max(10, a.steps // 4) if p == "helmholtz_hole" else a.steps
            for dt in a.dtypes.split(","):
                f64 = ["--float64"] if dt == "float64" else []
                common = ["--problem", p, "--steps", str(steps), "--lbfgs-iters", str(a.lbfgs_iters)] + f64
                for engine in ("forward", "reverse"):
                    rec = run([exe, "--derivatives", engine] + common, env)
                    rec["round"] = r
                    records.append(rec)
                    print(json.dumps(rec), flush=True)
                # PyTorch in both thread set-ups; the table keeps its better one.
                for torch_threads, blas_threads in ((a.threads, 1), (1, a.threads)):
                    rec = run(["/usr/bin/python3", os.path.join(HERE, "reference", "pinn_step.py"),
                               "--threads", str(torch_threads), "--blas-threads", str(blas_threads)] + common,
                              dict(os.environ, OMP_NUM_THREADS=str(torch_threads)))
                    rec["round"] = r
                    records.append(rec)
                    print(json.dumps(rec), flush=True)
    write_atomic(a.out, json.dumps(records, indent=1) + "\n")

    def med(p, dt, engine, key):
        vals = [x[key] for x in records if x["problem"] == p and x["dtype"] == dt and x["engine"] == engine
                and key in x]
        if engine == "pytorch":  # best thread set-up: the lower median of the two
            setups = {}
            for x in records:
                if x["problem"] == p and x["dtype"] == dt and x["engine"] == "pytorch" and key in x:
                    setups.setdefault((x["threads"], x["blas_threads"]), []).append(x[key])
            return min(statistics.median(v) for v in setups.values()) if setups else float("nan")
        return statistics.median(vals) if vals else float("nan")

    lines = [f"Medians of {a.rounds} interleaved rounds, {a.threads} threads; ms per Adam step and per L-BFGS "
             "iteration; PyTorch in its better thread set-up.", "",
             "| problem | dtype | forward ms | reverse ms | PyTorch ms | PyTorch / forward | reverse / forward "
             "| L-BFGS forward ms | L-BFGS PyTorch ms | GFLOP/s (forward) | peak MB (forward) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for p in problems:
        for dt in a.dtypes.split(","):
            f, rv, pt = (med(p, dt, e, "ms_per_step") for e in ("forward", "reverse", "pytorch"))
            lf, lp = med(p, dt, "forward", "ms_per_lbfgs_iter"), med(p, dt, "pytorch", "ms_per_lbfgs_iter")
            gf, mb = med(p, dt, "forward", "gflops"), med(p, dt, "forward", "peak_rss_mb")
            lines.append(f"| {p} | {dt} | {f:.2f} | {rv:.2f} | {pt:.2f} | {pt / f:.2f}x | {rv / f:.2f}x | "
                         f"{lf:.2f} | {lp:.2f} | {gf:.0f} | {mb:.0f} |")
    write_atomic(a.markdown, "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
