"""Publishing: the site's address, ProperDocs as the alternative builder, no MkDocs-2 banner.

- A preview build (no --site-url) names http://127.0.0.1:8000/, where the README's
  preview serves it; a publish build (BACKPROP_SITE_URL or --site-url) names its own
  address and never 127.0.0.1 (the sub-path browser walk is tests/browser/
  test_browser_subpath.py). A bad --site-url is one line, exit 2.
- `properdocs build` builds the same site from the same mkdocs.yml, and it passes the
  number checks: every engine value on its page, every substitution calculator-true.
- Neither `mkdocs build`, `mkdocs serve` (the README's preview) nor `properdocs build`
  prints Material's end-of-life banner about MkDocs 2.0: scripts/setup.sh sets
  NO_MKDOCS_2_WARNING for the venv (a .pth file), and the first test shows the banner
  would be caught.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sitecheck import ARTICLE_PAGES, PY, ROOT, decimals_of, leaves, math_sources, \
    math_tokens, run_build, run_trace, shows
from test_arithmetic import check_page
from test_numbers import expected_fields, pick

BIN = Path(sys.executable).parent
#: Material's banner, and the notice a plugin may print recommending ProperDocs.
BANNER = re.compile(r"end of life|MkDocs 2|recommending\s+ProperDocs|switch to \*?ProperDocs|"
                    r"MKDOCS_2_WARNING")
PUBLISHED = "https://example.org/sub/path/"


def _env(**extra: str) -> dict[str, str]:
    """The environment a user has: none of our variables, no banner switch."""
    drop = ("BACKPROP_", "NO_MKDOCS_2_WARNING", "DISABLE_MKDOCS_2_WARNING")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return {**env, **extra}


def test_the_banner_would_be_caught_and_the_venv_silences_it():
    probe = "import sys; sys.argv[0] = 'mkdocs'; import material.templates"
    loud = subprocess.run([PY, "-c", probe], env=_env(NO_MKDOCS_2_WARNING=""),
                          capture_output=True, text=True)
    assert BANNER.search(loud.stderr), "the banner text changed: update BANNER"
    quiet = subprocess.run([PY, "-c", probe], env=_env(), capture_output=True, text=True)
    assert quiet.returncode == 0 and not BANNER.search(quiet.stdout + quiet.stderr)


def test_mkdocs_serve_previews_without_the_banner():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(BIN / "mkdocs"), "serve", "--no-livereload", "-a",
                             f"127.0.0.1:{port}"], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        home = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    home = r.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=60)
    assert home is not None, f"mkdocs serve never answered:\n{output[-3000:]}"
    assert 'http-equiv="Content-Security-Policy"' in home and 'id="example-title"' in home
    assert not BANNER.search(output), output[:2000]


@pytest.fixture(scope="module")
def properdocs_site(tmp_path_factory) -> tuple[Path, str]:
    """The default example built by ProperDocs for a published address."""
    out = tmp_path_factory.mktemp("properdocs") / "site"
    done = subprocess.run([str(BIN / "properdocs"), "build", "--strict", "-f",
                           str(ROOT / "mkdocs.yml"), "-d", str(out)], cwd=ROOT,
                          env=_env(BACKPROP_SITE_URL=PUBLISHED), capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"properdocs build exited {done.returncode}:\n{done.stderr[-3000:]}")
    return out, done.stdout + done.stderr


def _page(site: Path, page: str) -> str:
    path = site / "index.html" if page == "index" else site / page / "index.html"
    return path.read_text(encoding="utf-8")


def test_properdocs_builds_the_site_without_the_banner(properdocs_site):
    site, output = properdocs_site
    assert not BANNER.search(output), output[:2000]
    for part in ("assets/mathjax/tex-mml-chtml.js", "notebook/index.html", "example.toml",
                 "search/search_index.json"):
        assert (site / part).is_file(), part
    assert list((site / "figures").glob("*.svg"))
    assert 'http-equiv="Content-Security-Policy"' in _page(site, "index")


@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_properdocs_pages_show_every_engine_value_correctly(properdocs_site, sites, page):
    site, _ = properdocs_site
    trace = run_trace(ROOT / "examples" / "default.toml")
    d = decimals_of(sites, "default")
    html = _page(site, page)
    tokens = math_tokens(html)
    wanted = [v for field in expected_fields(trace)[page] for v in leaves(pick(trace, field))]
    missing = [v for v in wanted if not any(shows(t, v, d) for t in tokens)]
    assert tokens and not missing, f"{page}: not shown: {missing[:5]}"
    _, wrong = check_page(math_sources(html))
    assert not wrong, wrong[:3]


def test_a_publish_build_names_its_address_and_never_the_preview(properdocs_site):
    site, _ = properdocs_site
    assert f"<loc>{PUBLISHED}</loc>" in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{PUBLISHED}">' in _page(site, "index")
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".js", ".toml"):
            assert "127.0.0.1" not in path.read_text(encoding="utf-8", errors="replace"), path


def test_a_preview_build_names_the_preview_address(sites):
    home = sites.page("default", "index")
    assert '<link rel="canonical" href="http://127.0.0.1:8000/">' in home


@pytest.mark.parametrize("url", ["ftp://example.org/", "https://", "example.org/sub/",
                                 "https://example.org/?q=1", "https://exa mple.org/"])
def test_a_bad_site_url_is_one_line_and_exit_2(tmp_path, url):
    done = run_build("--site-url", url, out=tmp_path / "site")
    assert done.returncode == 2
    assert done.stderr.startswith("error: --site-url: expected an http(s) address")
    assert done.stderr.count("\n") == 1 and not (tmp_path / "site").exists()
