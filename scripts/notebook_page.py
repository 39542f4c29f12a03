"""The notebook page (docs/notebook.py through mkdocs-jupyter): its cache and its HTML.

Two fixes to mkdocs-jupyter 0.26.3, called from the macros module:

- `use_content_cache` points the plugin's execution cache at a folder named after
  everything the notebook's outputs depend on besides its own source: the example
  file's bytes, the engine's code, and the NumPy that prints the arrays. The plugin's
  own key hashes only the notebook source and its options, so without this a new
  example would be served the old example's cached outputs.
- `clean_html` removes what the notebook template adds for a stand-alone page and that
  breaks ours: an empty ``<script src="">`` (MathJax 2's URL, left blank), the MathJax 2
  configuration block (Material's instant navigation re-runs it as JavaScript, where
  ``MathJax.Hub`` is undefined under MathJax 3), and the Mermaid loader (its URL points
  off-site; our notebook has no diagrams). The site's own MathJax 3 typesets the cells.

Not here: running the notebook (mkdocs-jupyter does) or its numbers (backprop_core).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Iterable

__all__ = ["PLUGIN", "notebook_cache_key", "use_content_cache", "clean_html", "clean_site"]

PLUGIN = "lazy-jupyter"  # mkdocs-jupyter, imported on a cache miss only (site_plugins/)
KEEP_CACHE_ENTRIES = 16

_ROOT = Path(__file__).resolve().parent.parent
_ENGINE = _ROOT / "backprop_core"

# What the stand-alone notebook template adds that an embedded page must not carry.
_UNWANTED = [
    re.compile(r'<script src="">\s*</script>\s*'),
    re.compile(r'<!-- Load mathjax -->\s*'),
    re.compile(r'<!-- MathJax configuration -->\s*<script type="text/x-mathjax-config">'
               r".*?</script>\s*<!-- End of mathjax configuration -->\s*", re.DOTALL),
    re.compile(r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", '
               r"async \(\) => \{\s*const diagrams = document\.querySelectorAll\(\"\.jp-Mermaid"
               r".*?</script>\s*", re.DOTALL),
]
# A page still carrying one of these was not cleaned: the build must say so.
_LEFTOVERS = re.compile(r'<script src="">|text/x-mathjax-config|MathJax\.Hub|mermaid\.esm')


def notebook_cache_key(example: Path, extra: Iterable[bytes] = ()) -> str:
    """Hash of the example's content, the engine's source and NumPy's version."""
    import numpy

    h = hashlib.sha256()
    h.update(Path(example).read_bytes())
    for path in sorted(_ENGINE.glob("*.py")):
        h.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    h.update(b"\0numpy " + numpy.__version__.encode())
    for part in extra:
        h.update(b"\0" + part)
    return h.hexdigest()[:20]


def use_content_cache(config, example: Path, base: Path) -> Path | None:
    """Point mkdocs-jupyter's cache at ``base/<key>``; None when the plugin is not in use.

    `config` is MkDocs' config (mkdocs-macros' ``env.conf``). Older keys' folders are
    pruned beyond the most recent KEEP_CACHE_ENTRIES, so switching between a few
    examples (as the tests do) stays cached.
    """
    plugins = config["plugins"] if "plugins" in config else {}
    plugin = plugins.get(PLUGIN) if hasattr(plugins, "get") else None
    if plugin is None or not plugin.config.get("cache", True):
        return None
    folder = Path(base) / notebook_cache_key(example)
    plugin.config["cache_dir"] = str(folder)
    if folder.is_dir():
        folder.touch()  # most recently used
    _prune(Path(base), keep=folder)
    return folder


def _prune(base: Path, keep: Path) -> None:
    if not base.is_dir():
        return
    entries = sorted((p for p in base.iterdir() if p.is_dir() and p != keep),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP_CACHE_ENTRIES - 1:]:
        shutil.rmtree(old, ignore_errors=True)


def clean_html(html: str) -> str:
    """The page without the notebook template's stand-alone scripts (see module doc)."""
    for pattern in _UNWANTED:
        html = pattern.sub("", html)
    return html


def clean_site(site_dir: Path) -> list[Path]:
    """Clean every built notebook page; returns them. Raises if one stays unclean."""
    cleaned = []
    for page in Path(site_dir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if 'class="jupyter-wrapper"' not in text:
            continue
        new = clean_html(text)
        leftover = _LEFTOVERS.search(new)
        if leftover:
            raise RuntimeError(f"{page}: expected the notebook template's stand-alone "
                               f"scripts removed; found {leftover.group()!r} (has "
                               f"mkdocs-jupyter's template changed?)")
        if new != text:
            page.write_text(new, encoding="utf-8")
        cleaned.append(page)
    return cleaned
