"""Sums whose exact value is 0 come out as exactly 0, and no other value changes.

The reference is exact rational arithmetic on the numbers as an example file writes them
(`Fraction("0.1")`, not the float nearest 0.1), which is what a reader's calculator does.
Floating point leaves ±1e-17 where the exact sum is 0: a page would print that residue as
a gradient, and ReLU would take its derivative on the wrong side of its kink.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from backprop_core import Network, Params, parse_example, update
from backprop_core.network import _affine, _column_sums

ONE_PLACE = st.integers(-9, 9).map(lambda k: f"{k / 10:.1f}")


def exact(texts) -> np.ndarray:
    return np.vectorize(Fraction, otypes=[object])(np.array(texts, dtype=object))


def floats(texts) -> np.ndarray:
    return np.array(texts, dtype=float)


@st.composite
def affine_inputs(draw):
    m, n, k = draw(st.integers(1, 4)), draw(st.integers(1, 5)), draw(st.integers(1, 4))
    a = draw(st.lists(st.lists(ONE_PLACE, min_size=n, max_size=n), min_size=m, max_size=m))
    b = draw(st.lists(st.lists(ONE_PLACE, min_size=k, max_size=k), min_size=n, max_size=n))
    c = draw(st.lists(ONE_PLACE, min_size=k, max_size=k))
    # One column's bias cancels its first row exactly, so that every run has an exact 0.
    c[0] = str(-sum(Fraction(a[0][i]) * Fraction(b[i][0]) for i in range(n)))
    return a, b, c


@given(affine_inputs())
def test_an_affine_sum_is_zero_exactly_where_its_exact_value_is(abc):
    a, b, c = abc
    want = exact(a).dot(exact(b)) + exact(c)
    got = _affine(floats(a), floats(b), np.array([float(Fraction(v)) for v in c]))
    assert got[0, 0] == 0.0
    for w, g in zip(want.ravel(), got.ravel()):
        if w == 0:
            assert g == 0.0, (w, g)
        else:  # one-place inputs: a non-zero exact value is at least 0.01 from zero
            assert abs(g - float(w)) <= 1e-12 * abs(float(w)), (w, g)


@given(affine_inputs())
def test_a_product_without_bias_and_a_column_sum_follow_the_same_rule(abc):
    a, b, _ = abc
    want = exact(a).dot(exact(b))
    got = _affine(floats(a), floats(b))
    sums = _column_sums(floats(a))
    want_sums = exact(a).sum(axis=0)
    for w, g in [*zip(want.ravel(), got.ravel()), *zip(want_sums, sums)]:
        assert (g == 0.0) if w == 0 else abs(g - float(w)) <= 1e-12 * abs(float(w)), (w, g)


def test_a_column_sum_of_opposite_examples_is_zero():
    """0.1 + 0.2 − 0.3 is 5.6e-17 in floating point; the sum of the three examples is 0."""
    a = np.array([[0.1, 1.0], [0.2, 2.0], [-0.3, 0.5]])
    assert a.sum(axis=0)[0] != 0.0            # the residue this guards against
    np.testing.assert_array_equal(_column_sums(a), [0.0, 3.5])


def test_an_update_that_lands_on_zero_is_zero():
    """0.3 − 0.1·3 = 0 (floating point: −5.6e-17); 0.9 − 0.03·30 = 0 likewise."""
    params = Params(W_ih=np.array([[0.3]]), b_h=np.array([0.9]), W_ho=np.array([[0.5]]),
                    b_o=np.array([0.2]))
    grads = Params(W_ih=np.array([[3.0]]), b_h=np.array([9.0]), W_ho=np.array([[1.0]]),
                   b_o=np.array([0.0]))
    new = update(Network(), params, grads, 0.1)
    assert new.W_ih[0, 0] == 0.0 and new.b_h[0] == 0.0
    assert new.W_ho[0, 0] == 0.4 and new.b_o[0] == 0.2
    assert update(Network(), params, Params(W_ih=np.array([[0.0]]), b_h=np.array([30.0]),
                                            W_ho=np.array([[0.0]]), b_o=np.array([0.0])),
                  0.03).b_h[0] == 0.0


def example(hidden: str, h_row: list[float]) -> dict:
    return {"title": "t", "learning_rate": 0.02, "hidden_activation": hidden,
            "x": [[0.1, 0.2]], "y": [[1, 0]],
            "W_ih": [[0.2, 0.3, 0.5], [0.4, 0.6, 0.2]], "b_h": [-0.1, 0.1, 0.2],
            "W_ho": [[0.4, 0.6], [0.9, 0.8], h_row], "b_o": [0.7, 0.9]}


def test_relu_at_its_kink_and_an_output_path_that_cancels():
    """By hand: h_in,1 = 0.1·0.2 + 0.2·0.4 − 0.1 = 0, so ReLU′ = 0 there (the article's
    convention) and no error reaches W_ih's first column; W_ho's third row is [0.5, 0.5]
    and δ₂ = −δ₁ for two one-hot classes, so ∂E/∂h_out,3 = 0.5(δ₁ + δ₂) = 0."""
    s = parse_example(example("relu", [0.5, 0.5])).step()
    assert s.forward.h_in[0, 0] == 0.0 and s.forward.h_out[0, 0] == 0.0
    assert s.backward.dh_out_dh_in[0, 0] == 0.0
    assert s.backward.dE_dh_out[0, 2] == 0.0
    np.testing.assert_array_equal(s.grads.W_ih[:, [0, 2]], np.zeros((2, 2)))
    assert s.grads.b_h[0] == 0.0 and s.grads.b_h[2] == 0.0
    assert np.all(s.grads.W_ih[:, 1] != 0.0) and np.all(s.grads.W_ho[1:] != 0.0)


def test_sigmoid_is_not_at_a_kink_and_keeps_its_gradient():
    """The same numbers with a sigmoid: σ′(0) = 1/4, so the first column does move."""
    s = parse_example(example("sigmoid", [0.5, 0.5])).step()
    assert s.forward.h_out[0, 0] == 0.5 and s.backward.dh_out_dh_in[0, 0] == 0.25
    assert np.all(s.grads.W_ih[:, 0] != 0.0)
    np.testing.assert_array_equal(s.grads.W_ih[:, 2], [0.0, 0.0])
