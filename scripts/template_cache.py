"""A disk cache for the Jinja code compiled from each page source, keyed by that source.

mkdocs-macros turns every page into a Jinja template with `Environment.from_string` on
every build, and compiling is nearly all of its per-page cost (about 0.1 s CPU per
build for these pages, against a few milliseconds for rendering). Jinja caches compiled
code for templates it loads from files (`BytecodeCache`, with marshal); `from_string`
has no cache, so `install` gives it one: the code object is stored under a hash of the
source, the environment's settings that shape the code, Jinja's version and the
interpreter's bytecode version. An edited page, another Jinja or another Python is a
different key, never a stale entry.

Only compiling is cached. Rendering, which calls backprop_core's numbers into the page,
runs on every build as before.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import tempfile
from pathlib import Path

import jinja2

__all__ = ["install", "KEEP_ENTRIES"]

KEEP_ENTRIES = 256

# What, besides the source, decides the code Jinja generates.
_SETTINGS = ("block_start_string", "block_end_string", "variable_start_string",
             "variable_end_string", "comment_start_string", "comment_end_string",
             "line_statement_prefix", "line_comment_prefix", "trim_blocks", "lstrip_blocks",
             "newline_sequence", "keep_trailing_newline", "optimized", "autoescape",
             "finalize", "is_async", "code_generator_class")
_MARK = "_backprop_template_cache"


def install(env: jinja2.Environment, folder: str | Path) -> bool:
    """Cache `env`'s compiled templates in `folder`; False if it already does (or is
    not a Jinja environment at all)."""
    if not isinstance(env, jinja2.Environment) or getattr(env, _MARK, None) is not None:
        return False
    folder = Path(folder)
    original = env.compile
    salt = "\0".join([jinja2.__version__, importlib.util.MAGIC_NUMBER.hex(),
                      *(_describe(getattr(env, name, None)) for name in _SETTINGS),
                      *sorted(env.extensions)])

    def compile(source, name=None, filename=None, raw=False, defer_init=False):
        if raw or defer_init or name is not None or filename is not None \
                or not isinstance(source, str):
            return original(source, name, filename, raw, defer_init)
        path = folder / (hashlib.sha256(f"{salt}\0{source}".encode()).hexdigest()[:32]
                         + ".code")
        try:
            return marshal.loads(path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            pass  # not cached yet, or unreadable: compile it
        code = original(source)
        _store(path, marshal.dumps(code))
        return code

    env.compile = compile
    setattr(env, _MARK, folder)
    _prune(folder)
    return True


def _describe(value) -> str:
    """A stable text for a setting: callables by name (their repr holds an address)."""
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', value)}"
    return repr(value)


def _store(path: Path, data: bytes) -> None:
    """Write atomically: parallel builds never read half an entry."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only or full disk only loses the cache, never the build


def _prune(folder: Path) -> None:
    """Keep the KEEP_ENTRIES most recently written entries."""
    try:
        entries = sorted(folder.glob("*.code"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP_ENTRIES:]:
            old.unlink()
    except OSError:
        pass
