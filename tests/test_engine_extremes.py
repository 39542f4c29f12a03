"""Extreme values stay finite.

Logits of ±1000 (o_in chosen exactly) and hidden inputs of ±1000: the outputs, loss,
every gradient, the updated parameters and the loss after the update are all finite,
with no floating-point overflow, invalid operation or division warning along the way, and a confidently
wrong softmax prediction costs its true ≈ 2000, not inf.
"""

from __future__ import annotations

import numpy as np
import pytest

from backprop_core import ACTIVATIONS, OUTPUTS, Network, Params, step


def assert_all_finite(s) -> None:
    named = {"o_out": s.forward.o_out, "losses": s.forward.losses, "loss": s.loss,
             "loss_after": s.loss_after, "dE_do_in": s.backward.dE_do_in,
             "do_out_do_in": s.backward.do_out_do_in,
             **{f"grad {k}": v for k, v in s.grads.items()},
             **{f"updated {k}": v for k, v in s.updated.items()}}
    for name, value in named.items():
        assert np.all(np.isfinite(value)), f"{name} is not finite: {value}"


def logits_step(hidden: str, output: str, logits, y, lr=0.5):
    """A network whose o_in is exactly `logits` (W_ho = 0, b_o = logits)."""
    n_out = len(logits)
    params = Params(W_ih=np.array([[0.3, -0.2]]), b_h=np.array([0.1, 0.2]),
                    W_ho=np.zeros((2, n_out)), b_o=np.array(logits, dtype=float))
    # divide too: a softmax output that underflows to 0 where y is not 0 has
    # ∂E/∂o_out = −y/(m·0) = −inf by design, computed without a division warning (a
    # warning would reach the user's terminal from the CLI and the build).
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        return step(Network(hidden, output), params, np.array([[0.5]]), np.array([y]), lr)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
@pytest.mark.parametrize("logits, y", [
    ([1000.0, -1000.0], [0, 1]),            # confidently wrong
    ([1000.0, -1000.0], [1, 0]),            # confidently right
    ([-1000.0, 1000.0, 0.0], [0, 0, 1]),
    ([1000.0, 1000.0, -1000.0], [0, 0, 1]),
])
def test_logits_of_plus_minus_1000(hidden, output, logits, y):
    s = logits_step(hidden, output, logits, y)
    np.testing.assert_array_equal(s.forward.o_in, [logits])
    assert_all_finite(s)
    assert s.loss >= 0


def test_confidently_wrong_softmax_costs_2000_not_inf():
    s = logits_step("sigmoid", "softmax_cross_entropy", [1000.0, -1000.0], [0, 1])
    assert s.loss == pytest.approx(2000.0, rel=1e-12)
    np.testing.assert_array_equal(s.forward.o_out, [[1.0, 0.0]])
    np.testing.assert_allclose(s.backward.dE_do_in, [[1.0, -1.0]], rtol=0, atol=1e-300)
    # −y/(m·o_out): 0 where y = 0, −1/0 = −inf where the underflowed output was the target
    np.testing.assert_array_equal(s.backward.dE_do_out, [[0.0, -np.inf]])
    # confidently right costs (almost) nothing
    right = logits_step("sigmoid", "softmax_cross_entropy", [1000.0, -1000.0], [1, 0])
    assert 0.0 <= right.loss < 1e-300


def test_confidently_wrong_sigmoid_output_costs_its_bounded_error():
    s = logits_step("tanh", "sigmoid_squared_error", [1000.0, -1000.0], [0, 1])
    assert s.loss == pytest.approx(1.0, rel=1e-12)  # ½(1² + 1²)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
def test_hidden_inputs_of_plus_minus_1000(hidden, output):
    x = np.array([[1.0, -1.0], [-1.0, 1.0]])
    params = Params(W_ih=np.array([[1000.0, 0.0], [0.0, 1000.0]]), b_h=np.zeros(2),
                    W_ho=np.array([[0.4, -0.6], [0.9, 0.8]]), b_o=np.array([0.7, -0.9]))
    y = np.array([[1.0, 0.0], [0.0, 1.0]]) if output == "softmax_cross_entropy" \
        else np.array([[0.2, 0.9], [0.7, 0.1]])
    with np.errstate(over="raise", invalid="raise"):
        s = step(Network(hidden, output), params, x, y, 0.5)
    np.testing.assert_array_equal(np.abs(s.forward.h_in), 1000.0)
    assert_all_finite(s)
    if hidden != "relu":  # saturated: the derivative is (numerically) zero
        np.testing.assert_allclose(s.backward.dh_out_dh_in, 0.0, rtol=0, atol=1e-300)
