"""The built site's notebook page, figures and "Check the numbers" page, per example.

Uses the session's site builds (`sites`, tests/site/conftest.py): every example is built
with scripts/build.py, all sharing the project's notebook and figure caches, and each
page is read back and compared with the engine's output (`python -m backprop_core trace
FILE --json`, and `backprop_core.gradient_check` for the finite differences). A cache
keyed on anything less than the example's content would serve one example's notebook
or figures in another example's site, and fail here.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import numpy as np
import pytest
from bs4 import BeautifulSoup

from backprop_core import gradient_check, load_example
from sitecheck import EXAMPLES, ROOT, parse_tokens, shows

sys.path.insert(0, str(ROOT / "tests"))
import test_figures as figure_checks  # noqa: E402  (helpers only, no tests imported)
import test_notebook as notebook_checks  # noqa: E402

import figures  # noqa: E402  (scripts/, put on sys.path by test_figures)

ALL = (*EXAMPLES, "largest")
FIGURE_PAGES = {"network": "forward", "gradients": "wrap-up", "loss": "wrap-up",
                "vanishing": "conclusion"}


def page_path(site: Path, page: str) -> Path:
    return site / "index.html" if page == "index" else site / page / "index.html"


# ---------------------------------------------------------------------------------------
# The notebook page


@pytest.mark.parametrize("name", ALL)
def test_notebook_page_shows_this_examples_numbers(sites, name):
    html = sites.page(name, "notebook")
    soup = BeautifulSoup(html, "html.parser")
    outputs = "\n".join(pre.get_text() for pre in soup.select(".jp-OutputArea-output pre"))
    assert "Error" not in outputs and "Traceback" not in outputs
    example = load_example(sites.example_file(name))
    labels = notebook_checks.check_outputs(outputs, sites.trace(name), example)
    assert notebook_checks.required_labels(example) <= labels


@pytest.mark.parametrize("name", EXAMPLES)
def test_notebook_page_carries_no_stand_alone_scripts_and_links_its_source(sites, name):
    html = sites.page(name, "notebook")
    assert '<script src="">' not in html
    assert "text/x-mathjax-config" not in html and "MathJax.Hub" not in html
    assert "mermaid.esm" not in html
    source = sites.site(name) / "notebook" / "notebook.py"
    assert source.read_bytes() == (ROOT / "docs" / "notebook.py").read_bytes()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one('.jp-RenderedMarkdown a[href="notebook.py"]') is not None
    # its math is left for the site's MathJax: TeX in the markdown cells, as text
    cells = " ".join(c.get_text() for c in soup.select(".jp-RenderedMarkdown"))
    assert re.search(r"\$h_\{in\} = ", cells)


# ---------------------------------------------------------------------------------------
# Figures


@pytest.mark.parametrize("name", ALL)
def test_every_figure_is_in_the_site_on_its_page_with_alt_text(sites, name):
    site = sites.site(name)
    for fig, page in FIGURE_PAGES.items():
        html = sites.page(name, page)
        soup = BeautifulSoup(html, "html.parser")
        figure = soup.select_one(f"figure#figure-{fig}")
        assert figure is not None, f"{name}: {page} has no figure {fig}"
        imgs = figure.select("img")
        assert sorted(urlsplit(i["src"]).fragment for i in imgs) == ["only-dark", "only-light"]
        base = f"http://site/{'' if page == 'index' else page + '/'}"
        for img in imgs:
            assert len(img.get("alt", "")) > 40, f"{name}/{fig}: alt text missing"
            rel = urlsplit(urljoin(base, img["src"])).path.lstrip("/")
            path = site / rel
            assert path.is_file(), f"{name}/{fig}: {img['src']} is not in the site"
            ET.fromstring(path.read_text(encoding="utf-8"))  # well-formed SVG
        assert figure.select_one("figcaption") is not None


@pytest.mark.parametrize("name", ALL)
def test_site_figures_carry_this_examples_numbers(sites, name):
    tr = sites.trace(name)
    decimals = load_example(sites.example_file(name)).decimals
    for fig, group in (("network", "params"), ("gradients", "gradients")):
        svg = (sites.site(name) / "figures" / f"{fig}-light.svg").read_text(encoding="utf-8")
        keyed = {t.get("data-key"): figure_checks.full_text(t)
                 for t in figure_checks.svg_texts(svg) if t.get("data-key")}
        assert sum(k.startswith(f"{group}.W_") for k in keyed) == \
            tr["sizes"]["n_hidden"] * (tr["sizes"]["n_in"] + tr["sizes"]["n_out"])
        for key, text in keyed.items():
            figure_checks.assert_shows(text, figure_checks.lookup(tr, key), decimals,
                                       f"{name} site {fig} {key}")
    loss = (sites.site(name) / "figures" / "loss-dark.svg").read_text(encoding="utf-8")
    marked = [t for t in figure_checks.texts_of(loss) if t.startswith("this page's step")]
    before, after = figure_checks.numbers_in(marked[0])
    figure_checks.assert_shows(before, tr["loss"], decimals, f"{name} loss")
    figure_checks.assert_shows(after, tr["loss_after"], decimals, f"{name} loss after")


def test_site_figures_differ_between_examples(sites):
    seen = {}
    for name in EXAMPLES:
        for fig in figures.FIGURES:
            svg = (sites.site(name) / "figures" / f"{fig}-light.svg").read_bytes()
            assert svg not in seen.values(), f"{name}/{fig} is the same as another site's"
            seen[(name, fig)] = svg


# ---------------------------------------------------------------------------------------
# "Check the numbers"


_NAME = re.compile(r"^(W|b)_\{(?:([iho])_(\d+)([ho])_(\d+)|([ho])_(\d+))\}$")


def _param(tex: str) -> tuple[str, tuple[int, ...]]:
    m = _NAME.match(tex.strip())
    assert m, f"unexpected parameter name {tex!r}"
    if m[1] == "W":
        return f"W_{m[2]}{m[4]}", (int(m[3]) - 1, int(m[5]) - 1)
    return f"b_{m[6]}", (int(m[7]) - 1,)


def _columns(soup) -> list[int]:
    """The check table's cells in the order parameter, g, g̃, |g − g̃|, relative error,
    whatever order the page shows them in (the differences come first, for a phone)."""
    header = [" ".join(th.get_text(" ").split()) for th in soup.select("table")[0].select("th")]

    def at(word: str) -> int:
        return next(i for i, h in enumerate(header) if word in h)

    return [0, at("backward pass"), at("finite difference"), at("rvert"), at("relative")]


def _decimal(tex: str):
    """A number as the page writes it, exactly (fixed, or with a power of ten)."""
    from decimal import Decimal
    (token,) = parse_tokens(tex)
    return Decimal(token.text.replace(r" \times 10^{", "e").rstrip("}").replace("−", "-"))


def _math(cell) -> str:
    text = cell.get_text().strip()
    assert text.startswith("\\(") and text.endswith("\\)"), text
    return text[2:-2]


@pytest.mark.parametrize("name", ALL)
def test_check_page_lists_every_parameter_with_the_engines_gradients(sites, name):
    tr = sites.trace(name)
    example = load_example(sites.example_file(name))
    g = gradient_check(example.network, example.params, example.x, example.y)
    soup = BeautifulSoup(sites.page(name, "check"), "html.parser")
    rows = soup.select("table")[0].select("tbody tr")
    order = _columns(soup)
    expected = {(p, idx) for p, v in tr["gradients"].items()
                for idx in np.ndindex(np.asarray(v).shape)}
    seen = set()
    for row in rows:
        cells = [row.select("td")[i] for i in order]
        param, idx = _param(_math(cells[0]))
        assert (param, idx) not in seen
        seen.add((param, idx))
        analytic = float(np.asarray(tr["gradients"][param])[idx])
        numeric = float(getattr(g.numeric, param)[idx])
        rel = float(getattr(g.rel_error, param)[idx])
        (a,), (n,), (d,), (r,) = (parse_tokens(_math(c)) for c in cells[1:5])
        assert abs(numeric - analytic) == 0 and d.value == 0 or \
            shows(d, abs(numeric - analytic), 2), f"{name}: |a - n| {d.text}"
        assert shows(a, analytic, 10), f"{name} {param}{idx}: shows {a.text}, engine {analytic}"
        assert shows(n, numeric, 10), f"{name} {param}{idx}: shows {n.text}, engine {numeric}"
        assert abs(n.value - analytic) <= 1e-6 * max(1.0, abs(analytic))
        assert rel == 0 and r.value == 0 or shows(r, rel, 2), f"{name}: rel {r.text} vs {rel}"
        assert r.value < 1e-6
    assert seen == expected


def test_check_page_summary_names_the_largest_error(sites):
    example = load_example(sites.example_file("default"))
    g = gradient_check(example.network, example.params, example.x, example.y)
    html = sites.page("default", "check")
    text = BeautifulSoup(html, "html.parser").get_text()
    m = re.search(r"The largest relative error is \\\((.+?)\\\)", text)
    assert m, "no summary line"
    (token,) = parse_tokens(m[1])
    assert shows(token, g.max_rel_error, 2)
    assert "That is rounding, not a mistake" in text
    assert "disagree beyond rounding" not in text


@pytest.mark.parametrize("name", ALL)
def test_check_page_rows_round_to_their_difference_with_one_width_per_column(sites, name):
    """Read back from the built table: each column of gradients has one number of
    decimals (b_{o_1} and b_{o_2}, exactly opposite, look alike), and each row's shown
    gradients, subtracted exactly, round to the shown |a − n| (strictly inside half a
    unit: 1.25e-10 shown as 1.2e-10 is a tie, not a result)."""
    from decimal import Decimal, localcontext

    soup = BeautifulSoup(sites.page(name, "check"), "html.parser")
    widths, off = [set(), set()], []
    with localcontext() as ctx:
        ctx.prec = 50
        order = _columns(soup)
        for row in soup.select("table")[0].select("tbody tr"):
            cells = [_math(row.select("td")[i]) for i in order]
            a, n, shown = (_decimal(c) for c in cells[1:4])
            for i, text in enumerate(cells[1:3]):
                if "." in text and "times" not in text:
                    widths[i].add(len(text.split(".")[-1]))
            half = Decimal(5).scaleb(shown.as_tuple().exponent - 1)
            if abs(abs(a - n) - shown) >= half:
                off.append((cells[0], cells[1], cells[2], cells[3]))
    assert not off, f"{name}: {off[:3]}"
    assert all(len(w) <= 1 for w in widths), f"{name}: decimals per column {widths}"


def test_check_page_digits_are_the_ones_the_home_page_states(sites):
    """The home page's rule: derived figures three significant digits, the check page's
    differences and relative errors two, its rounding estimate one. The table keeps it."""
    home = " ".join(BeautifulSoup(sites.page("default", "index"), "html.parser")
                    .get_text(" ").split())
    assert "carry three significant digits" in home
    assert "relative errors, which only say how small a disagreement is, carry two" in home
    soup = BeautifulSoup(sites.page("default", "check"), "html.parser")
    order = _columns(soup)
    for row in soup.select("table")[0].select("tbody tr"):
        for cell in [row.select("td")[i] for i in order[3:5]]:
            (token,) = parse_tokens(_math(cell))
            mantissa = token.text.split(r" \times")[0].lstrip("-").replace(".", "").lstrip("0")
            assert token.value == 0 or len(mantissa) == 2, token.text
