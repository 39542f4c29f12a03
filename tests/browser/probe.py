"""What a reader's browser shows: JavaScript probes run in the page, and their Python side.

`settle(page)` waits until MathJax has finished (startup, any re-typeset queued by an
instant navigation, web fonts); `look(page)` returns one `Look` of the page as rendered.
`source_formulas(html)` counts the formulas a built page's HTML asks MathJax to typeset,
for comparison with what it did typeset; `sitemap_paths` / `nav_paths` list the built
site's pages. Not fixtures: those live in conftest.py.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

__all__ = ["CLICK_NAV_LINK", "by_page", "Look", "settle", "look", "source_formulas", "raw_tex", "page_title", "explain",
           "sitemap_paths", "nav_paths", "tokens", "number_pattern"]

#: Clicks the primary navigation's link to `target` (an absolute URL), so Material's
#: instant navigation handles it; false when the page has no such link.
CLICK_NAV_LINK = """target => {
  const link = [...document.querySelectorAll('nav.md-nav--primary a.md-nav__link[href]')]
    .find(a => a.href.split('#')[0] === target);
  if (!link) return false;
  link.click();
  return true;
}"""

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

# Jupyter's markdown keeps TeX as text for MathJax to find: the delimiters MathJax's TeX
# input would look for in a notebook cell. \$ is an escaped dollar, not a delimiter.
_TEX_IN_TEXT = re.compile(
    r"\$\$.+?\$\$"
    r"|\\\[.+?\\\]"
    r"|\\\(.+?\\\)"
    r"|\\begin\{([A-Za-z]+\*?)\}.+?\\end\{\1\}"
    r"|(?<![\\$])\$(?:\\\$|[^$])+?(?<!\\)\$",
    re.DOTALL,
)
# Notebook cells whose text MathJax is meant to typeset (markdown cells, LaTeX outputs).
_NOTEBOOK_MATH = ".jp-RenderedMarkdown, .jp-RenderedLatex"

# What TeX looks like when nobody typeset it: delimiters, or a control word.
_RAW_TEX = re.compile(
    r"\\\(|\\\)|\\\[|\\\]|\$\$|\\[A-Za-z]+|(?<![\\$])\$[^$\s][^$]*?[\\^_{}][^$]*?\$"
)


def source_formulas(html: str) -> int:
    """How many formulas a built page holds: arithmatex elements plus TeX in notebook cells."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "pre", "code", "textarea", "template"]):
        tag.decompose()
    count = len(soup.select(".arithmatex"))
    cells = soup.select(_NOTEBOOK_MATH)
    for cell in cells:
        if any(parent in cells for parent in cell.parents):
            continue  # counted with its enclosing cell
        for inner in cell.select(".arithmatex"):
            inner.decompose()  # already counted above
        count += sum(1 for _ in _TEX_IN_TEXT.finditer(cell.get_text()))
    return count


def page_title(html: str) -> str:
    """The <title> a page will have once loaded (instant navigation swaps it too)."""
    title = BeautifulSoup(html, "html.parser").title
    return title.get_text() if title else ""


def explain(wrong) -> str:
    """An assertion message listing everything found, one item a line (pytest truncates)."""
    if isinstance(wrong, dict):
        lines = []
        for key, value in wrong.items():
            items = value if isinstance(value, list) else [value]
            lines += [f"{key}:"] + [f"    {item}" for item in items]
        return "\n" + "\n".join(lines)
    return "\n" + "\n".join(f"    {item}" for item in wrong)


def tokens(text: str) -> str:
    """Rendered text with one spelling of minus, and a sign glued to its number."""
    text = text.replace("\u2212", "-").replace("\u00a0", " ").replace("\u2009", " ")
    return re.sub(r"-\s+(?=\d)", "-", text)


def number_pattern(shown: str) -> re.Pattern:
    """`shown` as a whole number: no digit, point or minus glued on either side."""
    return re.compile(r"(?<![\d.\-])" + re.escape(tokens(shown)) + r"(?!\d)")


def raw_tex(text: str) -> list[str]:
    """Pieces of untypeset TeX in visible text, with a little context each."""
    found = []
    for match in _RAW_TEX.finditer(text):
        start, end = max(0, match.start() - 30), min(len(text), match.end() + 30)
        found.append(text[start:end].replace("\n", " "))
    return found


@dataclass
class Look:
    """One rendered page as a reader gets it (all counts over the whole document)."""

    url: str
    title: str
    mathjax: bool                 # MathJax loaded and started
    text: str                     # visible text outside code blocks and rendered math
    math_text: list[str]          # each formula's assistive MathML text, in page order
    containers: int               # mjx-container elements
    nested: int                   # mjx-container inside another mjx-container
    doubled: int                  # .arithmatex holding more than one mjx-container
    merror: list[str]             # MathJax error messages shown in formulas
    assistive: int                # containers exposing <mjx-assistive-mml><math>
    headings: list[tuple[int, str]] = field(default_factory=list)
    images_without_alt: list[str] = field(default_factory=list)
    svgs_without_name: list[str] = field(default_factory=list)
    scheme: str | None = None     # Material's data-md-color-scheme on <body>
    page_width: int = 0           # scrollWidth of the document
    viewport_width: int = 0
    cut_off: list[str] = field(default_factory=list)      # content past the right edge
    low_contrast: list[str] = field(default_factory=list)  # text below 4.5:1
    wide_math: list[str] = field(default_factory=list)     # display formulas that scroll
    wide_tables: list[str] = field(default_factory=list)   # tables wider than their column
    table_font_px: float = 0.0    # the smallest font size of any table cell (0: no table)
    figures: list[dict] = field(default_factory=list)      # {src, width, natural} per <img>


_SETTLE = """async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const count = () => document.querySelectorAll('mjx-container').length;
  let last = -1, same = 0;
  for (let i = 0; i < 80 && same < 3; i++) {
    const MJ = window.MathJax;
    if (MJ && MJ.startup && MJ.startup.promise) { try { await MJ.startup.promise; } catch (e) {} }
    const now = count();
    same = now === last ? same + 1 : 0;
    last = now;
    await sleep(120);
  }
  if (document.fonts) await document.fonts.ready;
  return !!(window.MathJax && window.MathJax.startup && window.MathJax.startup.document);
}"""


_LOOK = r"""() => {
  const visible = el => el.checkVisibility({visibilityProperty: true});
  const SKIP = 'script,style,pre,code,kbd,samp,textarea,noscript,template,mjx-container';
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || parent.closest(SKIP) || !visible(parent)) continue;
    parts.push(node.nodeValue);
  }
  const describe = el => {
    const cls = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.') : '';
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50);
    return `${el.tagName.toLowerCase()}${cls} "${text}"`;
  };
  // A stacked table's cell labels (layout.js) are aria-hidden copies of its typeset
  // headings: not formulas of the page.
  const containers = [...document.querySelectorAll('mjx-container')]
    .filter(c => !c.closest('.bp-cell-label'));
  const article = document.querySelector('article') || document.body;

  const headings = [...article.querySelectorAll('h1,h2,h3,h4,h5,h6')]
    .filter(h => !h.closest('mjx-container'))
    .map(h => [Number(h.tagName[1]), h.textContent.replace('¶', '').trim()]);

  const decorative = el => el.closest('[aria-hidden="true"],[role="presentation"],[role="none"]');
  const images = [...article.querySelectorAll('img')]
    .filter(img => !decorative(img) && !(img.getAttribute('alt') || '').trim())
    .map(img => img.getAttribute('src') || describe(img));
  // Icons inside labelled controls (copy buttons, header links) are named by the control.
  const named = el => el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
    || (el.querySelector(':scope > title') || {}).textContent;
  const svgs = [...article.querySelectorAll('svg')]
    .filter(svg => !svg.parentElement.closest('svg') && !svg.closest('mjx-container'))
    .filter(svg => !decorative(svg) && !svg.closest('a,button,label,clipboard-copy,.twemoji'))
    .filter(svg => !named(svg))
    .map(describe);

  // Content that sticks out past the right edge without a scrollable box around it.
  const width = document.documentElement.clientWidth;
  const cut = [], reported = new Set();
  for (const el of article.querySelectorAll('*')) {
    if (el.parentElement && reported.has(el.parentElement)) { reported.add(el); continue; }
    if (el.closest('mjx-assistive-mml')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || r.right <= width + 1 || !visible(el)) continue;
    let a = el.parentElement, scrolls = false;
    while (a && a !== document.documentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox === 'auto' || ox === 'scroll') { scrolls = true; break; }
      a = a.parentElement;
    }
    if (!scrolls) { reported.add(el); cut.push(`${describe(el)} right=${Math.round(r.right)}`); }
  }

  // WCAG contrast of text against the background actually behind it.
  const rgba = s => { const m = s.match(/[\d.]+/g) || [0, 0, 0, 0]; return [+m[0], +m[1], +m[2], m.length > 3 ? +m[3] : 1]; };
  const over = (fg, bg) => [0, 1, 2].map(i => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat([1]);
  const background = el => {
    const layers = [];
    for (let a = el; a; a = a.parentElement) {
      const c = rgba(getComputedStyle(a).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const lum = c => { const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                     return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const low = [];
  const textual = article.querySelectorAll('p,li,td,th,h1,h2,h3,h4,h5,h6,mjx-container,figcaption,summary');
  for (const el of textual) {
    if (!visible(el) || !(el.textContent || '').trim() || el.closest('pre,code')) continue;
    if (el.tagName !== 'MJX-CONTAINER' && el.closest('mjx-container')) continue;
    const bg = background(el), fg = over(rgba(getComputedStyle(el).color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 4.5) low.push(`${describe(el)} ${ratio.toFixed(2)}:1`);
  }

  return {
    url: location.href,
    title: document.title,
    mathjax: !!(window.MathJax && window.MathJax.startup && window.MathJax.startup.document),
    text: parts.join(' '),
    // token by token ("− 0.3830"), so numbers in a matrix do not run together
    math_text: containers.map(c => [...c.querySelectorAll('mjx-assistive-mml math *')]
      .filter(e => !e.children.length).map(e => e.textContent.trim()).filter(Boolean).join(' ')),
    containers: containers.length,
    nested: document.querySelectorAll('mjx-container mjx-container').length,
    doubled: [...document.querySelectorAll('.arithmatex')]
      .filter(e => e.querySelectorAll('mjx-container').length > 1).length,
    merror: [...document.querySelectorAll('mjx-merror')]
      .map(e => e.getAttribute('data-mjx-error') || e.textContent),
    assistive: containers.filter(c => c.querySelector(':scope > mjx-assistive-mml > math')).length,
    headings,
    images_without_alt: images,
    svgs_without_name: svgs,
    scheme: document.body.getAttribute('data-md-color-scheme'),
    page_width: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
    viewport_width: width,
    cut_off: cut.slice(0, 8),
    low_contrast: low.slice(0, 8),
    // display formulas wider than their column (they scroll sideways inside it)
    wide_math: [...document.querySelectorAll('div.arithmatex')]
      .filter(e => visible(e) && e.scrollWidth > e.clientWidth + 1)
      .map(e => `${e.scrollWidth}px in ${e.clientWidth}px: ` +
                (e.querySelector('mjx-assistive-mml') || e).textContent.slice(0, 60))
      .slice(0, 8),
    // tables wider than the article column (Material lets them scroll in a wrapper)
    wide_tables: [...article.querySelectorAll('table')]
      .filter(t => visible(t) && t.getBoundingClientRect().width >
                   article.getBoundingClientRect().width + 1)
      .map(t => `${Math.round(t.getBoundingClientRect().width)}px in ` +
                `${Math.round(article.getBoundingClientRect().width)}px: ` +
                (t.querySelector('th') || t).textContent.trim().slice(0, 40))
      .slice(0, 8),
    table_font_px: ((f) => f.length ? Math.min(...f) : 0)([...article.querySelectorAll('td, th')]
      .filter(visible).map(c => parseFloat(getComputedStyle(c).fontSize))),
    figures: [...article.querySelectorAll('figure img')].filter(visible)
      .map(img => ({src: img.currentSrc || img.src, width: img.getBoundingClientRect().width,
                    natural: img.naturalWidth})),
  };
}"""


def sitemap_paths(site_dir: Path) -> list[str]:
    """Pages in sitemap.xml, relative to the site root; [] when MkDocs wrote none."""
    sitemap = site_dir / "sitemap.xml"
    if not sitemap.is_file():
        return []
    locs = [el.text.strip() for el in ET.parse(sitemap).iter(f"{SITEMAP_NS}loc") if el.text]
    # With site_url set the locs are absolute: strip the home page's canonical URL.
    home = re.search(r'<link rel="canonical" href="([^"]+)"',
                     (site_dir / "index.html").read_text(encoding="utf-8"))
    paths = []
    for loc in locs:
        if home and loc.startswith(home.group(1)):
            paths.append(loc[len(home.group(1)):])
        elif "://" in loc:
            raise ValueError(f"{sitemap}: {loc} is outside the site's URL "
                             f"{home and home.group(1)}")
        else:
            paths.append(loc.lstrip("/"))
    return paths


def nav_paths(site_dir: Path) -> list[str]:
    """Pages the home page's primary navigation links to, in order, relative to the root."""
    home = BeautifulSoup((site_dir / "index.html").read_text(encoding="utf-8"), "html.parser")
    paths = [""]
    for a in home.select("nav.md-nav--primary a.md-nav__link[href]"):
        url = urlsplit(urljoin("http://site/", a["href"]))
        if url.hostname == "site" and url.path.lstrip("/") not in paths:
            paths.append(url.path.lstrip("/"))
    return paths


def settle(page) -> bool:
    """Wait for load, MathJax (first typeset or a re-typeset) and fonts; True if MathJax runs."""
    page.wait_for_load_state("load")
    return bool(page.evaluate(_SETTLE))


def look(page) -> Look:
    """The page as rendered now (call `settle` first)."""
    data = page.evaluate(_LOOK)
    data["headings"] = [tuple(h) for h in data["headings"]]
    return Look(**data)


def by_page(visits, check) -> dict[str, object]:
    """{page path: what is wrong} for each visit where `check` finds something."""
    found = {}
    for v in visits:
        wrong = check(v)
        if wrong:
            found[v.page.path or "/"] = wrong
    return found
