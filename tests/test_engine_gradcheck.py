"""Analytic gradients agree with central finite differences.

Two ways: the engine's own `gradient_check` over every parameter entry of random
networks (and it does flag a wrong gradient), and a finite difference written here, on a
loss written here in plain NumPy, for a few entries of each parameter.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from backprop_core import ACTIVATIONS, OUTPUTS, gradient_check, step
from backprop_core import network as engine_network

CASES = [(seed, hidden, output, shape)
         for seed, shape in enumerate([(2, 2, 2, 1), (3, 4, 3, 2), (1, 5, 4, 3), (4, 1, 2, 6)])
         for hidden in sorted(ACTIVATIONS) for output in OUTPUTS]


@pytest.mark.parametrize("seed, hidden, output, shape", CASES)
def test_gradient_check_passes_on_random_networks(make_case, seed, hidden, output, shape):
    case = make_case(seed, *shape, hidden, output)
    g = gradient_check(case.network, case.params, case.x, case.y)
    assert g.max_rel_error < 1e-6, g.max_rel_error
    for name, numeric in g.numeric.items():
        np.testing.assert_allclose(getattr(g.analytic, name), numeric, rtol=1e-6, atol=1e-9,
                                   err_msg=name)


def test_gradient_check_flags_a_wrong_gradient(make_case, monkeypatch):
    """A tanh′ that forgets the square gives visibly wrong W_ih and b_h gradients."""
    monkeypatch.setitem(engine_network.ACTIVATIONS, "tanh", (np.tanh, lambda z: 1 - np.tanh(z)))
    case = make_case(5, 3, 3, 2, 2, "tanh")
    g = gradient_check(case.network, case.params, case.x, case.y)
    assert g.max_rel_error > 1e-2
    assert g.rel_error.W_ho.max() < 1e-6  # the output layer does not use tanh′


# ---------------------------------------------------------------------------------------
# An independent finite difference


def plain_loss(hidden, output, W_ih, b_h, W_ho, b_o, x, y) -> float:
    """The loss from scratch, in plain NumPy (for moderate values)."""
    h_in = x @ W_ih + b_h
    h_out = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "relu": lambda z: z * (z > 0),
             "tanh": np.tanh}[hidden](h_in)
    o_in = h_out @ W_ho + b_o
    m = x.shape[0]
    if output == "softmax_cross_entropy":
        o_out = np.exp(o_in) / np.exp(o_in).sum(axis=1, keepdims=True)
        return float(-(y * np.log(o_out)).sum() / m)
    o_out = 1 / (1 + np.exp(-o_in))
    return float((0.5 * (y - o_out) ** 2).sum() / m)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
def test_own_central_difference_matches_a_few_entries(make_case, hidden, output):
    case = make_case(42, 3, 4, 3, 5, hidden, output)
    s = step(case.network, case.params, case.x, case.y, case.learning_rate)
    rng = np.random.default_rng(0)
    eps = 1e-5
    for name, value in case.params.items():
        for _ in range(3):
            idx = tuple(int(rng.integers(0, n)) for n in value.shape)
            losses = []
            for sign in (+1, -1):
                nudged = value.copy()
                nudged[idx] += sign * eps
                p = replace(case.params, **{name: nudged})
                losses.append(plain_loss(hidden, output, p.W_ih, p.b_h, p.W_ho, p.b_o,
                                         case.x, case.y))
            numeric = (losses[0] - losses[1]) / (2 * eps)
            analytic = getattr(s.grads, name)[idx]
            assert analytic == pytest.approx(numeric, rel=1e-6, abs=1e-9), (name, idx)
