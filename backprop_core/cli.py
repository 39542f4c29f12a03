"""Command line: `python -m backprop_core trace FILE [--json]` and `gradcheck FILE`.

A homework checker as much as a build input. A user mistake (missing file, malformed
example) prints one line on stderr and exits 2; nothing goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from typing import Sequence

import numpy as np

from .example import Example, ExampleError, load_example
from .network import Step, gradient_check

__all__ = ["main", "trace_dict"]

EXIT_USAGE = 2


def trace_dict(example: Example, s: Step) -> dict:
    """Every intermediate as plain JSON-ready Python (nested lists, full precision)."""
    def plain(value):
        return value.tolist() if isinstance(value, np.ndarray) else value

    def table(obj) -> dict:
        return {f.name: plain(getattr(obj, f.name)) for f in fields(obj)}

    fwd = table(s.forward)
    return {
        "title": example.title,
        "network": table(s.network),
        "learning_rate": s.learning_rate,
        "sizes": example.sizes,
        "x": s.x.tolist(),
        "y": s.y.tolist(),
        "params": table(s.params),
        "forward": {k: fwd[k] for k in ("h_in", "h_out", "o_in", "o_out")},
        "losses": fwd["losses"],
        "loss": s.loss,
        "backward": table(s.backward),
        "gradients": table(s.grads),
        "updated": table(s.updated),
        "loss_after": s.loss_after,
    }


def _print_trace(example: Example, s: Step) -> None:
    np.set_printoptions(precision=max(example.decimals, 6), suppress=False, linewidth=100)

    def show(name: str, value) -> None:
        text = np.array2string(np.asarray(value), prefix=" " * 16)
        print(f"  {name:<14}{text}")

    sizes = ", ".join(f"{k}={v}" for k, v in example.sizes.items())
    net = s.network
    print(f"{example.title}\n  {sizes}; hidden {net.hidden_activation}, output "
          f"{net.output}, learning rate {s.learning_rate:g}"
          f"{'' if net.update_biases else ', biases frozen'}")
    print("\ninputs")
    show("x", s.x)
    show("y", s.y)
    for name, value in s.params.items():
        show(name, value)
    print("\nforward")
    for name in ("h_in", "h_out", "o_in", "o_out"):
        show(name, getattr(s.forward, name))
    show("E", s.loss)
    print("\nbackward")
    for f in fields(s.backward):
        show(f.name, getattr(s.backward, f.name))
    print("\nupdate")
    for name, value in s.updated.items():
        show(name, value)
    show("E after", s.loss_after)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backprop_core",
                                     description="Compute every number of the worked example.")
    sub = parser.add_subparsers(dest="command", required=True)
    trace = sub.add_parser("trace", help="print every intermediate of one step")
    trace.add_argument("file", help="example file (TOML)")
    trace.add_argument("--json", action="store_true", help="one JSON object, full precision")
    check = sub.add_parser("gradcheck", help="analytic vs central finite-difference gradients")
    check.add_argument("file", help="example file (TOML)")
    args = parser.parse_args(argv)

    try:
        example = load_example(args.file)
    except ExampleError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE

    if args.command == "gradcheck":
        g = gradient_check(example.network, example.params, example.x, example.y)
        for name, rel in g.rel_error.items():
            print(f"{name:<5} max relative error {rel.max():.3e}")
        print(f"all   max relative error {g.max_rel_error:.3e} (eps={g.eps:g})")
        return 0

    s = example.step()
    if args.json:
        json.dump(trace_dict(example, s), sys.stdout)
        print()
    else:
        _print_trace(example, s)
    return 0
