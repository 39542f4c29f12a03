"""The practice seeds computed by worker processes are the seeds computed in-process.

`practice.seed_variants` splits the seeds over processes (scripts/practice.py run as a
program, printing JSON); their variants must be the ones `variant` gives here, in the
seeds' order, down to the written file.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import practice  # noqa: E402


def test_seeds_from_workers_are_the_seeds_computed_here():
    seeds = [3, 1, 4, 5, 9]
    here = [practice.variant(practice.seed_example(k), k) for k in seeds]
    apart = practice.seed_variants(seeds, workers=2)
    assert [d["seed"] for d in apart] == seeds
    assert apart == here
    assert [practice._dump(d) for d in apart] == [practice._dump(d) for d in here]


def test_no_speedups_computes_them_here(monkeypatch):
    monkeypatch.setenv("BACKPROP_NO_SPEEDUPS", "1")
    monkeypatch.setattr(practice.subprocess, "Popen", None)  # would fail if used
    assert practice.seed_variants([2, 7]) == [practice.variant(practice.seed_example(k), k)
                                               for k in (2, 7)]
