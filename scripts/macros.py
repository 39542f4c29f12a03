"""mkdocs-macros module: puts the worked example's numbers into the pages.

`define_env` loads the example named by the BACKPROP_EXAMPLE environment variable
(default: examples/default.toml; `scripts/build.py` sets it), and gives the pages:

- `a`: the Article (`a.s` is the engine's Step, `a.sizes`, `a.walk`, `a.pho`, `a.pih`,
  `a.alt` the comparison step);
- `t`: the Tex builder (`t.n(v)`, `t.sn(v)`, `t.vec(v)`, `t.mat(M)` and the blocks);
- `n`, `sn`, `vec`, `mat` as plain macros too;
- `example_title`, `example_path`: the example's title and how the pages name it
  (BACKPROP_EXAMPLE_LABEL, or its path), already escaped by `escape.html_text`: text
  from an example is data, so no page ever sees it raw. A text field added later is
  given to the pages the same way, escaped here.

`on_post_build` copies MathJax (from the pip package django-static-mathjax) into the
site, so nothing loads from outside it, and writes the Content-Security-Policy into every
page (scripts/csp.py); this runs under `mkdocs serve` as well.

Zensical runs this module natively (it ignores MkDocs hooks), so the injection lives
here rather than in a hook. Computing lives in backprop_core; formatting in fmt.py.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from pathlib import Path

try:
    from mkdocs.exceptions import PluginError
except ImportError:  # Zensical runs this module without MkDocs installed
    class PluginError(RuntimeError):
        """A build-stopping error with a message for the user."""

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
DEFAULT_EXAMPLE = ROOT / "examples" / "default.toml"
ENV_VAR = "BACKPROP_EXAMPLE"
LABEL_VAR = "BACKPROP_EXAMPLE_LABEL"  # how the pages name the example (build.py sets it)
LABEL_MAX_CHARS = 300

# The MathJax pieces the pages use: the combined TeX component, its CHTML fonts, and
# what its menu and TeX input may load lazily. The other combined builds are left out.
MATHJAX_PARTS = ("tex-mml-chtml.js", "output/chtml", "input/tex/extensions", "ui", "a11y")
MATHJAX_TARGET = "assets/mathjax"


def define_env(env) -> None:
    article, fmt = _modules()
    from backprop_core.example import check_text
    path = Path(os.environ.get(ENV_VAR) or DEFAULT_EXAMPLE)
    try:
        art = article.load(path)
    except article.ExampleError as err:
        raise PluginError(f"{path}: {err}") from None
    tex = article.Tex(art)

    env.variables["a"] = art
    env.variables["t"] = tex
    escape = importlib.import_module("escape")
    label = os.environ.get(LABEL_VAR) or _shown_path(art.path)
    try:
        label = check_text("example label", label, LABEL_MAX_CHARS)
    except article.ExampleError as err:
        raise PluginError(f"{LABEL_VAR}: {err}") from None
    env.variables["example_title"] = escape.html_text(art.example.title)
    env.variables["example_path"] = escape.html_text(label)
    env.macro(escape.link, "link")  # a source's address, as a plain link (escape.py)
    for name in ("n", "sn", "vec", "mat"):
        env.macro(getattr(tex, name), name)

    # The published-values pages (hand-calculation-2018.md, mazur-2015.md): each from
    # its own fixed example, whatever example the rest of the site is built from.
    published = importlib.import_module("published")
    try:
        env.variables.update(published.page_variables())
    except published.PublishedError as err:
        raise PluginError(str(err)) from None

    # Figures, the notebook and the "Check the numbers" page, from the same example.
    figures, notebook_page, check_page = (importlib.import_module(name) for name in
                                          ("figures", "notebook_page", "check_page"))
    os.environ[ENV_VAR] = str(art.path)  # the notebook's kernel inherits it
    _watch(env.conf, art.path)
    notebook_page.use_content_cache(env.conf, art.path, ROOT / ".cache" / "mkdocs-jupyter")
    # Drawn in the background (when not cached): the pages need only the alt texts
    # until on_post_build installs the SVGs. BACKPROP_NO_SPEEDUPS=1 draws them as
    # before, every scheme on its own, in the foreground (the reference build of
    # tests/site/test_same_content.py).
    slow = os.environ.get("BACKPROP_NO_SPEEDUPS") == "1"
    built = figures.build(art.path, ROOT / ".cache" / "figures", background=not slow,
                          draw_once=not slow)
    env.variables["figures_built"] = built
    env.macro(lambda name: figures.html(built, name, env.page.url), "figure")
    env.variables["gradcheck"] = check_page.table(art.example)
    env.variables["shown_decimals"] = check_page.SHOWN_DECIMALS

    # The practice page: the site's example and every seed's, cached by content.
    practice = importlib.import_module("practice")
    practice_built = practice.build_all(art.path, ROOT / ".cache" / "practice")
    env.variables["practice_built"] = practice_built
    env.variables["practice_seeds"] = practice.SEEDS
    env.variables["practice_learning_rate"] = practice.build.RANDOM_LEARNING_RATE
    env.macro(lambda: practice.html(practice_built, env.page.url), "practice_form")


def on_pre_page_macros(env) -> None:
    # By the first page, mkdocs-macros has made its Jinja environment (it has not yet
    # when define_env runs). Compiling each page is nearly all of its per-page cost and
    # the sources rarely change: compiled code is cached by source (template_cache.py).
    # Another macros engine (Zensical's) may have no Jinja environment here: then no cache.
    jinja = getattr(env, "env", None)
    if jinja is not None:
        importlib.import_module("template_cache").install(jinja, ROOT / ".cache" / "jinja")
    # One text per value on a page: the page is written once to collect its lines,
    # and its digits are chosen before it is written for real (article.Tex, fmt.Plan).
    tex = env.variables["t"]
    tex.record_page()
    try:
        env.render(env.markdown)
    finally:
        tex.plan_page()


def on_post_page_macros(env) -> None:
    env.variables["t"].end_page()


def on_post_build(env) -> None:
    site = Path(env.conf["site_dir"])
    importlib.import_module("figures").install(env.variables["figures_built"], site)
    importlib.import_module("notebook_page").clean_site(site)
    importlib.import_module("practice").install(env.variables["practice_built"], site)
    # The example travels with the site, so a reader can rebuild it or change it.
    shutil.copy2(env.variables["a"].path, site / "example.toml")
    source = mathjax_dir()
    target = site / MATHJAX_TARGET
    if target.exists():
        shutil.rmtree(target)
    for part in MATHJAX_PARTS:
        src = source / part
        if src.is_dir():
            shutil.copytree(src, target / part, copy_function=_link_or_copy)
        else:
            target.mkdir(parents=True, exist_ok=True)
            _link_or_copy(src, target / part)
    # Last, once every page is final: the Content-Security-Policy, with the hashes of
    # every page's inline scripts (scripts/csp.py).
    importlib.import_module("csp").apply(site, ROOT / ".cache" / "csp")


# ---------------------------------------------------------------------------------------


def mathjax_dir() -> Path:
    """es5/ of the installed MathJax package; a clear error when it is missing."""
    try:
        import mathjax
    except ImportError:
        raise PluginError("MathJax: expected the pip package django-static-mathjax "
                          "(module mathjax); found it not installed") from None
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (es5 / "tex-mml-chtml.js").is_file():
        raise PluginError(f"MathJax: expected {es5}/tex-mml-chtml.js; found no such file")
    return es5



def _link_or_copy(src, dst) -> None:
    """A hard link costs nothing (a copy of MathJax's 3 MB ~30 ms a build); nothing
    writes to these files in place. A copy where links are not possible."""
    try:
        os.link(src, dst)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(src, dst)


def _modules():
    """Import scripts/article.py and fmt.py once, again only when their code changes.

    mkdocs-macros re-executes this file on every `mkdocs serve` rebuild, so state kept
    here would be lost; the article's cache lives in the imported `article` module,
    which persists in sys.modules. A change to scripts/ or backprop_core/ drops those
    modules so the next rebuild imports fresh code.
    """
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    sources = [*SCRIPTS.glob("*.py"), *(ROOT / "backprop_core").glob("*.py")]
    stamp = max(p.stat().st_mtime for p in sources)
    previous = sys.modules.get("article")
    # Only modules this function imported (stamped) are dropped: an `article` imported
    # by someone else (a test process) keeps its modules, or the engine's classes would
    # exist twice and objects made before would no longer compare equal to new ones.
    if previous is not None and getattr(previous, "_source_stamp", stamp) != stamp:
        for name in list(sys.modules):
            if name in ("article", "fmt", "published", "figures", "notebook_page",
                        "check_page", "template_cache", "escape", "csp", "practice",
                        "build") \
                    or name.split(".")[0] == "backprop_core":
                del sys.modules[name]
    article = importlib.import_module("article")
    article._source_stamp = stamp
    return article, importlib.import_module("fmt")


def _watch(config, example: Path) -> None:
    """Have `mkdocs serve` watch the example file wherever it is (BACKPROP_EXAMPLE may
    name one outside examples/). MkDocs reads the watch list after the first build,
    so adding to it here is enough; a plain build ignores it."""
    watched = config.get("watch") if hasattr(config, "get") else None
    if watched is None:
        return
    example = Path(example).resolve()
    if not any(example == Path(w).resolve() or Path(w).resolve() in example.parents
               for w in watched):
        watched.append(str(example))


def _shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return path.name
