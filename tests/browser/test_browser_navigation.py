"""Moving around the site as a reader does: Material's instant navigation, a phone, dark mode.

Instant navigation swaps the page content without a reload; MathJax must typeset the new
content once, and scripts the new page carries (notebook pages carry some) must not throw.
"""

from __future__ import annotations

from urllib.parse import urljoin

from probe import CLICK_NAV_LINK, explain, look, raw_tex, settle

# Set on the window before a click; still there afterwards only if nothing reloaded.
MARK = "() => { window.__notReloaded = 'yes'; }"
STILL_MARKED = "() => window.__notReloaded === 'yes'"


def _check_math(seen, site_page) -> list[str]:
    wrong = []
    if seen.containers != site_page.formulas:
        wrong.append(f"{seen.containers} formulas typeset, {site_page.formulas} in the source")
    if seen.nested or seen.doubled:
        wrong.append(f"duplicates: {seen.nested} nested, {seen.doubled} doubled")
    if seen.merror:
        wrong.append(f"math errors: {seen.merror}")
    if raw_tex(seen.text):
        wrong.append(f"raw TeX: {raw_tex(seen.text)[:3]}")
    return wrong


def test_instant_navigation_retypesets_every_page(open_tab, base_url, site_pages):
    tab = open_tab(color_scheme="light")
    page = tab.page
    page.goto(base_url, wait_until="load")
    settle(page)
    page.evaluate(MARK)
    # every other page through the nav, then back home through the nav, then history back
    route = site_pages[1:] + site_pages[:1]
    wrong = {}
    for site_page in route:
        target = urljoin(base_url, site_page.path)
        mark = tab.mark()
        assert page.evaluate(CLICK_NAV_LINK, target), f"no nav link to /{site_page.path}"
        page.wait_for_function("t => document.title === t", arg=site_page.title, timeout=10000)
        settle(page)
        problems = _check_math(look(page), site_page) + tab.problems_since(mark)
        if not page.evaluate(STILL_MARKED):
            problems.append("the click reloaded the page: instant navigation is not active")
            page.evaluate(MARK)
        if page.url.split("#")[0] != target:
            problems.append(f"landed on {page.url}")
        if problems:
            wrong[site_page.path or "/"] = problems
    if len(site_pages) > 1:
        mark = tab.mark()
        page.go_back()
        page.wait_for_function("t => document.title === t", arg=site_pages[-1].title,
                               timeout=10000)
        settle(page)
        problems = _check_math(look(page), site_pages[-1]) + tab.problems_since(mark)
        if problems:
            wrong[f"back to /{site_pages[-1].path}"] = problems
    assert wrong == {}, explain(wrong)
def test_phone_pages_fit_the_screen(phone_visits):
    wrong = {}
    for v in phone_visits:
        problems = []
        if v.look.page_width > v.look.viewport_width:
            problems.append(f"page is {v.look.page_width}px wide on a "
                            f"{v.look.viewport_width}px screen")
        if v.look.cut_off:
            problems.append(f"cut off at the right edge: {v.look.cut_off}")
        problems += _check_math(v.look, v.page) + v.problems
        if problems:
            wrong[v.page.path or "/"] = problems
    assert wrong == {}, explain(wrong)
HIT = """(e, scroll) => {
  if (scroll) e.scrollIntoView({block: 'center'});
  const r = e.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (!r.width || x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
  const hit = document.elementFromPoint(x, y);
  return !!hit && (hit === e || e.contains(hit));
}"""


def _tappable(locator, scroll: bool) -> bool:
    """A finger on the link's centre would land on it (not off-canvas, clipped or covered)."""
    return locator.evaluate(HIT, scroll)


def test_phone_menu_reaches_every_page(open_tab, base_url, site_pages):
    """The menu button opens the drawer; every page has a visible link there, and a tap works."""
    tab = open_tab(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = tab.page
    page.goto(base_url, wait_until="load")
    nav_links = page.locator("nav.md-nav--primary a.md-nav__link[href]")
    hidden_before = [a for a in nav_links.all() if _tappable(a, scroll=False)]
    menu = page.locator('label.md-header__button[for="__drawer"]')
    assert menu.is_visible(), "no menu button in the header at phone width"
    menu.click()
    # the drawer slides in: wait until it has arrived
    page.wait_for_function("""() => document.getElementById('__drawer').checked && (r =>
        r.left >= 0 && r.width > 0)(document.querySelector('.md-sidebar--primary')
        .getBoundingClientRect())""")
    shown = {}
    for a in nav_links.all():
        if _tappable(a, scroll=True):
            shown.setdefault(a.evaluate("a => a.href.split('#')[0]"), a)
    # the page we are on is a label in the drawer (it opens the table of contents)
    unreachable = [f"/{p.path}" for p in site_pages[1:] if urljoin(base_url, p.path) not in shown]
    assert unreachable == [], "no visible link in the opened menu" + explain(unreachable)
    assert not hidden_before, "the nav was already showing before the menu was opened"
    target = site_pages[-1]
    shown[urljoin(base_url, target.path)].click()  # a real tap-sized click on the drawer link
    page.wait_for_function("t => document.title === t", arg=target.title, timeout=10000)
    assert page.url.split("#")[0] == urljoin(base_url, target.path)
    assert tab.problems() == [], explain(tab.problems())


def test_dark_mode_switches_and_math_renders(dark_run):
    assert dark_run.via, (f"asking for dark (prefers-color-scheme) and the palette toggle both "
                          f"left the scheme at {dark_run.light_scheme!r}")
    wrong = {}
    for v in dark_run.visits:
        problems = []
        if v.look.scheme == dark_run.light_scheme:
            problems.append(f"scheme still {v.look.scheme!r}")
        problems += _check_math(v.look, v.page) + v.problems
        if v.look.low_contrast:
            problems.append(f"text below 4.5:1 contrast: {v.look.low_contrast}")
        if problems:
            wrong[v.page.path or "/"] = problems
    assert wrong == {}, explain(wrong)

def test_palette_toggle_switches_scheme_and_keeps_math(open_tab, base_url, site_pages):
    """The header's toggle, clicked by a reader on the light site, gives the other scheme."""
    site_page = max(site_pages, key=lambda p: p.formulas)
    tab = open_tab(color_scheme="light")
    page = tab.page
    page.goto(urljoin(base_url, site_page.path), wait_until="load")
    settle(page)
    before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    toggle = page.locator('form[data-md-component="palette"] label.md-header__button:visible')
    assert toggle.count() == 1, "expected one visible palette toggle in the header"
    toggle.click()
    page.wait_for_function("s => document.body.getAttribute('data-md-color-scheme') !== s",
                           arg=before, timeout=5000)
    settle(page)
    seen = look(page)
    problems = _check_math(seen, site_page) + tab.problems()
    if seen.low_contrast:
        problems.append(f"text below 4.5:1 contrast: {seen.low_contrast}")
    assert problems == [], f"after switching from {before!r} to {seen.scheme!r}" + explain(problems)
