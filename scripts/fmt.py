"""How a number of the worked example looks on the page: the site's one formatting rule.

Every number the pages show goes through `num`, and every vector or matrix through
`vec` / `mat`, so one place decides the precision and the notation:

- fixed `decimals` (from the example file), e.g. ``0.6615``;
- a value that is exact at fewer decimals keeps its short form (``0.7``, ``-1``), so
  trailing zeros only ever mean "rounded";
- a value too small for that precision switches to significant digits,
  ``2.534 \\times 10^{-5}``, never a misleading ``0.0000``;
- ``nan`` / ``inf`` raise `ValueError`: a page must never show them;
- a matrix whose entries would mix the two notations writes every entry with a power
  of ten, so no column of fixed decimals hides a differently scaled entry.

**Calculator-true lines.** A substituted line (``−1/0.43417 = −2.3032``) must give its
result to the last digit when recomputed from the numbers exactly as written on it
(`backprop_core.precision`'s rule: written inputs are exact, only the result is
rounded). The result is always the exact value shown as above; when the inputs at the
page's precision would miss it, `extra_digits` finds how many more digits the inputs of
that line need, and `num(..., extra=k)` writes them. That choice is made here only.

How many places a value gets is `backprop_core.precision`'s rule, shared with the
answer checker. Output is LaTeX for MathJax. This module knows nothing about MkDocs.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, Sequence

import numpy as np

from backprop_core.precision import (half_unit, parse, rounded, rounded_sig,
                                     short_sig_places, shown_places, small_threshold)

__all__ = ["num", "signed", "vec", "mat", "small_threshold", "written", "extra_digits",
           "sig", "MOST_EXTRA"]

#: The most digits a line's inputs may gain: beyond this a line is left as it is (and
#: the arithmetic test reports it), rather than filled with digits nobody can check.
MOST_EXTRA = 6


def num(value: float, decimals: int, extra: int = 0, scientific: bool = False) -> str:
    """One number as LaTeX: fixed decimals, or significant digits when too small.

    `extra` adds that many digits (fixed places, or mantissa digits) for a line whose
    inputs need them; a value exact at fewer digits keeps its short form regardless
    (``0.7``, ``8 \\times 10^{-4}``). `scientific` writes a fixed-decimal or short value
    with a power of ten too (for a matrix whose other entries need one), with the same
    significant digits it would have. Halfway cases round away from zero
    (`precision.rounded`).
    """
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"cannot show a non-finite number on a page: {v!r}")
    if v == 0.0:
        return "0"
    short = short_sig_places(v, decimals)
    places = shown_places(v, decimals) if short is None else short
    if abs(v) >= small_threshold(decimals):
        # exact at its places (short, or exactly `decimals` places): extra digits would
        # be zeros that claim rounding. "Exact" within float noise, and within far less
        # than the half unit the extra digits were asked for.
        noise = 1e-12 * max(1.0, abs(v))
        if extra:
            noise = min(noise, 1e-3 * half_unit(max(places, decimals) + extra))
        exact = abs(v - round(v, places)) <= noise
        fixed = places if exact else max(places, decimals) + extra
        if not scientific:
            return _fixed(v, fixed)
        written = rounded(v, fixed)  # the same digits, moved behind a power of ten
        return _times(written.scaleb(-written.adjusted()), written.adjusted())
    exponent = rounded_sig(v, decimals)[1]
    digits = places + exponent + (0 if short is not None else extra)
    return _times(*rounded_sig(v, digits + 1))


def _times(mantissa, exponent: int) -> str:
    return f"{mantissa:f} \\times 10^{{{exponent}}}"


def _fixed(v: float, places: int) -> str:
    """`v` with `places` decimals, halfway away from zero; never ``-0``."""
    text = format(rounded(v, places), "f")
    return text[1:] if text.lstrip("-0.") == "" and text.startswith("-") else text


def written(value: float, decimals: int, extra: int = 0) -> float:
    """`value` exactly as `num` writes it, read back as a number."""
    text = num(value, decimals, extra).replace(" \\times 10^{", "e").rstrip("}")
    return parse(text).value


def signed(value: float, decimals: int, extra: int = 0) -> str:
    """A number to stand after an operator: negatives in parentheses, ``(-0.1234)``."""
    text = num(value, decimals, extra)
    return f"({text})" if text.startswith("-") else text


def vec(values: Iterable[float], decimals: int, extra: int = 0) -> str:
    """A row vector as a one-row bmatrix (the article's row-vector convention)."""
    return mat([list(values)], decimals, extra)


def mat(rows: Sequence[Iterable[float]], decimals: int, extra: int = 0) -> str:
    r"""A matrix as ``\begin{bmatrix} … \end{bmatrix}``; rows are the first index.

    If some entries would be written with a power of ten and others with fixed decimals,
    every non-zero entry gets a power of ten, so the matrix never mixes the two.
    """
    rows = [list(row) for row in rows]
    texts = [[num(v, decimals, extra) for v in row] for row in rows]
    flat = [t for row in texts for t in row if t != "0"]
    if any("times" in t for t in flat) and not all("times" in t for t in flat):
        texts = [[num(v, decimals, extra, scientific=True) for v in row] for row in rows]
    body = r" \\ ".join(" & ".join(row) for row in texts)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def sig(value: float, digits: int = 3) -> str:
    """A derived figure for prose (a ratio, a factor) to `digits` significant digits:
    ``134``, ``4.27``, ``31.3``; never more digits than it means."""
    v = float(value)
    if not math.isfinite(v) or v == 0.0:
        return num(v, digits)
    places = max(0, digits - 1 - rounded_sig(v, digits)[1])
    return _fixed(v, places)


def extra_digits(formula: Callable[..., object], inputs: Sequence[object],
                 results: object, decimals: int,
                 result_format: Callable[[float], str] | None = None,
                 input_format: Callable[[float, int], str] | None = None) -> int:
    """How many extra digits the inputs of a substituted line need to be calculator-true.

    formula:       the line's arithmetic, applied to its inputs (numbers or arrays) as
                   written; returns the result(s), shaped like `results`
    inputs:        the exact values written on the line, in the order `formula` takes them
    results:       the exact result(s)
    result_format: how the page writes a result (default `num` at `decimals`)
    input_format:  how it writes an input with k extra digits (default `num(v, decimals, k)`)

    The line must round to each written result (at least `decimals` places for `num`: a
    short form such as ``0.67`` claims to be exact): strictly within half a unit of its
    last place. A line landing exactly on a halfway point is refused, not merely
    tolerated: ``0.374256652988 − 0.374256653113 = 1.25 × 10⁻¹⁰`` written as
    ``1.2 × 10⁻¹⁰`` depends on a tie rule the reader may not share.
    Returns the fewest extra digits (0 to MOST_EXTRA) at which the formula, evaluated on
    the inputs exactly as written with them, does so for every result.
    """
    def read(text: str):
        return parse(text.replace(" \\times 10^{", "e").rstrip("}"))

    exact = np.asarray(results, dtype=float)
    if result_format is None:
        shown = [read(num(r, decimals)) for r in exact.ravel()]
        tolerance = [half_unit(max(w.places, decimals)) for w in shown]
    else:
        shown = [read(result_format(r)) for r in exact.ravel()]
        tolerance = [half_unit(w.places) for w in shown]
    target = np.array([w.value for w in shown]).reshape(exact.shape)
    tolerance = np.array(tolerance).reshape(exact.shape)
    # Float noise of evaluating the formula, never more than a sliver of the tolerance
    # (a difference of 5.6e-11 written to two digits has a half unit of only 5e-13);
    # it narrows the band, so that a halfway case fails however the float lands.
    noise = np.minimum(1e-12 * np.maximum(1.0, np.abs(exact)), 1e-3 * tolerance)
    write = input_format or (lambda v, k: num(v, decimals, k))
    for extra in range(MOST_EXTRA + 1):
        shown_inputs = []
        for x in inputs:
            arr = np.asarray(x, dtype=float)
            vals = np.array([read(write(v, extra)).value for v in arr.ravel()]).reshape(arr.shape)
            shown_inputs.append(vals if vals.ndim else float(vals))
        got = np.asarray(formula(*shown_inputs), dtype=float)
        if np.all(np.abs(got - target) < tolerance - noise):
            return extra
    return MOST_EXTRA
