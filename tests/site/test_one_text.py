"""A gradient or an update is written the same way everywhere on a page.

The hidden-layer page once wrote δ_h as [0.0253, −0.0124] in one formula and as
[0.0253369, −0.0123718] in the next, and the bias gradient as 0.025337: three texts for
one value. The rule ("How the numbers are shown" on the home page, `fmt.Plan`): on a
page, each error signal, gradient, step and updated parameter has one text, with as
many digits as the page's lines that use it need.

A quantity is found by its value: every number the page writes with at least the page's
decimal places (or with a power of ten) is matched to the engine values (`trace --json`)
it is a rounding of, and one value must never be the rounding behind two different
texts on one page. Values the page takes as given (inputs, parameters, forward values)
are left out: a line may write them with more digits than the page shows elsewhere.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from backprop_core import load_example

from sitecheck import (ARTICLE_PAGES, EXAMPLES, GENERATED, decimals_of, leaves,
                       math_tokens)

ALL = (*EXAMPLES, *GENERATED)


def values_of(trace: dict, after: list[float]) -> tuple[list[float], set[float]]:
    """Every value of the step (sizes; `after`: the forward pass after the step, which
    the trace leaves out), and which of them the one-text rule covers:
    error signals, gradients, steps and updated parameters, less any that equal a
    given value (those are written by the given value's rule)."""
    given = {round(abs(v), 12) for part in ("x", "y", "params", "forward", "losses")
             for v in leaves(trace[part])} | {round(abs(trace["loss"]), 12)} | \
        {round(abs(v), 12) for v in after}
    steps = [np.subtract(trace["updated"][k], trace["params"][k]).tolist()
             for k in trace["updated"]]
    planned = leaves(trace["backward"]) + leaves(trace["gradients"]) + \
        leaves(trace["updated"]) + leaves(steps)
    covered = {abs(v) for v in planned if v and round(abs(v), 12) not in given}
    every = {abs(v) for v in leaves(trace) + leaves(steps) + after if v}
    return sorted(every), covered


def half_unit(token) -> float:
    if token.scientific:
        exponent = int(token.text.split("{")[-1].rstrip("}"))
        return 0.5 * 10.0 ** (exponent - token.decimals)
    return 0.5 * 10.0 ** (-token.decimals)


def texts_per_value(html: str, values: list[float], covered: set[float],
                    decimals: int) -> dict[float, set[str]]:
    """For each covered value, the texts on the page that are a rounding of it: a
    number written with the page's places or more counts when exactly one value of the
    step rounds to it (b_h⁺ = 0.09643… and a δ of 0.0963581 both round to 0.0964, so
    that text names neither)."""
    found: dict[float, set[str]] = {}
    tokens = [t for t in math_tokens(html) if t.scientific or t.decimals >= decimals]
    for t in tokens:
        size = abs(t.value)
        near = [v for v in values if abs(size - v) <= half_unit(t) * (1 + 1e-9)]
        if len(near) == 1 and near[0] in covered and abs(size - near[0]) > 1e-15 * near[0]:
            found.setdefault(near[0], set()).add(t.text.lstrip("-"))
    return found


def two_texts(html: str, values: list[float], covered: set[float],
              decimals: int) -> dict[float, set[str]]:
    return {v: texts for v, texts in texts_per_value(html, values, covered, decimals).items()
            if len(texts) > 1}


@pytest.mark.parametrize("name", ALL)
def test_a_gradient_or_update_has_one_text_per_page(sites, name):
    after = load_example(sites.example_file(name)).step().after
    values, covered = values_of(sites.trace(name), [
        float(v) for f in fields(after) for v in np.ravel(getattr(after, f.name))])
    decimals = decimals_of(sites, name)
    for page in ARTICLE_PAGES:
        bad = two_texts(sites.page(name, page), values, covered, decimals)
        assert not bad, f"{name}/{page}: {len(bad)} values with two texts, e.g. " \
                        f"{sorted(bad.items())[:3]}"


def test_the_check_sees_the_old_hidden_layer_page():
    """The page as it was: δ_h,1 = 0.0253369 written 0.0253, 0.0253369 and 0.025337."""
    old = (r'<div class="arithmatex">\[ \begin{bmatrix} 0.0253 & -0.0124 \end{bmatrix}'
           r' = \begin{bmatrix} 0.0253369 & -0.0123718 \end{bmatrix}, \; 0.025337 \]</div>')
    values = [0.025336938, 0.012371775]
    bad = two_texts(old, values, set(values), 4)
    assert bad == {0.025336938: {"0.0253", "0.0253369", "0.025337"},
                   0.012371775: {"0.0124", "0.0123718"}}
    same = old.replace("0.0253369", "0.025337").replace("0.0253 ", "0.025337 ") \
        .replace("0.0123718", "0.0124")
    assert two_texts(same, values, set(values), 4) == {}
    # a text two values round to names neither: 0.0253 could be 0.0253001
    assert two_texts(old, values + [0.0253001], set(values), 4) == {
        0.025336938: {"0.0253369", "0.025337"}, 0.012371775: {"0.0124", "0.0123718"}}
