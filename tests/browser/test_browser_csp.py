"""The Content-Security-Policy and MathJax's `safe` extension, in Chromium.

Every page carries one policy (scripts/csp.py); here it must hold without breaking
anything: no violation on any page loaded fresh, none through instant navigation (the
first page's policy stays in force), search still answers, and the math still
typesets. Then the policy must bite: a script injected into a page, inline or as an
event handler, does not run, and a fetch to another origin is refused. MathJax's `safe`
extension must drop `javascript:` URLs from `\\href` and filter `\\class`, `\\style` and
`\\cssId`, whatever TeX reaches it.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup

from probe import CLICK_NAV_LINK, explain, settle

META = 'meta[http-equiv="Content-Security-Policy"]'
# Installed before any page script: records every violation of the policy.
RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} ` +
                    `at ${e.sourceFile}:${e.lineNumber} ${e.sample || ''}`);
});
"""
VIOLATIONS = "() => window.__csp || []"


def _tab(open_tab):
    tab = open_tab(color_scheme="light")
    tab.context.add_init_script(RECORD)
    return tab


def test_every_page_has_the_same_policy_and_it_is_strict(site_dir):
    policies = {}
    for page in sorted(site_dir.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        metas = soup.select(META)
        assert len(metas) == 1, f"{page}: expected one CSP meta; found {len(metas)}"
        head = soup.head.find_all(True)
        # it must come before anything it governs: right after <meta charset>
        assert head[0].name == "meta" and head[0].get("charset"), page
        assert head[1] is metas[0], f"{page}: the CSP meta is not second in <head>"
        policies[str(page.relative_to(site_dir))] = metas[0]["content"]
    assert len(set(policies.values())) == 1, "pages carry different policies"
    policy = dict(d.strip().split(" ", 1) for d in next(iter(policies.values())).split(";"))
    assert policy["default-src"] == "'none'"
    assert re.fullmatch(r"'self'( 'sha256-[A-Za-z0-9+/]+=*')+", policy["script-src"]), \
        policy["script-src"]
    for directive, value in policy.items():
        assert "*" not in value and "http" not in value, f"{directive}: {value}"
        if directive != "style-src":
            assert "unsafe" not in value, f"{directive}: {value}"


def test_no_violation_on_any_page_loaded_fresh(open_tab, base_url, site_pages):
    tab = _tab(open_tab)
    wrong = {}
    for site_page in site_pages:
        mark = tab.mark()
        tab.page.goto(urljoin(base_url, site_page.path), wait_until="load")
        typesets = settle(tab.page)
        problems = tab.page.evaluate(VIOLATIONS) + tab.problems_since(mark)
        if site_page.formulas and not typesets:
            problems.append("MathJax did not run")
        if problems:
            wrong[site_page.path or "/"] = problems
    assert wrong == {}, explain(wrong)


def test_no_violation_through_instant_navigation(open_tab, base_url, site_pages):
    """Every page reached by clicking the nav from the home page, never reloading."""
    tab = _tab(open_tab)
    page = tab.page
    page.goto(base_url, wait_until="load")
    settle(page)
    page.evaluate("() => { window.__sameDocument = true; }")
    wrong = {}
    for site_page in site_pages[1:] + site_pages[:1]:
        mark = tab.mark()
        target = urljoin(base_url, site_page.path)
        assert page.evaluate(CLICK_NAV_LINK, target), f"no nav link to /{site_page.path}"
        page.wait_for_function("t => document.title === t", arg=site_page.title,
                               timeout=10000)
        settle(page)
        problems = tab.problems_since(mark)
        if not page.evaluate("() => window.__sameDocument === true"):
            problems.append("reloaded: instant navigation is off")
        if site_page.formulas and not page.evaluate(
                "() => document.querySelectorAll('mjx-container').length"):
            problems.append("no formula typeset")
        if problems:
            wrong[site_page.path or "/"] = problems
    wrong["violations"] = page.evaluate(VIOLATIONS)
    assert wrong == {"violations": []}, explain(wrong)


def test_search_works_under_the_policy(open_tab, base_url):
    tab = _tab(open_tab)
    page = tab.page
    page.goto(base_url, wait_until="load")
    settle(page)
    page.keyboard.press("/")  # Material's shortcut: focus the search box
    # typed key by key: Material reads the query on keyup, which fill() does not send
    page.locator("input.md-search__input").press_sequentially("gradient", delay=30)
    page.wait_for_selector("li.md-search-result__item", timeout=10000)
    assert page.locator("li.md-search-result__item").count() > 0
    assert page.evaluate(VIOLATIONS) == [], page.evaluate(VIOLATIONS)
    # Enter opens the first result by script; the form is never submitted
    # (form-action 'none' would refuse it and count a violation).
    page.keyboard.press("Enter")
    page.wait_for_function("base => location.href.split('#')[0] !== base", arg=base_url,
                           timeout=10000)
    settle(page)
    assert page.evaluate(VIOLATIONS) == [], page.evaluate(VIOLATIONS)
    assert tab.problems() == [], tab.problems()


def test_injected_inline_script_and_handler_do_not_run(open_tab, base_url):
    tab = _tab(open_tab)
    page = tab.page
    page.goto(base_url, wait_until="load")
    settle(page)
    page.evaluate("""() => {
      window.__ran = [];
      const s = document.createElement('script');
      s.textContent = 'window.__ran.push("inline script");';
      document.body.append(s);
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.__ran.push("event handler")');
      img.src = 'missing.png';
      document.body.append(img);
      const a = document.createElement('a');
      a.href = 'javascript:window.__ran.push("javascript URL")';
      a.id = '__bad_link';
      a.textContent = 'a link with a javascript: URL';
      document.querySelector('article').prepend(a);
    }""")
    page.click("#__bad_link")
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__ran") == []
    blocked = page.evaluate(VIOLATIONS)
    assert len([v for v in blocked if v.startswith("script-src")]) >= 3, blocked


def test_a_script_written_into_the_served_page_does_not_run(open_tab, base_url):
    """The page as a server would send it, with markup slipped into its content."""
    tab = _tab(open_tab)
    page = tab.page

    def doctored(route):
        response = route.fetch()
        body = response.text().replace(
            '<article class="md-content__inner md-typeset">',
            '<article class="md-content__inner md-typeset">'
            '<script>window.__injected = 1</script>'
            '<img src="x" onerror="window.__injected = 2">', 1)
        route.fulfill(response=response, body=body)

    page.route(base_url, doctored)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base_url, wait_until="load")
    settle(page)
    assert page.locator("article script").count() == 1  # it is there, and did not run
    assert page.evaluate("() => window.__injected") is None
    assert dialogs == []
    assert len(page.evaluate(VIOLATIONS)) >= 2


def test_a_fetch_to_another_origin_is_refused(open_tab, base_url):
    tab = _tab(open_tab)
    page = tab.page
    page.goto(base_url, wait_until="load")
    settle(page)
    same = page.evaluate("() => fetch('sitemap.xml').then(r => r.status)")
    assert same == 200
    other = page.evaluate("""() => fetch('http://192.0.2.1/data.json')
        .then(() => 'fetched', e => 'refused')""")
    assert other == "refused"
    assert any(v.startswith("connect-src") for v in page.evaluate(VIOLATIONS))
    assert tab.external == []  # refused by the policy before any request was made


def test_mathjax_safe_drops_javascript_urls_and_filters_html_macros(open_tab, base_url,
                                                                    site_pages):
    tab = _tab(open_tab)
    page = tab.page
    math_page = next(p for p in site_pages if p.formulas)
    page.goto(urljoin(base_url, math_page.path), wait_until="load")
    settle(page)
    result = page.evaluate(r"""async () => {
      const el = document.createElement('span');
      el.className = 'arithmatex';
      el.id = '__hostile_tex';
      el.textContent = String.raw`\(\href{javascript:window.__injected=1}{click}` +
        String.raw`\href{data:text/html,x}{d}\class{evil}{a}\cssId{evil-id}{b}` +
        String.raw`\style{background-image:url(x.png);position:fixed}{c}\)`;
      document.querySelector('article').append(el);
      await MathJax.typesetPromise([el]);
      const c = el.querySelector('mjx-container');
      return {
        typeset: !!c,
        hrefs: [...el.querySelectorAll('[href]')].map(a => a.getAttribute('href')),
        evil: el.querySelectorAll('.evil, #evil-id').length,
        styles: [...el.querySelectorAll('[style]')].map(e => e.getAttribute('style'))
      };
    }""")
    assert result["typeset"], result
    assert not any(h.lower().startswith(("javascript:", "data:")) for h in result["hrefs"]), \
        result["hrefs"]
    assert result["evil"] == 0, result
    assert not any("url(" in s or "fixed" in s for s in result["styles"]), result["styles"]
    assert page.evaluate("() => window.__injected") is None
