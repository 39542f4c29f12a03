"""On a phone, a table wider than its column becomes one card per row (layout.js).

Before, the comparison tables of the 2018, Mazur and check pages scrolled sideways at
390 px: a reader saw "wrong" and the difference, with the printed and the engine's
value off-screen and nothing saying so. Now, on every page of the default example:

- no table scrolls sideways at 390 px: every cell lies within the column;
- each cell of a stacked table shows its column's heading above it (the visible label
  is that heading's text), and the table keeps table semantics for screen readers
  (explicit roles, the heading row hidden only visually);
- on a desktop no table is stacked and no label shows;
- a figure that still scrolls on a phone says so in visible text above its caption;
- all of it again after Material's instant navigation (no page reload).
"""

from __future__ import annotations

import pytest

from conftest import PHONE
from probe import settle

# Every table: does it scroll, is it stacked, do labels match headings, roles.
_TABLES = """() => [...document.querySelectorAll('article table')].map((table, n) => {
  const squeeze = s => s.replace(/\\s+/g, ' ').trim();
  const wrap = table.closest('.md-typeset__scrollwrap') || table.parentElement;
  const column = document.querySelector('article').getBoundingClientRect();
  const heads = [...table.querySelectorAll('thead th')].map(th => squeeze(th.innerText));
  const cells = [...table.querySelectorAll('tbody td')];
  const shown = el => el && el.checkVisibility({visibilityProperty: true});
  const labels = cells.map(td => {
    const label = td.querySelector(':scope > .bp-cell-label');
    return shown(label) ? squeeze(label.innerText) : null;
  });
  const wanted = cells.map(td => heads[[...td.parentElement.children].indexOf(td)]);
  return {n, heads: heads.join(' | '),
          scrolls: wrap.scrollWidth > wrap.clientWidth + 1,
          beyond: Math.max(0, ...cells.map(td => td.getBoundingClientRect().right - column.right)),
          stacked: table.hasAttribute('data-bp-stacked'),
          labels, wanted,
          headHidden: !shown(table.querySelector('thead')) ||
                      table.querySelector('thead').getBoundingClientRect().height <= 1,
          roles: table.getAttribute('role') === 'table' &&
                 cells.every(td => td.getAttribute('role') === 'cell') &&
                 [...table.querySelectorAll('thead th')].every(th => th.getAttribute('role') === 'columnheader'),
          labelsHidden: cells.every(td => !td.querySelector('.bp-cell-label') ||
                 td.querySelector('.bp-cell-label').getAttribute('aria-hidden') === 'true')};
})"""

_WAIT = """() => [...document.querySelectorAll('article table')].every(t => {
  const w = t.closest('.md-typeset__scrollwrap') || t.parentElement;
  return w.scrollWidth <= w.clientWidth + 1;
})"""


def _phone_tab(open_tab):
    return open_tab(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="light")


def _problems(tables: list[dict]) -> list[str]:
    found = []
    for t in tables:
        where = f"table {t['n']} ({t['heads'][:60]})"
        if t["scrolls"] or t["beyond"] > 0.5:
            found.append(f"{where}: scrolls sideways or {t['beyond']:.0f}px past the column")
        if t["stacked"]:
            wrong = [(got, want) for got, want in zip(t["labels"], t["wanted"]) if got != want]
            if wrong:
                found.append(f"{where}: labels not their headings: {wrong[:3]}")
            if not t["headHidden"]:
                found.append(f"{where}: the heading row still shows above the cards")
            if not (t["roles"] and t["labelsHidden"]):
                found.append(f"{where}: table roles missing or labels not aria-hidden")
    return found


def test_no_table_scrolls_sideways_on_a_phone(open_tab, base_url, site_pages):
    tab = _phone_tab(open_tab)
    problems, stacked = {}, 0
    for page in site_pages:
        tab.page.goto(base_url + page.path, wait_until="load")
        settle(tab.page)
        try:
            tab.page.wait_for_function(_WAIT, timeout=3000)
        except Exception:  # the assert below says which table
            pass
        tables = tab.page.evaluate(_TABLES)
        stacked += sum(t["stacked"] for t in tables)
        if found := _problems(tables):
            problems[page.path or "/"] = found
    assert problems == {}, problems
    # The comparison tables of the 2018, Mazur and check pages are wider than a phone.
    assert stacked >= 4, f"only {stacked} tables stacked at 390 px"


@pytest.mark.parametrize("path", ["hand-calculation-2018/", "mazur-2015/", "check/"])
def test_tables_are_not_stacked_on_a_desktop(open_tab, base_url, path):
    tab = open_tab(color_scheme="light")
    tab.page.goto(base_url + path, wait_until="load")
    settle(tab.page)
    tables = tab.page.evaluate(_TABLES)
    assert tables, f"{path}: no table"
    assert not any(t["stacked"] or any(t["labels"]) for t in tables), tables


def test_cards_survive_instant_navigation(open_tab, base_url):
    """From the home page to the 2018 page by a link: Material swaps the page without a
    reload, and the new page's tables are stacked all the same."""
    tab = _phone_tab(open_tab)
    tab.page.goto(base_url, wait_until="load")
    settle(tab.page)
    tab.page.evaluate("window.__sameDocument = true")
    tab.page.evaluate("""() => document.querySelector('a[href$="hand-calculation-2018/"]').click()""")
    tab.page.wait_for_url("**/hand-calculation-2018/")
    settle(tab.page)
    tab.page.wait_for_function(_WAIT, timeout=5000)
    assert tab.page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    tables = tab.page.evaluate(_TABLES)
    assert any(t["stacked"] for t in tables) and _problems(tables) == []


_FIGURE_HINTS = """() => [...document.querySelectorAll('.bp-figure-scroll')].map(box => ({
  id: box.parentElement.id,
  overflows: box.scrollWidth > box.clientWidth + 1,
  hint: getComputedStyle(box.parentElement.querySelector('figcaption'), '::before').content,
}))"""


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_a_figure_says_in_words_that_it_scrolls(open_tab, base_url, width):
    tab = open_tab(viewport={"width": width, "height": 844}, color_scheme="light")
    seen = []
    for path in ["forward/", "wrap-up/", "conclusion/"]:
        tab.page.goto(base_url + path, wait_until="load")
        settle(tab.page)
        seen += tab.page.evaluate(_FIGURE_HINTS)
    assert seen, "no figure found"
    for fig in seen:
        says = "Scroll sideways" in fig["hint"]
        assert says == fig["overflows"], fig
    assert any(f["overflows"] for f in seen) == (width == PHONE["width"]), seen
