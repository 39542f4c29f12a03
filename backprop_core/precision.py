"""What a written number means: the site's one precision rule.

The article, the answer checker and the practice page all read numbers the way a
student with a calculator writes them, and they share this module so that they agree.

**The rule.** A number written with k decimal places stands for itself, to half a unit
in its last place: ``0.4342`` is any value in [0.43415, 0.43425]. Written numbers
are taken as exact when they are used as inputs; only a result carries rounding.

- *The article* shows each value as `shown` rounds it (the example's ``decimals``, a
  short form when the value is exact with fewer digits, significant digits when it is
  too small for them, and a short form there too when fewer significant digits are
  exact, `short_sig_places`: ``8 × 10⁻⁴``, never ``8.000 × 10⁻⁴``). A value exactly
  halfway between two written numbers is rounded away from zero, as a calculator does
  (`rounded`): the value's first 15 significant digits decide, so float noise (0.50015
  stored as 0.500149999…) never turns a tie the other way. A substituted line is
  *calculator-true* when its formula, evaluated on the inputs exactly as written on that line, lands within half a unit of
  the result's last written place.
- *The checker* accepts a written answer when its half-unit interval reaches a correct
  target (`matches`): the exact value, the value a student gets by carrying every
  earlier value rounded as the page shows it (the rounded chain), or anything between
  them; and when it carries at least the places the page would show for one of those
  targets (`places_needed`: 0.8 is not an answer for 0.8342, while a rounded chain that
  lands on 0.0001230 lets that answer stand for an exact 0.00009297). `check.py` spells
  out the targets; `docs/index.md` ("How the numbers are shown") says it for readers.

This module is arithmetic on single numbers; it knows nothing about pages or stages.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["Written", "half_unit", "matches", "parse", "places_needed", "rounded",
           "rounded_sig", "short_sig_places", "shown", "shown_places", "small_threshold",
           "text"]

#: Float noise allowed on top of half a unit, relative to the compared magnitudes.
_NOISE = 1e-9

#: ASCII digits only (Python's \d takes any script's digits; the practice page's script
#: reads ASCII, and the two must agree).
_NUMBER = re.compile(r"^\s*([+\-\u2212]?)([0-9]*)(?:\.([0-9]*))?(?:\s*[eE]\s*([+\-\u2212]?[0-9]+))?\s*$")


def small_threshold(decimals: int) -> float:
    """Below this magnitude a value would keep fewer than two significant digits."""
    return 10.0 ** (-(decimals - 1))


def shown_places(value: float, decimals: int) -> int:
    """How many decimal places the page writes for `value` (its short form, fixed
    ``decimals``, or as many as ``decimals`` significant digits need when small)."""
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"cannot show a non-finite number: {v!r}")
    if v == 0.0:
        return 0
    for places in range(decimals):
        rounded = round(v, places)
        if rounded != 0.0 and abs(v - rounded) <= 1e-12 * max(1.0, abs(v)):
            return places
    if abs(v) < small_threshold(decimals):
        return decimals - 1 - rounded_sig(v, decimals)[1]
    return decimals


def short_sig_places(value: float, decimals: int) -> int | None:
    """For a value too small for `decimals` places: the places it needs when it is exact
    with fewer than `decimals` significant digits (ε = 1e-6 → 6, 0.6999 − 0.7007 → 4),
    else None. The page writes such a value short (``8 × 10⁻⁴``, not ``8.000 × 10⁻⁴``);
    an answer still needs `places_needed` places."""
    v = float(value)
    if v == 0.0 or not math.isfinite(v) or abs(v) >= small_threshold(decimals):
        return None
    exponent = rounded_sig(v, decimals)[1]
    for digits in range(1, decimals):
        places = digits - 1 - exponent
        if abs(v - round(v, places)) <= _SHORT_NOISE * abs(v):
            return places
    return None


#: Float noise allowed when a small value is recognised as exact with fewer significant
#: digits (a difference of two written numbers, 0.6999 − 0.7007, is off by ~1e-13).
_SHORT_NOISE = 1e-9


def _decimal(value: float) -> Decimal:
    """The value to 15 significant digits: what float arithmetic on written numbers
    meant, with its noise in the 16th and 17th digits dropped."""
    return Decimal(f"{float(value):.15g}")


def rounded(value: float, places: int) -> Decimal:
    """`value` rounded to `places` decimal places, exactly halfway away from zero
    (1.36925 → 1.3693, −0.50015 → −0.5002), read from its first 15 significant digits."""
    return _decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rounded_sig(value: float, digits: int) -> tuple[Decimal, int]:
    """`value` to `digits` significant digits as (mantissa, exponent), the mantissa in
    [1, 10) in size, halfway away from zero: 9.99951e-4 at 4 digits → (1.000, −3)."""
    d = _decimal(value)
    if d == 0:
        return Decimal(0).quantize(Decimal(1).scaleb(-(digits - 1))), 0
    exponent = d.adjusted()
    mantissa = d.scaleb(-exponent).quantize(Decimal(1).scaleb(-(digits - 1)),
                                            rounding=ROUND_HALF_UP)
    if abs(mantissa) >= 10:  # rounding carried into a new digit
        exponent += 1
        mantissa = d.scaleb(-exponent).quantize(Decimal(1).scaleb(-(digits - 1)),
                                                rounding=ROUND_HALF_UP)
    return mantissa, exponent


def text(value: float, decimals: int) -> str:
    """`value` as the page writes it, as plain text: ``0.6615``, ``0.7``, ``-2.534e-5``,
    ``8e-4`` (the site's LaTeX, `scripts/fmt.py`, writes the same digits; the notebook
    prints this)."""
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"cannot show a non-finite number: {v!r}")
    if v == 0.0:
        return "0"
    if abs(v) >= small_threshold(decimals):
        return format(rounded(v, shown_places(v, decimals)), "f")
    short = short_sig_places(v, decimals)
    places = shown_places(v, decimals) if short is None else short
    exponent = rounded_sig(v, decimals)[1]
    mantissa, exponent = rounded_sig(v, places + exponent + 1)
    return f"{mantissa:f}e{exponent}"


def shown(value: float, decimals: int) -> float:
    """`value` as the page writes it, read back as a number."""
    return float(rounded(value, shown_places(value, decimals)))


def places_needed(exact: float, decimals: int) -> int:
    """The fewest places an answer for `exact` must carry to count as correct.

    What the page shows, except just under the small-value threshold: -0.00099999967 is
    written -1.000 × 10⁻³, but a student carrying `decimals` places writes -0.0010, which
    still keeps two significant digits, and must not be marked wrong for it.
    """
    places = shown_places(exact, decimals)
    if places > decimals and abs(round(float(exact), decimals)) >= small_threshold(decimals):
        return decimals
    return places


def half_unit(places: int) -> float:
    """Half a unit in the last of `places` decimal places."""
    return 0.5 * 10.0 ** (-places)


@dataclass(frozen=True)
class Written:
    """A number as someone wrote it: its value and how many decimal places it carries.

    ``2.534e-5`` carries 8 places (the last written digit is the 8th after the point).
    """

    value: float
    places: int

    def interval(self) -> tuple[float, float]:
        h = half_unit(self.places)
        return self.value - h, self.value + h


def parse(text: str) -> Written:
    """Read a written number (``-0.2831``, ``−2.3031``, ``.5``, ``2.534e-5``).

    Raises ValueError with what was found for anything else (``nan``, ``1/3``, ``""``).
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ValueError(f"expected a number; got {text!r}")
    if isinstance(text, (int, float)):
        return _from_number(text)
    m = _NUMBER.match(text)
    if not m or not (m.group(2) or m.group(3)):
        raise ValueError(f"expected a number such as -0.2831 or 2.534e-5; got {text!r}")
    sign, whole, frac, exp = m.groups()
    frac = frac or ""
    exponent = int(exp.replace("\u2212", "-")) if exp else 0
    negative = sign in ("-", "\u2212")
    value = float(f"{'-' if negative else ''}{whole or '0'}.{frac or '0'}e{exponent}")
    return Written(value, max(0, len(frac) - exponent))


def matches(given: Written, low: float, high: float) -> bool:
    """Does the half-unit interval of `given` reach [low, high] (low ≤ high)?"""
    h = half_unit(given.places)
    noise = _NOISE * max(1.0, abs(given.value), abs(low), abs(high))
    return low - h - noise <= given.value <= high + h + noise


def _from_number(value: int | float) -> Written:
    """A number that arrived already parsed: its places from its shortest decimal form.

    Trailing zeros are lost by then (``0.6000`` arrives as 0.6), so readers of answer
    files parse with ``parse_float=parse`` (tomllib, json) and keep the written text.
    """
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"expected a finite number; got {value!r}")
    return parse(repr(v) if isinstance(value, float) else str(value))
