"""Every public field of the engine's result types, held to an independent computation.

The autograd tests (test_engine_autograd.py) cover `Step`'s passes; this file covers the
rest of what the engine returns: the chain-rule walk-throughs (`Step.path_ho`,
`Step.path_ih`, every field of both), `gradient_check` (`GradCheck`'s every field) and
`train` (`Training`), plus the activations exactly at their kinks and centres, where
a boundary slip (`>` for `>=`) changes a shown number. Expectations come from autograd
(test_engine_autograd.reference), hand-worked values, or a chain of single steps.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from backprop_core import ACTIVATIONS, OUTPUTS, Network, Params, gradient_check, step, train

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_engine_autograd import loss_of_params, reference  # noqa: E402

SHAPES = [(2, 3, 2, 1), (3, 2, 4, 3)]


def _ref(case) -> dict:
    p = case.params
    return reference(case.network.hidden_activation, case.network.output,
                     case.network.update_biases, p.W_ih, p.b_h, p.W_ho, p.b_o,
                     np.asarray(case.x, float), np.asarray(case.y, float), case.learning_rate)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
@pytest.mark.parametrize("shape", SHAPES)
def test_chain_rule_walk_throughs_match_autograd(make_case, shape, hidden, output):
    case = make_case(7 + sum(shape), *shape, hidden, output)
    s = step(case.network, case.params, case.x, case.y, case.learning_rate)
    ref = _ref(case)
    n_in, n_hidden, n_out, _ = shape
    for j in range(n_hidden):
        for k in range(n_out):
            p = s.path_ho(j, k)
            assert (p.j, p.k) == (j, k)
            np.testing.assert_allclose(p.stage1, ref["dE_do_out"], rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(p.stage2, ref["do_out_do_in"][:, :, k], rtol=1e-10,
                                       atol=1e-12)
            np.testing.assert_allclose(p.stage12, ref["dE_do_in"][:, k], rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(p.stage3, ref["h_out"][:, j], rtol=1e-12)
            np.testing.assert_allclose(p.per_example, ref["dE_do_in"][:, k] * ref["h_out"][:, j],
                                       rtol=1e-10, atol=1e-12)
            assert p.total == pytest.approx(ref["dE_dW_ho"][j, k], rel=1e-10, abs=1e-12)
    for i in range(n_in):
        for j in range(n_hidden):
            p = s.path_ih(i, j)
            assert (p.i, p.j) == (i, j)
            np.testing.assert_allclose(p.paths, ref["dE_do_in"] * case.params.W_ho[j, :],
                                       rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(p.stage1, ref["dE_dh_out"][:, j], rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(p.stage2, ref["dh_out_dh_in"][:, j], rtol=1e-10,
                                       atol=1e-12)
            np.testing.assert_allclose(p.stage3, np.asarray(case.x)[:, i], rtol=0)
            np.testing.assert_allclose(p.per_example, ref["dE_dh_in"][:, j] * case.x[:, i],
                                       rtol=1e-10, atol=1e-12)
            assert p.total == pytest.approx(ref["dE_dW_ih"][i, j], rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
def test_gradient_check_reports_every_field(make_case, hidden, output):
    case = make_case(3, 2, 3, 2, 2, hidden, output)
    eps = 1e-5
    g = gradient_check(case.network, case.params, case.x, case.y, eps=eps)
    ref = _ref(case)
    assert g.eps == eps
    worst = 0.0
    for name, key in (("W_ih", "dE_dW_ih"), ("b_h", "dE_db_h"), ("W_ho", "dE_dW_ho"),
                      ("b_o", "dE_db_o")):
        analytic, numeric = getattr(g.analytic, name), getattr(g.numeric, name)
        np.testing.assert_allclose(analytic, ref[key], rtol=1e-10, atol=1e-12)
        # central differences: error O(eps²) on values of order 1
        np.testing.assert_allclose(numeric, ref[key], rtol=1e-6, atol=1e-8)
        expected = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric),
                                                           1e-12)
        np.testing.assert_allclose(getattr(g.rel_error, name), expected, rtol=1e-12, atol=0)
        worst = max(worst, float(expected.max()))
    assert g.max_rel_error == worst


def test_gradient_check_central_difference_by_hand():
    """One input, one hidden unit, two outputs: E as a function of b_o[0] differenced
    by hand, (E(b + ε) − E(b − ε)) / 2ε, and the relative error's floor where both
    gradients are exactly 0 (a dead ReLU unit)."""
    net = Network("relu", "softmax_cross_entropy")
    params = Params(W_ih=np.array([[1.0]]), b_h=np.array([-5.0]),  # h_in < 0: dead unit
                    W_ho=np.array([[0.3, -0.2]]), b_o=np.array([0.1, 0.4]))
    x, y = np.array([[0.5]]), np.array([[1.0, 0.0]])
    eps = 1e-4
    g = gradient_check(net, params, x, y, eps=eps, floor=0.5)

    def loss(b0: float) -> float:
        o = np.array([b0, 0.4])  # h_out = 0, so o_in = b_o
        return float(-(o[0] - np.log(np.exp(o).sum())))

    by_hand = (loss(0.1 + eps) - loss(0.1 - eps)) / (2 * eps)
    assert g.numeric.b_o[0] == pytest.approx(by_hand, rel=1e-9)
    # the dead unit: both gradients exactly 0, so the error is 0 / floor = 0
    assert g.analytic.W_ih[0, 0] == 0.0 and g.numeric.W_ih[0, 0] == 0.0
    assert g.rel_error.W_ih[0, 0] == 0.0
    # where |a| + |n| is below the floor, the floor divides: |a − n| / 0.5
    a, n = g.analytic.b_o[0], g.numeric.b_o[0]
    assert abs(a) + abs(n) < 2 and g.rel_error.b_o[0] == pytest.approx(
        abs(a - n) / max(abs(a) + abs(n), 0.5), rel=1e-12)


@pytest.mark.parametrize("update_biases", [True, False])
@pytest.mark.parametrize("output", OUTPUTS)
def test_training_is_a_chain_of_single_steps(make_case, output, update_biases):
    case = make_case(5, 3, 4, 3, 4, "tanh", output, update_biases)
    steps = 4
    run = train(case.network, case.params, case.x, case.y, case.learning_rate, steps)
    assert run.losses.shape == (steps + 1,)
    params, losses = case.params, []
    for _ in range(steps):
        s = step(case.network, params, case.x, case.y, case.learning_rate)
        losses.append(s.loss)
        params = s.updated
    losses.append(s.loss_after)
    np.testing.assert_allclose(run.losses, losses, rtol=1e-13)
    for name, value in run.params.items():
        np.testing.assert_allclose(value, getattr(params, name), rtol=1e-13, atol=1e-15)
    # and each loss is autograd's loss of the parameters it was computed from
    x, y = np.asarray(case.x, float), np.asarray(case.y, float)
    assert run.losses[-1] == pytest.approx(
        loss_of_params(*(getattr(run.params, n) for n in ("W_ih", "b_h", "W_ho", "b_o")), x, y,
                       "tanh", output), rel=1e-12)


def test_training_for_zero_steps_only_measures():
    net = Network("sigmoid", "sigmoid_squared_error")
    params = Params(W_ih=np.array([[0.0]]), b_h=np.array([0.0]), W_ho=np.array([[0.0, 0.0]]),
                    b_o=np.array([0.0, 0.0]))
    run = train(net, params, [[1.0]], [[1.0, 0.0]], 0.5, 0)
    # every o_out is sigmoid(0) = 1/2: E = ½((1 − ½)² + (0 − ½)²) = 0.25
    assert run.losses.tolist() == [0.25]
    for name, value in run.params.items():
        np.testing.assert_array_equal(value, getattr(params, name))


def test_activations_at_their_kinks_and_centres():
    """By hand: relu′(0) = 0 (the convention the article states), relu(0) = 0,
    sigmoid(0) = ½ with sigmoid′(0) = ¼, tanh′(0) = 1; and just either side of 0."""
    z = np.array([-1e-300, 0.0, 1e-300])
    relu, relu_prime = ACTIVATIONS["relu"]
    assert relu(z).tolist() == [0.0, 0.0, 1e-300]
    assert relu_prime(z).tolist() == [0.0, 0.0, 1.0]
    sig, sig_prime = ACTIVATIONS["sigmoid"]
    assert sig(np.array([0.0])).tolist() == [0.5]
    assert sig_prime(np.array([0.0])).tolist() == [0.25]
    assert ACTIVATIONS["tanh"][1](np.array([0.0])).tolist() == [1.0]


def test_a_relu_unit_exactly_at_its_kink_passes_no_gradient():
    """x = 0 and b_h = 0 put h_in exactly at 0: with relu′(0) = 0 the unit's bias
    gradient is exactly 0, and its bias keeps its value after the step."""
    net = Network("relu", "softmax_cross_entropy")
    params = Params(W_ih=np.array([[0.7, -0.4]]), b_h=np.array([0.0, 0.3]),
                    W_ho=np.array([[0.5, -0.5], [0.2, 0.1]]), b_o=np.array([0.0, 0.0]))
    s = step(net, params, [[0.0]], [[0.0, 1.0]], 0.5)
    assert s.forward.h_in.tolist() == [[0.0, 0.3]]
    assert s.backward.dh_out_dh_in.tolist() == [[0.0, 1.0]]
    assert s.grads.b_h[0] == 0.0 and s.updated.b_h[0] == 0.0
    assert s.grads.b_h[1] != 0.0


def test_network_rejects_unknown_kinds_naming_the_field():
    with pytest.raises(ValueError, match=r"^hidden_activation: expected one of sigmoid, relu, "
                                         r"tanh; got 'softplus'$"):
        Network("softplus")
    with pytest.raises(ValueError, match=r"^output: expected one of softmax_cross_entropy, "
                                         r"sigmoid_squared_error; got 'mse'$"):
        Network("relu", "mse")


def test_step_holds_its_inputs_as_float_arrays():
    """Step.x, Step.y and Step.learning_rate are floats whatever the caller passed
    (Python lists of integers here), so what prints them (trace --json) prints 1.0."""
    net = Network("sigmoid", "softmax_cross_entropy")
    params = Params(W_ih=np.array([[0.5]]), b_h=np.array([0.0]), W_ho=np.array([[1.0, -1.0]]),
                    b_o=np.array([0.0, 0.0]))
    s = step(net, params, [[1]], [[1, 0]], 1)
    assert s.x.dtype == np.float64 and s.y.dtype == np.float64
    assert s.x.tolist() == [[1.0]] and s.y.tolist() == [[1.0, 0.0]]
    assert type(s.learning_rate) is float and s.learning_rate == 1.0
