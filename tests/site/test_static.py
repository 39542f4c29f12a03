"""Scans of the built site and of the page sources.

- nothing unrendered ({{ / {%), no nan or inf, in any built page;
- nothing loaded from outside the site (scripts, stylesheets, fonts, images), and every
  local script and stylesheet a page names exists;
- no hand-typed decimal number in docs/**/*.md outside Jinja expressions;
- an undefined placeholder fails the build; the configuration keeps its guarantees.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from sitecheck import ARTICLE_PAGES, EXAMPLES, PY, ROOT, math_sources

EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", re.I)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
DECIMAL = re.compile(r"(?<![\w.])\d*\.\d+")


def html_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def visible_text(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return soup.get_text(" ")


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_unrendered_template_and_no_nan_or_inf(sites, name):
    for path in html_files(sites.site(name)):
        text = visible_text(path.read_text(encoding="utf-8"))
        for marker in ("{{", "{%", "%}", "{#"):  # "}}" closes LaTeX groups too
            assert marker not in text, f"{path}: unrendered {marker!r}"
        bad = re.findall(r"\b(?:nan|inf|infinity)\b", text, re.I)
        assert not bad, f"{path}: {bad}"


@pytest.mark.parametrize("name", ["default", "mazur-2015"])
def test_nothing_loads_from_outside_the_site(sites, name):
    site = sites.site(name)
    found = []
    for path in html_files(site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["script", "img", "source", "iframe", "audio", "video",
                                  "embed", "object", "link"]):
            if tag.name == "link" and "canonical" in (tag.get("rel") or []):
                continue  # a page's own address, never fetched
            for attr in ("src", "href", "data", "srcset"):
                value = tag.get(attr)
                if value and EXTERNAL.match(value):
                    found.append(f"{path.relative_to(site)}: <{tag.name} {attr}={value}>")
        for style in soup.find_all(style=True):
            found += [f"{path}: style url {u}" for u in CSS_URL.findall(style["style"])
                      if any(EXTERNAL.match(x) for x in u if x)]
        for block in soup.find_all("style"):
            found += [f"{path}: <style> {u}" for u in CSS_URL.findall(block.get_text())
                      if any(EXTERNAL.match(x) for x in u if x)]
    for css in site.rglob("*.css"):
        for groups in CSS_URL.findall(css.read_text(encoding="utf-8", errors="replace")):
            found += [f"{css.relative_to(site)}: {x}" for x in groups if x and EXTERNAL.match(x)]
    assert not found, found[:10]


def test_every_local_script_and_stylesheet_exists(sites):
    site = sites.site("default")
    for page in ARTICLE_PAGES:
        path = site / "index.html" if page == "index" else site / page / "index.html"
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        refs = [t["src"] for t in soup.find_all("script", src=True)]
        refs += [t["href"] for t in soup.find_all("link", href=True)
                 if "stylesheet" in (t.get("rel") or [])]
        assert any("assets/mathjax/tex-mml-chtml.js" in r for r in refs)
        for ref in refs:
            target = (path.parent / urlsplit(ref).path).resolve()
            assert target.is_file(), f"{page}: {ref} -> {target} is missing"
    fonts = list((site / "assets" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").glob(
        "*.woff"))
    assert fonts, "MathJax's CHTML fonts were not copied"


def test_page_sources_have_no_hand_typed_decimals():
    found = []
    for path in sorted((ROOT / "docs").rglob("*.md")):
        text = JINJA.sub(" ", path.read_text(encoding="utf-8"))
        for lineno, line in enumerate(text.splitlines(), 1):
            found += [f"{path.relative_to(ROOT)}:{lineno}: {m}" for m in DECIMAL.findall(line)]
    # the notebook's prose (its markdown cells, "# " comments) is page text too
    notebook = ROOT / "docs" / "notebook.py"
    for lineno, line in enumerate(notebook.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# "):
            found += [f"docs/notebook.py:{lineno}: {m}" for m in DECIMAL.findall(line)]
    assert not found, found[:10]


def test_the_scan_would_see_a_hand_typed_number():
    text = JINJA.sub(" ", "h = {{ n(a.s.loss) }} but E = 0.8342 and {% if x > 0.5 %}.5")
    assert DECIMAL.findall(text) == ["0.8342", ".5"]


def _project_with_an_undefined_placeholder(tmp_path: Path) -> Path:
    """A one-page project using the site's macros and its strict settings, whose page
    names a value the engine has not; returns its mkdocs.yml."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Page\n\n$E = {{ a.s.no_such_value }}$\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: t\nplugins:\n  - macros:\n"
        f"      module_name: {ROOT / 'scripts' / 'macros'}\n"
        "      on_undefined: strict\n      on_error_fail: true\n", encoding="utf-8")
    return config


def test_an_undefined_placeholder_fails_the_build(tmp_path):
    config = _project_with_an_undefined_placeholder(tmp_path)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("BACKPROP_EXAMPLE", None)
    done = subprocess.run([PY, "-m", "mkdocs", "build", "--strict", "-f", str(config),
                           "-d", str(tmp_path / "out")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "no_such_value" in done.stderr + done.stdout


def test_a_failing_template_is_one_line_from_the_build_script(tmp_path):
    """scripts/build.py runs MkDocs in-process: mkdocs-macros' own exit (status 100,
    nothing printed by build.py) becomes one line naming the placeholder."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_script", ROOT / "scripts" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    config = _project_with_an_undefined_placeholder(tmp_path)
    message = build.mkdocs_build(config, tmp_path / "out")
    assert message is not None and "\n" not in message
    assert "no_such_value" in message and "exit 100" in message


def test_configuration_keeps_its_guarantees():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"),
                       Loader=yaml.BaseLoader)
    theme = config["theme"]
    assert theme["font"] == "false"
    assert "navigation.instant" in theme["features"]
    assert any(p.get("scheme") == "slate" for p in theme["palette"])
    macros = next(p["macros"] for p in config["plugins"] if isinstance(p, dict) and "macros" in p)
    assert macros["on_undefined"] == "strict" and macros["on_error_fail"] == "true"
    assert macros["module_name"] == "scripts/macros"
    assert {"examples", "scripts", "backprop_core"} <= set(config["watch"])
    assert config["extra_javascript"][:2] == ["javascripts/mathjax.js",
                                              "assets/mathjax/tex-mml-chtml.js"]
    script = (ROOT / "docs" / "javascripts" / "mathjax.js").read_text(encoding="utf-8")
    assert re.search(r"typeset:\s*false", script)
    assert re.search(r'"\[-\]":\s*\["noundefined"\]', script)
    assert "document$.subscribe" in script and "typesetClear" in script


def test_delta_is_only_an_error_signal():
    """δ names error signals only (δ_o, δ_h, δ_{o,c}); the Kronecker delta is [c = k]."""
    sources = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "docs" / "notebook.py",
               *sorted((ROOT / "data").glob("published-*.toml"))]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\\delta_\{?[a-z]{2}\}?(?![\w,])", text), path.name


#: The only primes a page may write: a derivative (σ′, tanh′, ReLU′).
DERIVATIVE_PRIME = re.compile(r"(?:\\sigma|\\tanh|\\operatorname\{ReLU\})'")
DERIVATIVE_PRIME_TEXT = re.compile(r"(?:σ|sigmoid|tanh|ReLU|act)′")


def _pages(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): p.read_text(encoding="utf-8") for p in html_files(site)}


@pytest.mark.parametrize("name", EXAMPLES)
def test_a_prime_is_a_derivative_and_a_plus_marks_an_update(sites, name):
    """′ means a derivative only (σ′); a value after the update is W⁺ on every page, the
    2018 and Mazur pages, the notebook and the practice form included."""
    pages = _pages(sites.site(name))
    for page, html in pages.items():
        for tex in math_sources(html):
            left = DERIVATIVE_PRIME.sub("", tex)
            assert "'" not in left and "′" not in left, (page, tex[:200])
        text = DERIVATIVE_PRIME_TEXT.sub("", visible_text(html))
        assert "′" not in text, (page, text[text.index("′") - 80:text.index("′") + 20])
    plus = {"output-layer/index.html": r"W_{ho}^{+} &= W_{ho} + \Delta W_{ho}",
            "hidden-layer/index.html": r"W_{ih}^{+} &= W_{ih} + \Delta W_{ih}",
            "hand-calculation-2018/index.html": r"W_{ho}^{+}",
            "mazur-2015/index.html": r"w_1^{+}"}
    for page, tex in plus.items():
        assert any(tex in src for src in math_sources(pages[page])), (page, tex)
    assert "W_ih⁺ = " in visible_text(pages["notebook/index.html"])
    assert "<sup>+</sup>" in pages["practice/index.html"]


#: Index letters and what they count, on every page: a inputs, b hidden units, c and k
#: outputs, n examples; e is only the exponential's base (e^{…}).
INDEXED = {"input": re.compile(r"(?:x|W_\{i)_([a-z])(?![a-z])"),
           "hidden": re.compile(r"(?:h_\{(?:in|out),|W_\{h_|b_\{h_|\bW_\{i_\w+\s*h_)([a-z])(?![a-z])"),
           "output": re.compile(r"(?:o_\{(?:in|out),|\bo_|b_\{o_|W_\{h_\w+\s*o_)([a-z])(?![a-z])")}
LETTERS = {"input": {"a"}, "hidden": {"j"}, "output": {"c", "k"}}
LONE_E = re.compile(r"(?<![A-Za-z\\])e(?![A-Za-z^])")


@pytest.mark.parametrize("name", EXAMPLES)
def test_one_index_letter_per_meaning_and_e_only_the_exponential(sites, name):
    for page, html in _pages(sites.site(name)).items():
        for tex in math_sources(html):
            body = re.sub(r"\\(?:text|operatorname|begin|end)\{[^}]*\}", "", tex)
            assert not LONE_E.search(body), (page, tex[:200])
            assert "^{(e)}" not in tex and "\\sum_e" not in tex, (page, tex[:200])
            for meaning, pattern in INDEXED.items():
                found = set(pattern.findall(body)) - LETTERS[meaning]
                assert not found, (page, meaning, found, tex[:200])
        # b is the bias only: never "hidden unit b" in prose or a mistake's sentence
        text = BeautifulSoup(html, "html.parser").get_text(" ")
        assert not re.search(r"\b(?:unit|row|column|output|input) (?:\\\()?b\b", text), page
    notebook = (ROOT / "docs" / "notebook.py").read_text(encoding="utf-8")
    assert "\\sum_n" in notebook and "(e)" not in notebook
    from backprop_core.mistakes import CATALOGUE
    for mistake in CATALOGUE:
        assert not re.search(r"\b(?:unit|row|column|output|input) (?:\\\()?b\b", mistake.sentence), mistake.id


def test_the_article_is_this_site_and_the_2018_post_is_the_post(sites):
    """"The article" means these pages (home, practice, notebook); the pages about the
    originals call the 2018 blog post "the post", never "the article"."""
    for page in ("hand-calculation-2018", "mazur-2015", "check"):
        soup = BeautifulSoup(sites.page("default", page), "html.parser")
        text = soup.select_one("article").get_text(" ")
        assert not re.search(r"\barticle", text, re.I), page
    soup = BeautifulSoup(sites.page("default", "hand-calculation-2018"), "html.parser")
    assert "the post" in soup.select_one("article").get_text(" ")


ALIGNED = re.compile(r"\\begin\{aligned\}(.*?)\\end\{aligned\}", re.S)
ALIGNED_ROW = re.compile(r"\\\\(?:\[\d+pt\])?")


def test_no_left_hand_side_stands_alone_above_its_result(sites):
    """In an aligned block a row with no alignment point is set flush right in the first
    column, so an "&= result" row under it starts far to the right, detached from its
    left-hand side (the 2018 page's learning-rate lines at 1280 px)."""
    for page, html in _pages(sites.site("default")).items():
        for tex in math_sources(html):
            for block in ALIGNED.findall(tex):
                body = re.sub(r"\\begin\{bmatrix\}.*?\\end\{bmatrix\}", "M", block, flags=re.S)
                rows = [r.strip() for r in ALIGNED_ROW.split(body)]
                for above, row in zip(rows, rows[1:]):
                    assert "&" in above or not row.startswith("&="), (page, above[:120])


def test_the_home_page_counts_the_posts_wrong_values_from_the_data(sites):
    """"Several of its numbers are wrong" said nothing; the count comes from the data
    file's own flags (each held to the engine by tests/test_published.py)."""
    data = tomllib.loads((ROOT / "data" / "published-2018.toml").read_text("utf-8"))

    def numeric(text) -> bool:
        flat = text if isinstance(text, list) else [text]
        flat = [t for row in flat for t in (row if isinstance(row, list) else [row])]
        return all(re.fullmatch(r"-?\d+(?:\.\d+)?", t) for t in flat)

    values = [v for v in data["value"] if "engine" in v and numeric(v["published"])]
    wrong = [v for v in values if not v["correct"]]
    home = " ".join(BeautifulSoup(sites.page("default", "index"), "html.parser")
                    .get_text(" ").split())
    assert f"{len(wrong)} of the {len(values)} numerical values it printed are wrong" in home


def test_mazur_error_after_one_round_is_not_called_wrong(sites):
    """His E_total⁺ reproduces under the other ordering of the updates: the table says
    so in its verdict rather than "wrong"."""
    soup = BeautifulSoup(sites.page("default", "mazur-2015"), "html.parser")
    rows = [r for r in soup.select("table tbody tr") if "E_{total}^{+}" in r.get_text()]
    assert rows, "no row for the error after one step"
    header = [th.get_text(" ").strip() for th in soup.select("table")[0].select("th")]
    verdict = rows[0].select("td")[header.index("verdict")].get_text(" ").strip()
    assert verdict == "another calculation", verdict


def test_softmax_and_sigmoid_are_lower_case_inside_a_sentence(sites):
    """One spelling: "softmax", "sigmoid"; a capital only where a sentence or heading
    starts (or in a quotation of the post, "Linear + Softmax")."""
    for page, html in _pages(sites.site("default")).items():
        soup = BeautifulSoup(html, "html.parser")
        article = soup.select_one("article")
        if article is None:
            continue
        text = " ".join(article.get_text(" ").split())
        found = re.findall(r"[a-z,] (?:Softmax|Sigmoid)\b", text)
        assert not found, (page, found[:3])


def test_the_2018_forward_pass_matrix_is_an_inference_everywhere(sites):
    """No single candidate gives the post's printed o_in, so every page says it "seems to
    have used" another matrix, as the 2018 page does, never that it did."""
    for page, html in _pages(sites.site("default")).items():
        text = " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())
        for claim in ("had used another matrix", "did not use the", "multiplied by a different"):
            assert claim not in text, (page, claim)


def test_the_sources_are_plain_links_to_their_addresses(sites):
    """Each source is cited with its address as a link a reader can follow (it loads
    nothing: an <a> is fetched only when clicked), the address itself as its text."""
    site = sites.site("default")
    addresses = {}
    for name in ("published-2018", "published-mazur-2015"):
        with open(ROOT / "data" / f"{name}.toml", "rb") as f:
            addresses[name] = tomllib.load(f)["source"]["url"]
    repo = "https://github.com/mattm/simple-neural-network"
    wanted = {"index.html": [addresses["published-2018"], addresses["published-mazur-2015"]],
              "hand-calculation-2018/index.html": [addresses["published-2018"]],
              "mazur-2015/index.html": [addresses["published-mazur-2015"], repo]}
    for page, urls in wanted.items():
        soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        links = {a["href"]: a.get_text() for a in soup.select("article a[href]")}
        for url in urls:
            assert links.get(url) == url, f"{page}: no link to {url} showing its address"
