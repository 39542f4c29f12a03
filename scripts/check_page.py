"""The "Check the numbers" page's table: analytic vs finite-difference gradients.

`gradient_rows(example)` runs the engine's `gradient_check` and returns one row per
scalar parameter, already formatted through `fmt` (LaTeX for MathJax): the parameter's
name as the article writes it, the analytic gradient, the central finite difference
and their relative error. The page (docs/check.md) lays them out; this module only
shapes them. The checking itself is backprop_core's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import fmt
from backprop_core import Example, GradCheck, gradient_check

__all__ = ["SHOWN_DECIMALS", "SUSPECT_REL", "SUSPECT_ABS", "Row", "Table", "gradient_rows",
           "check_for", "table", "tex_name"]

#: Digits shown for the two gradients: enough to see where they start to differ (more
#: on a row where the shown difference needs them).
SHOWN_DECIMALS = 10


@dataclass(frozen=True)
class Row:
    param: str      # "W_ih", "b_h", "W_ho", "b_o"
    index: tuple    # 0-based index into that parameter
    name: str       # LaTeX, e.g. W_{i_1h_2}
    analytic: str   # LaTeX numbers
    numeric: str
    rel_error: str
    abs_diff: str   # |analytic − numeric|, two significant digits
    analytic_value: float
    numeric_value: float
    rel_error_value: float
    abs_diff_value: float = 0.0


def tex_name(param: str, index: tuple) -> str:
    """The article's name for one scalar parameter, 1-based: W_{i_1h_2}, b_{h_1}."""
    if param == "W_ih":
        return f"W_{{i_{index[0] + 1}h_{index[1] + 1}}}"
    if param == "W_ho":
        return f"W_{{h_{index[0] + 1}o_{index[1] + 1}}}"
    layer = {"b_h": "h", "b_o": "o"}[param]
    return f"b_{{{layer}_{index[0] + 1}}}"


def check_for(example: Example) -> GradCheck:
    return gradient_check(example.network, example.params, example.x, example.y)


def gradient_rows(example: Example, check: GradCheck | None = None) -> list[Row]:
    """One row per scalar parameter, in the order W_ih, b_h, W_ho, b_o.

    Both gradient columns carry one number of decimals for the whole table: the most
    any row needs (`_extra`), so equal magnitudes look equal (b_{o_1} and b_{o_2} are
    exactly opposite and are written with the same digits).
    """
    g = check or check_for(example)
    found = []
    for param, analytic in g.analytic.items():
        numeric = getattr(g.numeric, param)
        rel = getattr(g.rel_error, param)
        for index in np.ndindex(analytic.shape):
            found.append((param, index, float(analytic[index]), float(numeric[index]),
                          float(rel[index])))
    a, n, r = (np.array([row[i] for row in found]) for i in (2, 3, 4))
    k = _extra(a, n, r)
    return [Row(param, index, tex_name(param, index),
                fmt.num(a, SHOWN_DECIMALS, k), fmt.num(n, SHOWN_DECIMALS, k),
                fmt.num(r, 2), fmt.num(abs(a - n), 2), a, n, r, abs(a - n))
            for param, index, a, n, r in found]


def _extra(a: np.ndarray, n: np.ndarray, r: np.ndarray) -> int:
    """Digits beyond SHOWN_DECIMALS that the two gradient columns need for a reader
    who subtracts the shown gradients of every row to get that row's shown |a − n| and
    relative error (fmt.extra_digits, all rows at once)."""
    def line(u, v):
        diff = np.abs(u - v)
        total = np.abs(u) + np.abs(v)
        return [diff, np.divide(diff, total, out=np.zeros_like(diff), where=total > 0)]

    return fmt.extra_digits(line, [a, n], [np.abs(a - n), r], SHOWN_DECIMALS,
                            result_format=lambda x: fmt.num(x, 2))


#: A row disagrees beyond rounding when both its relative and its absolute difference
#: exceed these: a central difference with ε = 1e-6 in float64 keeps about 8 digits, and
#: near zero the relative error of even a correct gradient can grow large.
SUSPECT_REL, SUSPECT_ABS = 1e-6, 1e-8


@dataclass(frozen=True)
class Table:
    """Everything the page shows: the rows and their summary, as LaTeX."""

    rows: list[Row]
    count: int           # scalar parameters checked
    eps: str             # the finite-difference step
    max_rel_error: str
    max_rel_error_value: float
    worst: Row           # the row with the largest relative error
    suspect: list[Row]   # rows that disagree beyond rounding (none, for a sound engine)
    max_abs_diff: str = ""   # the largest |analytic − numeric|
    rounding: str = ""       # float rounding's share of a difference: machine ε · |E| / ε
    truncation_order: str = ""  # the central difference's own error is of order ε²


def table(example: Example) -> Table:
    g = check_for(example)
    rows = gradient_rows(example, g)
    worst = max(rows, key=lambda r: r.rel_error_value)
    suspect = [r for r in rows if r.rel_error_value > SUSPECT_REL
               and abs(r.analytic_value - r.numeric_value) > SUSPECT_ABS]
    loss = example.step().loss
    rounding = float(np.finfo(float).eps) * abs(loss) / g.eps
    return Table(rows, len(rows), fmt.num(g.eps, 2), fmt.num(g.max_rel_error, 2),
                 g.max_rel_error, worst, suspect,
                 fmt.num(max(r.abs_diff_value for r in rows), 2), fmt.num(rounding, 1),
                 fmt.num(g.eps ** 2, 2))
