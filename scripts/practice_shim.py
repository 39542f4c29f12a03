"""TEMPORARY SHIM, delete when branch `check` is merged (backprop_core/check.py, mistakes.py).

Stands in for the promised API of issue 10 parts 1-2 so that the practice page can be
built and tested before they land:

- ``Mistake(id, stage, sentence, page, anchor, values)``, ``CATALOGUE``, ``by_id``;
- ``targets(example) -> {trace key: {"low", "high", "mistakes": {id: array}}}``.

Only three mistakes, and intervals without the rounded chain (low = high = exact).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from backprop_core import step
from backprop_core.cli import trace_dict

KEYS = ("forward.h_in", "forward.h_out", "forward.o_in", "forward.o_out", "loss",
        "backward.dE_do_out", "backward.do_out_do_in", "backward.dE_do_in",
        "backward.dE_dW_ho", "backward.dE_db_o", "backward.dE_dh_out",
        "backward.dh_out_dh_in", "backward.dE_dh_in", "backward.dE_dW_ih", "backward.dE_db_h",
        "updated.W_ho", "updated.b_o", "updated.W_ih", "updated.b_h", "loss_after")


@dataclass(frozen=True)
class Mistake:
    id: str
    stage: str
    sentence: str
    page: str
    anchor: str
    values: Callable


def _get(trace: dict, key: str):
    node = trace
    for part in key.split("."):
        node = node[part]
    return np.asarray(node, dtype=float)


def _log10_loss(example):
    s = example.step()
    return {"loss": float(s.loss / np.log(10.0))}


def _updated_with(example, factor):
    s = step(example.network, example.params, example.x, example.y,
             factor * example.learning_rate)
    t = trace_dict(example, s)
    return {k: _get(t, k) for k in KEYS if k.startswith("updated.") or k == "loss_after"}


CATALOGUE = (
    Mistake("log10_loss", "loss", "The loss was taken with base-10 logarithms; "
            "cross-entropy uses the natural logarithm.", "hand-calculation-2018.md",
            "the-loss-which-formula-gives-the-printed-value", _log10_loss),
    Mistake("learning_rate_x10", "update", "The update used ten times the learning rate.",
            "hand-calculation-2018.md", "the-learning-rate-the-one-stated-and-the-one-used",
            lambda ex: _updated_with(ex, 10.0)),
    Mistake("sign_flip", "update", "The gradient was added instead of subtracted: "
            "w + η·∂E/∂w moves uphill.", "output-layer.md", "the-update",
            lambda ex: _updated_with(ex, -1.0)),
)
by_id = {m.id: m for m in CATALOGUE}


def targets(example) -> dict:
    t = trace_dict(example, example.step())
    out = {}
    for key in KEYS:
        exact = _get(t, key)
        mistakes = {}
        for m in CATALOGUE:
            got = m.values(example) or {}
            if key in got:
                mistakes[m.id] = np.asarray(got[key], dtype=float)
        out[key] = {"low": exact, "high": exact, "mistakes": mistakes}
    return out
