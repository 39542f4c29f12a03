"""Text from an example is data: the escaping functions and the title's validation.

Every hostile input of tests/hostile.py goes through `escape.html_text` and then the
site's own Markdown pipeline (the extensions and options of mkdocs.yml), in the two
places the pages put example text: a raw `<h1>` block and a `<code>` inside a paragraph.
What comes out must show the input exactly, as text, with no element, link, formula or
template syntax made from it. Real builds of some of these, opened in Chromium, are in
tests/browser/test_browser_hostile.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup

from backprop_core import ExampleError, parse_example
from hostile import LITERAL, REFUSED

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from escape import html_text, link, svg_text  # noqa: E402

VALID = {"learning_rate": 0.1, "random": {"seed": 1}}


@pytest.fixture(scope="module")
def render():
    """Markdown source → HTML, exactly as mkdocs.yml configures Python-Markdown."""
    from mkdocs.utils.yaml import yaml_load

    with open(ROOT / "mkdocs.yml", encoding="utf-8") as f:
        config = yaml_load(f)
    names, options = [], {}
    for item in config["markdown_extensions"]:
        if isinstance(item, dict):
            (name, opts), = item.items()
            names.append(name)
            options[name] = opts or {}
        else:
            names.append(item)
    return lambda source: markdown.markdown(source, extensions=names,
                                            extension_configs=options)


def test_html_text_writes_every_ascii_mark_as_a_reference():
    assert html_text('Why x < y & "quotes" matter: 50% of $5') == (
        "Why x &#60; y &#38; &#34;quotes&#34; matter&#58; 50&#37; of &#36;5")
    assert html_text("ab 12 é 👩‍💻") == "ab 12 é 👩‍💻"


@pytest.mark.parametrize("address", [
    "https://tbenwang.com/Machine-Learning/Backward-propagation-of-Neural-Network-explained/",
    "http://example.org/a_b*c*[d](e)?q=1&r=$x$#frag",
])
def test_a_web_address_becomes_a_link_to_itself(render, address):
    soup = BeautifulSoup(render(f"The post ({link(address)}) worked it out."), "html.parser")
    links = soup.find_all("a")
    assert len(links) == 1 and links[0]["href"] == address and links[0].get_text() == address
    assert links[0].find(True) is None and set(links[0].attrs) == {"href"}
    assert soup.p.get_text() == f"The post ({address}) worked it out."


@pytest.mark.parametrize("address", [
    "javascript:alert(1)", "data:text/html,<b>x</b>", " https://x.org", "https://x.org/ a",
    'https://x.org/"onmouseover="alert(1)', "https://x.org/<b>", "ftp://x.org/", "https:",
    "HTTPS://x.org", "https://x.org/`a`",
])
def test_anything_else_stays_text_not_a_link(render, address):
    soup = BeautifulSoup(render(f"The post ({link(address)}) worked it out."), "html.parser")
    assert soup.find_all("a") == [] and [el.name for el in soup.find_all(True)] == ["p"]
    assert soup.p.get_text() == f"The post ({address}) worked it out."


@pytest.mark.parametrize("case", sorted(LITERAL))
def test_a_hostile_title_stays_literal_through_markdown(render, case):
    text = LITERAL[case]
    assert parse_example({**VALID, "title": text}).title == text  # accepted as is
    safe = html_text(text)
    source = (f"<h1>{safe}</h1>\n\n"
              f"Built from the example file <code>{safe}</code> each time.\n")
    soup = BeautifulSoup(render(source), "html.parser")
    h1, code = soup.find("h1"), soup.find("code")
    assert h1.get_text() == text and code.get_text() == text
    assert h1.find(True) is None and code.find(True) is None  # no element inside
    assert [el.name for el in soup.find_all(True)] == ["h1", "p", "code"]
    assert "Built from the example file" in soup.p.get_text()
    for marker in ("{{", "{%", "$", "\\(", "\\[", "`"):
        assert marker not in safe  # nothing left for macros, arithmatex or MathJax


@pytest.mark.parametrize("case", sorted(LITERAL))
def test_a_hostile_title_stays_literal_in_svg(case):
    text = LITERAL[case]
    svg = ET.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg"><text a="{svg_text(text)}"'
                        f" b='{svg_text(text)}'>{svg_text(text)}</text></svg>")
    (node,) = list(svg)
    assert node.text == text and node.get("a") == text and node.get("b") == text
    assert len(node) == 0


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_bad_title_is_refused_with_one_line(case):
    import tomllib

    value, message = REFUSED[case]
    data = tomllib.loads(f"learning_rate = 0.1\ntitle = {value}\n[random]\nseed = 1\n")
    with pytest.raises(ExampleError) as caught:
        parse_example(data)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_title_limit_counts_characters_not_bytes():
    assert parse_example({**VALID, "title": "é" * 120}).title == "é" * 120
    assert parse_example({**VALID, "title": "  padded  "}).title == "padded"


def test_pages_use_example_text_only_escaped():
    """No page template reads the raw title or puts the label where Markdown reads it."""
    raw_title = re.compile(r"\.example\.title|\.title\s*}}")
    for page in sorted((ROOT / "docs").rglob("*.md")):
        source = page.read_text(encoding="utf-8")
        for expr in re.findall(r"{{(.*?)}}", source, re.DOTALL):
            # a published source's title is the project's own data (data/*.toml)
            assert not raw_title.search(expr + "}}") or ".source.title" in expr, \
                f"{page.name}: {{{{{expr}}}}} shows raw text"
        # escaped text is references: shown literally in a Markdown code span
        assert not re.search(r"`[^`\n]*{{\s*example_(path|title)\s*}}", source), \
            f"{page.name}: example text inside a Markdown code span"


def test_random_example_is_written_by_a_toml_writer(tmp_path):
    """build.py --random writes real TOML (tomli-w), which reads back the same."""
    build = ROOT / "scripts" / "build.py"
    source = build.read_text(encoding="utf-8")
    assert "tomli_w.dumps" in source and "title = \"" not in source
    done = subprocess.run([sys.executable, str(build), "--random", "3", "--site-url",
                           "javascript:alert(1)", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.startswith("error: --site-url: expected an http(s) address")
    assert done.stderr.count("\n") == 1 and not (tmp_path / "o").exists()
