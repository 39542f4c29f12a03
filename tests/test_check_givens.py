"""The givens of an answers file (x, y, learning_rate, params, network, sizes, title):
the example's own are accepted, anything else refused with one exact line.

A written given stands for itself to half a unit in its last place (the precision
rule), so the example's x = 0.1 may be written 0.1, 0.10 or even 0, but not 0.0; these
edges are worked by hand below. Messages are compared whole.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from backprop_core import load_example, precision
from backprop_core.check import AnswersError, grade

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = load_example(ROOT / "examples" / "default.toml")  # x [[0.1, 0.2]], η 0.02
ANOTHER = " (are the answers for another example?)"


def grade_text(text: str):
    return grade(DEFAULT, tomllib.loads("loss = 0.5\n" + text, parse_float=precision.parse))


def refusal(text: str) -> str:
    with pytest.raises(AnswersError) as err:
        grade_text(text)
    return str(err.value)


@pytest.mark.parametrize("given", [
    "x = [[0.1, 0.2]]", "x = [[0.10, 0.20]]", "x = [[0, 0]]",   # 0 stands for [-0.5, 0.5]
    "learning_rate = 0.02", "learning_rate = 0.0",              # 0.0 stands for ±0.05
    "y = [[1, 0]]", 'title = "anything at all"',
    "[network]\nhidden_activation = \"sigmoid\"\noutput = \"softmax_cross_entropy\"\n"
    "update_biases = true",
    "[sizes]\nn_in = 2\nn_hidden = 2\nn_out = 2\nm = 1",
    "[params]\nW_ih = [[0.7, 0.6], [0.5, 0.4]]\nb_h = [0.5, 0.6]",
])
def test_the_examples_own_givens_are_accepted(given):
    assert grade_text(given)  # graded: one record for the loss


@pytest.mark.parametrize("given, message", [
    ("x = [[0.0, 0.2]]", "x: expected the example's [[0.1, 0.2]]; got array [[0.0, 0.2]]"),
    ("x = [[0.1, 0.21]]", "x: expected the example's [[0.1, 0.2]]; got array [[0.1, 0.21]]"),
    ("learning_rate = 0.00", "learning_rate: expected the example's 0.02; got the number 0"),
    ("learning_rate = 0.03", "learning_rate: expected the example's 0.02; got the number 0.03"),
    ("y = [[0, 1]]", "y: expected the example's [[1.0, 0.0]]; got array [[0, 1]]"),
    ("[params]\nb_h = [0.5, 0.7]",
     "params.b_h: expected the example's [0.5, 0.6]; got array [0.5, 0.7]"),
    ("[params]\nW_ho = [[0.4, 0.6], [0.9, 0.7]]",
     "params.W_ho: expected the example's [[0.4, 0.6], [0.9, 0.8]]; got array "
     "[[0.4, 0.6], [0.9, 0.7]]"),
    ("[network]\nhidden_activation = \"relu\"\noutput = \"softmax_cross_entropy\"\n"
     "update_biases = true",
     "network: expected the example's {'hidden_activation': 'sigmoid', "
     "'output': 'softmax_cross_entropy', 'update_biases': True}; got a table"),
    ("[sizes]\nn_in = 2\nn_hidden = 3\nn_out = 2\nm = 1",
     "sizes: expected the example's {'n_in': 2, 'n_hidden': 2, 'n_out': 2, 'm': 1}; "
     "got a table"),
    ("sizes = 3",
     "sizes: expected the example's {'n_in': 2, 'n_hidden': 2, 'n_out': 2, 'm': 1}; got 3"),
])
def test_another_examples_givens_are_refused(given, message):
    assert refusal(given) == message + ANOTHER


@pytest.mark.parametrize("given, message", [
    ("params = 3.5", "params: expected a table with W_ih, b_h, W_ho, b_o; got the number 3.5"),
    ("params = \"W\"", "params: expected a table with W_ih, b_h, W_ho, b_o; got string 'W'"),
    ("params = true", "params: expected a table with W_ih, b_h, W_ho, b_o; got boolean true"),
    ("[params]\nW_xx = [[1]]",
     "params: expected a table with W_ih, b_h, W_ho, b_o; got a table"),
    ("x = [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]]",
     "x: expected an array of shape (1, 2); got shape (1, 8)"),
])
def test_malformed_givens_are_refused(given, message):
    assert refusal(given) == message


def test_a_long_array_is_shown_cut_at_40_characters():
    # a wrong y of the right shape whose text is longer than 40 characters
    got = refusal("y = [[0.1234567890123456, 0.9876543210987654]]")
    text = repr([[0.1234567890123456, 0.9876543210987654]])
    assert len(text) > 40
    assert got == f"y: expected the example's [[1.0, 0.0]]; got array {text[:37]}...{ANOTHER}"


def test_a_given_exactly_half_a_unit_away_is_accepted():
    # b_h = [0.5, 0.6]: "0" stands for [-0.5, 0.5], whose edge is 0.5 exactly
    assert grade_text("[params]\nb_h = [0, 1]")
    assert refusal("[params]\nb_h = [-0, 2]") == (
        "params.b_h: expected the example's [0.5, 0.6]; got array [0, 2]" + ANOTHER)


def test_givens_with_many_places():
    """x = [[0.1245, 0.12345678]]: 0.12 stands for [0.115, 0.125], which holds 0.1245;
    0.13 does not. The message shows the example's values to 6 places."""
    from backprop_core import parse_example
    ex = parse_example({"learning_rate": 0.5, "x": [[0.1245, 0.12345678]], "y": [[1, 0]],
                        "W_ih": [[0.7, 0.6], [0.5, 0.4]], "b_h": [0.5, 0.6],
                        "W_ho": [[0.4, 0.6], [0.9, 0.8]], "b_o": [0.7, 0.9]})

    def answers(x: str):
        return tomllib.loads(f"loss = 0.5\nx = {x}", parse_float=precision.parse)

    assert grade(ex, answers("[[0.12, 0.1234568]]"))
    with pytest.raises(AnswersError) as err:
        grade(ex, answers("[[0.13, 0.12345678]]"))
    assert str(err.value) == ("x: expected the example's [[0.1245, 0.123457]]; got array "
                              "[[0.13, 0.12345678]]" + ANOTHER)
