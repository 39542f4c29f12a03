"""Properties every step must have, whatever the numbers.

Softmax rows sum to 1 and ∂E/∂o_in rows sum to 0; the softmax Jacobian is symmetric
with rows summing to 0 (the sigmoid one is diagonal); every loss is ≥ 0; and a small
enough step against a non-zero gradient lowers the loss. Checked on random networks.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop_core import ACTIVATIONS, OUTPUTS, step

shapes = st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(2, 6), st.integers(1, 6))
cases = dict(shape=shapes, seed=st.integers(0, 2**32 - 1),
             hidden=st.sampled_from(sorted(ACTIVATIONS)),
             scale=st.sampled_from([0.1, 1.0, 3.0]))
quick = settings(max_examples=60, deadline=None, derandomize=True)


@quick
@given(**cases)
def test_softmax_rows_and_jacobian(make_case, shape, seed, hidden, scale):
    case = make_case(seed, *shape, hidden, "softmax_cross_entropy", True, scale)
    s = step(case.network, case.params, case.x, case.y, case.learning_rate)
    o = s.forward.o_out
    assert np.all(o >= 0) and np.all(o <= 1)
    np.testing.assert_allclose(o.sum(axis=1), 1.0, rtol=0, atol=1e-14)
    np.testing.assert_allclose(s.backward.dE_do_in.sum(axis=1), 0.0, rtol=0, atol=1e-15)
    jac = s.backward.do_out_do_in
    np.testing.assert_allclose(jac.sum(axis=2), 0.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(jac.sum(axis=1), 0.0, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(jac, jac.transpose(0, 2, 1))
    # the diagonal o(1 − o) is the only positive entry of each row
    diag = np.einsum("mcc->mc", jac)
    np.testing.assert_allclose(diag, o * (1 - o), rtol=1e-14, atol=1e-17)


@quick
@given(**cases)
def test_sigmoid_output_jacobian_is_diagonal(make_case, shape, seed, hidden, scale):
    case = make_case(seed, *shape, hidden, "sigmoid_squared_error", True, scale)
    s = step(case.network, case.params, case.x, case.y, case.learning_rate)
    o, jac = s.forward.o_out, s.backward.do_out_do_in
    assert np.all((o >= 0) & (o <= 1))
    np.testing.assert_array_equal(jac, np.einsum("mc,ck->mck", o * (1 - o), np.eye(o.shape[1])))


@quick
@given(output=st.sampled_from(OUTPUTS), **cases)
def test_losses_are_not_negative(make_case, shape, seed, hidden, scale, output):
    case = make_case(seed, *shape, hidden, output, True, scale)
    s = step(case.network, case.params, case.x, case.y, case.learning_rate)
    assert np.all(s.forward.losses >= 0)
    assert s.loss >= 0 and s.loss_after >= 0
    assert s.loss == np.mean(s.forward.losses)


@quick
@given(output=st.sampled_from(OUTPUTS), update_biases=st.booleans(), **cases)
def test_a_small_step_lowers_the_loss(make_case, shape, seed, hidden, scale, output,
                                      update_biases):
    case = make_case(seed, *shape, hidden, output, update_biases, scale)
    probe = step(case.network, case.params, case.x, case.y, 0.0)
    g = probe.grads
    moved = [g.W_ih, g.W_ho] + ([g.b_h, g.b_o] if update_biases else [])
    g2 = sum(float((a ** 2).sum()) for a in moved)
    assume(g2 > 1e-8)
    lr = 1e-3 / max(1.0, np.sqrt(g2))
    s = step(case.network, case.params, case.x, case.y, lr)
    # first order: the loss drops by about lr·|g|²
    assert s.loss_after < s.loss
    assert s.loss - s.loss_after > 0.5 * lr * g2
    assert probe.loss_after == probe.loss  # learning rate 0 changes nothing
