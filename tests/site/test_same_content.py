"""The speed-ups change no content: a site built with them equals one built without.

With them (issue 12): `scripts/build.py` runs MkDocs in its own process, the figures
are drawn in a background thread with each chart drawn once and recoloured for the
dark scheme, lazy-jupyter runs the notebook in a process beside the build (nbconvert's
templates compiled once), and the hook site_plugins/theme_cache.py keeps Material's
compiled templates; the site is built twice, so the second build reads every cache
(theme templates, page script hashes, figures, the notebook).
Without them (the reference): `mkdocs build --strict` in a process of its own, with
mkdocs-jupyter itself in place of lazy-jupyter, no hooks and BACKPROP_NO_SPEEDUPS=1
(every figure drawn for each scheme on its own, in the foreground).

Each build runs in its own copy of the project with empty caches (but for the practice
seeds, see `_copy`), so both draw and execute everything. Every file of the two sites must be equal byte for byte, except
for names that carry no content: matplotlib's marker ids (a hash that covers the
colour, so a recoloured chart keeps its light-scheme names), jupytext's cell ids
(random on every reading of a .py notebook, so two reference builds differ there too)
and the compressed sitemap's gzip header (its time stamp; the XML inside is compared).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from sitecheck import PY, ROOT

PROJECT = ("mkdocs.yml", "docs", "scripts", "site_plugins", "backprop_core", "examples",
           "data")
EXAMPLE = "examples/batch-3-4-3.toml"


def _copy(to: Path) -> Path:
    for name in PROJECT:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, to / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            to.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, to / name)
    # The practice page's 100 seeds (code only, ~10 s of CPU) as this checkout has them,
    # if it has: tests/test_practice_workers.py compares the seeds' two ways of being
    # computed. The site's own variant, the figures and the notebook start empty.
    for seeds in (ROOT / ".cache" / "practice").glob("seeds-*"):
        shutil.copytree(seeds, to / ".cache" / "practice" / seeds.name)
    return to


def _env(project: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("BACKPROP_SITE_URL", "BACKPROP_NO_SPEEDUPS")}
    # the notebook's kernel and the lazy-jupyter run import this copy's code
    env.update(PYTHONPATH=os.pathsep.join([str(project), env.get("PYTHONPATH", "")]),
               NO_MKDOCS_2_WARNING="1", **extra)
    return env


def _with_speedups(project: Path, name: str = "site-fast") -> Path:
    out = project.parent / name
    done = subprocess.run([PY, str(project / "scripts" / "build.py"), "--example",
                           str(project / EXAMPLE), "--out", str(out)], cwd=project,
                          env=_env(project), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out


def _without_speedups(project: Path) -> Path:
    config = yaml.load((project / "mkdocs.yml").read_text(encoding="utf-8"),
                       Loader=_Loader)
    config["plugins"] = [{"mkdocs-jupyter": p["lazy-jupyter"]}
                         if isinstance(p, dict) and "lazy-jupyter" in p else p
                         for p in config["plugins"]]
    config.pop("hooks", None)
    (project / "mkdocs.reference.yml").write_text(yaml.safe_dump(config, sort_keys=False),
                                                  encoding="utf-8")
    out = project.parent / "site-reference"
    done = subprocess.run(
        [PY, "-m", "mkdocs", "build", "--strict", "-q", "--config-file",
         str(project / "mkdocs.reference.yml"), "--site-dir", str(out)],
        cwd=project, capture_output=True, text=True, timeout=600,
        env=_env(project, BACKPROP_EXAMPLE=str(project / EXAMPLE),
                 BACKPROP_EXAMPLE_LABEL=EXAMPLE, BACKPROP_NO_SPEEDUPS="1"))
    assert done.returncode == 0, done.stderr
    return out


class _Loader(yaml.SafeLoader):
    """Safe YAML reading MkDocs' !ENV tag as its default (the only tag mkdocs.yml uses)."""


_Loader.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node)[-1])


def _canonical(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        return gzip.decompress(data)
    if path.suffix == ".svg":
        return _numbered(rb"\bm[0-9a-f]{10}\b", data)
    if path.suffix == ".html":
        return _numbered(rb"(?<=cell-id=)[0-9a-f]+", data)
    return data


def _numbered(pattern: bytes, data: bytes) -> bytes:
    ids: dict[bytes, bytes] = {}
    return re.sub(pattern, lambda m: ids.setdefault(m.group(), b"%d" % len(ids)), data)


def test_a_site_built_with_the_speedups_equals_one_built_without(tmp_path):
    project = _copy(tmp_path / "a" / "project")
    fast = _with_speedups(project)
    assert list((project / ".cache" / "theme-jinja").iterdir())  # the hook's cache filled
    again = _with_speedups(project, "site-fast-again")  # every cache read
    reference = _without_speedups(_copy(tmp_path / "b" / "project"))
    files = sorted(str(p.relative_to(reference)) for p in reference.rglob("*") if p.is_file())
    assert "figures/loss-dark.svg" in files and "notebook/index.html" in files
    for site in (fast, again):
        assert files == sorted(str(p.relative_to(site)) for p in site.rglob("*")
                               if p.is_file())
        different = [f for f in files if _canonical(site / f) != _canonical(reference / f)]
        assert different == [], site.name
    # the comparison is not empty-handed: the dark charts were recoloured, and both
    # builds executed the notebook on this example
    dark = (fast / "figures" / "vanishing-dark.svg").read_text(encoding="utf-8")
    assert "#ff7b72" in dark and "#cf222e" not in dark
    assert "jupyter-wrapper" in (fast / "notebook" / "index.html").read_text(encoding="utf-8")
