"""Command line: `trace FILE [--json]`, `gradcheck FILE`, `check EXAMPLE ANSWERS [--json]`.

A homework checker as much as a build input. A user mistake (missing file, malformed
example or answers file) prints one line on stderr and exits 2; nothing goes to stdout.
`check` exits 0 when every answer is correct and 1 when any is not.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from dataclasses import fields
from typing import Sequence

import numpy as np

from . import precision
from .check import AnswersError, Record, grade, record_json
from .check import show as show_value
from .example import Example, ExampleError, load_example, read_toml_text
from .mistakes import by_id
from .network import Step, gradient_check
from .stages import GROUPS

__all__ = ["main", "trace_dict"]

EXIT_USAGE = 2
EXIT_NOT_ALL_CORRECT = 1


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
    gradcheck = sub.add_parser("gradcheck",
                               help="analytic vs central finite-difference gradients")
    gradcheck.add_argument("file", help="example file (TOML)")
    check = sub.add_parser("check", help="grade a hand calculation of the step, value by "
                           "value, and name the classic mistakes behind wrong values")
    check.add_argument("file", metavar="EXAMPLE", help="example file (TOML)")
    check.add_argument("answers", metavar="ANSWERS",
                       help="answers file (TOML shaped like `trace --json`)")
    check.add_argument("--json", action="store_true",
                       help="a JSON list of records, one per answered value")
    args = parser.parse_args(argv)

    try:
        example = load_example(args.file)
    except ExampleError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE

    if args.command == "check":
        return _check(example, args.file, args.answers, args.json)

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


# ---------------------------------------------------------------------------------------
# check


def _read_answers(path: str) -> dict:
    """The answers file as TOML with written places kept; ExampleError-style one-liners."""
    text = read_toml_text(path, AnswersError)
    try:
        return tomllib.loads(text, parse_float=precision.parse)
    except tomllib.TOMLDecodeError as err:
        raise AnswersError(f"{path}: not valid TOML: {err}") from None
    except ValueError as err:  # precision.parse refused a float TOML accepts (nan, inf)
        raise AnswersError(f"{path}: {err}") from None


def _check(example: Example, example_path: str, answers_path: str, as_json: bool) -> int:
    try:
        records = grade(example, _read_answers(answers_path))
    except AnswersError as err:
        text = str(err)
        if not text.startswith(answers_path + ":"):
            text = f"{answers_path}: {text}"
        print(f"error: {text}", file=sys.stderr)
        return EXIT_USAGE
    if as_json:
        json.dump([record_json(r) for r in records], sys.stdout)
        print()
    else:
        if hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(errors="backslashreplace")
        print(_report(example, example_path, answers_path, records))
    return 0 if all(r.verdict == "correct" for r in records) else EXIT_NOT_ALL_CORRECT


_LABEL = {"correct": "correct", "follows": "follows", "wrong": "WRONG"}


def _report(example: Example, example_path: str, answers_path: str,
            records: list[Record]) -> str:
    """The human report: the answers in the article's order, each wrong one with the
    correct value, the mistake in a sentence and where the article works it out; the
    first wrong stage flagged and named again at the end."""
    count = {v: sum(r.verdict == v for r in records) for v in _LABEL}
    first = next((r for r in records if r.verdict == "wrong"), None)
    width = max(len(r.path) for r in records)
    given = max(len(r.written) for r in records)
    lines = [f"Checking {answers_path} against {example_path} ({example.title})", ""]
    group = None
    for r in records:
        if r.group != group:
            group = r.group
            if lines[-1]:
                lines.append("")
            if first is not None and group == first.group:
                lines.append(f">>> {GROUPS[group]}: the first wrong stage, start here <<<")
            else:
                lines.append(GROUPS[group])
        head = f"  {_LABEL[r.verdict]:<8} {r.path:<{width}}  {r.written:>{given}}"
        if r.verdict == "correct":
            lines.append(head)
            continue
        pad = " " * 11
        if r.verdict == "follows":
            lines.append(f"{head}  {r.note}")
            continue
        lines.append(f"{head}  the correct value is {show_value(r.expected, example.decimals)}")
        if r.note:
            lines.append(f"{pad}{r.note}")
        if r.mistakes and r.together:
            lines.append(f"{pad}Two mistakes together ({' + '.join(r.mistakes)}):")
            lines += [f"{pad}  {by_id(m).sentence}" for m in r.mistakes]
        elif r.mistakes:
            for n, m in enumerate(r.mistakes):
                lead = "Mistake" if n == 0 else "or"
                lines.append(f"{pad}{lead} ({m}): {by_id(m).sentence}")
        elif not r.note:
            lines.append(f"{pad}No classic mistake in the catalogue gives this value.")
        lines.append(f"{pad}The right working: {r.url}")
    lines += ["", f"{len(records)} answer{'s' * (len(records) != 1)}: {count['correct']} "
              f"correct, {count['follows']} follow from earlier wrong values, "
              f"{count['wrong']} wrong."]
    if first is not None:
        lines.append(f"The first wrong stage: {GROUPS[first.group]} ({first.path}); "
                     f"read {first.url} and work on from there.")
    return "\n".join(lines)
