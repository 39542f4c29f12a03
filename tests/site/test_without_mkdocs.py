"""The injection does not depend on MkDocs: Zensical, Material's successor, runs the same
mkdocs-macros module (`define_env`) without MkDocs installed.

A subprocess hides MkDocs from the import system, runs `define_env` with a minimal
stand-in for the macros environment, renders a page source through plain Jinja2 and
prints the result; the test finds the engine's loss in it.
"""

from __future__ import annotations

import subprocess
import textwrap

from sitecheck import PY, ROOT, run_trace

SCRIPT = textwrap.dedent("""
    import sys, types
    from pathlib import Path
    sys.modules["mkdocs"] = None  # any `import mkdocs...` now raises ImportError
    sys.path.insert(0, "scripts")
    import jinja2, macros

    class Env:
        def __init__(self):
            self.variables, self.conf = {}, {"plugins": {}}
            self.page = types.SimpleNamespace(url="forward/")
        def macro(self, fn, name):
            self.variables[name] = fn

    env = Env()
    macros.define_env(env)
    source = Path("docs/forward.md").read_text(encoding="utf-8")
    jinja = jinja2.Environment(undefined=jinja2.StrictUndefined)
    print(jinja.from_string(source).render(**env.variables))
""")


def test_define_env_renders_a_page_without_mkdocs():
    done = subprocess.run([PY, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    page = done.stdout
    loss = run_trace(ROOT / "examples" / "default.toml")["loss"]
    # the loss line, "E &= -\sum_c … \\ &= -\ln(…) = 0.8342"
    assert "E &= " in page and f"= {loss:.4f}" in page.split("E &= ", 1)[1]
    assert "{{" not in page and "{%" not in page
