"""The article's pages, rendered in this process, read back by the site tests' checks.

tests/site builds whole sites (minutes, in a subprocess); these tests render each page
of each example in this process (tests/pages_inprocess.py, ~0.05 s a page) and run the
site tests' own check functions on the HTML, unchanged: every engine value is on its
page and every decimal on a page is an engine value (test_numbers.py), every
substituted line is calculator-true (test_arithmetic.py), an update uses the gradient
as the page stated it (test_update_inputs.py), the conclusion's factors
(test_conclusion_factors.py), and the site-wide scans of test_static.py. The reference
is the engine's CLI trace, run in this process; tests/test_pages_hand.py checks the
pages against a hand calculation as well.

Examples: the site tests' seven and three more (`pages_inprocess.MORE`), so that every
branch of the pages is rendered: each hidden activation, each output type, frozen
biases, m = 1 and m > 1, single-unit layers, 3 to 9 decimals.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages_inprocess as P  # noqa: E402  (puts tests/site and scripts/ on sys.path)
from inprocess import shared_scope  # noqa: E402

import test_arithmetic as arithmetic  # noqa: E402  (tests/site)
import test_conclusion_factors as conclusion  # noqa: E402
import test_numbers as numbers  # noqa: E402
import test_static as static  # noqa: E402
import test_update_inputs as update_inputs  # noqa: E402
from sitecheck import ARTICLE_PAGES, math_sources  # noqa: E402

ALL = P.ALL_EXAMPLES
OTHER_PAGES = ("check", "hand-calculation-2018", "mazur-2015")


@pytest.fixture(scope=shared_scope)
def pages(tmp_path_factory) -> P.InProcessSites:
    return P.InProcessSites(tmp_path_factory.mktemp("pages"))


# ---------------------------------------------------------------------------------------
# tests/site/test_numbers.py


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_every_engine_value_is_on_its_page(pages, name, page):
    numbers.test_every_engine_value_is_on_its_page(pages, name, page)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_every_decimal_on_the_page_is_an_engine_value(pages, name, page):
    numbers.test_every_decimal_on_the_page_is_an_engine_value(pages, name, page)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_small_values_keep_significant_digits(pages, name, page):
    numbers.test_small_values_keep_significant_digits(pages, name, page)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_negative_numbers_after_an_operator_are_parenthesised(pages, name, page):
    numbers.test_negative_numbers_after_an_operator_are_parenthesised(pages, name, page)


def test_a_value_too_small_for_its_decimals_is_shown_scientifically(pages):
    numbers.test_a_value_too_small_for_its_decimals_is_shown_scientifically(pages)


def test_sums_that_are_exactly_zero_are_shown_as_zero(pages):
    numbers.test_sums_that_are_exactly_zero_are_shown_as_zero(pages)


@pytest.mark.parametrize("name", ALL)
def test_walkthroughs_follow_the_original_weights(pages, name):
    numbers.test_walkthroughs_follow_the_original_weights(pages, name)


def test_frozen_biases_are_stated_not_updated(pages):
    numbers.test_frozen_biases_are_stated_not_updated(pages)


def test_squared_error_pages_say_so(pages):
    numbers.test_squared_error_pages_say_so(pages)


def test_loss_falls_and_pages_show_both_values(pages):
    numbers.test_loss_falls_and_pages_show_both_values(pages)


@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_numbers_in_prose_are_typeset_as_math_too(pages, page):
    numbers.test_numbers_in_prose_are_typeset_as_math_too(pages, page)


@pytest.mark.parametrize("name", ALL)
def test_wrap_up_works_the_second_forward_pass(pages, name):
    numbers.test_wrap_up_works_the_second_forward_pass(pages, name)


# ---------------------------------------------------------------------------------------
# tests/site/test_arithmetic.py, test_update_inputs.py, test_conclusion_factors.py


@pytest.mark.parametrize("name", ALL)
def test_substitutions_are_calculator_true(pages, name):
    arithmetic.test_substitutions_are_calculator_true(pages, name)


def test_published_and_check_pages_are_calculator_true(pages):
    arithmetic.test_published_and_check_pages_are_calculator_true(pages)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("page", ["output-layer", "hidden-layer"])
def test_update_lines_use_the_gradient_as_shown_above(pages, name, page):
    update_inputs.test_update_lines_use_the_gradient_as_shown_above(pages, name, page)


def test_the_activation_change_splits_into_the_three_factors(pages):
    conclusion.test_the_activation_change_splits_into_the_three_factors(pages)


@pytest.mark.xfail(reason="a result exactly halfway between two d-decimal numbers is "
                   "written rounded (-0.2555 as -0.256): not calculator-true by the "
                   "site's rule; a page bug in scripts/article.py/fmt.py, for ART/the lead",
                   strict=False)
def test_a_result_exactly_halfway_is_not_rounded_either_way(pages):
    arithmetic.test_substitutions_are_calculator_true(pages, "tie")


# ---------------------------------------------------------------------------------------
# tests/site/test_static.py: its scans over a page's HTML


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("page", ARTICLE_PAGES + OTHER_PAGES)
def test_no_unrendered_template_and_no_nan_or_inf(pages, name, page):
    text = static.visible_text(pages.page(name, page))
    for marker in ("{{", "{%", "%}", "{#"):  # "}}" closes LaTeX groups too
        assert marker not in text, f"{name}/{page}: unrendered {marker!r}"
    bad = re.findall(r"\b(?:nan|inf|infinity)\b", text, re.I)
    assert not bad, f"{name}/{page}: {bad}"


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("page", ARTICLE_PAGES + OTHER_PAGES)
def test_a_prime_is_a_derivative_and_every_index_letter_has_one_meaning(pages, name, page):
    """test_static's rules for primes, index letters and the lone e, page by page."""
    html = pages.page(name, page)
    for tex in math_sources(html):
        left = static.DERIVATIVE_PRIME.sub("", tex)
        assert "'" not in left and "′" not in left, (page, tex[:200])
        body = re.sub(r"\\(?:text|operatorname|begin|end)\{[^}]*\}", "", tex)
        assert not static.LONE_E.search(body), (page, tex[:200])
        assert "^{(e)}" not in tex and "\\sum_e" not in tex, (page, tex[:200])
        for meaning, pattern in static.INDEXED.items():
            found = set(pattern.findall(body)) - static.LETTERS[meaning]
            assert not found, (page, meaning, found, tex[:200])
    text = static.DERIVATIVE_PRIME_TEXT.sub("", static.visible_text(html))
    assert "′" not in text, page


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_softmax_and_sigmoid_are_lower_case_and_no_lhs_stands_alone(pages, name, page):
    html = pages.page(name, page)
    article = BeautifulSoup(html, "html.parser").select_one("article")
    text = " ".join(article.get_text(" ").split())
    assert not re.findall(r"[a-z,] (?:Softmax|Sigmoid)\b", text), page
    for tex in math_sources(html):
        for block in static.ALIGNED.findall(tex):
            body = re.sub(r"\\begin\{bmatrix\}.*?\\end\{bmatrix\}", "M", block, flags=re.S)
            rows = [r.strip() for r in static.ALIGNED_ROW.split(body)]
            for above, row in zip(rows, rows[1:]):
                assert "&" in above or not row.startswith("&="), (page, above[:120])


def test_the_home_page_counts_the_posts_wrong_values_from_the_data(pages):
    static.test_the_home_page_counts_the_posts_wrong_values_from_the_data(pages)


def test_the_sources_are_plain_links_to_their_addresses(pages):
    static.test_the_sources_are_plain_links_to_their_addresses(pages)


# ---------------------------------------------------------------------------------------
# The renderer itself


def test_the_renderer_gives_the_pages_what_define_env_gives(monkeypatch, tmp_path):
    """Every variable and macro of scripts/macros.py's define_env, and no other.

    define_env is run with a stand-in env, its slow parts (drawing the figures, the
    practice variants, the notebook's cache) replaced by stand-ins that record the call.
    """
    if "MUTANT_UNDER_TEST" in __import__("os").environ:
        pytest.skip("define_env re-imports the page modules; not under mutation testing")
    import macros

    monkeypatch.setattr(macros, "_modules", lambda: (P.article, P.article.fmt))
    monkeypatch.setattr(P.figures, "build", lambda *a, **k: "figures")
    monkeypatch.setattr(P.practice, "build_all", lambda *a, **k: "practice")
    monkeypatch.setattr(sys.modules["notebook_page"] if "notebook_page" in sys.modules
                        else __import__("notebook_page"), "use_content_cache",
                        lambda *a, **k: None)
    monkeypatch.setenv("BACKPROP_EXAMPLE", str(P.ROOT / "examples" / "relu.toml"))
    env = P.stand_in_env()
    macros.define_env(env)
    mine = P.PageVariables(P.ROOT / "examples" / "relu.toml")
    assert set(env.variables) | set(env.macros) == mine.names()
    # the same values where they are plain values
    for name in ("example_title", "example_path", "shown_decimals", "practice_seeds",
                 "practice_learning_rate"):
        assert env.variables[name] == mine.value(name, ""), name
    assert env.variables["a"].example.network == mine.art.example.network


def test_rendering_is_fast_and_complete(pages):
    """Every page of an example: well under a second each, MathJax's delimiters and
    the page's title in the HTML."""
    import time

    for page in ARTICLE_PAGES + OTHER_PAGES:
        start = time.process_time()
        html = P.render_page(page, pages.variables("batch-3-4-3"))
        assert time.process_time() - start < 1.0, page
        assert "<h1" in html and '<div class="arithmatex">\\[' in html, page


def test_a_page_using_an_unknown_name_fails(pages):
    with pytest.raises(Exception, match="no_such_value"):
        P.render_markdown("$E = {{ a.s.no_such_value }}$", pages.variables("default"), "")


def test_the_page_modules_are_dropped_only_when_macros_imported_them():
    """macros._modules drops article, published, practice and backprop_core.* when the
    code changed under `mkdocs serve`. It once also dropped them when a test process had
    imported them itself (no stamp): the engine's classes then existed twice, and the
    practice page's check that an example is the 2018 post's start failed (the suite
    lost the 2018 values' names, depending on which tests ran before in that worker)."""
    import macros

    saved = dict(sys.modules)
    article_mod = sys.modules["article"]
    engine = sys.modules["backprop_core.example"]
    had = article_mod.__dict__.pop("_source_stamp", None)
    try:
        assert macros._modules()[0] is article_mod                 # unstamped: kept
        assert sys.modules["backprop_core.example"] is engine
        assert macros._modules()[0] is article_mod                 # stamped, same code
        article_mod._source_stamp = -1.0                           # the code "changed"
        assert macros._modules()[0] is not article_mod             # dropped, fresh
        assert sys.modules["backprop_core.example"] is not engine
    finally:
        # the session's modules back, so later tests share one set of classes
        sys.modules.clear()
        sys.modules.update(saved)
        if had is None:
            article_mod.__dict__.pop("_source_stamp", None)
        else:
            article_mod._source_stamp = had
