"""scripts/csp.py's cache: a page's script hashes, kept by the page's text.

A site given its policy with the cache is the same, byte for byte, as without it, on
a miss and on a hit; a page whose scripts change is parsed again (its key is its
text), and a script inside the page content stays refused whatever is cached.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import csp  # noqa: E402

PAGE = ('<!doctype html><html><head><meta charset="utf-8"><script>var a = {n};</script>'
        '</head><body><article class="md-content__inner">{content}</article>'
        '<script>console.log("{tail}")</script></body></html>')


def _site(folder: Path, n: int = 1, tail: str = "x", content: str = "<p>text</p>") -> Path:
    for name in ("index.html", "page/index.html"):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PAGE.format(n=n, tail=tail, content=content), encoding="utf-8")
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_a_cached_policy_is_the_policy(tmp_path):
    cache = tmp_path / "cache"
    plain = _site(tmp_path / "plain")
    miss, hit = _site(tmp_path / "miss"), _site(tmp_path / "hit")
    policy = csp.apply(plain)
    assert csp.apply(miss, cache) == policy and _files(miss) == _files(plain)
    assert len(list(cache.glob("*.json"))) == 1  # two pages, one text
    assert csp.apply(hit, cache) == policy and _files(hit) == _files(plain)
    assert csp.script_hash("var a = 1;") in policy


def test_a_changed_page_is_parsed_again(tmp_path):
    cache = tmp_path / "cache"
    csp.apply(_site(tmp_path / "a"), cache)
    policy = csp.apply(_site(tmp_path / "b", n=2, tail="y"), cache)
    assert csp.script_hash("var a = 2;") in policy
    assert csp.script_hash('console.log("y")') in policy
    assert csp.script_hash("var a = 1;") not in policy


def test_a_script_in_the_content_is_never_allowed_from_the_cache(tmp_path):
    cache = tmp_path / "cache"
    csp.apply(_site(tmp_path / "a"), cache)
    injected = "<script>alert(1)</script>"
    site = _site(tmp_path / "b", content=injected)
    policy = csp.apply(site, cache)
    assert csp.script_hash("alert(1)") not in policy
    again = tmp_path / "c"  # a site that already carries a policy: replaced, not kept
    shutil.copytree(site, again)
    assert csp.apply(again, cache) == policy
    assert all(p.read_text(encoding="utf-8").count("Content-Security-Policy") == 1
               for p in again.rglob("*.html"))
