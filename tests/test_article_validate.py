"""scripts/article.py's refusals, in this process, each on both sides of its edge.

tests/site/test_build.py runs the same refusals through a whole build in a subprocess;
here `article.validate` is called directly, so that each limit is tried at the limit
(accepted) and one past it (refused with one line naming the field, the limit and what
was found), and each field of the magnitude rule likewise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import article  # noqa: E402
from backprop_core import ExampleError  # noqa: E402

DEFAULT = {"x": "[[0.1, 0.2]]", "y": "[[1, 0]]", "W_ih": "[[0.7, 0.6], [0.5, 0.4]]",
           "b_h": "[0.5, 0.6]", "W_ho": "[[0.4, 0.6], [0.9, 0.8]]", "b_o": "[0.7, 0.9]",
           "learning_rate": "0.02"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "example.toml"
    path.write_text(text, encoding="utf-8")
    return path


def given(**changes: str) -> str:
    return "".join(f"{k} = {v}\n" for k, v in {**DEFAULT, **changes}.items())


@pytest.mark.parametrize("key, limit", sorted(article.LIMITS.items()))
def test_each_size_limit_on_both_sides(tmp_path, key, limit):
    table = "learning_rate = 0.1\n[random]\nseed = 1\n"
    assert article.validate(write(tmp_path, table + f"{key} = {limit}\n")).sizes[key] == limit
    with pytest.raises(ExampleError) as err:
        article.validate(write(tmp_path, table + f"{key} = {limit + 1}\n"))
    assert str(err.value) == (f"{key}: expected at most {limit} so that the pages stay "
                              f"legible; got {limit + 1}")


@pytest.mark.parametrize("field, at_limit, past", [
    ("x", "[[1e6, 0.2]]", "[[0.1, -2e6]]"),
    ("W_ih", "[[1e-3, 0.6], [0.5, -1e6]]", "[[2e6, 0.6], [0.5, 0.4]]"),
    ("b_h", "[1e6, 0.6]", "[0.5, -2e6]"),
    ("W_ho", "[[0.4, 1e6], [0.9, 0.8]]", "[[0.4, 0.6], [-2e6, 0.8]]"),
    ("b_o", "[-1e6, 0.9]", "[2e6, 0.9]"),
])
def test_each_value_limit_on_both_sides(tmp_path, field, at_limit, past):
    # sigmoid outputs: a softmax over scores 1e6 apart underflows (refused, below)
    output = {"output": '"sigmoid_squared_error"'} if field in ("W_ho", "b_o") else {}
    article.validate(write(tmp_path, given(**{field: at_limit}, **output)))
    with pytest.raises(ExampleError) as err:
        article.validate(write(tmp_path, given(**{field: past})))
    assert str(err.value) == (f"{field}: expected values between -1e+06 and 1e+06 for the "
                              "pages; got 2e+06")


def test_the_learning_rate_limit(tmp_path):
    with pytest.raises(ExampleError) as err:
        article.validate(write(tmp_path, given(learning_rate="1000001.0")))
    assert str(err.value) == ("learning_rate: expected values between -1e+06 and 1e+06 for "
                              "the pages; got 1e+06")


def test_a_step_that_leaves_float_range_is_refused_by_name(tmp_path):
    # finite inputs whose logits lie about 1e11 apart: a probability underflows to 0
    text = given(hidden_activation='"relu"', x="[[1e5, 0.2]]",
                 W_ih="[[1e5, 0.2], [0.3, 0.4]]", W_ho="[[-10, 10], [0.3, 0.4]]",
                 learning_rate="0.1")
    with pytest.raises(ExampleError) as err:
        article.validate(write(tmp_path, text))
    assert str(err.value) == ("backward.dE_do_out: expected finite values for the pages; "
                              "the step overflows float range with these numbers (use "
                              "smaller inputs, weights or learning rate)")


def test_a_valid_example_is_returned_as_read(tmp_path):
    ex = article.validate(write(tmp_path, given()))
    assert ex.sizes == {"n_in": 2, "n_hidden": 2, "n_out": 2, "m": 1}
    assert ex.learning_rate == 0.02 and ex.x.tolist() == [[0.1, 0.2]]
