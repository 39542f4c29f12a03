"""The precision rule at its exact edges, by hand-worked values.

Each boundary of `backprop_core.precision` is tested on both sides: the half-unit edge of
`matches` (and the float-noise allowance on top of it, pinned to within a factor of 2),
the switch from fixed places to significant digits at `small_threshold`, the short form,
and how many places every written form carries (`parse`, numbers already parsed).
"""

from __future__ import annotations

import pytest

from backprop_core.precision import (Written, half_unit, matches, parse, places_needed, shown,
                                     shown_places, small_threshold)


def test_half_unit_by_hand():
    assert half_unit(0) == 0.5
    assert half_unit(1) == 0.05
    assert half_unit(4) == pytest.approx(0.00005, rel=1e-15)
    assert Written(0.4342, 4).interval() == pytest.approx((0.43415, 0.43425), rel=1e-15)


def test_matches_at_the_half_unit_edge():
    w = Written(0.4342, 4)
    assert matches(w, 0.43425, 0.5)           # the interval's top edge reaches low
    assert not matches(w, 0.43426, 0.5)       # a hundred-thousandth beyond: no
    assert matches(w, 0.0, 0.43415)           # bottom edge reaches high
    assert not matches(w, 0.0, 0.43414)
    assert matches(w, 0.40, 0.45)             # inside a wide hull


def test_the_noise_allowance_is_one_part_in_a_billion():
    # 0 written with no places stands for [-0.5, 0.5]; the allowance is 1e-9 × max(1, …)
    w = Written(0.0, 0)
    assert matches(w, 0.5 + 0.6e-9, 1.0)
    assert not matches(w, 0.5 + 2.1e-9, 1.0)
    assert matches(w, -1.0, -0.5 - 0.6e-9)
    assert not matches(w, -1.0, -0.5 - 2.1e-9)
    # never less than 1e-9, however small the numbers compared
    tiny = Written(0.0, 2)                      # [-0.005, 0.005]
    assert matches(tiny, 0.005 + 0.6e-9, 0.01)
    assert not matches(tiny, 0.005 + 2.1e-9, 0.01)
    # the written value's own magnitude counts: 1.4 (0 places) reaches 0.9 − 1.2e-9 only
    # with 1.4e-9 of allowance
    assert matches(Written(1.4, 0), 0.0, 0.9 - 1.2e-9)
    assert not matches(Written(1.4, 0), 0.0, 0.9 - 1.6e-9)
    # relative to the largest magnitude compared: at 1000, 1e-6
    big = Written(1000.0, 0)
    assert matches(big, 1000.5 + 0.6e-6, 1001.0)
    assert not matches(big, 1000.5 + 2.1e-6, 1001.0)
    assert matches(Written(0.0, 0), 0.5 + 0.9e-6, 1000.0)   # high's magnitude counts
    assert not matches(Written(0.0, 0), 0.5 + 1.2e-6, 1000.0)
    assert matches(Written(1.0, 0), -1000.0, 0.5 - 0.6e-6)  # low's magnitude counts too
    assert not matches(Written(1.0, 0), -1000.0, 0.5 - 2.1e-6)


@pytest.mark.parametrize("decimals, threshold", [(1, 1.0), (2, 0.1), (4, 0.001), (6, 1e-5)])
def test_small_threshold(decimals, threshold):
    assert small_threshold(decimals) == pytest.approx(threshold, rel=1e-15)


@pytest.mark.parametrize("value, decimals, places", [
    (0.0, 4, 0), (-0.0, 4, 0),
    (0.5, 4, 1), (2.0, 4, 0), (0.25, 4, 2), (-0.125, 4, 3),  # short forms
    (0.8342, 4, 4), (0.83421, 4, 4), (-0.83421, 4, 4),       # fixed places
    (0.0012345, 4, 4),                                         # just above 1e-3: fixed
    (0.0009876, 4, 7),                                         # just below: 4 significant
    (0.00009297, 4, 8), (-0.00009297, 4, 8),
    (0.00099996, 4, 6),                                        # rounds up to 1.000e-03
    (0.001, 4, 3),                                             # the threshold itself is short
    (1.23456789, 2, 2), (0.0123, 2, 3), (0.05, 1, 2), (0.04, 1, 2), (0.34, 1, 1),
    (0.1 + 0.2, 4, 1),                                         # float noise: 0.3
    (1000.1 + 0.2, 4, 1),             # 1000.3000000000001: noise relative to the size
])
def test_shown_places_by_hand(value, decimals, places):
    assert shown_places(value, decimals) == places
    # a value rounding up to the threshold needs only `decimals` places of an answer
    # (tests/test_precision.py); everywhere else an answer needs what the page shows
    if abs(round(value, decimals)) < 10.0 ** (1 - decimals) or places <= decimals:
        assert places_needed(value, decimals) == places


def test_shown_rounds_to_those_places():
    assert shown(0.83426, 4) == 0.8343
    assert shown(0.0009876, 4) == 0.0009876
    assert shown(0.000987654, 4) == 0.0009877
    assert shown(0.5, 4) == 0.5
    assert shown(-2.0000001, 4) == -2.0


@pytest.mark.parametrize("bad", [float("inf"), float("-inf"), float("nan")])
def test_shown_refuses_non_finite(bad):
    with pytest.raises(ValueError, match="^cannot show a non-finite number: "):
        shown_places(bad, 4)


@pytest.mark.parametrize("text, value, places", [
    ("-0.2831", -0.2831, 4), ("\u22122.3031", -2.3031, 4), (".5", 0.5, 1), ("5.", 5.0, 0),
    ("+3", 3.0, 0), ("  0.6000 ", 0.6, 4), ("2.534e-5", 2.534e-5, 8), ("2.534E-5", 2.534e-5, 8),
    ("2.534 e \u22125", 2.534e-5, 8), ("1e3", 1000.0, 0), ("12.5e1", 125.0, 0),
    ("1.25e+1", 12.5, 1), ("0.00", 0.0, 2), ("-0", 0.0, 0),
])
def test_parse_by_hand(text, value, places):
    w = parse(text)
    assert w == Written(pytest.approx(value, rel=1e-15), places)
    assert w.places == places and w.value == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("text", ["", ".", "e5", "-", "1/3", "nan", "inf", "1.2.3", "1e",
                                  "\u0663", "0x10", "1,5", "--1"])
def test_parse_refuses(text):
    with pytest.raises(ValueError, match=r"^expected a number such as -0\.2831 or 2\.534e-5; "
                                         r"got "):
        parse(text)


@pytest.mark.parametrize("number, places", [(0.6, 1), (3, 0), (1e-7, 7), (-0.125, 3),
                                            (10**20, 0), (1.5e20, 0)])
def test_numbers_already_parsed(number, places):
    w = parse(number)
    assert w.value == float(number) and w.places == places


@pytest.mark.parametrize("bad, message", [(True, "^expected a number; got True$"),
                                          (None, "^expected a number; got None$"),
                                          (float("inf"), "^expected a finite number; got inf$")])
def test_parse_refuses_what_is_not_a_number(bad, message):
    with pytest.raises(ValueError, match=message):
        parse(bad)
