"""Every accepted/refused boundary of the example format, tested on each side.

For each bounded field the last value accepted and the first refused (both ends where
there are two), the exact one-line message of the refusal (field, expected, found, with
the right index and singular/plural), and the value kept when accepted. The bounds are
the documented ones (README, "The example file"), written here by hand.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from backprop_core import ExampleError, parse_example
from backprop_core.example import TITLE_MAX_CHARS

BASE = {"learning_rate": 0.5, "x": [[0.1, 0.2]], "y": [[1, 0]],
        "W_ih": [[0.7, 0.6], [0.5, 0.4]], "b_h": [0.5, 0.6],
        "W_ho": [[0.4, 0.6], [0.9, 0.8]], "b_o": [0.7, 0.9]}


def with_(**changes) -> dict:
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


def refused(data: dict) -> str:
    with pytest.raises(ExampleError) as err:
        parse_example(data)
    return str(err.value)


@pytest.mark.parametrize("field, low, high", [("decimals", 1, 12), ("train_steps", 1, 100_000)])
def test_integer_fields_at_both_ends(field, low, high):
    assert getattr(parse_example(with_(**{field: low})), field) == low
    assert getattr(parse_example(with_(**{field: high})), field) == high
    for bad in (low - 1, high + 1):
        assert refused(with_(**{field: bad})) == (
            f"{field}: expected an integer from {low} to {high}; got {bad}")


def test_learning_rate_must_be_above_zero():
    assert parse_example(with_(learning_rate=5e-324)).learning_rate == 5e-324
    assert parse_example(with_(learning_rate=1)).learning_rate == 1.0
    assert refused(with_(learning_rate=0)) == "learning_rate: expected a number > 0; got 0.0"
    assert refused(with_(learning_rate=-5e-324)) == (
        "learning_rate: expected a number > 0; got -5e-324")


def test_title_length_at_the_limit():
    title = "t" * TITLE_MAX_CHARS
    assert parse_example(with_(title=f"  {title}  ")).title == title  # stripped, then counted
    assert refused(with_(title=title + "u")) == (
        f"title: expected at most {TITLE_MAX_CHARS} characters; got {TITLE_MAX_CHARS + 1}")
    assert TITLE_MAX_CHARS == 120


@pytest.mark.parametrize("key, low, high", [("seed", 0, 2**32 - 1), ("n_in", 1, 4096),
                                            ("n_hidden", 1, 4096), ("n_out", 2, 4096),
                                            ("m", 1, 4096)])
def test_random_table_at_both_ends(key, low, high):
    def data(value):
        d = {"learning_rate": 0.5, "random": {key: value}}
        return d

    small = parse_example(data(low))
    assert small.random[key] == low
    if key != "seed":
        sizes = {"n_in": small.x.shape[1], "n_hidden": small.params.W_ih.shape[1],
                 "n_out": small.y.shape[1], "m": small.x.shape[0]}
        assert sizes[key] == low
    if key in ("seed", "n_out"):  # the others would draw large arrays for nothing
        assert parse_example(data(high)).random[key] == high
    for bad in (low - 1, high + 1):
        assert refused(data(bad)) == (
            f"random.{key}: expected an integer from {low} to {high}; got {bad}")


def test_random_defaults_are_a_2_2_2_network_of_one_example():
    ex = parse_example({"learning_rate": 0.5, "random": {}})
    assert ex.random == {"seed": 0, "n_in": 2, "n_hidden": 2, "n_out": 2, "m": 1}
    assert (ex.x.shape, ex.params.W_ih.shape, ex.params.W_ho.shape, ex.y.shape) == (
        (1, 2), (2, 2), (2, 2), (1, 2))
    # drawn values have 2 decimals and lie in [-1, 1]
    for arr in (ex.x, ex.params.W_ih, ex.params.b_h, ex.params.W_ho, ex.params.b_o):
        assert np.all(np.abs(arr) <= 1) and np.allclose(arr * 100, np.round(arr * 100))


def test_number_of_classes_at_its_lower_end():
    two = parse_example(BASE)
    assert two.y.shape == (1, 2)
    assert refused(with_(y=[[1]], W_ho=[[0.4], [0.9]], b_o=[0.7])) == (
        "y: expected at least 2 classes (columns); got 1")


@pytest.mark.parametrize("m, word", [(1, "row"), (2, "rows")])
def test_row_counts_say_row_or_rows(m, word):
    x = [[0.1, 0.2]] * m
    assert refused(with_(x=x, y=[[1, 0]] * (m + 1))) == (
        f"y: expected {m} {word} to match x (m={m}); got {m + 1}")
    w = [[0.7, 0.6]] * m
    assert refused(with_(x=[[0.1] * m], W_ih=w + [[0.1, 0.1]])) == (
        f"W_ih: expected {m} {word} (one per input, n_in={m}); got {m + 1}")


def test_sigmoid_targets_at_0_and_1_and_just_outside():
    ok = parse_example(with_(output="sigmoid_squared_error", y=[[0, 1], [1, 0]],
                             x=[[0.1, 0.2], [0.3, 0.4]]))
    assert ok.y.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert refused(with_(output="sigmoid_squared_error", x=[[0.1, 0.2], [0.3, 0.4]],
                         y=[[0, 1], [0.5, 1.000001]])) == (
        "y: expected targets between 0 and 1 for sigmoid outputs; y[1][1] is 1")
    assert refused(with_(output="sigmoid_squared_error", x=[[0.1, 0.2], [0.3, 0.4]],
                         y=[[0, 1], [-0.25, 1]])) == (
        "y: expected targets between 0 and 1 for sigmoid outputs; y[1][0] is -0.25")


@pytest.mark.parametrize("row", [[1, 1], [0, 0], [0.5, 0.5], [2, -1]])
def test_softmax_targets_must_be_one_hot(row):
    data = with_(x=[[0.1, 0.2], [0.3, 0.4]], y=[[0, 1], row])
    shown = "[" + ", ".join(f"{float(v):g}" for v in row) + "]"
    assert refused(data) == f"y: row 1 expected one-hot (a single 1, the rest 0); got {shown}"


def test_array_entries_are_located_by_row_and_column():
    assert refused(with_(W_ih=[[0.7, 0.6], [0.5, "a"]])) == (
        "W_ih: expected an array of rows of numbers; W_ih[1][1] is string 'a'")
    assert refused(with_(b_h=[0.5, True])) == (
        "b_h: expected an array of numbers; b_h[1] is boolean true")
    assert refused(with_(W_ho=[[0.4, 0.6], [0.9]])) == (
        "W_ho: expected a rectangular matrix, every row as long as row 0 (2); row 1 has 1")
    assert refused(with_(b_o=[0.7, float("inf")])) == (
        "b_o: expected finite numbers; b_o[1] is inf")
    assert refused(with_(b_o=[0.7, 0.9, 1.0])) == (
        "b_o: expected shape (2,) for n_out=2; got (3,)")
    assert refused(with_(W_ho=[[0.4, 0.6]])) == (
        "W_ho: expected shape (2, 2) for n_hidden=2, n_out=2; got (1, 2)")


def test_found_values_are_shown_by_their_toml_type():
    assert refused(with_(title={"a": 1})) == "title: expected a non-empty string; got a table"
    assert refused(with_(title=True)) == "title: expected a non-empty string; got boolean true"
    assert refused(with_(title=7)) == "title: expected a non-empty string; got 7"
    # an array's text is shown whole up to 40 characters, else its first 37 and "..."
    forty = [10**6, 10**6, 10**6, 10**10]  # repr: exactly 40 characters
    assert len(repr(forty)) == 40
    assert refused(with_(title=forty)) == f"title: expected a non-empty string; got array {forty!r}"
    longer = forty[:-1] + [10**11]          # 41 characters
    assert refused(with_(title=longer)) == (
        f"title: expected a non-empty string; got array {repr(longer)[:37]}...")
