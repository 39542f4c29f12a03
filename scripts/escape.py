"""Escaping at the boundary: the one way text from an example file enters markup.

Text from an example file (its `title`, the label or path that names it, any text field
added later) is data. It reaches a page only through one of these functions, one per
output kind; nothing else concatenates such text into markup.

- `html_text(text)`: for HTML that is still Markdown source (a page in docs/ rendered by
  mkdocs-macros, then Python-Markdown, then shown by MathJax), or final HTML (text or a
  quoted attribute value). HTML-escaping alone is not enough there: Markdown would still
  read `*`, `` ` ``, `[x](javascript:…)`, arithmatex would read `$…$`, and MathJax `\\(`.
  So every ASCII character that is not a letter, a digit or a space is written as a
  numeric character reference (`$` → `&#36;`): no Markdown, TeX or template syntax is
  left in the text, and the browser shows each character as itself.
- `svg_text(text)`: for text and attribute values in SVG (XML) written by hand.
- `link(address)`: a source's web address as a plain link showing the address itself
  (an `<a>` loads nothing until a reader follows it); anything that is not a plain
  http or https address is written as inert text instead, never as a link.

There is no TeX function: no example text is ever written into TeX (tests/site/
test_hostile.py checks that the title never reaches a formula's source).

Validation (control, formatting and bidirectional-override characters, length) is the
example parser's job (`backprop_core.example.check_text`); this module never refuses.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape as _xml_escape

__all__ = ["html_text", "link", "svg_text"]

# A plain web address: no space, quote, angle bracket or backslash anywhere in it.
_ADDRESS = re.compile(r"https?://[^\s\"'<>\\`]+")


def _reference(char: str) -> str:
    if char.isascii() and not (char.isalnum() or char == " "):
        return f"&#{ord(char)};"
    return char


def html_text(text: str) -> str:
    """`text` as inert HTML that Markdown, arithmatex, MathJax and Jinja leave alone.

    >>> html_text('Why x < y & "quotes" matter: 50% of $5')
    'Why x &#60; y &#38; &#34;quotes&#34; matter&#58; 50&#37; of &#36;5'
    """
    return "".join(_reference(c) for c in str(text))


def svg_text(text: str) -> str:
    """`text` for an SVG text node or a double- or single-quoted attribute value."""
    return _xml_escape(str(text), {'"': "&quot;", "'": "&apos;"})


def link(address: str) -> str:
    """`address` as a link to itself if it is a plain http(s) address, else inert text.

    >>> link("https://example.org/a_b")
    '<a href="https&#58;&#47;&#47;example&#46;org&#47;a&#95;b">https&#58;&#47;&#47;example&#46;org&#47;a&#95;b</a>'
    >>> link("javascript:alert(1)")
    'javascript&#58;alert&#40;1&#41;'
    """
    text = html_text(address)
    if _ADDRESS.fullmatch(str(address)):
        return f'<a href="{text}">{text}</a>'
    return text
