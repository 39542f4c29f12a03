"""Every number of the article, read back out of the built HTML, against the engine.

Forward: each value the engine's trace (`python -m backprop_core trace --json`) holds
for a page appears in that page's math at the example's display precision.
Reverse: each decimal in a page's math is a value the engine produced (the trace, the
per-weight chain-rule views, the comparison run with the other hidden activation),
so no stale, mistyped or invented number can hide on a page.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pytest

from backprop_core import Network, load_example, step

from sitecheck import (ARTICLE_PAGES, EXAMPLES, decimals_of, leaves, math_sources,
                       math_tokens, parse_tokens, shows)

ALL = (*EXAMPLES, "largest", "tiny", "zeros")


def pick(trace: dict, dotted: str):
    value = trace
    for part in dotted.split("."):
        value = value[part]
    return value


def expected_fields(trace: dict) -> dict[str, list[str]]:
    """Which trace entries each article page must show."""
    frozen = not trace["network"]["update_biases"]
    out_bias = [] if frozen else ["params.b_o", "updated.b_o"]
    hid_bias = [] if frozen else ["params.b_h", "updated.b_h"]
    return {
        "index": ["x", "y", "params", "learning_rate"],
        "forward": ["x", "params", "forward", "losses", "loss"],
        "derivatives": ["forward.o_out", "backward.dh_out_dh_in", "backward.do_out_do_in",
                        "backward.dE_do_out", "backward.dE_do_in"],
        "output-layer": ["forward.h_out", "backward.dE_do_out", "backward.dE_do_in",
                         "gradients.W_ho", "gradients.b_o", "params.W_ho", "updated.W_ho",
                         "learning_rate", *out_bias],
        "hidden-layer": ["x", "params.W_ih", "params.W_ho", "backward.dE_do_in",
                         "backward.dE_dh_out", "backward.dh_out_dh_in", "backward.dE_dh_in",
                         "gradients.W_ih", "gradients.b_h", "updated.W_ih",
                         "learning_rate", *hid_bias],
        "wrap-up": ["params", "updated", "loss", "loss_after", "learning_rate"],
        "conclusion": ["backward.dh_out_dh_in", "loss", "loss_after"],
    }


@lru_cache(maxsize=None)
def engine_extras(path: str, sizes: tuple[int, int, int, int]) -> dict[str, list[float]]:
    """Engine values that the trace JSON does not list but the pages show.

    The chain-rule views of the walk-through weights (the original article's W_h2o1 and
    W_i2h1, index 0 for a single-unit layer) and their update steps, and the conclusion's
    comparison: the same
    step with the other hidden activation, and each layer's mean absolute gradient.
    """
    n_in, n_hidden, _, _ = sizes
    ex = load_example(path)
    s = ex.step()
    j = 1 if n_hidden > 1 else 0
    i = 1 if n_in > 1 else 0
    pho, pih = s.path_ho(j, 0), s.path_ih(i, 0)
    views = [*pho.stage1.ravel(), *pho.stage2.ravel(), *pho.stage12, *pho.stage3,
             *pho.per_example, pho.total, *pih.paths.ravel(), *pih.stage1, *pih.stage2,
             *pih.stage3, *pih.per_example, pih.total,
             # every hidden unit's paths δ_o,c · W_ho[j, c] (the walk-through and the others)
             *(s.backward.dE_do_in[:, None, :] * s.params.W_ho[None, :, :]).ravel(),
             # the step ΔW = −η·∂E/∂W of every parameter's update
             *(-s.learning_rate * np.concatenate([np.ravel(g) for g in
                                                   (s.grads.W_ih, s.grads.b_h,
                                                    s.grads.W_ho, s.grads.b_o)])),
             # the conclusion's average sizes: inputs, hidden outputs, stages
             float(np.mean(np.abs(s.x))), float(np.mean(np.abs(s.forward.h_out))),
             *(float(np.mean(np.abs(a))) for a in (s.backward.dE_do_in,
                                                   s.backward.dE_dh_out,
                                                   s.backward.dE_dh_in))]
    views += after_forward(ex, s)
    other = "relu" if ex.network.hidden_activation != "relu" else "sigmoid"
    alt = step(Network(other, ex.network.output, ex.network.update_biases), ex.params,
               ex.x, ex.y, ex.learning_rate)

    def gap(st):
        ho = float(np.mean(np.abs(st.grads.W_ho)))
        ih = float(np.mean(np.abs(st.grads.W_ih)))
        return [ho, ih, ho / ih]

    spread = float(np.mean(np.abs(s.params.W_ho[:, -1] - s.params.W_ho[:, 0])))
    conclusion = [*gap(s)[:2], *gap(alt)[:2], alt.loss, alt.loss_after]
    # shown only where the page compares the runs factor by factor (allowed, not
    # required): the other run's hidden outputs, the output weights' spread, and the
    # other run's three factors
    optional = [float(np.mean(np.abs(alt.forward.h_out))), spread]
    # Derived figures the conclusion writes with three significant digits (fmt.sig): the
    # two ratios, their quotient, and the ratio's three factors (computed here from the
    # engine's arrays, independently of scripts/article.py).
    b = s.backward
    d_o, d_hout, d_h = (float(np.mean(np.abs(a))) for a in (b.dE_do_in, b.dE_dh_out, b.dE_dh_in))
    ho, ih, ratio = gap(s)
    derived = [ratio, gap(alt)[2], ratio / gap(alt)[2]]
    optional_derived = []
    for st in (s, alt):  # each run's three factors, compared on the conclusion
        sb = st.backward
        g_o, g_hout, g_h = (float(np.mean(np.abs(a)))
                            for a in (sb.dE_do_in, sb.dE_dh_out, sb.dE_dh_in))
        st_ho, st_ih, _ = gap(st)
        if st_ih and g_o and g_hout and g_h:
            (derived if st is s else optional_derived).extend(
                [(st_ho / g_o) / (st_ih / g_h), g_o / g_hout, g_hout / g_h])
    if spread:
        optional_derived.append(1 / spread)
    derived = [float(v) for v in derived if np.isfinite(v) and v != 0]
    return {"views": [float(v) for v in views], "conclusion": conclusion,
            "derived": derived, "optional": optional,
            "optional_derived": [float(v) for v in optional_derived if np.isfinite(v)]}


def after_forward(ex, s) -> list[float]:
    """The wrap-up's second forward pass, recomputed here with numpy from the updated
    parameters (not the engine's `Step.after`): h_in⁺, h_out⁺, o_in⁺, o_out⁺."""
    u = s.updated
    h_in = ex.x @ u.W_ih + u.b_h
    h_out = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
             "relu": lambda z: np.maximum(z, 0.0)}[ex.network.hidden_activation](h_in)
    o_in = h_out @ u.W_ho + u.b_o
    if ex.network.output == "softmax_cross_entropy":
        z = np.exp(o_in - o_in.max(axis=1, keepdims=True))
        o_out = z / z.sum(axis=1, keepdims=True)
    else:
        o_out = 1 / (1 + np.exp(-o_in))
    return [float(v) for a in (h_in, h_out, o_in, o_out) for v in a.ravel()]


def shows_derived(token, value: float) -> bool:
    """A derived figure in prose: at least three significant digits, each one right."""
    digits = len(token.text.lstrip("-").replace(".", "").lstrip("0"))
    return digits >= 3 and abs(token.value - value) <= 0.5 * 10.0 ** (-token.decimals) * (1 + 1e-9)


def extras_for(sites, name: str) -> dict[str, list[float]]:
    trace = sites.trace(name)
    z = trace["sizes"]
    return engine_extras(str(sites.example_file(name)),
                         (z["n_in"], z["n_hidden"], z["n_out"], z["m"]))


# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_every_engine_value_is_on_its_page(sites, name, page):
    trace = sites.trace(name)
    d = decimals_of(sites, name)
    tokens = math_tokens(sites.page(name, page))
    assert tokens, f"{page}: no math found"
    wanted = [(field, v) for field in expected_fields(trace)[page]
              for v in leaves(pick(trace, field))]
    if page == "conclusion":
        wanted += [("conclusion", v) for v in extras_for(sites, name)["conclusion"]]
        wanted += [("derived", v) for v in extras_for(sites, name)["derived"]]
    missing = [(field, v) for field, v in wanted
               if not any(shows_derived(t, v) if field == "derived" else shows(t, v, d)
                          for t in tokens)]
    assert not missing, (f"{name}/{page}: {len(missing)} of {len(wanted)} engine values "
                         f"not shown, e.g. {missing[:5]}")


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_every_decimal_on_the_page_is_an_engine_value(sites, name, page):
    trace = sites.trace(name)
    d = decimals_of(sites, name)
    extras = extras_for(sites, name)
    allowed = leaves(trace) + extras["views"] + extras["conclusion"] + extras["optional"]
    strays = [t.text for t in math_tokens(sites.page(name, page))
              if t.is_decimal and not any(shows(t, v, d) for v in allowed)
              and not any(shows_derived(t, v)
                          for v in extras["derived"] + extras["optional_derived"])]
    assert not strays, f"{name}/{page}: decimals that are no engine value: {strays[:10]}"


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_small_values_keep_significant_digits(sites, name, page):
    """No 0.0000, and no value below 10^-(d-1) rounded to d decimals (one digit left).

    A short exact value such as 0.001 is fine: its few digits are all there is. A small
    value in fixed decimals (in a matrix of fixed decimals) keeps d significant digits:
    0.0001096, never 0.0001.
    """
    d = decimals_of(sites, name)

    def significant(text: str) -> int:
        return len(text.lstrip("-").replace(".", "").lstrip("0"))

    bad = [t.text for t in math_tokens(sites.page(name, page)) if t.is_decimal and
           (t.value == 0 or (not t.scientific and t.decimals >= d
                             and abs(t.value) < 10.0 ** (-(d - 1))
                             and significant(t.text) < d))]
    assert not bad, f"{name}/{page}: misleadingly rounded small values {bad[:10]}"


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_negative_numbers_after_an_operator_are_parenthesised(sites, name, page):
    clash = re.compile(r"(?:\+|\s-|\\cdot|\\odot)\s+-\d")
    bad = [src for src in math_sources(sites.page(name, page)) if clash.search(src)]
    assert not bad, f"{name}/{page}: ambiguous signs in {bad[0][:200]}"


def test_a_value_too_small_for_its_decimals_is_shown_scientifically(sites):
    """The tiny example's ∂E/∂W_ih entries are below 10^-3, shown at 4 decimals."""
    trace = sites.trace("tiny")
    tiny = [v for v in leaves(trace["gradients"]["W_ih"]) if 0 < abs(v) < 1e-3]
    assert len(tiny) == 4
    tokens = math_tokens(sites.page("tiny", "hidden-layer"))
    for v in tiny:
        assert any(t.scientific and shows(t, v, 4) for t in tokens), v


def test_sums_that_are_exactly_zero_are_shown_as_zero(sites):
    """Worked by hand from the example as written: h_in,1 = 0.1·0.2 + 0.2·0.4 − 0.1 = 0,
    so ReLU gives h_out,1 = 0 and, at its kink, the derivative 0 (the article's
    convention); ∂E/∂h_out,3 = 0.5·δ₁ + 0.5·δ₂ = 0 since δ₂ = −δ₁. Zero reaches every
    layer-1 gradient of those units: column 1 of ∂E/∂W_ih (its h_in is at the kink)
    and column 3 (no error reaches it), and their biases."""
    trace = sites.trace("zeros")
    assert trace["forward"]["h_in"][0][0] == 0.0
    assert trace["forward"]["h_out"][0][0] == 0.0
    assert [row[0] for row in trace["gradients"]["W_ih"]] == [0.0, 0.0]
    assert [row[2] for row in trace["gradients"]["W_ih"]] == [0.0, 0.0]
    assert trace["gradients"]["b_h"][0] == 0.0 and trace["gradients"]["b_h"][2] == 0.0
    assert all(v != 0.0 for v in trace["gradients"]["W_ho"][1])   # the others move
    for page in ARTICLE_PAGES:
        residue = [t.text for t in math_tokens(sites.page("zeros", page))
                   if t.value != 0 and abs(t.value) < 1e-12]
        assert not residue, f"zeros/{page}: rounding residue shown as a value: {residue[:5]}"


@pytest.mark.parametrize("name", ALL)
def test_walkthroughs_follow_the_original_weights(sites, name):
    """W_h2o1 and W_i2h1 (index 1 falls back to 1 for a single-unit layer)."""
    z = sites.trace(name)["sizes"]
    h = 2 if z["n_hidden"] > 1 else 1
    i = 2 if z["n_in"] > 1 else 1
    assert f"W_{{h_{h}o_1}}" in " ".join(math_sources(sites.page(name, "output-layer")))
    assert f"W_{{i_{i}h_1}}" in " ".join(math_sources(sites.page(name, "hidden-layer")))


def test_frozen_biases_are_stated_not_updated(sites):
    trace = sites.trace("mazur-2015")
    assert not trace["network"]["update_biases"]
    for page in ("output-layer", "hidden-layer", "wrap-up"):
        html = sites.page("mazur-2015", page)
        assert "frozen" in html, page
        math = " ".join(math_sources(html))
        assert not re.search(r"b_[oh]'\s*&?=\s*b_[oh]\s*-", math), page


def test_squared_error_pages_say_so(sites):
    forward = sites.page("mazur-2015", "forward")
    derivatives = sites.page("mazur-2015", "derivatives")
    assert "The loss is the squared error" in forward
    assert "The loss is the cross-entropy" not in forward
    assert "diagonal Jacobian" in derivatives


def test_loss_falls_and_pages_show_both_values(sites):
    trace = sites.trace("default")
    assert trace["loss_after"] < trace["loss"]
    tokens = math_tokens(sites.page("default", "wrap-up"))
    assert any(shows(t, trace["loss"], 4) for t in tokens)
    assert any(shows(t, trace["loss_after"], 4) for t in tokens)
    assert "The loss fell" in sites.page("default", "wrap-up")


@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_numbers_in_prose_are_typeset_as_math_too(sites, page):
    """A decimal outside the math would escape the checks above.

    Figures are left out: their numbers are SVG text with tests of their own
    (tests/test_figures.py).
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(sites.page("batch-3-4-3", page), "html.parser")
    content = soup.select_one("article")
    for el in content.select(".arithmatex, script, style, pre, code, figure"):
        el.decompose()
    strays = re.findall(r"(?<![\w.])\d*\.\d+", content.get_text(" "))
    assert not strays, f"{page}: decimals outside math: {strays[:5]}"


@pytest.mark.parametrize("name", ALL)
def test_wrap_up_works_the_second_forward_pass(sites, name):
    """"Did the step help?" shows every value of the forward pass on the updated
    parameters, not only the loss after it."""
    ex = load_example(str(sites.example_file(name)))
    d = decimals_of(sites, name)
    tokens = math_tokens(sites.page(name, "wrap-up"))
    missing = [v for v in after_forward(ex, ex.step())
               if not any(shows(t, v, d) for t in tokens)]
    assert not missing, f"{name}: {len(missing)} values of the second forward pass missing"


def matrix_notation_faults(html: str, decimals: int) -> list[str]:
    """Matrices that mix powers of ten into fixed decimals, or write with a power of
    ten an entry that fixed decimals show (the 2018 page's difference row, all
    powers of ten because one entry was small: -2 × 10⁻³ for -0.002)."""
    bad = []
    for src in math_sources(html):
        for body in re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", src, re.S):
            tokens = [t for t in parse_tokens(body) if t.value != 0]
            powers = [t for t in tokens if t.scientific]
            if powers and len(powers) != len(tokens):
                bad.append(f"mixed: {body.strip()[:120]}")
            elif any(abs(t.value) >= 10.0 ** (-(decimals - 1)) for t in powers):
                bad.append(f"a power of ten for a fixed-decimal value: {body.strip()[:120]}")
    return bad


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("page", (*ARTICLE_PAGES, "hand-calculation-2018", "check"))
def test_a_matrix_writes_one_notation(sites, name, page):
    if page in ("hand-calculation-2018", "check") and name != "default":
        pytest.skip("the published pages are the same for every example")
    bad = matrix_notation_faults(sites.page(name, page), decimals_of(sites, name))
    assert not bad, f"{name}/{page}: {bad[:3]}"


def test_the_notation_check_sees_the_old_2018_difference_row():
    old = (r'<div class="arithmatex">\(\begin{bmatrix} -8 \times 10^{-4} & -2 \times 10^{-3}'
           r' \\ -1.6 \times 10^{-3} & -4.1 \times 10^{-3} \end{bmatrix}\)</div>')
    assert len(matrix_notation_faults(old, 4)) == 1
    new = (r'<div class="arithmatex">\(\begin{bmatrix} -0.0008 & -0.002 \\ -0.0016 & -0.0041'
           r' \end{bmatrix}\)</div>')
    assert matrix_notation_faults(new, 4) == []
    mixed = r'<div class="arithmatex">\(\begin{bmatrix} 0.5 & 2 \times 10^{-5} \end{bmatrix}\)</div>'
    assert matrix_notation_faults(mixed, 4)
