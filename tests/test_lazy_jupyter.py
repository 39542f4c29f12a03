"""The lazy-jupyter plugin (site_plugins/lazy_jupyter.py): mkdocs-jupyter, imported
only when a notebook is not in its cache.

Proved here on a one-notebook site built in a fresh process: a cache hit imports none
of mkdocs-jupyter, nbconvert or jupytext and gives the page the cache miss built; a
miss executes the notebook (a failing cell fails the build: test_notebook.py); stale
cache files are evicted; and the plugin still reads mkdocs-jupyter's options and cache
key, so the two share one cache.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from site_plugins import lazy_jupyter  # noqa: E402
from test_notebook import _mini_site, _plugin_config  # noqa: E402

HEAVY = ("mkdocs_jupyter", "nbconvert", "jupytext")

# Builds as `mkdocs build -q` does, then lists which of HEAVY the process imported.
_BUILD_AND_LIST = ("-c", f"""
import json, sys
from mkdocs.__main__ import cli
try:
    cli(["build", "-q"], standalone_mode=False)
finally:
    names = sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))
    open("imported.json", "w").write(json.dumps(names))
""")


def _build(site: Path, cell: str, **options) -> list[str]:
    done = _mini_site(site, cell, build=_BUILD_AND_LIST, **options)
    assert done.returncode == 0, done.stderr
    return json.loads((site / "imported.json").read_text())


def _page(site: Path) -> str:
    return (site / "site" / "notebook" / "index.html").read_text(encoding="utf-8")


def test_a_cache_hit_imports_no_notebook_machinery_and_serves_the_same_page(tmp_path):
    # a miss runs the notebook in a process of its own, beside the build
    assert _build(tmp_path, 'print("from the kernel")') == []
    missed = _page(tmp_path)
    assert "from the kernel" in missed
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1

    assert _build(tmp_path, 'print("from the kernel")') == []  # hit
    assert _page(tmp_path) == missed
    source = tmp_path / "site" / "notebook" / "notebook.py"  # include_source
    assert source.read_bytes() == (tmp_path / "docs" / "notebook.py").read_bytes()


def test_a_changed_notebook_runs_again_and_its_stale_cache_goes(tmp_path):
    _build(tmp_path, 'print("first")')
    [first] = (tmp_path / "cache").glob("*.json")
    assert _build(tmp_path, 'print("second")') == []  # run in a process of its own
    assert "second" in _page(tmp_path)
    assert not first.exists()  # mkdocs-jupyter evicts it
    [second] = (tmp_path / "cache").glob("*.json")
    stale = tmp_path / "cache" / ("0" * 64 + ".json")
    stale.write_text("{}", encoding="utf-8")
    assert _build(tmp_path, 'print("second")') == []
    assert not stale.exists() and second.exists()  # evicted on a hit too


def test_markdown_notebooks_need_mkdocs_jupyter_even_on_a_hit(tmp_path):
    """Without `ignore: ["*.md"]`, deciding whether a page is a notebook takes jupytext."""
    _build(tmp_path, 'print("x")', ignore=[])
    assert _build(tmp_path, 'print("x")', ignore=[]) == sorted(HEAVY)
    assert "x" in _page(tmp_path)


def test_options_are_mkdocs_jupyters():
    from mkdocs_jupyter.plugin import Plugin

    theirs = {name: option.default for name, option in Plugin.config_scheme}
    ours = {name: option.default for name, option in lazy_jupyter.LazyJupyter.config_scheme}
    assert ours == theirs


@pytest.mark.parametrize("change", [{}, {"allow_errors": True}, {"toc_depth": 3},
                                    {"remove_tag_config": {"remove_input_tags": ["x"]}}])
@pytest.mark.parametrize("exec_nb", [True, False])
def test_cache_key_is_mkdocs_jupyters(change, exec_nb):
    from mkdocs_jupyter.plugin import _compute_cache_key

    options = {name: option.default for name, option in lazy_jupyter.OPTIONS}
    options.update(_plugin_config(), **change)
    nb = str(ROOT / "docs" / "notebook.py")
    assert lazy_jupyter.cache_key(nb, options, exec_nb) == \
        _compute_cache_key(nb, options, exec_nb)


def test_the_plugin_is_registered():
    from importlib.metadata import entry_points

    from notebook_page import PLUGIN

    [entry] = entry_points(group="mkdocs.plugins", name=PLUGIN)
    assert entry.load() is lazy_jupyter.LazyJupyter


# ---------------------------------------------------------------------------------------
# A miss run beside the build gives the page mkdocs-jupyter gives


CELLS = ('# %% [markdown]\n# ## A section\n\n# %%\nimport numpy as np\n'
         'print(np.arange(3) / 7)\n\n# %% [markdown]\n# ### Deeper $x^2$\n\n# %%\n'
         'print("<b>not markup</b>")')


def _with_mkdocs_jupyter(site: Path, cell: str) -> str:
    """The same one-notebook site built by mkdocs-jupyter itself: its page."""
    import yaml

    site.mkdir()
    _mini_site(site, cell, build=("-c", "pass"))  # the files only
    config = yaml.safe_load((site / "mkdocs.yml").read_text(encoding="utf-8"))
    [options] = config["plugins"][0].values()
    config["plugins"] = [{"mkdocs-jupyter": options}]
    (site / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=site,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr
    return _page(site)


# As _BUILD_AND_LIST, with mkdocs-jupyter imported first, as in a `mkdocs serve` that
# has run the notebook before: the miss then runs in a thread of the build's process.
_BUILD_WARM = ("-c", "import mkdocs_jupyter.convert\n" + _BUILD_AND_LIST[1])


def _same_cells(page: str) -> str:
    """The page with jupytext's cell ids (random on every reading of a .py notebook,
    so two runs of mkdocs-jupyter itself differ there) numbered in order instead."""
    ids: dict[str, str] = {}
    return re.sub(r"(?<=cell-id=)[0-9a-f]+",
                  lambda m: ids.setdefault(m.group(), str(len(ids))), page)


@pytest.mark.parametrize("where", ["process", "thread"])
def test_a_miss_run_beside_the_build_gives_mkdocs_jupyters_page(tmp_path, where):
    theirs = _with_mkdocs_jupyter(tmp_path / "theirs", CELLS)
    ours = tmp_path / "ours"
    ours.mkdir()
    build = _BUILD_AND_LIST if where == "process" else _BUILD_WARM
    done = _mini_site(ours, CELLS, build=build)
    assert done.returncode == 0, done.stderr
    assert _same_cells(_page(ours)) == _same_cells(theirs)
    assert "0.14285714" in theirs and "&lt;b&gt;not markup" in theirs


@pytest.mark.parametrize("build", [_BUILD_AND_LIST, _BUILD_WARM], ids=["process", "thread"])
def test_a_failing_cell_run_beside_the_build_fails_it(tmp_path, build):
    done = _mini_site(tmp_path, 'raise ValueError("boom beside the build")', build=build)
    assert done.returncode != 0
    assert "boom beside the build" in done.stderr + done.stdout
    assert not list((tmp_path / "cache").glob("*.json"))  # nothing cached


# ---------------------------------------------------------------------------------------
# Under `mkdocs serve`: each run on a kernel started ahead, fresh, as it would start one


_KERNEL_CELLS = ('# %%\nimport os\nprint("pid", os.getpid())\n'
                 'print("fresh" if "marker" not in globals() else "used before")\n'
                 'marker = os.environ.get("LAZY_JUPYTER_TEST", "unset")\nprint("env", marker)')


def _served(tmp_path: Path, name: str, cells: str = _KERNEL_CELLS) -> str:
    """One notebook run as `mkdocs serve` runs it (`_serve_run`); its page's text."""
    nb = tmp_path / f"{name}.py"
    nb.write_text(cells, encoding="utf-8")
    options = {key: option.default for key, option in lazy_jupyter.OPTIONS}
    options.update(execute=True, allow_errors=False, kernel_name="python3")
    cache = tmp_path / f"{name}.json"
    lazy_jupyter._serve_run(str(nb), cache, options)
    return json.loads(cache.read_text(encoding="utf-8"))["content"]


def _pid(page: str) -> int:
    return int(re.search(r"pid (\d+)", page).group(1))


def _spare_pid() -> int | None:
    km = lazy_jupyter.SPARE._km
    return None if km is None else km.provisioner.process.pid


@pytest.fixture
def spare():
    lazy_jupyter.SPARE.discard()
    yield lazy_jupyter.SPARE
    lazy_jupyter.SPARE.discard()


def test_served_runs_use_the_kernel_started_ahead_fresh_each_time(tmp_path, spare,
                                                                  monkeypatch):
    monkeypatch.setenv("LAZY_JUPYTER_TEST", "one")
    first = _served(tmp_path, "first")      # no spare yet: its own kernel
    ahead = _spare_pid()
    assert ahead is not None and ahead != _pid(first)
    second = _served(tmp_path, "second")    # on the kernel started ahead
    assert _pid(second) == ahead
    for page in (first, second):  # the printed output (the source is in spans)
        assert re.search(r"pid \d+\nfresh\nenv one\n", page), page[-2000:]
    # the page is what a run on its own kernel gives, but for the pid
    assert _same_cells(re.sub(r"pid \d+", "", first)) == \
        _same_cells(re.sub(r"pid \d+", "", second))
    assert _spare_pid() not in (None, ahead)  # a new one for the next edit


def test_a_kernel_started_in_another_environment_is_not_used(tmp_path, spare, monkeypatch):
    monkeypatch.setenv("LAZY_JUPYTER_TEST", "before")
    _served(tmp_path, "first")
    ahead = _spare_pid()
    monkeypatch.setenv("LAZY_JUPYTER_TEST", "after")   # as a new BACKPROP_EXAMPLE would
    page = _served(tmp_path, "second")
    assert _pid(page) != ahead and re.search(r"pid \d+\nfresh\nenv after\n", page)


def test_a_failing_cell_on_the_kernel_started_ahead_fails_the_run(tmp_path, spare):
    _served(tmp_path, "first")
    assert _spare_pid() is not None
    with pytest.raises(Exception, match="boom on the spare"):
        _served(tmp_path, "second", '# %%\nraise ValueError("boom on the spare")')
    assert not (tmp_path / "second.json").exists()
