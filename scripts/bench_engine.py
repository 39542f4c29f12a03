"""Benchmark: one backprop_core step against network size, and against PyTorch CPU.

Measures one full step (forward, backward, update, and the forward pass after the
update — what the article shows) for sizes from the article's 2-2-2 up to MNIST-sized
784-128-10 with m up to 256, and the same step written in PyTorch (float64, CPU,
autograd), after checking that both give the same losses. Not a test: nothing here
passes or fails.

Both run in this one process on one thread, interleaved sample by sample, and each
sample is the CPU time of the calling thread (`time.thread_time`): on a shared, busy
machine that is what the code costs, whereas wall time also counts the waiting for a
core. Reported: median and min–max of the samples, and the median of the per-sample
ratios.

    .venv/bin/python scripts/bench_engine.py         # needs torch: pip install -e '.[bench]'
    .venv/bin/python scripts/bench_engine.py --json     # the same numbers for scripts/bench.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from typing import Callable

# One thread for both sides, so the ratio compares implementations, not thread pools.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from backprop_core import Network, Params, step  # noqa: E402

SIZES = [  # (n_in, n_hidden, n_out, m)
    (2, 2, 2, 1),
    (3, 4, 3, 2),
    (8, 8, 8, 4),
    (64, 32, 10, 32),
    (784, 128, 10, 1),
    (784, 128, 10, 64),
    (784, 128, 10, 256),
]
SAMPLE_SECONDS = 0.02  # CPU time per sample: long enough for the clock, short for a size


def calls_per_sample(fn: Callable[[], object]) -> int:
    """How many calls make one sample of about SAMPLE_SECONDS (after a warm-up call)."""
    fn()
    t0 = time.thread_time()
    fn()
    once = max(time.thread_time() - t0, 1e-6)
    return max(1, int(SAMPLE_SECONDS / once))


def sample(fn: Callable[[], object], number: int) -> float:
    """CPU seconds per call, averaged over `number` calls."""
    t0 = time.thread_time()
    for _ in range(number):
        fn()
    return (time.thread_time() - t0) / number


def case(n_in: int, n_hidden: int, n_out: int, m: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(m, n_in))
    y = np.eye(n_out)[rng.integers(0, n_out, size=m)]
    params = Params(rng.normal(scale=0.1, size=(n_in, n_hidden)), np.zeros(n_hidden),
                    rng.normal(scale=0.1, size=(n_hidden, n_out)), np.zeros(n_out))
    return x, y, params


def torch_step(torch, x, y, params: Params, lr: float) -> Callable[[], tuple[float, float]]:
    """The same step in PyTorch: forward, loss, autograd backward, update, loss after."""
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    base = {name: torch.from_numpy(value) for name, value in params.items()}

    def loss_of(p):
        h_out = torch.sigmoid(X @ p["W_ih"] + p["b_h"])
        log_o = torch.log_softmax(h_out @ p["W_ho"] + p["b_o"], dim=1)
        return -(Y * log_o).sum(dim=1).mean()

    def run():
        p = {k: v.clone().requires_grad_(True) for k, v in base.items()}
        loss = loss_of(p)
        loss.backward()
        with torch.no_grad():
            new = {k: v - lr * v.grad for k, v in p.items()}
            return loss.item(), loss_of(new).item()

    return run


def measure(repeat: int, torch=None) -> list[dict]:
    """One row per size: seconds per step (samples) for ours and, given torch, theirs,
    and each side's minor page faults per step (`<side>_faults`), which the machine's
    load does not change: the cost of fresh memory, whoever pays it."""
    net = Network()
    rows = []
    for n_in, n_hidden, n_out, m in SIZES:
        x, y, params = case(n_in, n_hidden, n_out, m)
        variants = {"ours": lambda: step(net, params, x, y, 0.02)}
        if torch is not None:
            variants["torch"] = torch_step(torch, x, y, params, 0.02)
            s = step(net, params, x, y, 0.02)
            loss, after = variants["torch"]()
            # Same numbers, or the comparison is meaningless.
            if abs(loss - s.loss) > 1e-10 or abs(after - s.loss_after) > 1e-10:
                raise SystemExit(f"{n_in}-{n_hidden}-{n_out}, m={m}: PyTorch gives loss "
                                 f"{loss!r} → {after!r}; backprop_core {s.loss!r} → "
                                 f"{s.loss_after!r}")
        number = {name: calls_per_sample(fn) for name, fn in variants.items()}
        samples: dict[str, list[float]] = {name: [] for name in variants}
        faults = dict.fromkeys(variants, 0)
        names = list(variants)
        for r in range(repeat):  # interleaved: ours, torch, torch, ours, ...
            for name in (names if r % 2 == 0 else names[::-1]):
                before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
                samples[name].append(sample(variants[name], number[name]))
                faults[name] += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
        rows.append({"size": f"{n_in}-{n_hidden}-{n_out}", "m": m, **samples,
                     **{f"{name}_faults": faults[name] / (repeat * number[name])
                        for name in names}})
    return rows


def summary(times: list[float]) -> str:
    return (f"{statistics.median(times) * 1e6:,.0f} µs "
            f"({min(times) * 1e6:,.0f}–{max(times) * 1e6:,.0f})")


def ratio(ours: list[float], theirs: list[float]) -> str:
    r = [a / b for a, b in zip(ours, theirs)]
    return f"{statistics.median(r):.2f} ({min(r):.2f}–{max(r):.2f})"


def table(rows: list[dict]) -> str:
    lines = ["| n_in-n_hidden-n_out | m | backprop_core step | PyTorch CPU step | "
             "ratio (ours / torch) |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for row in rows:
        if "torch" in row:
            theirs, r = summary(row["torch"]), ratio(row["ours"], row["torch"])
        else:
            theirs, r = "torch not installed", "—"
        lines.append(f"| {row['size']} | {row['m']} | {summary(row['ours'])} | {theirs} "
                     f"| {r} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, metavar="N",
                        help="samples per size and side (default 9)")
    parser.add_argument("--json", action="store_true",
                        help="print the samples as JSON instead of a table")
    parser.add_argument("--no-torch", action="store_true",
                        help="backprop_core alone, without PyTorch loaded in the process")
    args = parser.parse_args()
    torch = None
    if not args.no_torch:
        try:
            import torch
            torch.set_num_threads(1)
        except ImportError:
            pass
    rows = measure(args.repeat, torch)
    if args.json:
        print(json.dumps(rows))
        return
    print(table(rows))
    print(f"\nCPU time per step: median (min–max) of {args.repeat} interleaved samples; "
          "float64; one thread each")


if __name__ == "__main__":
    main()
