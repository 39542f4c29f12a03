"""`stages.round_shown` (the rounded chain's rounding) and `stages.shape_of`, by hand.

Ties: 0.67935 (to 4 places) is a tie a student may round either way; ties=+1 takes the
upper, ties=−1 the lower, ties=0 Python's correctly rounded result. Below
`small_threshold` values keep `decimals` significant digits; non-finite values pass
through, also through the rounded walks (an output that underflows to exactly 0).
Shapes: every key's shape for an example is the shape of autograd's value.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from backprop_core import load_example, parse_example
from backprop_core.stages import KEYS, round_shown, rounded_walks, shape_of

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_engine_autograd import reference  # noqa: E402


@pytest.mark.parametrize("ties, expected", [
    (0, [0.6794, -0.6794, 0.1234, 0.6794, 0.12]),
    (1, [0.6794, -0.6793, 0.1234, 0.6794, 0.12]),
    (-1, [0.6793, -0.6794, 0.1234, 0.6794, 0.12]),
])
def test_ties_round_either_way_and_nothing_else_moves(ties, expected):
    # 0.67935 is stored as 0.6793500000000000094…, so Python's round gives 0.6794;
    # 0.679351 is no tie; 0.12 has a short form
    got = round_shown(np.array([0.67935, -0.67935, 0.12344, 0.679351, 0.12]), 4, ties)
    assert got.tolist() == expected


def test_small_values_keep_significant_digits_and_non_finite_pass_through():
    got = round_shown(np.array([0.000092974, -0.00012346, 0.001, 0.0012345, np.inf, np.nan,
                                0.0]), 4)
    assert got[:5].tolist() == [0.00009297, -0.0001235, 0.001, 0.0012, np.inf]
    assert np.isnan(got[5]) and got[6] == 0.0
    # the same in a tie-rounding walk: ties only concern values at or above 10^-(d-1)
    for ties in (1, -1):
        assert round_shown(np.array([0.000092976, 0.00009297]), 4, ties).tolist() == [
            0.00009298, 0.00009297]


def test_round_shown_keeps_the_shape_and_leaves_its_input_alone():
    a = np.array([[0.12345, 0.5], [2.0, -0.00001234567]])
    before = a.copy()
    got = round_shown(a, 3)
    assert got.shape == (2, 2) and got.tolist() == [[0.123, 0.5], [2.0, -0.0000123]]
    np.testing.assert_array_equal(a, before)


@pytest.mark.parametrize("name", ["default", "batch-3-4-3", "mazur-2015"])
def test_every_keys_shape_is_autograds(name):
    ex = load_example(ROOT / "examples" / f"{name}.toml")
    p = ex.params
    ref = reference(ex.network.hidden_activation, ex.network.output, ex.network.update_biases,
                    p.W_ih, p.b_h, p.W_ho, p.b_o, ex.x, ex.y, ex.learning_rate)
    n = ex.sizes
    by_key = {
        "forward.h_in": ref["h_in"], "forward.h_out": ref["h_out"], "forward.o_in": ref["o_in"],
        "forward.o_out": ref["o_out"], "losses": np.zeros(n["m"]), "loss": ref["loss"],
        "backward.dE_do_out": ref["dE_do_out"], "backward.do_out_do_in": ref["do_out_do_in"],
        "backward.dE_do_in": ref["dE_do_in"], "backward.dE_dW_ho": ref["dE_dW_ho"],
        "gradients.W_ho": ref["dE_dW_ho"], "backward.dE_db_o": ref["dE_db_o"],
        "gradients.b_o": ref["dE_db_o"], "updated.W_ho": ref["updated"]["W_ho"],
        "updated.b_o": ref["updated"]["b_o"], "backward.dE_dh_out": ref["dE_dh_out"],
        "backward.dh_out_dh_in": ref["dh_out_dh_in"], "backward.dE_dh_in": ref["dE_dh_in"],
        "backward.dE_dW_ih": ref["dE_dW_ih"], "gradients.W_ih": ref["dE_dW_ih"],
        "backward.dE_db_h": ref["dE_db_h"], "gradients.b_h": ref["dE_db_h"],
        "updated.W_ih": ref["updated"]["W_ih"], "updated.b_h": ref["updated"]["b_h"],
        "loss_after": ref["loss_after"],
    }
    assert set(KEYS) <= set(by_key)
    for key in KEYS:
        assert shape_of(key, ex) == np.shape(by_key[key]), key


def test_rounded_walks_carry_an_underflowed_output_on_without_a_floating_point_error():
    """Logits of ±1000 (W_ho = 0, b_o = ±1000): o_out is exactly [1, 0], as shown too, and
    the target is the second class, so the chain a student works from the page carries
    −ln 0 = inf in the loss and −y/o_out = −1/0 = −inf in stage 1 on, by hand. The walks
    compute that without a floating-point warning (raised here: it would reach the
    build's and the CLI's output) and without tripping on the non-finite values."""
    ex = parse_example({"learning_rate": 0.5, "x": [[1.0, 0.0]], "y": [[0, 1]],
                        "W_ih": [[1.0, 0.0], [0.0, 1.0]], "b_h": [0.0, 0.0],
                        "W_ho": [[0.0, 0.0], [0.0, 0.0]], "b_o": [1000.0, -1000.0]})
    with np.errstate(all="raise"):
        walks = rounded_walks(ex)
    for walk in walks:
        assert walk.values["forward.o_out"].tolist() == [[1.0, 0.0]]
        assert walk.values["forward.h_out"].tolist() == [[0.7311, 0.5]]  # σ(1), σ(0)
        assert walk.values["losses"].tolist() == [np.inf]
        assert walk.values["backward.dE_do_out"].tolist() == [[0.0, -np.inf]]
