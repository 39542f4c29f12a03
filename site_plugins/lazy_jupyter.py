"""The ``lazy-jupyter`` MkDocs plugin: mkdocs-jupyter, imported only to run a notebook.

mkdocs-jupyter imports jupytext and nbconvert when MkDocs loads it (~0.75 s of CPU),
on every build, even when every notebook page comes from its execution cache. This
plugin takes the same options and stands in its place in mkdocs.yml. At ``on_files``
it looks for the cache file mkdocs-jupyter itself would read (same folder, same key,
same JSON): when every notebook has one, it serves them as mkdocs-jupyter would on a
cache hit (the page, its table of contents and title, ``nb_url``, the copied source,
stale-cache eviction) without importing it. On a cache miss it starts the notebook at
once, beside the build (`run_notebook`: mkdocs-jupyter's own ``nb2html`` with the same
options, writing the cache file mkdocs-jupyter would write), in a process of its own
so that its imports, its kernel and nbconvert use the second core while MkDocs renders
the other pages (under ``mkdocs serve``: in a thread, mkdocs-jupyter imported once); the
notebook's page waits for it, and a failing cell fails the build. Otherwise (the
cache off, or a Markdown file whose jupytext front matter must be parsed) it imports
``mkdocs_jupyter.plugin.Plugin``, gives it the same options and hands it every event
of the build, so a notebook is executed exactly as mkdocs-jupyter runs it.

Written against mkdocs-jupyter 0.26.3; tests/test_lazy_jupyter.py checks that its
options and cache key are still the same, and that a notebook run beside the build
gives the page mkdocs-jupyter gives.

Not here: where the cache lives (scripts/notebook_page.py points ``cache_dir`` at a
folder per example) or cleaning the page's HTML (also scripts/notebook_page.py).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import pathlib
import shutil
import subprocess
import sys
import types
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin

from mkdocs.config import config_options
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.toc import get_toc

__all__ = ["LazyJupyter", "cache_key"]

log = logging.getLogger("mkdocs.plugins.lazy_jupyter")

# mkdocs-jupyter's options, names and defaults as in mkdocs_jupyter.plugin.Plugin.
OPTIONS = (
    ("include", config_options.Type(list, default=["*.py", "*.ipynb", "*.md"])),
    ("ignore", config_options.Type(list, default=[])),
    ("execute", config_options.Type(bool, default=False)),
    ("execute_ignore", config_options.Type(list, default=[])),
    ("theme", config_options.Type(str, default="")),
    ("kernel_name", config_options.Type(str, default="")),
    ("include_source", config_options.Type(bool, default=False)),
    ("ignore_h1_titles", config_options.Type(bool, default=False)),
    ("allow_errors", config_options.Type(bool, default=True)),
    ("show_input", config_options.Type(bool, default=True)),
    ("no_input", config_options.Type(bool, default=False)),
    ("no_prompt", config_options.Type(bool, default=False)),
    ("remove_tag_config", config_options.Type(dict, default={})),
    ("highlight_extra_classes", config_options.Type(str, default="")),
    ("include_requirejs", config_options.Type(bool, default=False)),
    ("toc_depth", config_options.Type(int, default=6)),
    ("data_files", config_options.Type(dict, default={})),
    ("custom_mathjax_url", config_options.Type(str, default="")),
    ("cache", config_options.Type(bool, default=True)),
    ("cache_dir", config_options.Type(str, default=".cache/mkdocs-jupyter")),
)
# The options mkdocs-jupyter hashes into a cache key, in its order.
KEYED = ("kernel_name", "theme", "allow_errors", "show_input", "no_input", "no_prompt",
         "remove_tag_config", "highlight_extra_classes", "include_requirejs",
         "custom_mathjax_url", "toc_depth")
EXTENSIONS = (".ipynb", ".py", ".md")


def cache_key(nb_path: str, config, exec_nb: bool) -> str:
    """mkdocs-jupyter's ``_compute_cache_key``: the notebook's bytes and its options."""
    h = hashlib.sha256()
    h.update(pathlib.Path(nb_path).read_bytes())
    h.update(f"execute={exec_nb}".encode())
    for key in KEYED:
        h.update(f"{key}={config[key]!r}".encode())
    return h.hexdigest()


class NotebookFile(File):
    """A notebook as a documentation page (mkdocs-jupyter's class of the same name)."""

    def __init__(self, file, use_directory_urls, site_dir, **kwargs):
        self.file = file
        self.dest_path = self._get_dest_path(use_directory_urls)
        self.abs_dest_path = os.path.normpath(os.path.join(site_dir, self.dest_path))
        self.url = self._get_url(use_directory_urls)

    def __getattr__(self, item):
        return self.file.__getattribute__(item)

    def is_documentation_page(self):
        return True


class LazyJupyter(BasePlugin):
    config_scheme = OPTIONS

    def on_startup(self, command, dirty):
        # `mkdocs serve` keeps this plugin across rebuilds: run notebooks in a thread
        # of this process, with mkdocs-jupyter imported once, ahead of the first miss.
        self._serving = command == "serve"
        if self._serving:
            _THREAD.submit(importlib.import_module, "mkdocs_jupyter.convert")

    def on_pre_build(self, config):
        self._real = None  # mkdocs-jupyter's plugin, once this build needs it
        self._used: set[pathlib.Path] = set()
        self._runs: dict[pathlib.Path, _Run] = {}  # cache misses being executed

    def on_files(self, files, config):
        if self._needs_mkdocs_jupyter(files):
            return self._delegate(config).on_files(files, config)
        # Each notebook missing from the cache starts running now, beside the build:
        # its page waits for it (and fails if it failed) when it is rendered.
        for file in files:
            if self._include(file):
                path = self._cache_path(file.abs_src_path)
                if not path.exists():
                    self._runs[path] = _Run.start(file.abs_src_path, path, self.config,
                                                  getattr(self, "_serving", False))
                elif getattr(self, "_serving", False):
                    # served from the cache: have a kernel ready for the next edit
                    _THREAD.submit(SPARE.ready, self.config["kernel_name"],
                                   _kernel_cwd(file.abs_src_path))
        return Files([NotebookFile(f, **config) if self._include(f) else f for f in files])

    def on_pre_page(self, page, config, files):
        if self._real is not None:
            return self._real.on_pre_page(page, config, files)
        if not self._include(page.file):
            return page
        path = self._cache_path(page.file.abs_src_path)
        self._used.add(path)
        run = self._runs.get(path)
        if run is None and not path.exists():  # gone since on_files: mkdocs-jupyter runs it
            return self._delegate(config).on_pre_page(page, config, files)
        page.render = types.MethodType(
            _cached_render(path, self.config["ignore_h1_titles"], run), page)
        page.nb_url = urljoin(page.abs_url, os.path.basename(page.file.abs_src_path))
        page.data_files = self.config["data_files"].get(page.file.src_path)
        return page

    def on_post_page(self, output, page, config):
        if self._real is not None:
            return self._real.on_post_page(output, page, config)
        if not self._include(page.file):
            return output
        target_dir = os.path.dirname(page.file.abs_dest_path)
        if self.config["include_source"]:
            os.makedirs(target_dir, exist_ok=True)
            shutil.copyfile(page.file.abs_src_path,
                            os.path.join(target_dir, os.path.basename(page.file.abs_src_path)))
        for data_file in self.config["data_files"].get(page.file.src_path, []):
            target = os.path.join(target_dir, data_file)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(data_file, target)
        return output

    def on_shutdown(self):
        if getattr(self, "_serving", False):
            _THREAD.submit(SPARE.discard).result()

    def on_build_error(self, error):
        for run in getattr(self, "_runs", {}).values():
            run.stop()  # the build failed elsewhere: its notebook is not needed

    def on_post_build(self, config):
        for run in self._runs.values():
            run.wait()  # a notebook whose page was never rendered still fails the build
        if self._real is not None:
            return self._real.on_post_build(config)
        cache_dir = pathlib.Path(self.config["cache_dir"])
        if not cache_dir.is_dir():
            return
        for stale in cache_dir.glob("*.json"):
            if stale not in self._used:
                stale.unlink()
                log.info("Evicted stale cache: %s", stale)

    # -----------------------------------------------------------------------------------

    def _include(self, file) -> bool | None:
        """mkdocs-jupyter's ``should_include``; None where it would need jupytext."""
        if file.abs_src_path is None:
            return False
        ext = os.path.splitext(str(file.abs_src_path))[-1]
        if ext not in EXTENSIONS:  # first: most files are the theme's, and PurePath is slow
            return False
        src = pathlib.PurePath(file.abs_src_path)
        if any(src.match(p) for p in self.config["ignore"]):
            return False
        if ext == ".md":
            return None  # included only with jupytext front matter: mkdocs-jupyter reads it
        return any(src.match(p) for p in self.config["include"])

    def _needs_mkdocs_jupyter(self, files) -> bool:
        if not self.config["cache"]:
            return True
        return any(self._include(file) is None for file in files)

    def _cache_path(self, nb_path: str) -> pathlib.Path:
        exec_nb = self.config["execute"] and not any(
            pathlib.PurePath(nb_path).match(p) for p in self.config["execute_ignore"])
        key = cache_key(nb_path, self.config, exec_nb)
        return pathlib.Path(self.config["cache_dir"]) / f"{key}.json"

    def _delegate(self, config):
        """mkdocs-jupyter's plugin with these options, started for this build."""
        from mkdocs_jupyter.plugin import Plugin

        real = Plugin()
        errors, _ = real.load_config(dict(self.config), config.config_file_path)
        if errors:
            raise PluginError(f"lazy-jupyter: mkdocs-jupyter refused the options: {errors}")
        real.on_pre_build(config)
        real._used_cache_paths |= self._used
        self._real = real
        return real


def _cached_render(path: pathlib.Path, ignore_h1_titles: bool, run: "_Run | None" = None):
    """A ``Page.render`` that reads the page from mkdocs-jupyter's cache file, once the
    run writing it (if any) has finished."""

    def render(page, config, files):
        if run is not None:
            run.wait()
        log.info("Cache hit: %s", page.file.abs_src_path)
        cached = json.loads(path.read_text(encoding="utf-8"))
        page.content = cached["content"]
        page.toc = get_toc(cached["toc_tokens"])
        if cached.get("title") is not None and not ignore_h1_titles:
            page.title = cached["title"]

    return render


# ---------------------------------------------------------------------------------------
# A cache miss, run beside the build


def run_notebook(nb_path: str, cache_path: str | pathlib.Path, options: dict) -> None:
    """mkdocs-jupyter's cache miss on its own: execute and convert the notebook with
    ``mkdocs_jupyter.convert.nb2html`` and the plugin's options, exactly as its plugin's
    page render does, and write the cache file that render writes (content, toc_tokens,
    title), atomically. Raises what nb2html raises (a failing cell: CellExecutionError).

    Uses ``mkdocs_jupyter.plugin._get_nb_toc_tokens`` (private) for the table of
    contents the plugin caches; tests/test_lazy_jupyter.py checks that the page equals
    the one mkdocs-jupyter builds itself. Delete this once mkdocs-jupyter can execute
    a notebook ahead of its page.
    """
    from mkdocs_jupyter import convert
    from mkdocs_jupyter.plugin import _get_nb_toc_tokens

    _cache_nbconvert_templates()

    exec_nb = options["execute"] and not any(
        pathlib.PurePath(nb_path).match(p) for p in options["execute_ignore"])
    body = convert.nb2html(
        nb_path, execute=exec_nb, kernel_name=options["kernel_name"],
        theme=options["theme"], allow_errors=options["allow_errors"],
        show_input=options["show_input"], no_input=options["no_input"],
        no_prompt=options["no_prompt"], remove_tag_config=options["remove_tag_config"],
        highlight_extra_classes=options["highlight_extra_classes"],
        include_requirejs=options["include_requirejs"],
        custom_mathjax_url=options["custom_mathjax_url"])
    toc_tokens, title = _get_nb_toc_tokens(nb_path, options["toc_depth"])
    cache_path = pathlib.Path(cache_path)
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache_path.with_name(f".{cache_path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"content": body, "toc_tokens": toc_tokens, "title": title}),
                   encoding="utf-8")
    os.replace(tmp, cache_path)


#: nbconvert's compiled templates (the project's .cache, as the other caches).
TEMPLATE_CACHE = pathlib.Path(__file__).resolve().parent.parent / ".cache" / "nbconvert-jinja"


def _cache_nbconvert_templates() -> None:
    """Give nbconvert's Jinja environments a bytecode cache on disk.

    nbconvert compiles its HTML templates (lab/index.html.j2 and what it includes) from
    source for every notebook it converts: about a quarter of a notebook page's CPU
    beside the kernel. Jinja's `FileSystemBytecodeCache` keeps the compiled code of each
    template file, checked against a checksum of its source, so an upgraded nbconvert
    compiles afresh. Rendering, with the notebook's executed outputs, is unchanged.
    """
    import jinja2
    from nbconvert.exporters.templateexporter import TemplateExporter

    if getattr(TemplateExporter, "_lazy_jupyter_cache", False):
        return
    create = TemplateExporter._create_environment

    def with_cache(self):
        env = create(self)
        TEMPLATE_CACHE.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(TEMPLATE_CACHE))
        return env

    TemplateExporter._create_environment = with_cache
    TemplateExporter._lazy_jupyter_cache = True


class _Run:
    """One notebook executing beside the build, in a process of its own (a fresh build:
    its imports and the kernel's start then use the second core while MkDocs renders
    the other pages) or, when mkdocs-jupyter is already imported (a `mkdocs serve`
    rebuild), in a thread."""

    def __init__(self, nb_path: str, wait, stop=lambda: None) -> None:
        self.nb_path = nb_path
        self._wait = wait
        self.stop = stop
        self._error: str | None = None
        self._done = False

    @classmethod
    def start(cls, nb_path: str, cache_path: pathlib.Path, config,
              serving: bool = False) -> "_Run":
        options = {name: config[name] for name, _ in OPTIONS}
        log.info("Cache miss, running beside the build: %s", nb_path)
        if serving or "mkdocs_jupyter.convert" in sys.modules:
            future = _THREAD.submit(_serve_run if serving else run_notebook,
                                    nb_path, cache_path, options)
            return cls(nb_path, lambda: _thread_error(future))
        proc = subprocess.Popen(
            [sys.executable, "-m", "site_plugins.lazy_jupyter", json.dumps(
                {"nb_path": nb_path, "cache_path": str(cache_path), "options": options})],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return cls(nb_path, lambda: _process_error(proc), proc.terminate)

    def wait(self) -> None:
        if not self._done:
            self._error, self._done = self._wait(), True
        if self._error is not None:
            raise PluginError(f"{self.nb_path}: the notebook failed: {self._error}")


_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notebook")


# ---------------------------------------------------------------------------------------
# Under `mkdocs serve`: a kernel started ahead of the next run


def _serve_run(nb_path: str, cache_path, options: dict) -> None:
    """`run_notebook` under `mkdocs serve`: on a kernel started ahead (`SPARE`) when one
    is ready for this notebook, then another started for the next edit."""
    _use_spare_kernels()
    try:
        run_notebook(nb_path, cache_path, options)
    finally:
        SPARE.prepare(options["kernel_name"], _kernel_cwd(nb_path))


def _kernel_cwd(nb_path: str) -> str:
    """Where nbclient starts the kernel for a notebook mkdocs-jupyter converts: the
    notebook's folder for an .ipynb (read from its file), else (a jupytext .py or .md,
    handed over as text) this process's working folder."""
    return os.path.dirname(os.path.abspath(nb_path)) if nb_path.endswith(".ipynb") \
        else os.getcwd()


class _Spare:
    """One kernel started ahead of its use, for the next notebook run of a `mkdocs serve`.

    Starting a Python kernel (a process importing ipykernel) is most of a notebook's
    time. Under `mkdocs serve` the next run is known to come, so its kernel is started
    once the previous run is done: a fresh kernel, never used, that the next run then
    executes every cell on (and shuts down after), exactly as on a kernel started for
    it. It is only used when it was started as nbclient would start it now: the same
    kernel name, working folder and environment (BACKPROP_EXAMPLE included); otherwise
    it is shut down and the run starts its own, as before.
    """

    def __init__(self) -> None:
        self._km = None
        self._as: tuple | None = None

    @staticmethod
    def _how(kernel_name: str, cwd: str) -> tuple:
        return kernel_name, os.path.abspath(cwd), tuple(sorted(os.environ.items()))

    def prepare(self, kernel_name: str, cwd: str) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.discard()
        km = AsyncKernelManager(kernel_name=kernel_name)
        how = self._how(kernel_name, cwd)
        run_sync(km.start_kernel)(extra_arguments=list(_KERNEL_ARGUMENTS), cwd=how[1])
        self._km, self._as = km, how

    def ready(self, kernel_name: str, cwd: str) -> None:
        """`prepare`, unless a kernel started as it would be is ready already."""
        if self._km is None or self._as != self._how(kernel_name, cwd):
            self.prepare(kernel_name, cwd)

    def take(self, kernel_name: str, cwd: str):
        """The kernel started ahead, if it was started as a run would start it now."""
        km, how = self._km, self._as
        self._km = self._as = None
        if km is None:
            return None
        if how != self._how(kernel_name, cwd):
            _shutdown(km)
            return None
        return km

    def discard(self) -> None:
        if self._km is not None:
            _shutdown(self._km)
        self._km = self._as = None


#: What nbclient passes to a Python kernel it starts (its ipython_hist_file default).
_KERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:",)
SPARE = _Spare()


def _shutdown(km) -> None:
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 (a spare that is already gone is no loss)
        log.debug("lazy-jupyter: a spare kernel did not shut down cleanly", exc_info=True)


def _use_spare_kernels() -> None:
    """Have nbconvert's ExecutePreprocessor take the spare kernel when there is one."""
    from jupyter_core.utils import run_sync
    from nbconvert.preprocessors import ExecutePreprocessor

    if getattr(ExecutePreprocessor, "_lazy_jupyter_spare", False):
        return
    preprocess = ExecutePreprocessor.preprocess

    def with_spare(self, nb, resources=None, km=None):
        path = ((resources or {}).get("metadata") or {}).get("path") or os.getcwd()
        spare = None if km is not None or self.extra_arguments != [] else \
            SPARE.take(self.kernel_name, path)
        if spare is None:
            return preprocess(self, nb, resources, km)
        try:
            return preprocess(self, nb, resources, spare)
        finally:  # nbclient leaves a kernel it was given running: it is done with it
            if self.kc is not None:
                self.kc.stop_channels()
            run_sync(spare.shutdown_kernel)(now=True)

    ExecutePreprocessor.preprocess = with_spare
    ExecutePreprocessor._lazy_jupyter_spare = True


def _thread_error(future) -> str | None:
    err = future.exception()
    return None if err is None else f"{type(err).__name__}: {err}"


def _process_error(proc: subprocess.Popen) -> str | None:
    _, stderr = proc.communicate()
    if proc.returncode == 0:
        return None
    return stderr.strip() or f"exit status {proc.returncode}"


def _main(argv: list[str]) -> int:
    """``python -m site_plugins.lazy_jupyter JSON``: one `run_notebook`, for `_Run`."""
    args = json.loads(argv[0])
    try:
        run_notebook(args["nb_path"], args["cache_path"], args["options"])
    except Exception as err:  # reported by the build that started this run
        print(f"{type(err).__name__}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
