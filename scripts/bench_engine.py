"""Benchmark: one backprop_core step against network size, and against PyTorch CPU.

Measures, in one run, the wall time of one full step (forward, backward, update, and the
forward pass after the update — what the article shows) for sizes from the article's
2-2-2 up to MNIST-sized 784-128-10 with m up to 256, and the same step written in
PyTorch (float64, CPU, autograd). Prints a Markdown table. Not a test: nothing here
passes or fails.

    .venv/bin/python scripts/bench_engine.py            # needs torch (pip install torch)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Callable

# One thread for both sides, so the ratio compares implementations, not thread pools.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from backprop_core import Network, Params, step

SIZES = [  # (n_in, n_hidden, n_out, m)
    (2, 2, 2, 1),
    (3, 4, 3, 2),
    (8, 8, 8, 4),
    (64, 32, 10, 32),
    (784, 128, 10, 1),
    (784, 128, 10, 64),
    (784, 128, 10, 256),
]


def best_of(fn: Callable[[], object], repeat: int, budget: float = 0.2) -> float:
    """Median seconds per call: calls batched so each sample lasts about budget/repeat."""
    fn()
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-7)
    number = max(1, int(budget / repeat / once))
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)


def case(n_in: int, n_hidden: int, n_out: int, m: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(m, n_in))
    y = np.eye(n_out)[rng.integers(0, n_out, size=m)]
    params = Params(rng.normal(scale=0.1, size=(n_in, n_hidden)), np.zeros(n_hidden),
                    rng.normal(scale=0.1, size=(n_hidden, n_out)), np.zeros(n_out))
    return x, y, params


def torch_step(torch, x, y, params: Params, lr: float) -> Callable[[], object]:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None

    net = Network()
    print("| n_in-n_hidden-n_out | m | backprop_core step | PyTorch CPU step | ratio (ours / torch) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for n_in, n_hidden, n_out, m in SIZES:
        x, y, params = case(n_in, n_hidden, n_out, m)
        ours = best_of(lambda: step(net, params, x, y, 0.02), args.repeat)
        if torch is not None:
            run = torch_step(torch, x, y, params, 0.02)
            s = step(net, params, x, y, 0.02)
            loss, after = run()
            # Same numbers, or the comparison is meaningless.
            assert abs(loss - s.loss) < 1e-10 and abs(after - s.loss_after) < 1e-10
            theirs = best_of(run, args.repeat)
            tcol, ratio = f"{theirs * 1e6:,.1f} µs", f"{ours / theirs:.2f}"
        else:
            tcol, ratio = "torch not installed", "—"
        print(f"| {n_in}-{n_hidden}-{n_out} | {m} | {ours * 1e6:,.1f} µs | {tcol} | {ratio} |")
    print(f"\nmedian of {args.repeat} samples; float64; both limited to one thread")


if __name__ == "__main__":
    main()
