"""`check.targets` made fast (issue 12) gives exactly what it gave before, byte for byte.

The oracle is main's code at 29e4611 (tests/targets_before.py): every rounded walk run in
full. The fast code walks the table once and forks only where a choice changes a carried
value (`stages.rounded_walks`). Compared: the targets JSON (`check.targets_json`) and
the practice page's variant JSON, the files the site ships, for the practice page's
seeds, the repository's examples, the site tests' generated ones (largest, tiny, sums
that are exactly zero) and random examples of other shapes, activations, outputs and
decimals; and, per key, the rounded walks' values as sets.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from backprop_core import check, load_example, parse_example
from backprop_core.mistakes import for_example
from backprop_core.stages import KEYS, ROUNDED_WALKS, rounded_walks

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "site"), str(ROOT / "scripts")]
import practice  # noqa: E402
import targets_before as before  # noqa: E402
from sitecheck import GENERATED  # noqa: E402  (the site tests' largest, tiny, zeros)

SEEDS = range(1, 13)
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))


def _random(seed: int, **options) -> dict:
    sizes = {k: options.pop(k) for k in ("n_in", "n_hidden", "n_out", "m") if k in options}
    return {"title": f"seed {seed}", "learning_rate": 0.5, "random": {"seed": seed, **sizes},
            **options}


OTHERS = {
    "tanh-3-4-3-m3": _random(3, n_in=3, n_hidden=4, n_out=3, m=3, hidden_activation="tanh"),
    "relu-d3": _random(5, hidden_activation="relu", decimals=3),
    "sigmoid-out-d5": _random(8, output="sigmoid_squared_error", decimals=5),
    "d6-m2": _random(11, m=2, decimals=6),
}


def _examples():
    for k in SEEDS:
        yield f"seed-{k}", practice.seed_example(k), k
    for path in EXAMPLES:
        yield path.stem, load_example(path), None
    for name, table in OTHERS.items():
        yield name, parse_example(table), None
    for name, text in GENERATED.items():
        yield name, parse_example(tomllib.loads(text)), None


CASES = list(_examples())


@pytest.mark.parametrize("name, example, seed", CASES, ids=[c[0] for c in CASES])
def test_targets_and_the_practice_variant_are_byte_identical(name, example, seed,
                                                             monkeypatch):
    fast = json.dumps(check.targets_json(example), allow_nan=False)
    fast_variant = practice._dump(practice.variant(example, seed))
    monkeypatch.setattr(check, "targets", before.targets)
    assert fast == json.dumps(check.targets_json(example), allow_nan=False)
    assert fast_variant == practice._dump(practice.variant(example, seed))


def _as_set(arrays) -> set[tuple]:
    return {(a.shape, a.tobytes()) for a in arrays}


def test_rounded_walks_are_every_rounded_walk_once_and_the_cases_fork_and_meet_ties():
    """Per key, the forked walks hold the same values as all of ROUNDED_WALKS; and the
    cases above exercise both kinds of fork (else the byte comparison proves less)."""
    forked = tied = 0
    for _, example, _ in CASES[:8]:
        for habits in [m.habits() for m in for_example(example)][:6]:
            fast = rounded_walks(example, habits)
            full = [before.run(example, habits, rounded=True, other=o, ties=t)
                    for o, t in ROUNDED_WALKS]
            for key in KEYS:
                assert _as_set(v for c in fast for v in c.computed[key]) == \
                    _as_set(v for c in full for v in c.computed[key]), key
            plain = [c for c in full[:len(ROUNDED_WALKS) - 2]]
            forked += any(not np.array_equal(plain[0].values[k], c.values[k])
                          for c in plain[1:] for k in KEYS)
            tied += any(not np.array_equal(full[0].values[k], c.values[k])
                        for c in full[-2:] for k in KEYS)
    assert forked and tied, (forked, tied)


def _same_chain(a, b) -> bool:
    return all(_as_set([a.values[k]]) == _as_set([b.values[k]])
               and _as_set(a.computed[k]) == _as_set(b.computed[k]) for k in KEYS)


def test_each_rounded_walk_run_alone_is_the_oracles():
    """`stages.run` itself, rounded, with each walk's choice of workings and ties (and
    with ties left at their default, as the checker's follow-through walk leaves them),
    against the oracle's `run`; the cases include ties, so a walk that rounded them
    the wrong way, or not at all, shows."""
    from backprop_core.stages import run
    tied = 0
    for _, example, _ in CASES[:8]:
        for habits in [m.habits() for m in for_example(example)][:3]:
            for other, ties in ROUNDED_WALKS:
                got = run(example, habits, rounded=True, other=other, ties=ties)
                want = before.run(example, habits, rounded=True, other=other, ties=ties)
                assert _same_chain(got, want), (other, ties)
            plain = run(example, habits, rounded=True)
            assert _same_chain(plain, before.run(example, habits, rounded=True, ties=0))
            tied += not _same_chain(plain, before.run(example, habits, rounded=True, ties=1))
    assert tied  # some case has a tie where rounding up differs from Python's round
