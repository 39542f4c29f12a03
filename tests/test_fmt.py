"""scripts/fmt.py (how a number looks) and scripts/article.py (limits, walk-throughs, cache).

Unit tests, apart from any built site (so mutation testing runs them: tests/site is not in
its selection)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import article  # noqa: E402
import fmt  # noqa: E402

from backprop_core import ExampleError  # noqa: E402


@pytest.mark.parametrize("value, decimals, shown", [
    (0.661503, 4, "0.6615"),
    (-0.28306, 4, "-0.2831"),
    (0.7, 4, "0.7"),                      # exact: short form
    (0.1 + 0.2, 4, "0.3"),                # exact up to float noise
    (0.59998, 4, "0.6000"),               # rounded: trailing zeros kept
    (1.0, 4, "1"),
    (0.0, 4, "0"),
    (-0.0, 4, "0"),
    (2.5339e-5, 4, r"2.534 \times 10^{-5}"),
    (-0.00037, 4, r"-3.7 \times 10^{-4}"),    # exact: short, no false trailing zeros
    (-0.000371234, 4, r"-3.712 \times 10^{-4}"),
    (1e-6, 2, r"1 \times 10^{-6}"),           # ε on the check page is exact
    (0.6999 - 0.7007, 4, r"-8 \times 10^{-4}"),  # a difference of written numbers
    (0.50015, 4, "0.5002"),               # halfway: away from zero, whatever the float
    (1.36925, 4, "1.3693"),
    (-0.50015, 4, "-0.5002"),
    (0.0012, 4, "0.0012"),                # two significant digits: still fixed
    (0.001, 4, "0.001"),                  # exact, all its digits shown
    (0.0123456, 4, "0.0123"),
    (0.593269992, 9, "0.593269992"),
    (1.5e-10, 9, r"1.5 \times 10^{-10}"),
    (1.5123456789e-10, 9, r"1.51234568 \times 10^{-10}"),
    (123.456789, 2, "123.46"),
    (9.99996e-5, 4, r"1.000 \times 10^{-4}"),  # rounds up to the next power: 4 digits still
    (-9.99996e-5, 4, r"-1.000 \times 10^{-4}"),
])
def test_num(value, decimals, shown):
    assert fmt.num(value, decimals) == shown


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_num_refuses_non_finite(bad):
    with pytest.raises(ValueError, match="non-finite"):
        fmt.num(bad, 4)


def test_extra_digits_never_pad_an_exact_value_with_zeros():
    assert fmt.num(0.6615, 4, extra=2) == "0.6615"       # exact at 4 places
    assert fmt.num(0.661503, 4, extra=2) == "0.661503"
    assert fmt.num(0.7, 4, extra=2) == "0.7"
    assert fmt.num(1e-6, 2, extra=2) == r"1 \times 10^{-6}"
    assert fmt.num(0.99996, 4, scientific=True) == r"1.0000 \times 10^{0}"
    # within float noise of a short value, but asked for digits that see the rest
    assert fmt.num(-0.08284318720000047, 10, extra=6) == "-0.0828431872000005"
    assert fmt.num(0.7 + 3e-13, 4, extra=6) == "0.7000000000"  # not 0.7 at 10 places
    assert fmt.num(0.1 + 0.2 - 0.3 + 0.7, 4, extra=6) == "0.7"  # float noise only


def test_signed_parenthesises_negatives_only():
    assert fmt.signed(-0.5, 4) == "(-0.5)"
    assert fmt.signed(0.25, 4) == "0.25"


def test_vec_and_mat_are_bmatrix():
    assert fmt.vec([0.1, -0.25], 4) == r"\begin{bmatrix} 0.1 & -0.25 \end{bmatrix}"
    assert fmt.mat(np.array([[1.0, 0.5], [0.123456, 0.0]]), 4) == \
        r"\begin{bmatrix} 1 & 0.5 \\ 0.1235 & 0 \end{bmatrix}"


def test_walk_indices_follow_the_original_and_fall_back():
    assert article.walk_indices({"n_in": 2, "n_hidden": 2}) == ((1, 0), (1, 0))
    assert article.walk_indices({"n_in": 1, "n_hidden": 1}) == ((0, 0), (0, 0))
    assert article.walk_indices({"n_in": 3, "n_hidden": 1}) == ((0, 0), (1, 0))


def test_limits_are_enforced(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text("learning_rate = 0.1\n[random]\nseed = 1\nn_in = 9\n", encoding="utf-8")
    with pytest.raises(ExampleError, match="n_in: expected at most 8"):
        article.validate(path)
    path.write_text("learning_rate = 0.1\n[random]\nseed = 1\nn_in = 8\nn_hidden = 8\n"
                    "n_out = 8\nm = 4\n", encoding="utf-8")
    assert article.validate(path).sizes == {"n_in": 8, "n_hidden": 8, "n_out": 8, "m": 4}


def test_the_article_is_computed_once_per_content(tmp_path):
    path = tmp_path / "ex.toml"
    text = (ROOT / "examples" / "default.toml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = article.load(path)
    assert article.load(path) is first                      # same content: cached
    path.write_text(text.replace("learning_rate = 0.02", "learning_rate = 0.03"),
                    encoding="utf-8")
    second = article.load(path)
    assert second is not first and second.s.learning_rate == 0.03
    assert article.load(tmp_path / "ex.toml") is second     # keyed by the resolved path


def test_the_comparison_uses_the_other_activation():
    sig = article.load(ROOT / "examples" / "default.toml")
    relu = article.load(ROOT / "examples" / "relu.toml")
    assert sig.alt.network.hidden_activation == "relu"
    assert relu.alt.network.hidden_activation == "sigmoid"
    # The same numbers: the default's ReLU comparison is the relu example's own step.
    np.testing.assert_array_equal(sig.alt.grads.W_ih, relu.s.grads.W_ih)


# --- calculator-true lines: how many digits a line's inputs need ---------------------


def _lands(formula, inputs, result, decimals, extra) -> bool:
    """Independent of fmt.extra_digits: the written inputs, read back from their text."""
    from backprop_core.precision import parse

    def read(text):
        return parse(text.replace(r" \times 10^{", "e").rstrip("}"))
    got = formula(*[read(fmt.num(v, decimals, extra)).value for v in inputs])
    written = read(fmt.num(result, decimals))
    return abs(got - written.value) <= 0.5 * 10.0 ** -max(written.places, decimals) + 1e-12


def test_extra_digits_makes_the_issues_line_calculator_true():
    # The default example's o_out,1: −1/0.4342 gives −2.3031, not the exact −2.3029…
    p = 0.4341681730  # the default example's o_out,1 to 10 digits
    k = fmt.extra_digits(lambda o: -1 / o, [p], -1 / p, 4)
    assert k >= 1 and not _lands(lambda o: -1 / o, [p], -1 / p, 4, k - 1)
    assert _lands(lambda o: -1 / o, [p], -1 / p, 4, k)


def test_extra_digits_is_zero_when_the_rounded_inputs_already_land():
    assert fmt.extra_digits(lambda a, b: a * b, [0.6615, 0.4], 0.2646, 4) == 0


def test_extra_digits_for_a_step_below_display_precision():
    g = -0.0050673878  # ∂E/∂W_i2h1 of the default example
    k = fmt.extra_digits(lambda x: -0.02 * x, [g], -0.02 * g, 4)
    assert fmt.num(-0.02 * g, 4) == r"1.013 \times 10^{-4}"
    assert k >= 1 and _lands(lambda x: -0.02 * x, [g], -0.02 * g, 4, k)
    assert fmt.num(g, 4, k) != "-0.0051"


def test_extra_digits_on_matrices():
    W, G = np.array([[0.6, 0.5]]), np.array([[0.0025337, -0.0012372]])
    k = fmt.extra_digits(lambda w, g: w - 0.02 * g, [W, G], W - 0.02 * G, 4)
    # 0.6 − 0.02 · 0.0025 = 0.59995 is exactly halfway to the shown 0.5999: a tie is
    # not calculator-true, so the gradient needs one more digit (0.6 − 0.02 · 0.00253)
    assert k == 1


def test_extra_digits_refuses_an_exact_tie():
    # the check page's W_{h1o1} row: shown to 12 decimals the two gradients differ by
    # exactly 1.25e-10, which a reader cannot round to the written 1.2e-10
    a, n = -0.3742566529884277, -0.37425665311285883
    line = lambda u, v: [abs(u - v), abs(u - v) / (abs(u) + abs(v))]  # noqa: E731
    k = fmt.extra_digits(line, [a, n], line(a, n), 10,
                         result_format=lambda x: fmt.num(x, 2))
    assert k == 3  # at two extra digits the difference is the tie
    assert fmt.num(a, 10, 2) == "-0.374256652988" and fmt.num(n, 10, 2) == "-0.374256653113"


@pytest.mark.parametrize("value, extra, shown", [
    (0.434168, 1, "0.43417"),
    (0.7, 3, "0.7"),                                   # exact: stays short
    (1.01320e-4, 2, r"1.01320 \times 10^{-4}"),        # more significant digits
    (-0.0050674, 2, "-0.005067"),
])
def test_num_with_extra_digits(value, extra, shown):
    assert fmt.num(value, 4, extra) == shown


def test_a_matrix_never_mixes_powers_of_ten_into_fixed_decimals():
    """The 2018 page's W_ih⁺ difference row: a small entry among fixed decimals is
    written in fixed decimals with its own significant digits, not the whole row with
    powers of ten (which wrote 0.0020 as 2.0 × 10⁻³)."""
    text = fmt.mat([[-8e-4, -0.002], [-0.0016, -0.0041]], 4)
    assert text == r"\begin{bmatrix} -0.0008 & -0.002 \\ -0.0016 & -0.0041 \end{bmatrix}"
    text = fmt.mat([[-7.507e-4, -0.00204], [-0.00163, 0.41]], 4)
    assert "times" not in text and "-0.0007507" in text and "-0.0020" in text, text


@pytest.mark.parametrize("value, shown", [(133.8822, "134"), (4.2731, "4.27"),
                                          (31.3333, "31.3"), (0.012345, "0.0123")])
def test_sig_keeps_three_significant_digits(value, shown):
    assert fmt.sig(value) == shown


# --- every argument reaches the text: `extra` through signed, vec and mat -------------
# Expected texts written out by hand from the rule (fixed places + extra; a value exact
# at fewer places keeps its short form), not produced by calling fmt.num.


def test_extra_digits_reach_signed_vec_and_mat():
    assert fmt.signed(-0.434168, 4, 1) == "(-0.43417)"
    assert fmt.signed(0.434168, 4, 1) == "0.43417"
    assert fmt.vec([0.434168, -0.0050674], 4, 2) == \
        r"\begin{bmatrix} 0.434168 & -0.005067 \end{bmatrix}"
    assert fmt.mat([[0.434168, 0.5], [-0.0050674, 1.0]], 4, 1) == \
        r"\begin{bmatrix} 0.43417 & 0.5 \\ -0.00507 & 1 \end{bmatrix}"
    # and no extra digit unless asked for
    assert fmt.vec([0.434168], 4) == r"\begin{bmatrix} 0.4342 \end{bmatrix}"
    assert fmt.signed(-0.434168, 4) == "(-0.4342)"
    assert fmt.written(0.434168, 4) == 0.4342


@pytest.mark.parametrize("value, decimals, extra, read", [
    (0.434168, 4, 0, 0.4342),
    (0.434168, 4, 1, 0.43417),
    (-0.434168, 4, 2, -0.434168),
    (0.7, 4, 3, 0.7),
    (2.5339e-5, 4, 0, 2.534e-5),       # a power of ten read back as one
    (2.5339e-5, 4, 1, 2.5339e-5),
    (-1.5e-10, 9, 0, -1.5e-10),
])
def test_written_is_the_number_as_the_page_writes_it(value, decimals, extra, read):
    assert fmt.written(value, decimals, extra) == read


@pytest.mark.parametrize("value, shown", [(1.0, "1.00"), (-2.0, "-2.00"), (0.0, "0"),
                                          (-0.0, "0"), (999.4, "999"), (0.5, "0.500")])
def test_sig_writes_its_digits_even_for_round_values(value, shown):
    assert fmt.sig(value) == shown


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_sig_refuses_non_finite(bad):
    with pytest.raises(ValueError, match="non-finite"):
        fmt.sig(bad)


# --- extra_digits: matrices, the search's ends, the float-noise allowance --------------


def _first_landing(formula, x, decimals=4, up_to=12) -> int:
    """The fewest extra digits at which the line lands, by `_lands` (no cap)."""
    return next(k for k in range(up_to) if _lands(formula, [x], formula(x), decimals, k))


@pytest.mark.parametrize("scale", [1e2, 1e3, 1e4, 1e5, 1e6, 1e7])
def test_extra_digits_is_the_first_landing_up_to_the_cap(scale):
    """An input multiplied by `scale` needs about log10(scale) more digits; beyond
    MOST_EXTRA the line is left at MOST_EXTRA (the arithmetic test reports it)."""
    x = 0.123456789123
    need = _first_landing(lambda v: scale * v, x)
    assert fmt.extra_digits(lambda v: scale * v, [x], scale * x, 4) == min(need, fmt.MOST_EXTRA)


def test_extra_digits_on_a_two_by_two_matrix():
    """Each entry against its own result: a transposed or flattened pairing would miss."""
    W = np.array([[0.6, -0.5], [0.25, 0.125]])
    G = np.array([[0.43416817, -2.5339e-3], [0.1234567, 0.98765432]])
    k = fmt.extra_digits(lambda w, g: w - 10 * g, [W, G], W - 10 * G, 4)
    need = next(j for j in range(12) if all(
        _lands(lambda g, w=w: w - 10 * g, [g], w - 10 * g, 4, j)
        for w, g in zip(W.ravel(), G.ravel())))
    assert k == need and k >= 1


@pytest.mark.parametrize("result, inside, lands", [
    (0.1, 1.5e-12, True),         # inside the half unit by more than the float noise
    (0.1, 0.5e-12, False),        # within float noise of the halfway point: ambiguous
    (0.1, 0.0, False),            # exactly halfway: a reader could round either way
    (0.1, -1e-9, False),          # beyond the half unit
    (1000.25, 2e-9, True),        # noise scales with the value: 1e-12 · 1000
    (1000.25, 5e-10, False),
    (0.1, 2e-8, True),            # the noise is never more than a sliver (1e-3) of it
])
def test_extra_digits_refuses_a_halfway_result_and_float_noise_narrows_the_band(
        result, inside, lands):
    """A line whose formula gives the written result plus half a unit minus `inside`:
    it lands only strictly inside the half unit, by more than the float noise."""
    got = result + 0.5e-4 - inside
    k = fmt.extra_digits(lambda x: got, [0.5], result, 4)
    assert (k == 0) == lands


def test_extra_digits_with_the_callers_formats():
    """result_format / input_format: the page's own way of writing a line's numbers."""
    # 1000·0.43416817 = 434.16817: written "434.2" (result_format), inputs at 4 places
    # land (434.2); written at the page's 4 places, "434.1682", they need more digits
    times_1000 = lambda a: 1000 * a  # noqa: E731
    assert fmt.extra_digits(times_1000, [0.43416817], 434.16817, 4,
                            result_format=lambda v: f"{v:.1f}") == 0
    assert fmt.extra_digits(times_1000, [0.43416817], 434.16817, 4) == \
        _first_landing(times_1000, 0.43416817) >= 2
    # an input format that always writes 2 places: no extra digit helps, so the cap
    two_places = lambda v, k: f"{v:.2f}"  # noqa: E731
    assert fmt.extra_digits(lambda a: 1000 * a, [0.43416817], 434.16817, 4,
                            input_format=two_places) == fmt.MOST_EXTRA


@pytest.mark.parametrize("rows, extra, shown", [
    # all entries small: each keeps its own significant digits, no rewrite
    ([[2.5339e-5, -3.7e-4]], 0,
     r"\begin{bmatrix} 2.534 \times 10^{-5} & -3.7 \times 10^{-4} \end{bmatrix}"),
    # 9.99996e-5 rounds up to the next power of ten: still 4 significant digits
    ([[9.99996e-5, 2.5339e-5]], 0,
     r"\begin{bmatrix} 1.000 \times 10^{-4} & 2.534 \times 10^{-5} \end{bmatrix}"),
    # a zero among small entries writes "0" and does not count as fixed decimals
    ([[0.0, 9.99996e-5]], 0, r"\begin{bmatrix} 0 & 1.000 \times 10^{-4} \end{bmatrix}"),
    # mixed, with extra digits: fixed decimals, each entry with its extra digit
    ([[0.434168, 2.5339e-5]], 1, r"\begin{bmatrix} 0.43417 & 0.000025339 \end{bmatrix}"),
])
def test_mat_power_of_ten_rule(rows, extra, shown):
    assert fmt.mat(rows, 4, extra) == shown


@pytest.mark.parametrize("value, decimals", [
    (0.661503, 4), (0.7, 4), (-0.0, 4), (1.0, 4), (2.5339e-5, 4), (-0.00037, 4),
    (0.6999 - 0.7007, 4), (1e-6, 2), (0.50015, 4), (-1.36925, 4), (9.9996e-4, 4),
    (0.593269992, 9), (1.5e-7, 9), (1.5123456789e-10, 9), (123.456789, 2),
])
def test_the_notebook_text_and_the_page_write_the_same_digits(value, decimals):
    """precision.text (the notebook) and fmt.num (the pages) are one rule."""
    from backprop_core.precision import text
    latex = fmt.num(value, decimals)
    mantissa, _, exponent = latex.partition(r" \times 10^{")
    assert text(value, decimals) == (f"{mantissa}e{exponent.rstrip('}')}" if exponent
                                     else latex)


# --- Plan: one text per value on a page --------------------------------------------------


def _exact_line_lands(formula, input_texts, result_text) -> bool:
    """Independent of fmt: the line evaluated in fractions on the texts as written."""
    from fractions import Fraction
    got = formula(*(Fraction(t) for t in input_texts))
    result = Fraction(result_text)
    places = len(result_text.split(".")[1]) if "." in result_text else 0
    return abs(got - result) < Fraction(1, 2 * 10 ** places)


def test_plan_gives_the_layer_1_chain_one_text_per_value():
    """The hidden-layer page's chain: δ_h = ∂E/∂h_out · σ′, ∂E/∂W = x · δ_h, ΔW = −η ∂E/∂W.
    Each value gets one text, and each line is true on those texts."""
    dh_out, slope = 0.11315339852325747, 0.2239167295674658
    delta = dh_out * slope
    grad = 0.2 * delta
    step = -0.02 * grad
    plan = fmt.Plan(4)
    plan.line(lambda a, b: a * b, [dh_out, slope], delta)
    plan.line(lambda d: 0.2 * d, [delta], grad)
    plan.line(lambda g: -0.02 * g, [grad], step)
    plan.solve()
    texts = {name: plan.write(v) for name, v in
             (("dh_out", dh_out), ("slope", slope), ("delta", delta), ("grad", grad))}
    assert texts == {"dh_out": "0.11315", "slope": "0.22392", "delta": "0.025337",
                     "grad": "0.005067"}
    assert plan.write(step) == r"-1.013 \times 10^{-4}"
    assert _exact_line_lands(lambda a, b: a * b, [texts["dh_out"], texts["slope"]],
                             texts["delta"])
    assert _exact_line_lands(lambda d: Fraction_2 * d, [texts["delta"]], texts["grad"])
    assert _exact_line_lands(lambda g: -Fraction_002 * g, [texts["grad"]], "-0.0001013")


def test_plan_starts_a_planned_value_at_four_significant_digits():
    plan = fmt.Plan(4)
    assert plan.write(0.05740123) == "0.05740" and plan.write(0.56576699) == "0.5658"
    assert plan.write(0.0574) == "0.0574"  # exact: no padding
    plan = fmt.Plan(4, given=[0.05740123])
    plan.line(lambda v: v, [0.1], 0.05740123)  # a line computes it: it stays given
    plan.solve()
    assert plan.write(0.05740123) == "0.0574"


def test_a_given_value_computed_on_the_page_keeps_its_digits_and_a_line_adds_its_own():
    """The forward page: o_out,1 is computed there (0.4342), and the loss line needs
    it with a fifth digit; only that line writes it so."""
    import math
    o = 0.4342330098
    plan = fmt.Plan(4, given=[o, -math.log(o)])
    plan.line(lambda p: p, [0.4342330098], o)           # the line that computes it
    plan.line(lambda p: -math.log(p), [o], -math.log(o))  # E = −ln o_out,1
    plan.solve()
    assert plan.write(o) == "0.4342"
    assert plan.local(lambda p: -math.log(p), [o], -math.log(o)) == 1
    assert plan.write(o, 1) == "0.43423"


def test_plan_raises_only_the_matrix_entry_that_misses():
    """A matrix line whose one entry misses raises that entry, not its neighbours."""
    grads = np.array([0.0050673878, 0.0024743532])
    plan = fmt.Plan(4)
    plan.line(lambda g: -0.02 * g, [grads], -0.02 * grads)
    plan.solve()
    assert [plan.write(g) for g in grads] == ["0.005067", "0.0024744"]
    for g in ("0.005067", "0.0024744"):
        exact = -0.02 * grads[0 if g == "0.005067" else 1]
        assert _exact_line_lands(lambda v: -Fraction_002 * v, [g], fmt.num(exact, 4, fixed=True))


Fraction_2 = __import__("fractions").Fraction(2, 10)
Fraction_002 = __import__("fractions").Fraction(2, 100)
