"""Regenerate the whole site with the numbers of any example, in one command.

    .venv/bin/python scripts/build.py                          # examples/default.toml → site/
    .venv/bin/python scripts/build.py --example my.toml --out public
    .venv/bin/python scripts/build.py --random 7 --n-hidden 3 --m 2
    .venv/bin/python scripts/build.py --site-url https://USER.github.io/REPO/   # to publish

The example is validated first (a bad one: one line on stderr, exit 2, nothing touched),
then the site is built as `mkdocs build --strict` builds it (in this process, through
MkDocs' API) into a temporary folder next to --out, and only a successful build
replaces --out. The example reaches the macros
module (scripts/macros.py) through the BACKPROP_EXAMPLE environment variable.

Without --site-url the build is a preview: its sitemap and canonical links name
http://127.0.0.1:8000/, where the README's preview serves it (Material's instant
navigation needs them to match). With --site-url URL (or BACKPROP_SITE_URL) the build is
for publishing at URL, and nothing in it names 127.0.0.1. Links between the site's own
files are relative either way, so a build works from any folder of any host.

This script builds; it computes nothing itself (backprop_core does) and formats
nothing (scripts/fmt.py does).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Sequence
from urllib.parse import urlsplit

import tomli_w

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import article  # noqa: E402  (scripts/ is not a package)
from backprop_core import ExampleError, parse_example  # noqa: E402
from backprop_core.example import check_text  # noqa: E402

DEFAULT_EXAMPLE = ROOT / "examples" / "default.toml"
DEFAULT_OUT = ROOT / "site"
RANDOM_LEARNING_RATE = 0.1
EXIT_USAGE = 2
EXIT_BUILD = 1
SITE_URL_VAR = "BACKPROP_SITE_URL"   # read by mkdocs.yml (site_url: !ENV ...)
PREVIEW_URL = "http://127.0.0.1:8000/"
LABEL_MAX_CHARS = 300                # as scripts/macros.py


class UsageError(Exception):
    """A mistake in the command line or the example: reported as one line."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out = Path(args.out).resolve()
    try:
        _check_out(out)
        site_url = site_url_of(args.site_url if args.site_url is not None
                               else os.environ.get(SITE_URL_VAR))
        with tempfile.TemporaryDirectory(prefix="backprop-example-") as scratch:
            example_file, label = _example_file(args, Path(scratch))
            label = check_text("--example", label, LABEL_MAX_CHARS)
            return _build(example_file, label, out, site_url)
    except (UsageError, ExampleError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scripts/build.py",
        description="Build the site with the numbers of an example file (or a random one).")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--example", metavar="FILE", default=str(DEFAULT_EXAMPLE),
                     help="example file (TOML); default: examples/default.toml")
    src.add_argument("--random", metavar="SEED", type=int,
                     help="draw a reproducible random example with this seed instead")
    for size in ("n-in", "n-hidden", "n-out", "m"):
        p.add_argument(f"--{size}", type=int, metavar="N",
                       help=f"with --random: {size.replace('-', '_')} (default 2, m: 1)")
    p.add_argument("--learning-rate", type=float, metavar="ETA",
                   help=f"with --random: the learning rate (default {RANDOM_LEARNING_RATE})")
    p.add_argument("--out", metavar="DIR", default=str(DEFAULT_OUT),
                   help="where the site goes; replaced only by a successful build "
                        "(default: site/)")
    p.add_argument("--site-url", metavar="URL",
                   help="the address the site is published at, e.g. "
                        "https://USER.github.io/REPO/ (default: $BACKPROP_SITE_URL; without "
                        f"either, a preview build for {PREVIEW_URL})")
    return p


def site_url_of(given: str | None) -> str | None:
    """The published address as mkdocs wants it (ending in /), or None for a preview."""
    if given is None or given == "":
        return None
    parts = urlsplit(given)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment or any(c.isspace() for c in given):
        raise UsageError(f"--site-url: expected an http(s) address such as "
                         f"https://USER.github.io/REPO/; got {given!r}")
    return given if given.endswith("/") else given + "/"


def _check_out(out: Path) -> None:
    """Refuse an --out whose replacement would destroy something that is not a site."""
    if out == ROOT or out in ROOT.parents or out == ROOT / "docs":
        raise UsageError(f"--out: expected a folder for the built site; got {out}, "
                         "which holds the project")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: expected a directory; found a file at {out}")
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise UsageError(f"--out: expected an empty folder or an earlier build; {out} has "
                         "files but no index.html, so it is left alone")


def _example_file(args: argparse.Namespace, scratch: Path) -> tuple[Path, str]:
    """The validated example file to build from, and how the pages name it."""
    sizes = {"n_in": args.n_in, "n_hidden": args.n_hidden, "n_out": args.n_out, "m": args.m}
    if args.random is None:
        given = [f"--{k.replace('_', '-')}" for k, v in sizes.items() if v is not None]
        if args.learning_rate is not None:
            given.append("--learning-rate")
        if given:
            raise UsageError(f"{given[0]}: only allowed with --random")
        path = Path(args.example)
        article.validate(path)
        return path.resolve(), _shown(path)

    data = random_example(args.random, sizes, args.learning_rate)
    article.check_sizes(parse_example(data))
    path = scratch / f"random-{args.random}.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path, f"a random draw (seed {args.random})"


def random_example(seed: int, sizes: dict[str, int | None] | None = None,
                   learning_rate: float | None = None) -> dict:
    """The example table `--random SEED` builds from (the practice page's seeds too).

    Sizes left out (or None) take example.py's [random] defaults; the learning rate
    defaults to RANDOM_LEARNING_RATE.
    """
    table = {"seed": seed, **{k: v for k, v in (sizes or {}).items() if v is not None}}
    eta = RANDOM_LEARNING_RATE if learning_rate is None else learning_rate
    return {"title": f"A random example (seed {seed})", "learning_rate": eta, "random": table}


def _build(example_file: Path, label: str, out: Path, site_url: str | None) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    # mkdocs.yml (site_url: !ENV), the macros module and the notebook's kernel read these.
    os.environ.update(BACKPROP_EXAMPLE=str(example_file), BACKPROP_EXAMPLE_LABEL=label,
                      NO_MKDOCS_2_WARNING="1")
    os.environ.pop(SITE_URL_VAR, None)
    if site_url:
        os.environ[SITE_URL_VAR] = site_url
    try:
        problems = mkdocs_build(ROOT / "mkdocs.yml", tmp)
        if problems is not None:
            print(f"error: mkdocs build failed: {problems}", file=sys.stderr)
            return EXIT_BUILD
        _swap(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    print(f"built {_shown(out)} from {label}, "
          + (f"for publishing at {site_url}" if site_url else
             f"as a preview for {PREVIEW_URL} (give --site-url to publish)"))
    return 0


def mkdocs_build(config_file: Path, site_dir: Path) -> str | None:
    """`mkdocs build --strict --config-file CONFIG --site-dir SITE`, in this process
    (through MkDocs' own API, as its command line does it): the example is validated
    and the engine imported once, not again in a second interpreter. Returns None on
    success, else what went wrong on one line: the warnings and errors MkDocs logged
    (mkdocs-macros reports a failing placeholder as a warning), then the error.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logged: list[str] = []
    handler = _Collect(logged)
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    mkdocs_log.setLevel(logging.INFO)
    cwd = Path.cwd()
    try:
        os.chdir(ROOT)  # as before, when the build was a process started in ROOT
        config = load_config(str(config_file), strict=True, site_dir=str(site_dir))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    # SystemExit too: mkdocs-macros ends the process (exit 100) when a page's template
    # fails, after logging why; that log line is the message.
    except (Exception, SystemExit) as err:  # noqa: BLE001 (reported on one line, never raised)
        if isinstance(err, SystemExit):
            detail = f"a page's template failed (mkdocs-macros stopped with exit {err.code})"
        else:
            detail = str(err).strip() or type(err).__name__
        if not isinstance(err, (MkDocsException, SystemExit)):
            detail = f"{type(err).__name__}: {detail}"
        return " | ".join([*logged[-8:], *detail.splitlines()[-4:]])
    finally:
        os.chdir(cwd)
        mkdocs_log.removeHandler(handler)
    return None


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings and errors as one-line texts."""

    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(" ".join(record.getMessage().split()))


def _swap(new: Path, out: Path) -> None:
    """Put the finished build at `out`, replacing an earlier one in two renames."""
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        old.rmdir()
        out.rename(old)
        new.rename(out)
        shutil.rmtree(old)
    else:
        new.rename(out)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
