"""The edge of "exactly zero": an entry within 2·n·ε·Σ|term| of 0 becomes 0, one just
outside keeps its bits, for every kind of sum the engine makes.

`backprop_core.network` sets an entry to exactly 0 when it lies within the standard
error bound of its own sum, 2·n·ε·Σ|term| for n terms (a product a @ b: n = a's columns;
with a bias: n + 1; a column sum over m examples: n = m; an update value − η·grad: n = 2).
tests/test_engine_exact_zeros.py shows exact zeros come out as 0; this file pins the bound
itself, on each side and at equality, with the rule evaluated in exact rational arithmetic.

The sums are built from two terms that nearly cancel, 1 + 2nε and −(1 − 2nε) (both exact
doubles; their sum 4nε is exact, and Σ|term| = 2 exactly), so that the sum sits exactly
on the bound 2·n·ε·2; one more ε and it is outside. Zero padding adds terms (n) without
adding magnitude, so the count of terms is what decides.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from backprop_core import Network, Params, update
from backprop_core.network import _affine, _column_sums

EPS = Fraction(2) ** -52  # the gap between 1 and the next double, written independently


def near_one(ulps: int) -> float:
    """1 + ulps·ε, an exact double (below 1 the gap is ε/2, so negative ulps are fine)."""
    value = Fraction(1) + ulps * EPS
    assert Fraction(float(value)) == value, "the construction must be exact"
    return float(value)


def rule(terms: list[Fraction]) -> Fraction:
    """What the documented rule gives for this sum: 0 within the bound, else the sum."""
    total = sum(terms, Fraction(0))
    bound = 2 * len(terms) * EPS * sum((abs(t) for t in terms), Fraction(0))
    return Fraction(0) if abs(total) <= bound else total


def pair(n: int, extra: int) -> tuple[float, float]:
    """Two terms whose sum is 4nε + extra·ε: on the bound of n terms when extra == 0."""
    return near_one(2 * n + extra), -near_one(-2 * n)


def affine_case(m: int, n: int, k: int, extra: int, bias: bool, scale: float = 1.0):
    """a (m×n), b (n×k), c (k) or None: entry [0, 0] is the nearly cancelling pair, the
    rest of row 0 zero padding; the other rows and columns sums far from zero. `scale`
    (a power of 2) multiplies a and divides b: the same products, other magnitudes."""
    terms = n + bias
    big, small = pair(terms, extra)
    a = np.zeros((m, n))
    b = np.zeros((n, k))
    a[0, 0] = 1.0
    b[0, :] = big
    if bias:
        c = np.full(k, small)
    else:
        assert n >= 2, "without a bias the pair needs two products"
        c = None
        a[0, 1] = 1.0
        b[1, :] = small
    a[1:, 0] = 0.5   # rows 1..: 0.5·big (+ small), about ±0.5, nowhere near 0
    b[0, 1:] = 0.25  # columns 1..: 0.25 (or 0.125) + small, about −0.8
    return a * scale, b / scale, c


def expected_affine(a, b, c) -> np.ndarray:
    m, n = a.shape
    k = b.shape[1]
    out = np.empty((m, k))
    for r in range(m):
        for col in range(k):
            terms = [Fraction(a[r, i]) * Fraction(b[i, col]) for i in range(n)]
            if c is not None:
                terms.append(Fraction(c[col]))
            want = rule(terms)
            assert Fraction(float(want)) == want, "every expected value is an exact double"
            out[r, col] = float(want)
    return out


SHAPES = [(1, 2, 1), (3, 2, 2), (1, 4, 1), (2, 5, 3), (4, 3, 1)]


@pytest.mark.parametrize("scale", [1.0, 4.0, 0.25])
@pytest.mark.parametrize("m,n,k", SHAPES)
@pytest.mark.parametrize("extra,zeroed", [(0, True), (-2, True), (1, False), (2, False)])
def test_a_product_is_zeroed_up_to_its_bound_and_not_beyond(m, n, k, extra, zeroed, scale):
    """n products: on the bound (4nε) and inside it → 0; one or two ε outside → kept."""
    a, b, c = affine_case(m, n, k, extra, bias=False, scale=scale)
    want = expected_affine(a, b, c)
    assert bool(want[0, 0] == 0.0) is zeroed  # the rule itself puts this case on that side
    np.testing.assert_array_equal(_affine(a, b), want)


@pytest.mark.parametrize("scale", [1.0, 4.0, 0.25])
@pytest.mark.parametrize("m,n,k", [(1, 1, 1), *SHAPES])
@pytest.mark.parametrize("extra,zeroed", [(0, True), (-2, True), (1, False), (2, False)])
def test_a_product_with_bias_counts_the_bias_as_a_term(m, n, k, extra, zeroed, scale):
    """x·W + b has n + 1 terms: the bound is 2(n + 1)ε·Σ|term|, |b| included."""
    a, b, c = affine_case(m, n, k, extra, bias=True, scale=scale)
    want = expected_affine(a, b, c)
    assert bool(want[0, 0] == 0.0) is zeroed
    np.testing.assert_array_equal(_affine(a, b, c), want)


@pytest.mark.parametrize("m", [2, 3, 5])
@pytest.mark.parametrize("extra,zeroed", [(0, True), (-2, True), (1, False), (2, False)])
def test_a_column_sum_over_m_examples_has_m_terms(m, extra, zeroed):
    big, small = pair(m, extra)
    a = np.zeros((m, 3))
    a[0, 0], a[1, 0] = big, small
    a[:, 1] = 0.5           # a plain column: m/2
    a[0, 2] = 1.0           # one example only
    terms = [[Fraction(v) for v in a[:, col]] for col in range(3)]
    want = np.array([float(rule(t)) for t in terms])
    assert bool(want[0] == 0.0) is zeroed
    np.testing.assert_array_equal(_column_sums(a), want)


@pytest.mark.parametrize("extra,zeroed", [(0, True), (-2, True), (1, False), (2, False)])
@pytest.mark.parametrize("update_biases", [True, False])
def test_an_update_has_two_terms(extra, zeroed, update_biases):
    """value − η·grad with value = 1 + 4ε + extra·ε, η·grad = 1 − 4ε: two terms, bound
    2·2·ε·2 = 8ε; the new weight is 8ε + extra·ε exactly, or 0 within the bound."""
    value = near_one(4 + extra)
    grad = near_one(-4)
    want = float(rule([Fraction(value), -Fraction(grad)]))
    assert bool(want == 0.0) is zeroed
    one = np.array([[value]])
    params = Params(W_ih=one, b_h=np.array([value]), W_ho=one.copy(), b_o=np.array([value]))
    grads = Params(W_ih=np.array([[grad]]), b_h=np.array([grad]), W_ho=np.array([[grad]]),
                   b_o=np.array([grad]))
    new = update(Network(update_biases=update_biases), params, grads, 1.0)
    assert new.W_ih[0, 0] == want and new.W_ho[0, 0] == want
    bias = want if update_biases else value
    assert new.b_h[0] == bias and new.b_o[0] == bias
