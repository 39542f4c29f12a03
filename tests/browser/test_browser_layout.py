"""What fits where: formulas, tables and figures of the default example, every page.

- at 390 px (a phone) no display formula is wider than the text column, so every
  line's `= result` is on screen without scrolling sideways;
- at 1280 px no table is wider than its column, and on a phone table text stays at
  a readable size (a wide table may scroll inside its own box there, never off-page);
- at 390 px the columns that are the point of each comparison table (the verdict and
  the difference; on the check page |g − g̃| and the relative error) are on screen
  without scrolling the table sideways;
- figure text is at least 11 px as drawn in the article column at 1280 px and at
  390 px (the smallest font size written in each SVG, times the scale the page draws
  it at); on a phone a figure scrolls sideways in its own box, never the page.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import PHONE
from probe import by_page, explain, settle

MIN_FIGURE_TEXT_PX = 11.0
MIN_TABLE_TEXT_PX = 12.0
FONT_SIZE = re.compile(r"font-size:\s*([\d.]+)px|font:\s*(?:[a-z]+\s+)*([\d.]+)px")


def test_no_formula_wider_than_the_column_on_a_phone(phone_visits):
    wide = by_page(phone_visits, lambda v: v.look.wide_math)
    assert wide == {}, explain(wide)


def test_no_table_wider_than_its_column_on_a_desktop(desktop_visits):
    assert any(v.look.table_font_px for v in desktop_visits), "no page has a table"
    wide = by_page(desktop_visits, lambda v: v.look.wide_tables)
    assert wide == {}, explain(wide)


def test_tables_stay_readable_on_a_phone(phone_visits):
    small = by_page(phone_visits, lambda v: 0 < v.look.table_font_px < MIN_TABLE_TEXT_PX
                     and f"table text {v.look.table_font_px}px")
    cut = by_page(phone_visits, lambda v: v.look.cut_off)
    assert small == {} and cut == {}, explain({**small, **cut})


#: Per page, the header words of the columns a phone must show without scrolling.
#: Per page, each table by its first column's heading: the columns a phone must show.
KEY_COLUMNS = [("check/", ("parameter", "g−g", "relative error")),
               ("hand-calculation-2018/", ("value", "verdict", "difference")),
               ("hand-calculation-2018/", ("formula", "log", "at the printed")),
               ("mazur-2015/", ("figure", "verdict", "difference")),
               ("mazur-2015/", ("hidden gradients through", "error after one round"))]

_COLUMN_EDGES = """(words) => {
  const squeeze = (text) => text.replace(/\\s+/g, '');
  const table = [...document.querySelectorAll('article table')].find(t => {
    const first = t.querySelector('th');
    return first && squeeze(first.textContent).includes(squeeze(words[0]));
  });
  if (!table) return words.map(word => [word, null]);
  const heads = [...table.querySelectorAll('th')].map(th => squeeze(th.textContent));
  const column = document.querySelector('article').getBoundingClientRect();
  const right = Math.min(column.right, window.innerWidth);
  return words.map(word => {
    const i = heads.findIndex(h => h.includes(word.replace(/\\s+/g, '')));
    if (i < 0) return [word, null];
    const cells = [...table.querySelectorAll('tr')].map(r => r.children[i]).filter(Boolean);
    return [word, Math.max(...cells.map(c => c.getBoundingClientRect().right)) - right];
  });
}"""


def test_the_key_table_columns_fit_a_phone(open_tab, base_url):
    tab = open_tab(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="light")
    off = {}
    for path, words in KEY_COLUMNS:
        tab.page.goto(base_url + path, wait_until="load")
        settle(tab.page)
        for word, overflow in tab.page.evaluate(_COLUMN_EDGES, list(words)):
            if overflow is None or overflow > 0.5:
                off[f"{path} {word}"] = overflow
    assert off == {}, f"columns missing or beyond the screen (px past the column): {off}"


def smallest_font_px(svg: str) -> float:
    """The smallest font size an SVG writes (in its own px), from attributes and CSS."""
    sizes = [float(a or b) for a, b in FONT_SIZE.findall(svg)]
    sizes += [float(x) for x in re.findall(r'font-size="([\d.]+)(?:px)?"', svg)]
    assert sizes, "no font size found in the SVG"
    return min(sizes)


def test_smallest_font_px_reads_css_and_attributes():
    assert smallest_font_px('<style>text{font-size:12px}</style><text style="font: 9px '
                            "'DejaVu Sans'\">a</text>") == 9.0
    assert smallest_font_px('<text font-size="10.5">a</text><style>x{font-size:14px}</style>') == 10.5


def _figure_text(visits, site_dir) -> tuple[int, dict[str, list[str]]]:
    """How many figures were measured, and those whose smallest text is drawn below
    MIN_FIGURE_TEXT_PX (the SVG's smallest font size times the scale it is drawn at)."""
    seen, small = 0, {}
    for v in visits:
        for fig in v.look.figures:
            path = urlsplit(fig["src"]).path
            if not path.endswith(".svg") or not fig["natural"]:
                continue
            file = site_dir / path.lstrip("/")
            svg = file.read_text(encoding="utf-8")
            width = re.search(r'<svg[^>]*\swidth="([\d.]+)(pt|px)?"', svg)
            natural = float(width[1]) * (4 / 3 if width[2] == "pt" else 1)
            scale = fig["width"] / natural
            px = smallest_font_px(svg) * (4 / 3 if width[2] == "pt" else 1) * scale
            seen += 1
            if px < MIN_FIGURE_TEXT_PX:
                small.setdefault(v.page.path or "/", []).append(
                    f"{file.name}: {px:.1f}px (drawn at {scale:.2f} of its size)")
    return seen, small


def test_figure_text_at_least_11px_on_a_desktop(desktop_visits, site_dir):
    seen, small = _figure_text(desktop_visits, site_dir)
    assert seen >= 4, f"only {seen} figures found"
    assert small == {}, explain(small)


def test_figure_text_at_least_11px_on_a_phone_and_the_page_still_fits(phone_visits, site_dir):
    """On a 390 px phone a figure keeps its text readable and scrolls sideways inside
    its own box (before: the diagrams shrank to the column, text 5.5-6.5 px)."""
    seen, small = _figure_text(phone_visits, site_dir)
    assert seen >= 4, f"only {seen} figures found"
    wide = by_page(phone_visits, lambda v: v.look.figures and
                    v.look.page_width > v.look.viewport_width + 1 and
                    f"page {v.look.page_width}px wide in a {v.look.viewport_width}px screen")
    assert small == {} and wide == {}, explain({**small, **wide})


_SCROLL_CUES = """() => [...document.querySelectorAll('.bp-figure-scroll')]
  .filter(box => box.scrollWidth > box.clientWidth + 1)
  .map(box => {
    const shade = side => {
      box.scrollLeft = side === 'start' ? 0 : box.scrollWidth;
      return getComputedStyle(box).backgroundImage;
    };
    const images = shade('start');
    box.scrollLeft = 0;
    return {id: box.parentElement.id, images,
            focusable: box.tabIndex >= 0,
            label: box.getAttribute('aria-label') || ''};
  })"""


@pytest.mark.parametrize("path", ["forward/", "wrap-up/", "conclusion/"])
def test_a_figure_that_scrolls_on_a_phone_says_so(open_tab, base_url, path):
    """A figure wider than a phone's column shows a shade at the edge where more of it
    lies (two radial gradients that scroll with the box, under page-coloured covers that
    scroll with the content), takes keyboard focus, and says it scrolls to a screen
    reader."""
    tab = open_tab(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="light")
    tab.page.goto(base_url + path, wait_until="load")
    settle(tab.page)
    boxes = tab.page.evaluate(_SCROLL_CUES)
    assert boxes, f"{path}: no figure scrolls at 390 px (expected at least one)"
    for box in boxes:
        assert box["images"].count("radial-gradient") == 2, box
        assert box["images"].count("linear-gradient") == 2, box
        assert box["focusable"] and "scrolls sideways" in box["label"], box


MIN_DISPLAY_MATH_PX = 14.0
_MATH_PX = """() => [...document.querySelectorAll('article div.arithmatex mjx-container')]
  .map(c => [parseFloat(getComputedStyle(c).fontSize),
             (c.closest('.admonition, details') ? 'in a box: ' : '') +
             (c.closest('div.arithmatex').textContent || '').trim().slice(0, 40)])"""


def test_display_math_stays_legible_on_a_phone(open_tab, base_url, site_pages):
    """Every display formula is typeset at 14 px or more at 390 px, in boxes too (their
    formulas were 13 px, their exponents about 6.5 px)."""
    tab = open_tab(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="light")
    small, seen = {}, 0
    for page in site_pages:
        tab.page.goto(base_url + page.path, wait_until="load")
        settle(tab.page)
        sizes = tab.page.evaluate(_MATH_PX)
        seen += len(sizes)
        if low := [f"{px:.1f}px {where}" for px, where in sizes if px < MIN_DISPLAY_MATH_PX]:
            small[page.path or "/"] = low[:3]
    assert seen > 50, f"only {seen} display formulas found"
    assert small == {}, small
