"""scripts/fmt.py (how a number looks) and scripts/article.py (limits, walk-throughs, cache)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from sitecheck import ROOT

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
    text = fmt.mat([[-7.507e-4, -0.00204], [-0.00163, 0.41]], 4)
    entries = text.split("bmatrix}")[1].replace("\\end{", "").replace("\\\\", "&").split("&")
    assert all("times" in e for e in entries), text
    assert r"-2.0 \times 10^{-3}" in text and r"4.1 \times 10^{-1}" in text  # 0.41: exact


@pytest.mark.parametrize("value, shown", [(133.8822, "134"), (4.2731, "4.27"),
                                          (31.3333, "31.3"), (0.012345, "0.0123")])
def test_sig_keeps_three_significant_digits(value, shown):
    assert fmt.sig(value) == shown


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
