"""How a number of the worked example looks on the page: the site's one formatting rule.

Every number the pages show goes through `num`, and every vector or matrix through
`vec` / `mat`, so one place decides the precision and the notation:

- fixed `decimals` (from the example file), e.g. ``0.6615``;
- a value that is exact at fewer decimals keeps its short form (``0.7``, ``-1``), so
  trailing zeros only ever mean "rounded";
- a value too small for that precision switches to significant digits,
  ``2.534 \\times 10^{-5}``, never a misleading ``0.0000``;
- ``nan`` / ``inf`` raise `ValueError`: a page must never show them.

How many places a value gets is `backprop_core.precision`'s rule, shared with the
answer checker. Output is LaTeX for MathJax. This module knows nothing about MkDocs.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

from backprop_core.precision import shown_places, small_threshold

__all__ = ["num", "signed", "vec", "mat", "small_threshold"]


def num(value: float, decimals: int) -> str:
    """One number as LaTeX: fixed decimals, or significant digits when too small."""
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"cannot show a non-finite number on a page: {v!r}")
    if v == 0.0:
        return "0"
    places = shown_places(v, decimals)
    if places < decimals or abs(v) >= small_threshold(decimals):
        return f"{v:.{places}f}"
    mantissa, exponent = f"{v:.{decimals - 1}e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


def signed(value: float, decimals: int) -> str:
    """A number to stand after an operator: negatives in parentheses, ``(-0.1234)``."""
    text = num(value, decimals)
    return f"({text})" if text.startswith("-") else text


def vec(values: Iterable[float], decimals: int) -> str:
    """A row vector as a one-row bmatrix (the article's row-vector convention)."""
    return mat([list(values)], decimals)


def mat(rows: Sequence[Iterable[float]], decimals: int) -> str:
    r"""A matrix as ``\begin{bmatrix} … \end{bmatrix}``; rows are the first index."""
    body = r" \\ ".join(" & ".join(num(v, decimals) for v in row) for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
