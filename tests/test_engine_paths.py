"""The per-weight chain-rule walk-throughs add up to the vectorised gradients.

For every hidden→output weight (j, k) and input→hidden weight (i, j) of random
non-square networks with m > 1: the stage factors are the right slices (checked
against values computed here), they multiply to each example's contribution, which is
that example's own gradient / m, and the contributions sum to the gradient entry.
stage12 = Σ_c stage1·stage2 (the Jacobian product the engine short-cuts), and the
paths through the outputs sum to stage1.
"""

from __future__ import annotations

import numpy as np
import pytest

from backprop_core import ACTIVATIONS, OUTPUTS, step

#: act′ written out here, not taken from the engine
ACT_PRIME = {"sigmoid": lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2,
             "relu": lambda z: np.where(z > 0, 1.0, 0.0),
             "tanh": lambda z: 1 / np.cosh(z) ** 2}

SHAPES = [(2, 3, 4, 3), (3, 2, 2, 5), (4, 5, 3, 2), (1, 4, 6, 4)]


def run(make_case, shape, hidden, output, seed):
    case = make_case(seed, *shape, hidden, output)
    return step(case.network, case.params, case.x, case.y, case.learning_rate)


def per_example_grads(s):
    """Each example on its own (m = 1), so its gradient is its un-averaged contribution."""
    return [step(s.network, s.params, s.x[r:r + 1], s.y[r:r + 1], s.learning_rate).grads
            for r in range(s.x.shape[0])]


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
@pytest.mark.parametrize("shape", SHAPES)
def test_output_weight_paths(make_case, shape, hidden, output):
    s = run(make_case, shape, hidden, output, seed=7)
    m = s.x.shape[0]
    singles = per_example_grads(s)
    n_hidden, n_out = s.params.W_ho.shape
    for j in range(n_hidden):
        for k in range(n_out):
            p = s.path_ho(j, k)
            assert (p.j, p.k) == (j, k)
            np.testing.assert_array_equal(p.stage3, s.forward.h_out[:, j])
            np.testing.assert_allclose(p.stage12, (p.stage1 * p.stage2).sum(axis=1),
                                       rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(p.per_example, p.stage12 * p.stage3, rtol=1e-15)
            np.testing.assert_allclose(p.per_example,
                                       [g.W_ho[j, k] / m for g in singles],
                                       rtol=1e-12, atol=1e-16)
            assert p.per_example.sum() == pytest.approx(s.grads.W_ho[j, k], rel=1e-12,
                                                         abs=1e-16)
            assert p.total == s.grads.W_ho[j, k]


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
@pytest.mark.parametrize("shape", SHAPES)
def test_hidden_weight_paths(make_case, shape, hidden, output):
    s = run(make_case, shape, hidden, output, seed=8)
    m = s.x.shape[0]
    singles = per_example_grads(s)
    act_prime = ACT_PRIME[hidden]
    dE_do_in = s.backward.dE_do_in
    n_in, n_hidden = s.params.W_ih.shape
    for i in range(n_in):
        for j in range(n_hidden):
            p = s.path_ih(i, j)
            assert (p.i, p.j) == (i, j)
            # path through output k: ∂E/∂o_in_k · W_ho[j, k]
            np.testing.assert_allclose(p.paths, dE_do_in * s.params.W_ho[j][None, :],
                                       rtol=1e-15)
            np.testing.assert_allclose(p.paths.sum(axis=1), p.stage1, rtol=1e-12, atol=1e-16)
            np.testing.assert_allclose(p.stage2, act_prime(s.forward.h_in[:, j]), rtol=1e-13)
            np.testing.assert_array_equal(p.stage3, s.x[:, i])
            np.testing.assert_allclose(p.per_example, p.stage1 * p.stage2 * p.stage3,
                                       rtol=1e-15)
            np.testing.assert_allclose(p.per_example,
                                       [g.W_ih[i, j] / m for g in singles],
                                       rtol=1e-12, atol=1e-16)
            assert p.per_example.sum() == pytest.approx(s.grads.W_ih[i, j], rel=1e-12,
                                                         abs=1e-16)
            assert p.total == s.grads.W_ih[i, j]
