"""The site's pages rendered in this process, as a site build renders their content.

A site build (tests/site) costs about a minute per example, runs in a subprocess (so
mutation testing credits none of it to scripts/article.py, figures.py or practice.py)
and builds every page. This renders one page of one example in well under a second:

1. the page's Markdown through Jinja with the variables and macros scripts/macros.py's
   `define_env` gives the pages (`page_variables`; tests/test_pages_inprocess.py holds
   the two to the same names), with mkdocs-macros' settings (mkdocs.yml: undefined
   names fail);
2. the result through Python-Markdown with mkdocs.yml's `markdown_extensions` (and
   MkDocs' own defaults), wrapped in ``<article>`` as Material wraps a page's content.

`InProcessSites` has the interface of tests/site/sitecheck.Sites (`page`, `trace`,
`example_file`), so the site tests' own checks (tests/site/test_numbers.py,
test_arithmetic.py, …) run unchanged on these pages: their functions are called, not
copied. `trace` is `python -m backprop_core trace FILE --json` run in this process
(tests/inprocess.py), the reference the site tests use.

What this leaves out, kept by the site tests: Material's templates and navigation, the
notebook (mkdocs-jupyter), the figures' files (a page gets its `<figure>` only when
asked to draw them) and the Content-Security-Policy.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import jinja2
import markdown
import yaml

ROOT = Path(__file__).resolve().parents[1]
for _folder in (ROOT / "scripts", ROOT / "tests" / "site", ROOT / "tests"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

import article  # noqa: E402
import check_page  # noqa: E402
import escape  # noqa: E402
import figures  # noqa: E402
import practice  # noqa: E402
import published  # noqa: E402
from inprocess import run_cli  # noqa: E402
from sitecheck import GENERATED, Sites  # noqa: E402

from backprop_core.example import check_text  # noqa: E402

DOCS = ROOT / "docs"

#: mutmut's runs where every test must execute the code itself: its first pass
#: records which tests reach which function ("stats"), so a result reused there would
#: credit the code to the first test only (README, "Mutation testing").
_NO_REUSE = {"stats", "list_all_tests", "mutant_generation"}
_RUN_CACHE: dict = {}


def per_mutant(key: tuple, compute):
    """`compute()`, reused within one mutant's test run under mutmut.

    A mutant's tests all run with that mutant switched on, so a page one test rendered
    is the page the next would render: keyed by the mutant's name, it is computed once
    per mutant instead of once per test (a surviving page-module mutant runs hundreds of
    tests). Never reused across mutants, in mutmut's first pass, or outside mutmut
    (there the fixtures are shared per module instead).
    """
    run = os.environ.get("MUTANT_UNDER_TEST")
    if run is None or run in _NO_REUSE:
        return compute()
    full = (run, *key)
    if full not in _RUN_CACHE:
        _RUN_CACHE[full] = compute()
    return _RUN_CACHE[full]
ENV_VAR, LABEL_VAR, LABEL_MAX_CHARS = "BACKPROP_EXAMPLE", "BACKPROP_EXAMPLE_LABEL", 300


def page_url(page: str) -> str:
    """MkDocs' page.url with use_directory_urls: index → "", forward → "forward/"."""
    return "" if page == "index" else f"{page}/"


def _shown_path(path: Path) -> str:
    try:
        return str(Path(path).relative_to(ROOT))
    except ValueError:
        return Path(path).name


class PageVariables:
    """What `macros.define_env` gives the pages for one example, computed on demand.

    `names()` lists every variable and macro; `for_template(names, url)` computes only
    those a page uses (the practice variants and the figures cost seconds; most pages
    use neither). `cache`: a folder for the practice variants and figures of this
    object only (never the build's .cache/, whose entries were computed by other code).
    """

    VARIABLES = ("a", "t", "example_title", "example_path", "h18", "h18t", "mz", "mzt",
                 "figures_built", "gradcheck", "shown_decimals", "practice_built",
                 "practice_seeds", "practice_learning_rate")
    MACROS = ("n", "sn", "vec", "mat", "figure", "practice_form", "link")

    def __init__(self, example: Path, cache: Path | None = None, label: str | None = None,
                 draw_figures: bool = False) -> None:
        self.example = Path(example)
        self.cache = cache
        self.label = label
        self.draw_figures = draw_figures
        self.art = article.load(self.example)
        self.tex = article.Tex(self.art)

    def names(self) -> set[str]:
        return set(self.VARIABLES) | set(self.MACROS)

    @functools.cached_property
    def _published(self) -> dict:
        return published.page_variables()

    @functools.cached_property
    def _figures(self):
        if not self.draw_figures:
            return None
        return figures.build(self.art.path, self._folder("figures"), background=False)

    @functools.cached_property
    def _practice(self):
        return practice.build_all(self.art.path, self._folder("practice"))

    def _folder(self, name: str) -> Path:
        if self.cache is None:
            raise RuntimeError(f"{name}: expected a cache folder for this page; found none")
        return self.cache / name

    def value(self, name: str, url: str):
        tex, art = self.tex, self.art
        if name in ("n", "sn", "vec", "mat"):
            return getattr(tex, name)
        simple = {
            "a": lambda: art,
            "t": lambda: tex,
            "example_title": lambda: escape.html_text(art.example.title),
            "example_path": lambda: escape.html_text(check_text(
                "example label", self.label or _shown_path(art.path), LABEL_MAX_CHARS)),
            "gradcheck": lambda: check_page.table(art.example),
            "shown_decimals": lambda: check_page.SHOWN_DECIMALS,
            "practice_seeds": lambda: practice.SEEDS,
            "practice_learning_rate": lambda: practice.build.RANDOM_LEARNING_RATE,
            "practice_built": lambda: self._practice,
            "figures_built": lambda: self._figures,
            "practice_form": lambda: (lambda: practice.html(self._practice, url)),
            "link": lambda: escape.link,
            "figure": lambda: self._figure_macro(url),
        }
        if name in simple:
            return simple[name]()
        if name in ("h18", "h18t", "mz", "mzt"):
            return self._published[name]
        raise KeyError(name)

    def _figure_macro(self, url: str):
        def figure(name: str) -> str:
            if self._figures is None:  # not drawn: an empty figure of that name
                if name not in figures.FIGURES:
                    raise KeyError(name)
                return f'<figure class="bp-figure" id="figure-{name}"></figure>'
            return figures.html(self._figures, name, url)
        return figure

    def for_template(self, used: set[str], url: str) -> dict:
        return {name: self.value(name, url) for name in used if name in self.names()}


@functools.lru_cache(maxsize=1)
def _markdown_settings() -> tuple[list, dict]:
    """mkdocs.yml's markdown_extensions, after MkDocs' own (toc, tables, fenced_code)."""
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    names, configs = ["toc", "tables", "fenced_code"], {}
    for item in config["markdown_extensions"]:
        name, options = (next(iter(item.items())) if isinstance(item, dict) else (item, None))
        if name not in names:
            names.append(name)
        if options:
            configs[name] = options
    return names, configs


def jinja_environment() -> jinja2.Environment:
    """mkdocs-macros' environment as mkdocs.yml sets it: default delimiters, and an
    undefined name fails (on_undefined: strict)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(DOCS)),
                              undefined=jinja2.StrictUndefined)


def render_markdown(source: str, variables: PageVariables, url: str) -> str:
    """A page's Markdown after the macros, as mkdocs-macros hands it to MkDocs: its
    page hooks of scripts/macros.py (`on_pre_page_macros`, `on_post_page_macros`, when
    defined) run before and after the page is rendered, as mkdocs-macros runs them."""
    from jinja2 import meta

    import macros

    env = jinja_environment()
    # (a name set inside a block counts as used here too; StrictUndefined fails on a
    # name neither given nor set)
    used = meta.find_undeclared_variables(env.parse(source))
    values = variables.for_template(used | {"t", "a"}, url)

    def render(text: str) -> str:
        return env.from_string(text).render(**values)

    hooks = SimpleNamespace(variables=values, markdown=source, render=render,
                            page=SimpleNamespace(url=url), conf={})
    if hasattr(macros, "on_pre_page_macros"):
        macros.on_pre_page_macros(hooks)
    hooks.markdown = render(source)
    if hasattr(macros, "on_post_page_macros"):
        macros.on_post_page_macros(hooks)
    return hooks.markdown


def render_html(text: str) -> str:
    """Markdown to the HTML of the page's content, as the build writes it."""
    names, configs = _markdown_settings()
    body = markdown.Markdown(extensions=names, extension_configs=configs).convert(text)
    return f'<article class="md-content__inner md-typeset">\n{body}\n</article>'


def render_page(page: str, variables: PageVariables) -> str:
    source = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    with _example_env(variables.example):
        return render_html(render_markdown(source, variables, page_url(page)))


class _example_env:
    """define_env exports BACKPROP_EXAMPLE (for the notebook's kernel); rendering here
    sets it for the page and puts back what was there."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        self.old = os.environ.get(ENV_VAR)
        os.environ[ENV_VAR] = str(self.path)

    def __exit__(self, *exc) -> None:
        if self.old is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = self.old


class InProcessSites(Sites):
    """tests/site/sitecheck.Sites' interface, every page rendered in this process.

    Nothing is kept between instances; one instance keeps each page it rendered (a
    fixture per test under mutation testing: `inprocess.shared_scope`).
    """

    def __init__(self, base: Path) -> None:
        super().__init__(base)
        self._pages: dict[tuple[str, str], str] = {}
        self._variables: dict[str, PageVariables] = {}

    def variables(self, name: str) -> PageVariables:
        if name not in self._variables:
            self._variables[name] = PageVariables(self.example_file(name),
                                                  cache=self.base / f"cache-{name}")
        return self._variables[name]

    def example_file(self, name: str) -> Path:
        extra = {**MORE, "tie": TIE}
        if name in extra:
            path = self.base / f"{name}.toml"
            if not path.exists():
                path.write_text(extra[name], encoding="utf-8")
            return path
        return super().example_file(name)

    def site(self, name: str) -> Path:
        """A folder laid out as a built site: every Markdown page of docs/ rendered here
        (page/index.html) and the practice variants installed (practice.install). No
        notebook, figure files, theme or MathJax. The practice variants cost ~25 ms a
        seed: tests shorten practice.SEEDS."""
        if name not in self._built:
            self._built[name] = per_mutant(("site", name, self._content(name), practice.SEEDS),
                                           lambda: self._write_site(name))
        return self._built[name]

    def _write_site(self, name: str) -> Path:
        folder = self.base / f"site-{name}"
        for source in sorted(DOCS.glob("*.md")):
            page = source.stem
            out = folder / page_url(page) / "index.html"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(self.page(name, page), encoding="utf-8")
        practice.install(self.variables(name)._practice, folder)
        return folder

    def _content(self, name: str) -> str:
        return self.example_file(name).read_text(encoding="utf-8")

    def trace(self, name: str) -> dict:
        if name not in self._traces:
            def compute():
                done = run_cli("trace", str(self.example_file(name)), "--json")
                assert done.returncode == 0, done.stderr
                return done.stdout
            self._traces[name] = json.loads(per_mutant(("trace", name, self._content(name)),
                                                       compute))
        return self._traces[name]

    def page(self, name: str, page: str) -> str:
        if (name, page) not in self._pages:
            self._pages[(name, page)] = per_mutant(
                ("page", name, page, self._content(name), practice.SEEDS),
                lambda: render_page(page, self.variables(name)))
        return self._pages[(name, page)]


#: Branches of the pages no example of the site tests takes: a tanh hidden layer, a
#: batch of three and 4 softmax outputs; squared error with a batch, frozen
#: biases and single-unit input and hidden layers (the walk-throughs' index fallback);
#: squared error with one example and a tanh hidden layer, 5 decimals.
MORE = {
    "tanh-batch": 'title = "tanh, a batch of three"\nlearning_rate = 0.3\n'
                  'hidden_activation = "tanh"\n'
                  "[random]\nseed = 5\nn_in = 3\nn_hidden = 2\nn_out = 4\nm = 3\n",
    "mse-batch": 'title = "Squared error, a batch, frozen biases"\nlearning_rate = 0.5\n'
                 'hidden_activation = "relu"\noutput = "sigmoid_squared_error"\n'
                 "update_biases = false\n"
                 "[random]\nseed = 1\nn_in = 1\nn_hidden = 1\nn_out = 2\nm = 2\n",
    "mse-tanh": 'title = "Squared error, tanh"\nlearning_rate = 0.5\n'
                'hidden_activation = "tanh"\noutput = "sigmoid_squared_error"\ndecimals = 5\n'
                "[random]\nseed = 4\nn_in = 2\nn_hidden = 3\nn_out = 3\nm = 1\n",
}
#: A linear layer whose exact result lies halfway between two 3-decimal numbers: its
#: inputs have 2 decimals (as [random] draws them), so h_in,1 of example 1 is exactly
#: -0.2555, which the page writes as -0.256 (see tests/test_pages_inprocess.py).
TIE = ('title = "A result exactly halfway"\nlearning_rate = 0.3\nhidden_activation = "tanh"\n'
       "decimals = 3\n[random]\nseed = 5\nn_in = 3\nn_hidden = 2\nn_out = 4\nm = 3\n")
#: The examples the site tests build (tests/site/sitecheck.py), and MORE.
ALL_EXAMPLES = ("default", "batch-3-4-3", "relu", "mazur-2015", *GENERATED, *MORE)


def stand_in_env() -> SimpleNamespace:
    """An object with what `macros.define_env` uses of mkdocs-macros' env."""
    env = SimpleNamespace(variables={}, macros={}, conf={}, page=SimpleNamespace(url=""))
    env.macro = lambda fn, name=None: env.macros.__setitem__(name or fn.__name__, fn)
    return env
