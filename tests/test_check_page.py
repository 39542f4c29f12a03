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


@pytest.mark.parametrize("name", ["default", "batch-3-4-3", "relu", "mazur-2015"])
def test_the_table_shows_the_fewest_digits_that_are_calculator_true(name):
    """One number of places for the whole table's gradients (the same magnitude looks
    the same on every row), and the fewest: one digit fewer and subtracting some row's
    two shown gradients no longer rounds to its shown |g − g̃| or relative error."""
    from decimal import localcontext

    ex = load_example(ROOT / "examples" / f"{name}.toml")
    rows = check_page.gradient_rows(ex)      # the public entry point, without a check given
    assert [r.name for r in rows] == [r.name for r in check_page.table(ex).rows]
    fixed = [r for r in rows if "times" not in r.analytic and "times" not in r.numeric
             and r.analytic_value != r.numeric_value]
    widths = {len(t.partition(".")[2]) for r in fixed for t in (r.analytic, r.numeric)
              if abs(_value(t) - round(_value(t), check_page.SHOWN_DECIMALS)) > 1e-15}
    assert len(widths) == 1, widths
    extra = widths.pop() - check_page.SHOWN_DECIMALS
    assert extra >= 1
    missed = []
    with localcontext() as ctx:
        ctx.prec = 50
        for r in fixed:
            a = _decimal(check_page.fmt.num(r.analytic_value, check_page.SHOWN_DECIMALS, extra - 1))
            n = _decimal(check_page.fmt.num(r.numeric_value, check_page.SHOWN_DECIMALS, extra - 1))
            diff = abs(a - n)
            rel = diff / (abs(a) + abs(n))
            lands = [abs(got - _decimal(text))
                     < ctx.create_decimal(5).scaleb(_decimal(text).as_tuple().exponent - 1)
                     for text, got in ((r.abs_diff, diff), (r.rel_error, rel))]
            if not all(lands):
                missed.append(r.name)
    assert missed, f"{name}: every row lands with {extra - 1} extra digits"


def test_a_row_whose_gradients_agree_exactly(monkeypatch):
    """|a − n| = 0 (a zero gradient, or two equal ones): no extra digits, zeros shown."""
    ex = load_example(ROOT / "examples" / "default.toml")
    real = check_page.check_for(ex)
    same = real.analytic.map(lambda k, v: v.copy())
    same.b_h[0] = 0.0
    agreed = _faked(ex, numeric=lambda p: same, analytic=lambda p: same)
    rows = {r.name: r for r in check_page.gradient_rows(ex, agreed)}
    zero = rows["b_{h_1}"]
    assert (zero.analytic, zero.numeric, zero.abs_diff, zero.rel_error) == ("0", "0", "0", "0")
    w = rows["W_{i_1h_1}"]                   # 0.00253369389… at the page's 10 places
    assert (w.analytic, w.numeric, w.abs_diff) == ("0.0025336939", "0.0025336939", "0")


def _value(tex: str) -> float:
    return float(tex.replace(r" \times 10^{", "e").rstrip("}"))


def _significant(tex: str) -> int:
    mantissa = tex.split(r" \times")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(mantissa)


@pytest.mark.parametrize("name", ["default", "batch-3-4-3"])
def test_every_summary_field_of_the_table(name):
    """The summary the page prints under the table, each field against a value computed
    here: the largest differences from the rows' two gradients, float rounding's share
    from the loss a student works by hand (tests/student.py), all to their digits."""
    sys.path.insert(0, str(ROOT / "tests"))
    import student

    ex = load_example(ROOT / "examples" / f"{name}.toml")
    t = check_page.table(ex)
    eps = 1e-6                                     # the engine's finite-difference step
    assert (t.eps, t.truncation_order) == (r"1 \times 10^{-6}", r"1 \times 10^{-12}")
    diffs = [abs(r.analytic_value - r.numeric_value) for r in t.rows]
    rels = [d / (abs(r.analytic_value) + abs(r.numeric_value)) for d, r in zip(diffs, t.rows)]
    loss = float(np.sum(student.work(ex)["loss"]))
    for text, value, digits in ((t.max_abs_diff, max(diffs), 2),
                                (t.max_rel_error, max(rels), 2),
                                (t.rounding, np.finfo(float).eps * loss / eps, 1)):
        assert _significant(text) == digits, text
        assert abs(_value(text) - value) <= 0.5 * 10.0 ** (np.floor(np.log10(value)) - digits + 1) \
            * (1 + 1e-9), (text, value)
    assert t.max_rel_error_value == pytest.approx(max(rels), rel=1e-9)
    assert t.worst is t.rows[int(np.argmax(rels))]
    for r, d in zip(t.rows, diffs):
        assert r.abs_diff_value == d
    # each row's index is the 0-based position its 1-based name spells out
    for r in t.rows:
        assert r.name == check_page.tex_name(r.param, r.index)
        assert len(r.index) == (2 if r.param.startswith("W") else 1)


@pytest.mark.parametrize("analytic, numeric, suspect", [
    (0.3, -0.3, True),            # the sign wrong: |a − n| large although a + n = 0
    (0.0, 1e-8, False),           # |a − n| exactly at SUSPECT_ABS: rounding, not a bug
    (0.0, 1.1e-8, True),
])
def test_suspect_rows_at_the_edges(monkeypatch, analytic, numeric, suspect):
    ex = load_example(ROOT / "examples" / "default.toml")
    one = lambda v: lambda p: replace(p, b_o=np.array([v, p.b_o[1]]))  # noqa: E731
    faked = _faked(ex, analytic=one(analytic), numeric=one(numeric))
    monkeypatch.setattr(check_page, "check_for", lambda example: faked)
    t = check_page.table(ex)
    assert [r.name for r in t.suspect] == (["b_{o_1}"] if suspect else [])


def test_a_relative_error_exactly_at_the_limit_is_not_suspect(monkeypatch):
    ex = load_example(ROOT / "examples" / "default.toml")
    g = _faked(ex, analytic=lambda p: replace(p, b_o=np.array([0.5, p.b_o[1]])),
               numeric=lambda p: replace(p, b_o=np.array([0.4, p.b_o[1]])))
    rel = g.rel_error.map(lambda k, v: v.copy())
    rel.b_o[0] = check_page.SUSPECT_REL          # |a − n| = 0.1, far above SUSPECT_ABS
    monkeypatch.setattr(check_page, "check_for", lambda example: replace(g, rel_error=rel))
    assert check_page.table(ex).suspect == []
    rel.b_o[0] = np.nextafter(check_page.SUSPECT_REL, 1.0)
    assert [r.name for r in check_page.table(ex).suspect] == ["b_{o_1}"]
