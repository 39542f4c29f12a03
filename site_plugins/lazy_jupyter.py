"""The ``lazy-jupyter`` MkDocs plugin: mkdocs-jupyter, imported only to run a notebook.

mkdocs-jupyter imports jupytext and nbconvert when MkDocs loads it (~0.75 s of CPU),
on every build, even when every notebook page comes from its execution cache. This
plugin takes the same options and stands in its place in mkdocs.yml. At ``on_files``
it looks for the cache file mkdocs-jupyter itself would read (same folder, same key,
same JSON): when every notebook has one, it serves them as mkdocs-jupyter would on a
cache hit (the page, its table of contents and title, ``nb_url``, the copied source,
stale-cache eviction) without importing it. Otherwise (a cache miss, the cache off, or
a Markdown file whose jupytext front matter must be parsed) it imports
``mkdocs_jupyter.plugin.Plugin``, gives it the same options and hands it every event
of the build, so a notebook is executed exactly as mkdocs-jupyter runs it.

Written against mkdocs-jupyter 0.26.3; tests/test_lazy_jupyter.py checks that its
options and cache key are still the same.

Not here: where the cache lives (scripts/notebook_page.py points ``cache_dir`` at a
folder per example) or cleaning the page's HTML (also scripts/notebook_page.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pathlib
import shutil
import types
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

    def on_pre_build(self, config):
        self._real = None  # mkdocs-jupyter's plugin, once this build needs it
        self._used: set[pathlib.Path] = set()

    def on_files(self, files, config):
        if self._needs_mkdocs_jupyter(files):
            return self._delegate(config).on_files(files, config)
        return Files([NotebookFile(f, **config) if self._include(f) else f for f in files])

    def on_pre_page(self, page, config, files):
        if self._real is not None:
            return self._real.on_pre_page(page, config, files)
        if not self._include(page.file):
            return page
        path = self._cache_path(page.file.abs_src_path)
        self._used.add(path)
        if not path.exists():  # gone since on_files: let mkdocs-jupyter run it
            return self._delegate(config).on_pre_page(page, config, files)
        page.render = types.MethodType(_cached_render(path, self.config["ignore_h1_titles"]),
                                       page)
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

    def on_post_build(self, config):
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
        src = pathlib.PurePath(file.abs_src_path)
        ext = os.path.splitext(str(file.abs_src_path))[-1]
        if ext not in EXTENSIONS or any(src.match(p) for p in self.config["ignore"]):
            return False
        if ext == ".md":
            return None  # included only with jupytext front matter: mkdocs-jupyter reads it
        return any(src.match(p) for p in self.config["include"])

    def _needs_mkdocs_jupyter(self, files) -> bool:
        if not self.config["cache"]:
            return True
        for file in files:
            included = self._include(file)
            if included is None:
                return True
            if included and not self._cache_path(file.abs_src_path).exists():
                return True
        return False

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


def _cached_render(path: pathlib.Path, ignore_h1_titles: bool):
    """A ``Page.render`` that reads the page from mkdocs-jupyter's cache file."""

    def render(page, config, files):
        log.info("Cache hit: %s", page.file.abs_src_path)
        cached = json.loads(path.read_text(encoding="utf-8"))
        page.content = cached["content"]
        page.toc = get_toc(cached["toc_tokens"])
        if cached.get("title") is not None and not ignore_h1_titles:
            page.title = cached["title"]

    return render
