"""backprop_core.precision: the one rule for what a written number means."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal

import pytest

from backprop_core.precision import (Written, half_unit, matches, parse, places_needed,
                                     rounded, rounded_sig, short_sig_places, shown,
                                     shown_places)


@pytest.mark.parametrize("text, value, places", [
    ("-0.2831", -0.2831, 4),
    ("\u22122.3031", -2.3031, 4),       # the typographic minus a page shows
    (".5", 0.5, 1),
    ("0.6000", 0.6, 4),                 # trailing zeros are digits someone wrote
    ("2.534e-5", 2.534e-5, 8),
    ("2.534E-05", 2.534e-5, 8),
    ("12", 12.0, 0),
    ("1.5e3", 1500.0, 0),
    ("+0.25", 0.25, 2),
])
def test_parse_reads_value_and_places(text, value, places):
    w = parse(text)
    assert w.value == pytest.approx(value, rel=1e-15) and w.places == places


@pytest.mark.parametrize("text", ["", "abc", "1/3", "nan", "inf", "0.5.1", "--1", "1e", ".",
                                  "\u0663.5", "0.\uff15"])  # Arabic-Indic, fullwidth digits
def test_parse_refuses_what_is_not_a_number(text):
    with pytest.raises(ValueError, match="expected a number"):
        parse(text)


def test_answer_files_keep_trailing_zeros():
    assert tomllib.loads("a = 0.6000", parse_float=parse)["a"] == Written(0.6, 4)
    assert json.loads('{"a": 0.50}', parse_float=parse)["a"] == Written(0.5, 2)


@pytest.mark.parametrize("value, decimals, places", [
    (0.661503, 4, 4), (0.7, 4, 1), (1.0, 4, 0), (0.0, 4, 0), (0.59998, 4, 4),
    (2.5339e-5, 4, 8), (-0.00037, 4, 7), (0.0012, 4, 4), (0.001, 4, 3),
    (0.593269992, 9, 9), (123.456789, 2, 2),
])
def test_shown_places_is_what_the_page_writes(value, decimals, places):
    assert shown_places(value, decimals) == places
    assert places_needed(value, decimals) == places


@pytest.mark.parametrize("value, decimals, places", [
    (-0.00037, 4, 5),                  # -3.7 × 10⁻⁴, not -3.700 × 10⁻⁴
    (1e-6, 2, 6),                      # ε = 1 × 10⁻⁶ is exact: no trailing zero
    (0.6999 - 0.7007, 4, 4),           # -8 × 10⁻⁴ through float noise (-0.000800…023)
    (2.5e-5 + 1e-13, 4, 8),            # not exact: four significant digits, 2.500 × 10⁻⁵
])
def test_a_small_value_exact_with_fewer_digits_keeps_its_short_form(value, decimals, places):
    short = short_sig_places(value, decimals)
    assert (short if short is not None else shown_places(value, decimals)) == places


@pytest.mark.parametrize("value, places, text", [
    (0.50015, 4, "0.5002"),            # stored as 0.500149999…: still a tie, rounded up
    (0.5 - 0.02 * -0.0075, 4, "0.5002"),
    (1.36925, 4, "1.3693"),            # stored as 1.369250000…01
    (-0.50015, 4, "-0.5002"),          # away from zero
    (0.834174, 4, "0.8342"), (0.12344999, 4, "0.1234"), (2.675, 2, "2.68"),
])
def test_rounded_takes_halfway_away_from_zero_whatever_the_float_noise(value, places, text):
    assert format(rounded(value, places), "f") == text
    assert shown(value, places) == float(text)


def test_rounded_sig_carries_into_the_exponent():
    assert rounded_sig(9.99951e-4, 4) == (Decimal("1.000"), -3)
    assert rounded_sig(-1.5e-7, 2) == (Decimal("-1.5"), -7)
    assert rounded_sig(2.5345e-5, 4) == (Decimal("2.535"), -5)


def test_shown_rounds_to_those_places():
    assert shown(0.834174, 4) == 0.8342
    assert shown(2.5339e-5, 4) == 2.534e-5
    assert shown(0.59998, 4) == 0.6


def test_half_unit():
    assert half_unit(4) == pytest.approx(5e-5, rel=1e-12)
    assert half_unit(0) == 0.5


@pytest.mark.parametrize("text, low, high, ok", [
    ("0.8342", 0.834174, 0.834174, True),
    ("0.8341", 0.834174, 0.834174, False),    # beyond half a unit
    ("0.83415", 0.834150, 0.834150, True),
    ("0.8343", 0.834174, 0.83428, True),      # reaches a rounded-chain value
    ("0.8344", 0.834174, 0.83428, False),
    ("-2.3031", -2.30309, -2.30291, True),
    ("0.8342", 0.83425, 0.83425, True),       # exactly half a unit away: inside
])
def test_matches_is_half_a_unit_around_the_written_value(text, low, high, ok):
    assert matches(parse(text), low, high) is ok


def test_just_under_the_small_threshold_decimals_places_suffice():
    """A student carrying 4 decimals writes -0.0010 for -0.00099999967 (the page writes
    -1.000 × 10⁻³): two significant digits either way, so it is enough."""
    assert shown_places(-0.00099999967, 4) == 6
    assert places_needed(-0.00099999967, 4) == 4
    assert places_needed(0.0009876, 4) == 4
    assert places_needed(0.00094, 4) == 7        # rounds to 0.0009: one digit, not enough
