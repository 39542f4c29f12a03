"""Real-browser fixtures: build the site once, serve it on 127.0.0.1, drive headless Chromium.

The site is built from examples/default.toml by scripts/build.py into a temporary folder
(or taken from $BACKPROP_SITE_DIR, a folder already built, to iterate faster), served by
a stdlib http.server in a thread, and opened in Debian's Chromium through Playwright.
Every browser context routes every request: anything not for 127.0.0.1 is aborted and
recorded, so a test can assert that nothing left the machine. Screenshots go to
test-artifacts/screenshots/ (or $BROWSER_SCREENSHOTS); the path is printed at the end.

Chromium missing is a failure, not a skip: scripts/test.sh installs it.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from probe import (Look, look, nav_paths, page_title, settle, sitemap_paths,  # noqa: E402
                   source_formulas)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "default.toml"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium phones home, and this machine's
# closed network refuses it loudly; none of them changes how a page renders.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


# --- the built site, served ------------------------------------------------------------


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    """The site built from the default example (once per session)."""
    prebuilt = os.environ.get("BACKPROP_SITE_DIR")
    if prebuilt:
        path = Path(prebuilt)
        if not (path / "index.html").is_file():
            pytest.fail(f"BACKPROP_SITE_DIR: expected a built site with index.html; got {path}")
        return path
    build = ROOT / "scripts" / "build.py"
    if not build.is_file():
        pytest.fail("scripts/build.py: expected the site build script; it is missing")
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, str(build), "--example", str(EXAMPLE), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    if proc.returncode != 0:
        pytest.fail(f"scripts/build.py exited {proc.returncode}:\n{proc.stderr[-4000:]}")
    if not (out / "index.html").is_file():
        pytest.fail(f"scripts/build.py --out {out}: expected index.html there; found none")
    return out


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files, quietly; sitemap.xml rebased from site_url to where it is served.

    Material's instant navigation only intercepts links listed in the sitemap, matching
    them on port and path as well as host, so a site built for its real site_url needs
    the locs rewritten when served on 127.0.0.1:PORT/ (`mkdocs serve` does the same by
    rewriting site_url). Every other file is served as built.
    """

    site_url = ""  # the built site's canonical root, set per server
    served_at = ""

    def do_GET(self):  # noqa: N802 - the stdlib's name
        if urlsplit(self.path).path != "/sitemap.xml" or not self.site_url:
            return super().do_GET()
        body = Path(self.directory, "sitemap.xml").read_bytes()
        body = body.replace(f"<loc>{self.site_url}".encode(), f"<loc>{self.served_at}".encode())
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture(scope="session")
def base_url(site_dir) -> str:
    """http://127.0.0.1:PORT/ serving the built site, for the whole session."""
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', home)
    handler_class = type("Handler", (_SiteHandler,), {})
    handler = functools.partial(handler_class, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    served_at = f"http://127.0.0.1:{server.server_address[1]}/"
    handler_class.site_url = canonical.group(1) if canonical else ""
    handler_class.served_at = served_at
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    yield served_at
    server.shutdown()
    server.server_close()


@dataclass(frozen=True)
class SitePage:
    """One page of the built site, with what its HTML asks the browser to do."""

    path: str        # relative to the site root: "", "article/", "notebook/"
    file: Path
    title: str       # <title>
    formulas: int    # formulas MathJax must typeset (see probe.source_formulas)

    @property
    def slug(self) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "-", self.path).strip("-") or "home"


@pytest.fixture(scope="session")
def site_pages(site_dir) -> list[SitePage]:
    """Every page in the sitemap (the nav's pages if the sitemap is empty), home first."""
    pages = []
    for path in sitemap_paths(site_dir) or nav_paths(site_dir):
        file = site_dir / path / "index.html" if path == "" or path.endswith("/") else site_dir / path
        if not file.is_file():
            pytest.fail(f"sitemap lists {path!r}; expected {file} in the built site; missing")
        html = file.read_text(encoding="utf-8")
        pages.append(SitePage(path, file, page_title(html), source_formulas(html)))
    return pages


# --- the engine's numbers --------------------------------------------------------------


@pytest.fixture(scope="session")
def key_numbers() -> dict[str, str]:
    """Loss, ∂E/∂W_h2o1 and updated W_h2o1 from the engine's CLI, as the site formats them."""
    proc = subprocess.run([sys.executable, "-m", "backprop_core", "trace", str(EXAMPLE), "--json"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    trace = json.loads(proc.stdout)
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from fmt import num  # the site's own formatting rule
    except ImportError:
        def num(value, decimals):
            return f"{value:.{decimals}f}"
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    from backprop_core.example import load_example

    decimals = load_example(EXAMPLE).decimals
    # Row-vector convention: W_ho[j][k] joins hidden unit j to output k, so h2→o1 is [1][0].
    values = {"loss E": trace["loss"],
              "∂E/∂W_h2o1": trace["gradients"]["W_ho"][1][0],
              "updated W_h2o1": trace["updated"]["W_ho"][1][0]}
    shown = {}
    for name, value in values.items():
        text = num(value, decimals)
        if "\\" in text:  # "2.534 \times 10^{-5}" reads "2.534×10−5" once rendered
            text = re.sub(r"\s*\\times\s*10\^\{(-?\d+)\}", r"×10\1", text)
        shown[name] = text
    return shown


# --- the browser -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium; its absence fails the run (scripts/test.sh installs it)."""
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium: expected a browser at {CHROMIUM}; found none. "
                    "Run scripts/test.sh as root (it apt-get installs chromium) or set CHROMIUM.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        pytest.fail(f"playwright: expected it installed (pip install -e '.[test]'); {err}")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Tab:
    """A browser context and its page, with everything that went wrong in them recorded."""

    context: object
    page: object
    external: list[str] = field(default_factory=list)       # requests to other hosts
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"request left 127.0.0.1: {u}" for u in self.external]
                + [f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors])

    def mark(self) -> tuple[int, int, int]:
        return len(self.external), len(self.console_errors), len(self.page_errors)

    def problems_since(self, mark: tuple[int, int, int]) -> list[str]:
        e, c, p = mark
        return ([f"request left 127.0.0.1: {u}" for u in self.external[e:]]
                + [f"console error: {m}" for m in self.console_errors[c:]]
                + [f"page error: {m}" for m in self.page_errors[p:]])


@pytest.fixture(scope="session")
def open_tab(browser):
    """open_tab(**context_options) -> Tab; every request not for 127.0.0.1 is aborted."""
    tabs = []

    def _open(**options) -> Tab:
        context = browser.new_context(**{"viewport": DESKTOP, **options})
        tab = Tab(context, None)

        def guard(route):
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                tab.external.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and tab.console_errors.append(
            f"{msg.text} ({msg.location.get('url', '')}:{msg.location.get('lineNumber', '')})"))
        page.on("pageerror", lambda err: tab.page_errors.append(f"{err.name}: {err.message}"))
        tab.page = page
        tabs.append(tab)
        return tab

    yield _open
    for tab in tabs:
        tab.context.close()


@pytest.fixture(scope="session")
def screenshots(request) -> Path:
    """The screenshot folder, emptied of the previous run's pictures.

    Under pytest-xdist (scripts/test.sh) every worker of a run shares it: the first to
    get here empties it (under a lock, and marks it with the run's id), the others keep
    what it holds."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    run = getattr(request.config, "workerinput", {}).get("testrunuid")
    marker = SCREENSHOTS / ".run"
    with open(SCREENSHOTS / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if run is None or not marker.is_file() or marker.read_text() != run:
            for old in SCREENSHOTS.glob("*.png"):
                old.unlink(missing_ok=True)
            marker.write_text(run or "")
    _taken.append(SCREENSHOTS)
    return SCREENSHOTS


_taken: list[Path] = []  # the folder, once this session has written screenshots there


@dataclass
class Visit:
    """One page loaded fresh: how it looked and what went wrong meanwhile."""

    page: SitePage
    look: Look
    problems: list[str]


def visit_all(tab: Tab, base_url: str, pages: list[SitePage], shots: Path, suffix: str,
              before=None) -> list[Visit]:
    """Load each page fresh, let MathJax finish, look, and take a full-page screenshot."""
    visits = []
    for site_page in pages:
        mark = tab.mark()
        tab.page.goto(urljoin(base_url, site_page.path), wait_until="load")
        if before:
            before(tab.page)
        settle(tab.page)
        seen = look(tab.page)
        tab.page.screenshot(path=str(shots / f"{site_page.slug}-{suffix}.png"), full_page=True)
        visits.append(Visit(site_page, seen, tab.problems_since(mark)))
    return visits


@pytest.fixture(scope="session")
def desktop_visits(open_tab, base_url, site_pages, screenshots) -> list[Visit]:
    """Every page at 1280×900 in the light scheme, loaded fresh."""
    return visit_all(open_tab(color_scheme="light"), base_url, site_pages, screenshots, "desktop")


@pytest.fixture(scope="session")
def phone_visits(open_tab, base_url, site_pages, screenshots) -> list[Visit]:
    """Every page at 390×844, as a phone (touch, mobile viewport), loaded fresh."""
    tab = open_tab(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="light")
    return visit_all(tab, base_url, site_pages, screenshots, "phone")


@dataclass
class DarkRun:
    light_scheme: str | None   # Material's scheme in the light run
    via: str                   # what switched it: "prefers-color-scheme", "palette toggle", ""
    visits: list[Visit]


PALETTE_TOGGLE = 'form[data-md-component="palette"] label.md-header__button:visible'


@pytest.fixture(scope="session")
def dark_run(open_tab, base_url, site_pages, screenshots, desktop_visits) -> DarkRun:
    """Every page with the browser asking for dark; the palette toggle used if that is ignored.

    Material keeps a toggled palette in localStorage, so one click serves all pages.
    """
    light = desktop_visits[0].look.scheme
    run = DarkRun(light, "", [])

    def go_dark(page):
        scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        if scheme != light:
            run.via = run.via or "prefers-color-scheme"
            return
        toggle = page.locator(PALETTE_TOGGLE)
        if toggle.count():
            toggle.first.click()
            page.wait_for_function(
                "s => document.body.getAttribute('data-md-color-scheme') !== s", arg=light,
                timeout=5000)
            run.via = "palette toggle"

    tab = open_tab(color_scheme="dark")
    run.visits = visit_all(tab, base_url, site_pages, screenshots, "dark", before=go_dark)
    return run


def pytest_sessionfinish(session):
    output = getattr(session.config, "workeroutput", None)
    if output is not None and _taken:  # a pytest-xdist worker: tests/conftest.py says it
        output["screenshots"] = str(_taken[0])


def pytest_terminal_summary(terminalreporter):
    if _taken:
        count = len(list(_taken[0].glob("*.png")))
        terminalreporter.write_line(f"browser screenshots ({count}): {_taken[0]}")
