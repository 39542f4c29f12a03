"""Hostile example text through real builds, read back from the HTML and opened in Chromium.

Each build below takes a title (and, for one, a file name) made of the hostile inputs of
tests/hostile.py, runs `scripts/build.py`, and checks the result twice:

- in the HTML: the heading, the label and the notebook's output show the text exactly,
  as text; no page has an event-handler attribute or a `javascript:`/`data:` URL; no
  formula's TeX contains it; the search index holds it escaped; the figures are plain SVG;
- in Chromium: no dialog, no console error, no CSP violation on the home page, the
  "Check the numbers" page and the notebook; the heading reads as the title; searching
  for a word of it lists a result that shows it as text, with no element made from it.

Titles the example parser refuses are checked in tests/test_escape.py (messages) and
here through build.py (one line, exit 2, an earlier site untouched).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pytest
import tomli_w
from bs4 import BeautifulSoup

from hostile import LITERAL, REFUSED
from probe import explain, settle

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "examples" / "default.toml"

#: name → (title, file name of the example). Each title ≤ 120 characters; "Zebra" is a
#: word to search for.
BUILDS = {
    "plain": (LITERAL["plain-specials"], "plain.toml"),
    "html": ("Zebra <img src=x onerror=alert(1)></h1><script>alert(2)</script>"
             "</svg><svg onload=alert(3)> \" onmouseover=\"alert(4)",
             "x`<img src=y onerror=alert(5)>$z$[q](javascript:alert(6)){{ 7*7 }}.toml"),
    "markdown": ("Zebra [a](javascript:alert(1)) ![b](data:text/html,x) <javascript:alert(2)> "
                 "**c** `d` {: onclick=\"alert(3)\" }", "markdown.toml"),
    "tex-template": (r"Zebra $\href{javascript:alert(1)}{x}$ \(\class{e}{f}\) $$y$$ "
                     "{{ 7*7 }} {% if 1 %}z{% endif %} %s", "tex.toml"),
    "unicode": ("Zebra " + LITERAL["unicode"], "unicode.toml"),
}
#: A plain word of each title to search for (Material's tokenizer splits the rest its
#: own way); the result must then show the whole title, as text.
SEARCH = {"plain": "matter", "html": "zebra", "markdown": "zebra", "tex-template": "zebra",
          "unicode": "zebra"}
RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(`${e.effectiveDirective} ${e.blockedURI || 'inline'}`));
"""
URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "data", "poster")


def _example_text(title: str) -> str:
    """The default example with another title, written by a TOML writer."""
    import tomllib

    data = tomllib.loads(DEFAULT.read_text(encoding="utf-8"))
    return tomli_w.dumps({**data, "title": title})


def _build(example: Path, out: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_")}
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "build.py"),
                           "--example", str(example), "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def hostile_sites(tmp_path_factory) -> dict[str, tuple[Path, str, str]]:
    """name → (built site, title, label as the pages show it)."""
    base = tmp_path_factory.mktemp("hostile")
    built = {}
    for name, (title, file_name) in BUILDS.items():
        folder = base / name
        folder.mkdir()
        example = folder / file_name
        example.write_text(_example_text(title), encoding="utf-8")
        done = _build(example, folder / "site")
        if done.returncode != 0:
            pytest.fail(f"{name}: build.py exited {done.returncode}: {done.stderr[-2000:]}")
        built[name] = (folder / "site", title, str(example))
    return built


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_the_html_shows_the_text_and_nothing_made_from_it(hostile_sites, name):
    site, title, label = hostile_sites[name]
    home = _soup(site / "index.html")
    h1 = home.select("article h1")
    assert len(h1) == 1 and h1[0].get_text() == title and h1[0].find(True) is None
    for page in ("index.html", "check/index.html"):
        codes = [c for c in _soup(site / page).select("article code") if c.get_text() == label]
        assert len(codes) == 1, f"{page}: the label is not shown as one <code>"
        assert codes[0].find(True) is None
    wrong = []
    for page in sorted(site.rglob("*.html")):
        soup = _soup(page)
        where = page.relative_to(site)
        for el in soup.find_all(True):
            for attr, value in el.attrs.items():
                value = " ".join(value) if isinstance(value, list) else value
                if attr.lower().startswith("on"):
                    wrong.append(f"{where}: <{el.name} {attr}=…>")
                if attr.lower() in URL_ATTRS and re.match(r"\s*(javascript|vbscript|data):",
                                                          value, re.IGNORECASE):
                    if not (el.name == "img" and value.startswith("data:image/")):
                        wrong.append(f"{where}: <{el.name} {attr}={value[:40]!r}>")
        for math in soup.select(".arithmatex"):
            if title in math.get_text():
                wrong.append(f"{where}: the title inside a formula")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_same_scripts_as_the_default_build(hostile_sites, site_dir, name):
    site, _, _ = hostile_sites[name]
    for page in ("index.html", "check/index.html", "notebook/index.html"):
        ours = [str(s.get("src")) for s in _soup(site / page).find_all("script")]
        default = [str(s.get("src")) for s in _soup(site_dir / page).find_all("script")]
        assert ours == default, page
    policy = {p.read_text(encoding="utf-8").split('Content-Security-Policy" content="')[1]
              .split('"')[0] for p in (site / "index.html", site_dir / "index.html")}
    assert len(policy) == 1, "a hostile title changed the set of allowed scripts"


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_the_notebook_search_index_and_figures_hold_it_as_data(hostile_sites, name):
    site, title, _ = hostile_sites[name]
    notebook = _soup(site / "notebook" / "index.html")
    outputs = [pre.get_text() for pre in notebook.select(".jp-OutputArea-output pre")]
    assert any(out.splitlines()[0] == title for out in outputs if out), \
        "the notebook does not print the title as text"
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    titles = [d["title"] for d in index["docs"] if html.unescape(d["title"]) == title]
    assert titles, "the title is not in the search index"
    assert all("<" not in t for t in titles), titles  # escaped: results show it as text
    for svg in sorted((site / "figures").glob("*.svg")):
        tree = ET.parse(svg)
        for el in tree.iter():
            assert not el.tag.endswith(("script", "foreignObject")), svg.name
            assert not any(a.lower().startswith("on") for a in el.attrib), svg.name
        assert title not in svg.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def serve():
    servers = []

    def _serve(folder: Path) -> str:
        handler = functools.partial(type("Quiet", (SimpleHTTPRequestHandler,), {
            "log_message": lambda *a: None}), directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield _serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_in_chromium_nothing_runs_and_the_text_reads_as_written(hostile_sites, serve,
                                                                 open_tab, name):
    site, title, label = hostile_sites[name]
    base = serve(site)
    tab = open_tab(color_scheme="light")
    tab.context.add_init_script(RECORD)
    page = tab.page
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    wrong = {}
    for path in ("", "check/", "notebook/"):
        page.goto(urljoin(base, path), wait_until="load")
        settle(page)
        seen = page.evaluate("""() => ({
          h1: [...document.querySelectorAll('article h1')].map(h => h.textContent),
          codes: [...document.querySelectorAll('article code')].map(c => c.textContent),
          js: [...document.querySelectorAll('[href], [src]')].map(
                e => e.getAttribute('href') || e.getAttribute('src'))
              .filter(u => /^\\s*(javascript:|data:text)/i.test(u)),
          csp: window.__csp, pwned: window.__pwned
        })""")
        problems = tab.problems() + seen["csp"] + [f"javascript URL {u}" for u in seen["js"]]
        if path == "" and seen["h1"] != [title]:
            problems.append(f"heading reads {seen['h1']!r}")
        if path in ("", "check/") and label not in seen["codes"]:
            problems.append("the label does not read as written")
        if problems:
            wrong[path or "/"] = problems
    page.goto(base, wait_until="load")
    settle(page)
    page.keyboard.press("/")
    page.locator("input.md-search__input").press_sequentially(SEARCH[name], delay=30)
    page.wait_for_selector("li.md-search-result__item", timeout=10000)
    results = page.evaluate("""() => [...document.querySelectorAll(
        '.md-search-result__article h1, .md-search-result__article h2')].map(h => ({
          text: h.textContent, elements: [...h.querySelectorAll('*')].map(e => e.tagName)
        }))""")
    shown = [r for r in results if r["text"] == title]
    if not shown:
        wrong["search"] = [f"no result reads as the title: {results[:3]}"]
    elif any(set(r["elements"]) - {"MARK"} for r in shown):
        wrong["search"] = [f"elements made from the title: {shown}"]
    assert dialogs == [], dialogs
    assert wrong == {}, explain(wrong)


def _tree_hash(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_refused_title_is_one_line_and_leaves_the_site_alone(tmp_path, case):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<p>an earlier build</p>", encoding="utf-8")
    before = _tree_hash(out)
    value, message = REFUSED[case]
    example = tmp_path / "bad.toml"
    lines = DEFAULT.read_text(encoding="utf-8").splitlines()
    lines = [f"title = {value}" if ln.startswith("title =") else ln for ln in lines]
    example.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = _build(example, out)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and message in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert _tree_hash(out) == before


def test_a_file_name_with_a_line_break_is_refused(tmp_path):
    example = tmp_path / "two\nlines.toml"
    example.write_text(DEFAULT.read_text(encoding="utf-8"), encoding="utf-8")
    done = _build(example, tmp_path / "site")
    assert done.returncode == 2
    assert done.stderr.startswith("error: --example: expected printable text") \
        and "U+000A" in done.stderr and done.stderr.count("\n") == 1
    assert not (tmp_path / "site").exists()
