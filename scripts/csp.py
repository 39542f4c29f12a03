"""The built site's Content-Security-Policy: one `<meta http-equiv>` in every page.

Defence in depth behind scripts/escape.py: should markup ever slip into a page, the
browser still runs no script but the site's own files and Material's inline scripts,
and loads nothing from outside the site's own origin.

`apply(site_dir)` runs after the build (scripts/macros.py, on_post_build). It collects
the SHA-256 of the theme's inline scripts in every page, then writes the same policy,
with all of those hashes, into each page. The set is site-wide on purpose: Material's
inline scripts differ per page (each names its own relative base, `new URL("..",
location)`), and instant navigation swaps a page's content in while the first page's
policy stays in force, so every page must allow every page's scripts.

Only scripts outside the page content (Material's `<article>`) are hashed: the content
is where text from an example lands, so a script there is never allowed, even if one
slipped in. The one exception is the notebook page (`TRUSTED_CONTENT`), whose content
is nbconvert's template (its text outputs escaped by nbconvert) with two scripts of its
own (copying a cell to the clipboard).

Why each source is allowed:
- script-src 'self' + hashes: the site's scripts and MathJax (which loads its own
  components, e.g. ui/safe, from the site); Material's inline scripts by hash; nothing
  inline otherwise (no event-handler attributes, no injected <script>).
- style-src 'self' 'unsafe-inline': MathJax's CHTML output writes <style> elements and
  style attributes, and the notebook page carries nbconvert's inline styles. CSS cannot
  run script in current browsers; this is the one relaxation.
- img-src 'self' data:: Material's stylesheet draws its icons as data: SVG images.
- font-src 'self': MathJax's CHTML fonts.
- connect-src 'self': the search index, the sitemap (instant navigation), MathJax's
  lazily loaded pieces, the practice page's JSON.
- worker-src 'self': Material's search runs in a web worker.
- default-src 'none', object-src and frame-src by it; base-uri 'none'; form-action
  'none' (the only form, search, is handled by script and never submitted).

`frame-ancestors` and `sandbox` cannot be set from a <meta> tag (browsers ignore them
there): a host that can send headers should add `frame-ancestors 'none'`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["POLICY", "TRUSTED_CONTENT", "apply", "inline_scripts", "policy"]

#: Pages whose content (not only their frame) may carry inline scripts; see above.
TRUSTED_CONTENT = ("notebook/index.html",)

#: The policy without its script hashes; `policy(hashes)` completes it.
POLICY = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
}

#: Script types a browser runs; any other type (application/json, …) is data.
_RUNNABLE = {"", "text/javascript", "application/javascript", "module"}
_META = '<meta http-equiv="Content-Security-Policy" content="{}">'
_CHARSET = re.compile(r'<meta charset="[^"]*">', re.IGNORECASE)
_OLD_META = re.compile(r'\s*<meta http-equiv="Content-Security-Policy" content="[^"]*">')


class _Scripts(HTMLParser):
    """The text of every inline script a browser would run, exactly as written."""

    def __init__(self, with_content: bool) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[str] = []
        self._current: list[str] | None = None
        self._with_content = with_content
        self._in_article = 0

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self._in_article += 1
        elif tag == "script" and (self._with_content or not self._in_article):
            attrs = dict(attrs)
            runnable = (attrs.get("type") or "").strip().lower() in _RUNNABLE
            self._current = [] if runnable and attrs.get("src") is None else None

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag):
        if tag == "article" and self._in_article:
            self._in_article -= 1
        elif tag == "script" and self._current is not None:
            self.found.append("".join(self._current))
            self._current = None


def inline_scripts(html: str, with_content: bool = False) -> list[str]:
    """Inline scripts a browser would run: outside the page content, or all of them."""
    parser = _Scripts(with_content)
    parser.feed(html)
    parser.close()
    return parser.found


def script_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def policy(hashes: list[str]) -> str:
    """The policy text, with the given script hashes allowed."""
    directives = {**POLICY, "script-src": [*POLICY["script-src"], *sorted(set(hashes))]}
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def apply(site_dir: str | Path, cache_dir: str | Path | None = None) -> str:
    """Write the site-wide policy into every page of a built site; return it.

    With `cache_dir`, each page's script hashes are kept there under a hash of the
    page's text (and of this module's code): an unchanged page is not parsed again.
    """
    site = Path(site_dir)
    pages = sorted(site.rglob("*.html"))
    texts = {page: _OLD_META.sub("", page.read_text(encoding="utf-8")) for page in pages}
    hashes = [h for page, text in texts.items()
              for h in _page_hashes(text, page.relative_to(site).as_posix()
                                    in TRUSTED_CONTENT, cache_dir)]
    if cache_dir is not None:
        _prune(Path(cache_dir))
    text_of_policy = policy(hashes)
    meta = _META.format(text_of_policy)
    for page, text in texts.items():
        charset = _CHARSET.search(text)
        if charset is None:
            raise RuntimeError(f"{page}: expected <meta charset> to put the "
                               "Content-Security-Policy after; found none")
        at = charset.end()
        page.write_text(text[:at] + meta + text[at:], encoding="utf-8")
    return text_of_policy


def _page_hashes(text: str, with_content: bool, cache_dir: str | Path | None) -> list[str]:
    """The hashes of a page's inline scripts (`inline_scripts`), cached by its text."""
    if cache_dir is None:
        return [script_hash(s) for s in inline_scripts(text, with_content)]
    key = hashlib.sha256(b"\0".join([_CODE, str(with_content).encode(),
                                      text.encode("utf-8")])).hexdigest()[:32]
    path = Path(cache_dir) / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass  # not cached yet, or unreadable: parse the page
    found = [script_hash(s) for s in inline_scripts(text, with_content)]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(found), encoding="utf-8")
        os.replace(tmp, path)  # parallel builds never read half an entry
    except OSError:
        pass  # a read-only or full disk only loses the cache
    return found


_CODE = Path(__file__).read_bytes()  # a change to the parser is a new key
KEEP_CACHE_ENTRIES = 256


def _prune(folder: Path) -> None:
    """Keep the KEEP_CACHE_ENTRIES most recently written entries."""
    try:
        entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime,
                         reverse=True)
        for old in entries[KEEP_CACHE_ENTRIES:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
