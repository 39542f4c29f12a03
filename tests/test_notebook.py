"""The notebook page (docs/notebook.py): its outputs are the engine's numbers.

The notebook is executed here as Jupyter would run it (kernel python3, working folder
docs/), once per example the site builds, and every array it prints is read back and
compared with `python -m backprop_core trace FILE --json` (the training run with
`backprop_core.train`): each printed number must be the engine's value correctly rounded
to the digits printed, with the example's display precision. `check_outputs` is also
used by tests/site/test_notebook_page.py on the built page.

Also here: a failing notebook fails the build with this project's plugin settings; the
execution cache is keyed by the example's content; the notebook template's stand-alone
scripts are removed from the page.
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
sys.path.insert(0, str(ROOT / "scripts"))

import notebook_page  # noqa: E402
from backprop_core import gradient_check, load_example, train  # noqa: E402
from backprop_core.precision import short_sig_places, shown_places  # noqa: E402

NOTEBOOK = ROOT / "docs" / "notebook.py"
EXAMPLES = ["default", "batch-3-4-3", "relu", "mazur-2015"]

#: Printed label → path in the trace JSON. Labels not listed here are checked below
#: ("E after N steps") or are not numbers of the example.
TRACE_PATHS = {
    "x": "x", "y": "y", "learning_rate": "learning_rate", "E": "loss",
    "E after the step": "loss_after",
    **{p: f"params.{p}" for p in ("W_ih", "b_h", "W_ho", "b_o")},
    **{f"{p}⁺": f"updated.{p}" for p in ("W_ih", "b_h", "W_ho", "b_o")},
    **{v: f"forward.{v}" for v in ("h_in", "h_out", "o_in", "o_out")},
    **{v: f"backward.{v}" for v in ("dE_do_out", "dE_do_in", "dE_dW_ho", "dE_db_o",
                                   "dE_dh_out", "dh_out_dh_in", "dE_dh_in", "dE_dW_ih",
                                   "dE_db_h")},
}
_LABEL = re.compile(r"^(?P<name>[A-Za-z_][\w⁺ ]*?) = (?P<rest>.*)$")
_FLOAT = re.compile(r"[-+]?(?:\d+\.\d*|\d*\.\d+|\d+)(?:e[-+]?\d+)?|nan|inf")
_STEPS = re.compile(r"^E after (\d+) steps?$")


# ---------------------------------------------------------------------------------------
# Reading and checking printed outputs


def trace(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "backprop_core", "trace", str(path), "--json"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def labelled_blocks(text: str) -> dict[str, str]:
    """'name = value' blocks of printed text; an array's further lines belong to it."""
    blocks: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        m = _LABEL.match(line)
        if m:
            current = m["name"]
            assert current not in blocks, f"{current!r} printed twice"
            blocks[current] = [m["rest"]]
        elif current is not None and line.startswith(" "):
            blocks[current].append(line)
        else:
            current = None
    return {name: "\n".join(lines) for name, lines in blocks.items()}


def flat(value) -> list[float]:
    if isinstance(value, list):
        return [v for item in value for v in flat(item)]
    return [float(value)]


def check_number(token: str, value: float, decimals: int, what: str) -> None:
    """`token` is `value` correctly rounded, with the places the article shows for it
    (`precision.shown_places`: an exact value short, a tiny one with `decimals`
    significant digits), never a row of zeros or a false trailing zero."""
    assert token not in ("nan", "inf"), f"{what}: printed {token}"
    mantissa, _, exponent = token.partition("e")
    places = len(mantissa.partition(".")[2]) - int(exponent or 0)
    short = short_sig_places(value, decimals)
    expected = short if short is not None else shown_places(value, decimals)
    assert places == expected, f"{what}: {token} has {places} places, expected {expected}"
    half_ulp = 0.5 * 10.0 ** -places
    assert abs(float(token) - value) <= half_ulp * (1 + 1e-9) + 1e-15, \
        f"{what}: printed {token}, the engine says {value!r}"


def check_outputs(text: str, tr: dict, example) -> set[str]:
    """Check every labelled number in `text` against the trace; returns the labels."""
    blocks = labelled_blocks(text)
    unknown = [n for n in blocks if n not in TRACE_PATHS and not _STEPS.match(n)]
    assert not unknown, f"printed values this test cannot check: {unknown}"
    run = train(example.network, example.params, example.x, example.y,
                example.learning_rate, example.train_steps)
    for name, body in blocks.items():
        steps = _STEPS.match(name)
        if steps:
            expected = [float(run.losses[int(steps[1])])]
        else:
            node = tr
            for part in TRACE_PATHS[name].split("."):
                node = node[part]
            expected = flat(node)
        tokens = _FLOAT.findall(body)
        assert len(tokens) == len(expected), f"{name}: printed {len(tokens)} numbers, " \
                                             f"the engine has {len(expected)}"
        for token, value in zip(tokens, expected):
            check_number(token, value, example.decimals, name)
    return set(blocks)


def required_labels(example) -> set[str]:
    steps = example.train_steps
    return set(TRACE_PATHS) | {f"E after 0 steps", f"E after {steps} step{'s' * (steps != 1)}"}


# ---------------------------------------------------------------------------------------
# Executing the notebook as Jupyter would


def execute(env_example: str | None) -> str:
    """Run docs/notebook.py in a fresh kernel from docs/; all its printed output."""
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(NOTEBOOK)
    saved = os.environ.get("BACKPROP_EXAMPLE")
    if env_example is None:
        os.environ.pop("BACKPROP_EXAMPLE", None)
    else:
        os.environ["BACKPROP_EXAMPLE"] = env_example
    try:
        NotebookClient(nb, kernel_name="python3", timeout=120,
                       resources={"metadata": {"path": str(ROOT / "docs")}}).execute()
    finally:
        if saved is None:
            os.environ.pop("BACKPROP_EXAMPLE", None)
        else:
            os.environ["BACKPROP_EXAMPLE"] = saved
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o["output_type"] != "error", f"notebook error: {o.get('evalue')}"
            if o["output_type"] == "stream" and o["name"] == "stdout":
                out.append(o["text"])
    return "".join(out)


@pytest.fixture(scope="module", params=EXAMPLES)
def executed(request):
    name = request.param
    path = ROOT / "examples" / f"{name}.toml"
    # the relative path, as a user would set it; the notebook finds it from docs/
    return name, execute(f"examples/{name}.toml"), trace(path), load_example(path)


def test_notebook_prints_the_engines_numbers(executed):
    name, text, tr, example = executed
    labels = check_outputs(text, tr, example)
    missing = required_labels(example) - labels
    assert not missing, f"{name}: the notebook no longer shows {sorted(missing)}"


def test_notebook_reports_the_gradient_check(executed):
    _, text, _, example = executed
    m = re.search(r"largest relative error: (\S+)", text)
    assert m, "no gradient-check line"
    g = gradient_check(example.network, example.params, example.x, example.y)
    assert float(m[1]) == pytest.approx(g.max_rel_error, rel=0.06)
    assert float(m[1]) < 1e-6


def test_notebook_uses_the_default_example_without_the_variable():
    text = execute(None)
    path = ROOT / "examples" / "default.toml"
    check_outputs(text, trace(path), load_example(path))
    assert text.startswith(load_example(path).title)


def test_output_check_can_fail():
    path = ROOT / "examples" / "default.toml"
    tr, example = trace(path), load_example(path)
    good = f"E = {tr['loss']:.4f}\n"
    check_outputs(good, tr, example)
    with pytest.raises(AssertionError, match="the engine says"):
        check_outputs(f"E = {tr['loss'] + 2e-4:.4f}\n", tr, example)
    with pytest.raises(AssertionError, match="places, expected 4"):
        check_outputs(f"E = {tr['loss']:.2f}\n", tr, example)
    with pytest.raises(AssertionError, match="places, expected 1"):   # 0.1 is exact
        check_outputs("x = [[0.1000, 0.2]]\n", tr, example)
    with pytest.raises(AssertionError, match="cannot check"):
        check_outputs("mystery = 1.0000\n", tr, example)
    h = tr["forward"]["h_out"][0]
    with pytest.raises(AssertionError, match="numbers"):
        check_outputs(f"h_out = [[{h[0]:.4f}]]\n", tr, example)


def test_the_notebook_imports_the_engine_and_does_not_reimplement_it():
    source = NOTEBOOK.read_text(encoding="utf-8")
    assert "import backprop_core" in source
    for formula in ("np.exp", "np.log", "logaddexp", " @ ", ".T "):
        assert formula not in source, f"notebook computes {formula!r} itself"


# ---------------------------------------------------------------------------------------
# The build: errors fail it, the cache follows the example


def _plugin_config() -> dict:
    """This project's mkdocs-jupyter settings, as mkdocs.yml states them (under the
    name of the plugin that stands in for it, notebook_page.PLUGIN)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    for entry in config["plugins"]:
        if isinstance(entry, dict) and notebook_page.PLUGIN in entry:
            return entry[notebook_page.PLUGIN]
    pytest.fail(f"mkdocs.yml: expected a {notebook_page.PLUGIN} plugin entry; found none")


def test_plugin_settings_execute_and_fail_on_errors():
    cfg = _plugin_config()
    assert cfg.get("execute") is True
    assert cfg.get("allow_errors") is False  # the plugin's default is True
    assert cfg.get("include_requirejs", False) is False


def _mini_site(tmp_path: Path, cell: str, build=("-m", "mkdocs", "build", "-q"),
               **options) -> subprocess.CompletedProcess:
    """A one-notebook site with this project's plugin settings (updated by `options`),
    built with `sys.executable *build`; its notebook cache is tmp_path/cache."""
    import yaml

    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / "docs" / "notebook.py").write_text(
        f"# %% [markdown]\n# # A notebook\n\n# %%\n{cell}\n", encoding="utf-8")
    cfg = {"site_name": "t", "plugins": [{notebook_page.PLUGIN: {
        **_plugin_config(), "cache_dir": str(tmp_path / "cache"), **options}}]}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return subprocess.run([sys.executable, *build], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def test_a_failing_notebook_fails_the_build(tmp_path):
    done = _mini_site(tmp_path, 'raise ValueError("boom in a cell")')
    assert done.returncode != 0
    assert "boom in a cell" in done.stderr + done.stdout


def test_a_working_notebook_builds_with_the_same_settings(tmp_path):
    done = _mini_site(tmp_path, 'print("fine")')
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "site" / "notebook" / "index.html").read_text(encoding="utf-8")
    assert "fine" in html


def test_cache_key_follows_the_example_content_not_its_name(tmp_path):
    a = tmp_path / "a.toml"
    shutil.copyfile(ROOT / "examples" / "default.toml", a)
    b = tmp_path / "b.toml"
    shutil.copyfile(a, b)
    assert notebook_page.notebook_cache_key(a) == notebook_page.notebook_cache_key(b)
    b.write_text(b.read_text().replace("learning_rate = 0.02", "learning_rate = 0.03"))
    assert notebook_page.notebook_cache_key(a) != notebook_page.notebook_cache_key(b)


def test_cache_key_follows_the_engine(tmp_path, monkeypatch):
    example = ROOT / "examples" / "default.toml"
    before = notebook_page.notebook_cache_key(example)
    engine = tmp_path / "backprop_core"
    shutil.copytree(ROOT / "backprop_core", engine,
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(notebook_page, "_ENGINE", engine)
    assert notebook_page.notebook_cache_key(example) == before
    with open(engine / "network.py", "a", encoding="utf-8") as f:
        f.write("\n# a change\n")
    assert notebook_page.notebook_cache_key(example) != before


class _Plugin:
    def __init__(self) -> None:
        self.config = {"cache": True, "cache_dir": ".cache/mkdocs-jupyter"}


def test_content_cache_points_the_plugin_at_a_folder_per_content(tmp_path):
    plugin = _Plugin()
    config = {"plugins": {notebook_page.PLUGIN: plugin}}
    example = ROOT / "examples" / "relu.toml"
    folder = notebook_page.use_content_cache(config, example, tmp_path)
    assert folder == tmp_path / notebook_page.notebook_cache_key(example)
    assert plugin.config["cache_dir"] == str(folder)
    assert notebook_page.use_content_cache({"plugins": {}}, example, tmp_path) is None


def test_old_cache_folders_are_pruned(tmp_path):
    for i in range(notebook_page.KEEP_CACHE_ENTRIES + 5):
        (tmp_path / f"old{i:02d}").mkdir()
        os.utime(tmp_path / f"old{i:02d}", (i, i))
    plugin = _Plugin()
    folder = notebook_page.use_content_cache({"plugins": {notebook_page.PLUGIN: plugin}},
                                             ROOT / "examples" / "default.toml", tmp_path)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) <= notebook_page.KEEP_CACHE_ENTRIES
    assert f"old{notebook_page.KEEP_CACHE_ENTRIES + 4:02d}" in left  # the newest stay
    assert "old00" not in left
    assert not folder.exists() or folder.name in left


# ---------------------------------------------------------------------------------------
# The page's HTML: the template's stand-alone scripts removed


@pytest.fixture(scope="module")
def template_html(tmp_path_factory) -> str:
    from mkdocs_jupyter import convert

    nb = tmp_path_factory.mktemp("nb") / "t.py"
    nb.write_text("# %% [markdown]\n# # T\n# Some $x_1$ math.\n\n# %%\nprint(1)\n",
                  encoding="utf-8")
    cfg = _plugin_config()
    return convert.nb2html(str(nb), execute=False, include_requirejs=False,
                           custom_mathjax_url=cfg.get("custom_mathjax_url", ""))


def test_template_still_emits_what_we_remove(template_html):
    """If mkdocs-jupyter stops emitting these, clean_html may be dropped."""
    assert '<script src="">' in template_html
    assert "text/x-mathjax-config" in template_html
    assert "mermaid" in template_html


def test_clean_html_removes_the_stand_alone_scripts_and_keeps_the_notebook(template_html):
    clean = notebook_page.clean_html(template_html)
    assert '<script src="">' not in clean
    assert "x-mathjax-config" not in clean and "MathJax.Hub" not in clean
    assert "mermaid.esm" not in clean and "await import(" not in clean
    assert "cdnjs" not in clean
    assert "Some $x_1$ math." in clean
    assert "clipboard-copy" in clean  # the copy buttons keep working
    assert len(template_html) - len(clean) < 20_000  # nothing else went


def test_clean_site_refuses_a_page_it_could_not_clean(tmp_path):
    page = tmp_path / "nb" / "index.html"
    page.parent.mkdir()
    page.write_text('<div class="jupyter-wrapper"><script>MathJax.Hub.Config({})</script>'
                    "</div>", encoding="utf-8")
    with pytest.raises(RuntimeError, match="MathJax.Hub"):
        notebook_page.clean_site(tmp_path)


def test_clean_site_cleans_notebook_pages_only(tmp_path, template_html):
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "index.html").write_text(template_html, encoding="utf-8")
    other = '<html><script src="">x</script></html>'
    (tmp_path / "index.html").write_text(other, encoding="utf-8")
    cleaned = notebook_page.clean_site(tmp_path)
    assert cleaned == [tmp_path / "nb" / "index.html"]
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == other
    assert "x-mathjax-config" not in cleaned[0].read_text(encoding="utf-8")
