"""scripts/template_cache.py: compiled page templates cached by source, never stale.

A cached compile must render exactly what a fresh compile renders; an edited source or
other delimiters must compile afresh; and a hit must not compile at all (that is the
point of the cache, and what these tests can see without timing anything).
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import template_cache  # noqa: E402

PAGE = "E = {{ n(loss) }}{% for w in ws %}, {{ w }}{% endfor %}\n$$ {x} $$"


def _env(**settings) -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, **settings)
    env.globals["n"] = lambda v: f"{v:.4f}"
    return env


def _counting(env: jinja2.Environment) -> list[str]:
    """Record every source the environment really compiles (below the cache)."""
    seen: list[str] = []
    original = env.compile

    def compile(source, *args, **kwargs):
        seen.append(source)
        return original(source, *args, **kwargs)

    env.compile = compile
    return seen


def test_a_hit_renders_what_a_fresh_compile_renders_without_compiling(tmp_path):
    first = _env()
    assert template_cache.install(first, tmp_path)
    expected = first.from_string(PAGE).render(loss=0.123456, ws=[1, 2])
    assert expected == "E = 0.1235, 1, 2\n$$ {x} $$"

    second = _env()  # a new build: a new environment, the same cache folder
    compiled = _counting(second)
    template_cache.install(second, tmp_path)
    assert second.from_string(PAGE).render(loss=0.123456, ws=[1, 2]) == expected
    assert second.from_string(PAGE).render(loss=2.0, ws=[]) == "E = 2.0000\n$$ {x} $$"
    assert compiled == []


def _cached(tmp_path, source: str) -> None:
    """A build that compiled `source` into the cache at tmp_path."""
    env = _env()
    template_cache.install(env, tmp_path)
    env.from_string(source)


def test_an_edited_source_is_compiled_afresh(tmp_path):
    _cached(tmp_path, PAGE)
    env = _env()
    compiled = _counting(env)
    template_cache.install(env, tmp_path)
    edited = PAGE.replace("E =", "E_total =")
    assert env.from_string(edited).render(loss=1, ws=[]).startswith("E_total = 1.0000")
    assert compiled == [edited]


def test_other_delimiters_never_reuse_code_compiled_for_the_default_ones(tmp_path):
    plain = _env()
    template_cache.install(plain, tmp_path)
    source = "<< 1 + 1 >> {{ 2 + 2 }}"
    assert plain.from_string(source).render() == "<< 1 + 1 >> 4"
    other = _env(variable_start_string="<<", variable_end_string=">>")
    template_cache.install(other, tmp_path)
    assert other.from_string(source).render() == "2 {{ 2 + 2 }}"


def test_installing_twice_wraps_once(tmp_path):
    env = _env()
    assert template_cache.install(env, tmp_path)
    assert not template_cache.install(env, tmp_path)
    assert env.from_string("{{ 1 }}").render() == "1"
    assert len(list(tmp_path.glob("*.code"))) == 1


def test_something_else_than_a_jinja_environment_is_left_alone(tmp_path):
    assert not template_cache.install(object(), tmp_path)
    assert not list(tmp_path.iterdir())


def test_a_corrupt_entry_is_compiled_again_not_an_error(tmp_path):
    _cached(tmp_path, PAGE)
    (entry,) = tmp_path.glob("*.code")
    entry.write_bytes(b"not marshal data")
    env = _env()
    template_cache.install(env, tmp_path)
    assert env.from_string(PAGE).render(loss=1, ws=[]) == "E = 1.0000\n$$ {x} $$"


def test_template_errors_still_name_the_problem(tmp_path):
    _cached(tmp_path, "{{ missing }}")
    env = _env()
    template_cache.install(env, tmp_path)
    with pytest.raises(jinja2.UndefinedError, match="missing"):
        env.from_string("{{ missing }}").render()
    with pytest.raises(jinja2.TemplateSyntaxError):
        env.from_string("{{ unclosed ")


def test_old_entries_are_pruned(tmp_path, monkeypatch):
    monkeypatch.setattr(template_cache, "KEEP_ENTRIES", 3)
    env = _env()
    template_cache.install(env, tmp_path)
    for i in range(6):
        env.from_string(f"page {i}")
    assert len(list(tmp_path.glob("*.code"))) == 6
    template_cache.install(_env(), tmp_path)  # the next build prunes
    assert len(list(tmp_path.glob("*.code"))) == 3
