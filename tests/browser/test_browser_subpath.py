"""A site built for publishing at a sub-path, as a GitHub project page is.

`scripts/build.py --site-url http://127.0.0.1:PORT/bp/` builds for an address that is
then served, from 127.0.0.1, under /bp/ only: anything asked for outside /bp/ (a link
that is absolute where it should be relative) is a 404. Chromium walks every page
through the navigation (instant navigation, as a reader clicks), and loads each page
fresh; no request may fail, every figure must load, math must typeset, search must
answer. The publish build must not name 127.0.0.1:8000 (the preview address) anywhere.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from probe import CLICK_NAV_LINK, explain, nav_paths, settle

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "/bp/"


class _UnderPrefix(SimpleHTTPRequestHandler):
    """The site's folder at /bp/ and nothing anywhere else."""

    def translate_path(self, path):
        if not urlsplit(path).path.startswith(PREFIX):
            return str(Path(self.directory) / ".outside-the-prefix" / "none")  # a 404
        return super().translate_path("/" + path[len(PREFIX):])

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """(site folder, its address): built for http://127.0.0.1:PORT/bp/ and served there."""
    out = tmp_path_factory.mktemp("subpath") / "site"
    handler = functools.partial(_UnderPrefix, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)  # the port, before the build
    url = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_")}
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build.py"),
                           "--site-url", url, "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        server.server_close()
        pytest.fail(f"build.py --site-url exited {done.returncode}: {done.stderr[-2000:]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield out, url
    server.shutdown()
    server.server_close()


def _record_failures(page) -> list[str]:
    failed = []
    page.on("requestfailed", lambda r: failed.append(f"failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status}: {r.url}"))
    return failed


def test_every_page_through_the_navigation_with_no_failed_request(published, open_tab):
    site, url = published
    paths = nav_paths(site)
    assert len(paths) > 5
    tab = open_tab(color_scheme="light")
    page = tab.page
    failed = _record_failures(page)
    page.goto(url, wait_until="load")
    settle(page)
    page.evaluate("() => { window.__sameDocument = true; }")
    wrong = {}
    for path in paths[1:] + paths[:1]:
        target = urljoin(url, path)
        before = len(failed)
        assert page.evaluate(CLICK_NAV_LINK, target), f"no nav link to {path}"
        page.wait_for_function("t => location.href.split('#')[0] === t", arg=target,
                               timeout=10000)
        settle(page)
        problems = failed[before:]
        if not page.evaluate("() => window.__sameDocument === true"):
            problems.append("reloaded: instant navigation is off at this address")
        if problems:
            wrong[path or "/"] = problems
    assert wrong == {} and tab.problems() == [], explain(wrong) + str(tab.problems())


def test_every_page_loaded_fresh_has_its_figures_math_and_search(published, open_tab):
    site, url = published
    tab = open_tab(color_scheme="light")
    page = tab.page
    failed = _record_failures(page)
    wrong = {}
    for path in nav_paths(site):
        before = len(failed)
        page.goto(urljoin(url, path), wait_until="load")
        settle(page)
        seen = page.evaluate("""() => ({
          broken: [...document.images].filter(i => !i.complete || !i.naturalWidth)
                    .map(i => i.getAttribute('src')),
          math: document.querySelectorAll('.arithmatex').length,
          typeset: document.querySelectorAll('mjx-container').length
        })""")
        problems = failed[before:] + [f"image not loaded: {s}" for s in seen["broken"]]
        if seen["math"] and not seen["typeset"]:
            problems.append("math not typeset")
        if problems:
            wrong[path or "/"] = problems
    page.goto(url, wait_until="load")
    settle(page)
    page.keyboard.press("/")
    page.locator("input.md-search__input").press_sequentially("gradient", delay=30)
    page.wait_for_selector("li.md-search-result__item", timeout=10000)
    # the server really is a sub-path one: the site's root files are not at /
    assert page.request.get(urljoin(url, "/sitemap.xml")).status == 404
    assert page.request.get(urljoin(url, "sitemap.xml")).status == 200
    assert wrong == {} and tab.problems() == [], explain(wrong) + str(tab.problems())


def test_the_publish_build_names_its_address_not_the_preview(published):
    site, url = published
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{url}</loc>" in sitemap and f"<loc>{url}forward/</loc>" in sitemap
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{url}">' in home
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".js", ".txt"):
            assert "127.0.0.1:8000" not in path.read_text(encoding="utf-8",
                                                          errors="replace"), path
