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
           "sig", "lands", "misses", "key", "Plan", "MOST_EXTRA", "MOST_PLANNED"]

#: The most digits a page's plan may give a gradient or update (`Plan`): a chain of
#: five stages on one page (δ_o → paths → ∂E/∂h_out → δ_h → ∂E/∂W, 4 examples, 8 units)
#: can need them all; a value at the limit is left as it is and the arithmetic test
#: reports its line.
MOST_PLANNED = 8

#: The most digits a line's inputs may gain: beyond this a line is left as it is (and
#: the arithmetic test reports it), rather than filled with digits nobody can check.
MOST_EXTRA = 6


def num(value: float, decimals: int, extra: int = 0, scientific: bool = False,
        fixed: bool = False) -> str:
    """One number as LaTeX: fixed decimals, or significant digits when too small.

    `extra` adds that many digits (fixed places, or mantissa digits) for a line whose
    inputs need them; a value exact at fewer digits keeps its short form regardless
    (``0.7``, ``8 \\times 10^{-4}``). `scientific` writes a fixed-decimal or short value
    with a power of ten too (for a matrix whose other entries need one), with the same
    significant digits it would have; `fixed` writes a small value in fixed decimals
    with the same significant digits (``0.0008``, ``0.0001013``: for a matrix whose other
    entries are fixed decimals). Halfway cases round away from zero
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
    mantissa, exponent = rounded_sig(v, digits + 1)
    if fixed:  # the same digits without the power of ten
        return format(mantissa.scaleb(exponent), "f")
    return _times(mantissa, exponent)


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


def mat(rows: Sequence[Iterable[float]], decimals: int,
        extra: int | Callable[[float], int] = 0,
        fixed: Callable[[float], bool] = lambda v: False) -> str:
    r"""A matrix as ``\begin{bmatrix} … \end{bmatrix}``; rows are the first index.

    `extra`: extra digits for every entry, or a function giving each entry's own (a
    page's `Plan.extra`). If some entries would be written with a power of ten and
    others with fixed decimals (`mixed`), the small ones are written in fixed decimals
    with their own significant digits (``0.0008``, ``0.0001096``), so the matrix never
    mixes the two and every entry keeps the digits it has elsewhere. `fixed` names
    values to write in fixed decimals whatever the matrix (a page's choice, `Plan`).
    """
    rows = [list(row) for row in rows]
    more = extra if callable(extra) else (lambda v: extra)
    texts = [[num(v, decimals, more(v), fixed=fixed(v)) for v in row] for row in rows]
    if mixed(texts):
        texts = [[num(v, decimals, more(v), fixed=True) for v in row] for row in rows]
    body = r" \\ ".join(" & ".join(row) for row in texts)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def mixed(texts: Sequence[Sequence[str]]) -> bool:
    """Would these entries of one matrix mix powers of ten and fixed decimals?"""
    flat = [t for row in texts for t in row if t != "0"]
    return any("times" in t for t in flat) and not all("times" in t for t in flat)


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
    write = input_format or (lambda v, k: num(v, decimals, k))
    for extra in range(MOST_EXTRA + 1):
        if lands(formula, inputs, results, decimals, result_format,
                 lambda v, k=extra: write(v, k)):
            return extra
    return MOST_EXTRA


def _read(text: str):
    """A number as `num` writes it, read back (value and places)."""
    return parse(text.replace(" \\times 10^{", "e").rstrip("}"))


def lands(formula: Callable[..., object], inputs: Sequence[object], results: object,
          decimals: int, result_format: Callable[[float], str] | None = None,
          input_format: Callable[[float], str] | None = None,
          least_places: int | None = None) -> bool:
    """Is the line calculator-true with its inputs written by `input_format` (default
    `num` at `decimals`) and its results by `result_format` (default `num` at
    `decimals`, and then held to at least `decimals` places: a short result such as
    ``0.67`` claims to be exact)? Strictly within half a unit of each result's last
    place; an exact halfway case is refused (see `extra_digits`). `least_places`
    overrides that floor of places (default: `decimals` for `num`'s results, none for
    a `result_format`'s)."""
    return not np.any(misses(formula, inputs, results, decimals, result_format,
                             input_format, least_places))


def misses(formula: Callable[..., object], inputs: Sequence[object], results: object,
           decimals: int, result_format: Callable[[float], str] | None = None,
           input_format: Callable[[float], str] | None = None,
           least_places: int | None = None) -> np.ndarray:
    """`lands`, result by result: True where a written result is missed."""
    exact = np.asarray(results, dtype=float)
    if least_places is None:
        least_places = decimals if result_format is None else 0
    write_result = result_format or (lambda r: num(r, decimals))
    shown = [_read(write_result(r)) for r in exact.ravel()]
    tolerance = [half_unit(max(w.places, least_places)) for w in shown]
    target = np.array([w.value for w in shown]).reshape(exact.shape)
    tolerance = np.array(tolerance).reshape(exact.shape)
    # Float noise of evaluating the formula, never more than a sliver of the tolerance
    # (a difference of 5.6e-11 written to two digits has a half unit of only 5e-13);
    # it narrows the band, so that a halfway case fails however the float lands.
    noise = np.minimum(1e-12 * np.maximum(1.0, np.abs(exact)), 1e-3 * tolerance)
    got = np.asarray(formula(*written_inputs(inputs, input_format
                                             or (lambda v: num(v, decimals)))), dtype=float)
    return ~(np.abs(got - target) < tolerance - noise)


def written_inputs(inputs: Sequence[object], write: Callable[[float], str]) -> list:
    """Each input (a number or an array) as `write` writes it, read back."""
    out = []
    for x in inputs:
        arr = np.asarray(x, dtype=float)
        vals = np.array([_read(write(v)).value for v in arr.ravel()]).reshape(arr.shape)
        out.append(vals if vals.ndim else float(vals))
    return out


# ---------------------------------------------------------------------------------------
# One text per value on a page


def key(value: float) -> float:
    """What identifies a value on a page: its size to 12 significant digits (the same
    quantity reached by two float computations, and ±δ, are one value)."""
    return float(f"{abs(float(value)):.12g}")


class Plan:
    """The digits of a page's gradients and updates, chosen so that each has one text.

    A page records its substituted lines (`line`: a formula, the values written as its
    inputs, its results). `given` names the values the page takes as given (the inputs,
    parameters and forward values: not what this plan writes). `solve` then finds, for
    every other value (a gradient, an error signal, a step, an updated parameter), the
    fewest extra digits (`extra`) such that

    - every line is calculator-true with its inputs and results written with their own
      value's digits (the numbers on a line are exact, only its result is rounded);
    - such a value is written with the same digits wherever the page shows it: as an
      input, as a result, in a matrix (whose entries each keep their own) or in prose.

    A given value that a line of the page computes (the forward page's h_out, o_out)
    keeps the page's precision, and a line that needs more of it writes it with more
    digits on that line only (`local`): giving it more digits everywhere would ask the
    same of the line that computes it, and so on up the forward pass. A given value no
    line of the page computes is planned like the rest. A line that
    misses even so gets one more digit on each of its planned inputs, and the lines are
    checked again until none changes (digits only grow, never past MOST_PLANNED: this
    ends). A value exact at its digits never takes extra ones.
    """

    def __init__(self, decimals: int, given: Iterable[float] = ()) -> None:
        self.decimals = decimals
        self.given = {key(v) for v in given}
        self.lines: list[tuple[Callable[..., object], list, object]] = []
        self.digits: dict[float, int] = {}
        self.fixed: set[float] = set()  # small values shown in a matrix of fixed decimals

    def planned(self, value: float) -> bool:
        return key(value) not in self.given and not self._exact(value)

    def extra(self, value: float) -> int:
        return self.digits.get(key(value), self._floor(value))

    def _floor(self, value: float) -> int:
        """A planned value's digits start at `decimals` significant figures: 0.0574
        is written 0.05740, not 0.0574 beside a 0.0044935 (values too small for the
        fixed places have them already)."""
        v = abs(float(value))
        if not self.planned(value) or v >= 1 or v < small_threshold(self.decimals):
            return 0
        return max(0, -math.floor(math.log10(v)) - 1)

    def line(self, formula: Callable[..., object], inputs: Sequence[object],
             results: object) -> None:
        self.lines.append((formula, list(inputs), results))

    def at_least(self, value: float, extra: int) -> None:
        if extra and self.planned(value):
            self.digits[key(value)] = max(self.extra(value), extra)

    def _exact(self, value: float) -> bool:
        return num(value, self.decimals) == num(value, self.decimals, MOST_PLANNED)

    def write(self, value: float, local: int = 0) -> str:
        """`value` as the page writes it; a given value with `local` extra digits."""
        if key(value) in self.given:
            return num(value, self.decimals, local)
        return num(value, self.decimals, self.extra(value))

    def local(self, formula: Callable[..., object], inputs: Sequence[object],
              results: object) -> int | None:
        """The fewest extra digits the line's given inputs need, with the planned ones
        at their digits, for the line to be calculator-true; None if no number does."""
        for k in range(MOST_EXTRA + 1):
            if lands(formula, inputs, results, self.decimals, result_format=self.write,
                     input_format=lambda v, k=k: self.write(v, k),
                     least_places=self.decimals):
                return k
            if not any(key(v) in self.given and not self._exact(v)
                       for x in inputs for v in np.asarray(x, dtype=float).ravel()):
                return None  # more local digits change nothing
        return None

    def solve(self) -> "Plan":
        # a given value that no line of this page computes is written like the rest:
        # one text (the derivatives page takes o_out from the forward page)
        computed = {key(v) for _, _, results in self.lines
                    for v in np.ravel(np.asarray(results, dtype=float))}
        self.given &= computed
        while True:
            changed = False
            for formula, inputs, results in self.lines:
                if self.local(formula, inputs, results) is not None:
                    continue
                culprit = self._culprit(formula, inputs, results)
                if culprit is not None:
                    self.digits[key(culprit)] = self.extra(culprit) + 1
                    changed = True
            if not changed:
                return self

    def _culprit(self, formula, inputs, results) -> float | None:
        """The planned input of a missing line whose rounding moves a missed result the
        most (one digit at a time, so a matrix line's other entries, and the inputs
        that hardly matter, keep their digits): found by nudging each input."""
        k = MOST_EXTRA  # the given inputs as precise as a line may write them
        write = lambda v: self.write(v, k)  # noqa: E731
        missed = misses(formula, inputs, results, self.decimals, result_format=self.write,
                        input_format=write, least_places=self.decimals)
        base = written_inputs(inputs, write)
        before = np.asarray(formula(*base), dtype=float)
        worst, most = None, 0.0
        for n, x in enumerate(inputs):
            arr = np.asarray(x, dtype=float)
            for idx in np.ndindex(arr.shape):
                v = float(arr[idx])
                if not self.planned(v) or self.extra(v) >= MOST_PLANNED:
                    continue
                step = 1e-6 * max(abs(v), 1e-9)
                nudged = list(base)
                moved = np.array(base[n], dtype=float)
                moved[idx] += step
                nudged[n] = moved if moved.ndim else float(moved)
                after = np.asarray(formula(*nudged), dtype=float)
                # how far this input's rounding can move a missed result
                reach = np.max(np.where(missed, np.abs(after - before), 0.0), initial=0.0) \
                    / step * half_unit(_read(self.write(v)).places)
                if reach > most:
                    worst, most = v, reach
        return worst
