"""The oracle for tests/test_targets_before.py: `check.targets` as main had it at commit
29e4611, before issue 12 made it fast. Kept verbatim but for names: every rounded walk
of ROUNDED_WALKS run in full (`run`, with NumPy-masked rounding), places through
np.vectorize, changed keys through np.array_equal.

It reuses what the speed-up did not touch (the formulas in `stages.STAGES`, `_hull`,
`_needed`, the catalogue of mistakes), so that it and the fast code do the same float
operations on any machine: the comparison is exact, byte for byte.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from backprop_core.check import (Interval, Target, _hull, _needed, _parts, engine_values,
                                 moved_places)
from backprop_core.example import Example
from backprop_core.mistakes import for_example, pairs
from backprop_core.precision import shown, small_threshold
from backprop_core.stages import (CORRECT, KEYS, ROUNDED_WALKS, STAGES, Chain, Habits,
                                  inputs, where)

_shown = np.vectorize(shown, otypes=[float])


def round_shown(value, decimals: int, ties: int = 0):
    value = np.asarray(value, dtype=float)
    out = value.copy()
    big = np.isfinite(value) & (np.abs(value) >= small_threshold(decimals))
    small = np.isfinite(value) & ~big
    if big.any():
        out[big] = [round(v, decimals) for v in value[big].tolist()]
        if ties:
            scaled = value * 10.0 ** decimals
            tie = big & (np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5)
                         < 1e-9 * np.maximum(1.0, np.abs(scaled)))
            if tie.any():
                step = np.ceil if ties > 0 else np.floor
                out[tie] = step(scaled[tie]) / 10.0 ** decimals
    if small.any():
        out[small] = _shown(value[small], decimals)
    return out


def run(example: Example, habits: Habits = CORRECT,
        answers: Mapping | None = None, rounded: bool = False,
        other: frozenset[str] = frozenset(), ties: int = 0) -> Chain:
    d = example.decimals
    r = (lambda a: round_shown(a, d, ties)) if rounded else (lambda a: a)
    v = inputs(example)
    computed = {}
    with np.errstate(all="ignore"):
        for stage in STAGES:
            found = tuple(np.asarray(f(v, example, habits, r), dtype=float)
                          for f in stage.working(habits))
            if bool(answers and any(k in answers for k in stage.prefer)) != \
                    (stage.key in other):
                found = found[::-1]
            computed[stage.key] = found
            value = r(found[0])
            if answers and stage.key in answers:
                given, mask = answers[stage.key]
                value = np.where(mask, given, value)
            v[stage.key] = value
    return Chain({k: v[k] for k in KEYS}, computed)


_places = np.vectorize(lambda v, d: _needed(float(v), int(d)), otypes=[int])


def _fewest_places(stack: np.ndarray, decimals: int) -> np.ndarray:
    places = _places(stack, decimals)
    small = np.abs(np.nan_to_num(stack, nan=np.inf)) < small_threshold(decimals)
    others = np.where(small, places, np.where(np.isfinite(stack), decimals, 99))[1:]
    return np.minimum(places[0], others.min(axis=0)) if len(others) else places[0]


def _interval(candidates, value: np.ndarray, d: int) -> Interval:
    h = _hull(candidates, value.shape)
    return Interval(h.low, h.high, _fewest_places(h.stack, d))


def _rounded_chains(example: Example, habits=CORRECT):
    walks = [run(example, habits, rounded=True, other=other, ties=ties).computed
             for other, ties in ROUNDED_WALKS]
    return lambda key: [v for w in walks for v in w[key]]


def targets(example: Example) -> dict[str, Target]:
    d = example.decimals
    exact = engine_values(example)
    rounded = _rounded_chains(example)
    walks = [(m, run(example, m.habits()), _rounded_chains(example, m.habits()))
             for m in for_example(example)]
    walks += [(m, run(example, m.habits()), _rounded_chains(example, m.habits()))
              for m in pairs(example)
              if set.intersection(*(set(by.keys) for by in _parts(m, walks))) - {"loss_after"}]
    right = run(example).values
    out = {}
    for st in STAGES:
        key = st.key
        found = {}
        for m, plain, rnd in walks:
            if np.array_equal(plain.values[key], right[key], equal_nan=True):
                continue
            if "+" in m.id and not all(
                    not np.array_equal(w[1].values[key], right[key], equal_nan=True)
                    for w in walks if w[0].id in m.id.split("+")):
                continue
            found[m.id] = _interval([*plain.computed[key], *rnd(key)],
                                    plain.values[key], d)
            found[m.id] = Interval(found[m.id].low, found[m.id].high, moved_places(
                key, example, found[m.id].low, found[m.id].high, found[m.id].places))
        page, anchor = where(key, example)
        correct = _interval([exact[key], *rounded(key)], exact[key], d)
        # issue 13: an update needs the places that tell it from no update (not a speed-up)
        correct = Interval(correct.low, correct.high,
                           moved_places(key, example, correct.low, correct.high,
                                        correct.places))
        out[key] = Target(key, exact[key], correct, found, st.group, page, anchor)
    return out
