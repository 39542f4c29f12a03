"""MkDocs hook: the theme's compiled templates kept on disk between builds.

MkDocs makes a new Jinja environment for the theme on every build, so Material's ~40
templates (main.html, base.html and their partials) are parsed and compiled again each
time: about a third of a plain build's CPU. Jinja has a cache for exactly this
(`FileSystemBytecodeCache`): the compiled code of each template file, checked against
a checksum of the template's source, so an edited or upgraded theme is compiled afresh
and never served stale. Only compiling is cached; every page is rendered as before.

The cache lives in .cache/theme-jinja/ next to the project's other caches. Zensical
ignores MkDocs hooks; there this file does nothing and nothing is lost but the time.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

#: Keyed by template name; Jinja checks each entry against its template's source.
FOLDER = Path(__file__).resolve().parent.parent / ".cache" / "theme-jinja"


def on_env(env: jinja2.Environment, config, files) -> jinja2.Environment:
    if env.bytecode_cache is None:
        FOLDER.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(FOLDER))
    return env
