"""The "Check the numbers" table (scripts/check_page.py), apart from the built site.

The built page is read back in tests/site/test_notebook_figures_check.py; here, the rows
themselves: one per scalar parameter, named as the article names them, and a wrong
gradient flagged while rounding near zero is not.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import check_page  # noqa: E402
from backprop_core import load_example  # noqa: E402


@pytest.mark.parametrize("name", ["default", "batch-3-4-3", "mazur-2015"])
def test_one_row_per_parameter_in_article_order(name):
    ex = load_example(ROOT / "examples" / f"{name}.toml")
    t = check_page.table(ex)
    sizes = ex.sizes
    n = sizes["n_hidden"] * (sizes["n_in"] + sizes["n_out"] + 1) + sizes["n_out"]
    assert t.count == len(t.rows) == n
    assert [r.param for r in t.rows] == sorted((r.param for r in t.rows),
                                               key=["W_ih", "b_h", "W_ho", "b_o"].index)
    assert t.suspect == []
    assert t.worst.rel_error_value == t.max_rel_error_value


def test_names_follow_the_article():
    assert check_page.tex_name("W_ih", (1, 0)) == "W_{i_2h_1}"
    assert check_page.tex_name("W_ho", (1, 0)) == "W_{h_2o_1}"
    assert check_page.tex_name("b_h", (0,)) == "b_{h_1}"
    assert check_page.tex_name("b_o", (2,)) == "b_{o_3}"


def _faked(ex, numeric=lambda p: p, analytic=lambda p: p):
    """The engine's gradient check with some of its values replaced."""
    g = check_page.check_for(ex)
    a, n = analytic(g.analytic), numeric(g.numeric)
    rel = a.map(lambda k, v: np.abs(v - getattr(n, k))
                / np.maximum(np.abs(v) + np.abs(getattr(n, k)), 1e-12))
    return replace(g, analytic=a, numeric=n, rel_error=rel,
                   max_rel_error=max(float(v.max()) for _, v in rel.items()))


def test_a_wrong_gradient_is_flagged(monkeypatch):
    ex = load_example(ROOT / "examples" / "default.toml")
    wrong = _faked(ex, numeric=lambda p: replace(p, W_ho=p.W_ho * np.array([[1, 1], [2, 1]])))
    monkeypatch.setattr(check_page, "check_for", lambda example: wrong)
    t = check_page.table(ex)
    assert [r.name for r in t.suspect] == ["W_{h_2o_1}"]
    assert t.worst.name == "W_{h_2o_1}"


def test_rounding_near_zero_is_not_flagged(monkeypatch):
    ex = load_example(ROOT / "examples" / "default.toml")
    # a gradient of 1e-12 whose finite difference reads 1.1e-11: a large relative but a
    # negligible absolute difference, as float64 rounding gives near zero
    near_zero = _faked(ex, analytic=lambda p: replace(p, b_h=np.array([1e-12, p.b_h[1]])),
                       numeric=lambda p: replace(p, b_h=np.array([1.1e-11, p.b_h[1]])))
    monkeypatch.setattr(check_page, "check_for", lambda example: near_zero)
    t = check_page.table(ex)
    assert t.max_rel_error_value > 0.5 and t.worst.name == "b_{h_1}"
    assert t.suspect == []


def _decimal(tex: str):
    """A number as the page writes it, exactly (decimal arithmetic: no float noise)."""
    from decimal import Decimal
    return Decimal(tex.replace(r" \times 10^{", "e").rstrip("}"))


@pytest.mark.parametrize("name", ["default", "batch-3-4-3", "relu", "mazur-2015"])
def test_each_row_is_calculator_true(name):
    """Subtracting the two gradients exactly as shown gives the shown |a − n|, and
    dividing by their sum the shown relative error, within half a unit of the last
    written digit (the shared precision rule), never exactly halfway."""
    from decimal import localcontext

    t = check_page.table(load_example(ROOT / "examples" / f"{name}.toml"))
    off = []
    with localcontext() as ctx:
        ctx.prec = 50
        for r in t.rows:
            a, n = _decimal(r.analytic), _decimal(r.numeric)
            diff = abs(a - n)
            rel = diff / (abs(a) + abs(n)) if a or n else diff
            for text, got in ((r.abs_diff, diff), (r.rel_error, rel)):
                shown = _decimal(text)
                half = shown.as_tuple().exponent
                # strictly inside: a difference exactly halfway (1.25e-10 shown as
                # 1.2e-10) rounds by a tie rule, not by the numbers
                if abs(got - shown) >= ctx.create_decimal(5).scaleb(half - 1):
                    off.append((r.name, r.analytic, r.numeric, text, got))
    assert not off, off[:4]
