"""Benchmark: what building the site costs on this machine, measured in one run.

Prints one Markdown table:

1. warm build: the full build (injection, figures, notebook from its cache) against a
   plain ``mkdocs build`` of the same pages with the ``macros`` and ``mkdocs-jupyter``
   plugins removed; the ratio is what the injection costs on top of MkDocs;
2. cold build: every cache cleared, so the figures are drawn and the notebook executed;
3. rebuild after changing only the example file: to an example built before (figures
   and notebook outputs cached by content) and to new values (nothing cached);
4. one backprop_core step against network size, and against PyTorch CPU doing the same
   step (scripts/bench_engine.py; needs the ``bench`` extra: torch);
5. the whole test suite's wall time (``pytest -q``).

The builds run in a snapshot of the project in a temporary folder, with caches of their
own: the benchmark never touches this checkout's ``.cache/`` or ``site/``. Every
comparison is interleaved (ours, plain, plain, ours, ...) over several repetitions
and reported as median and min–max; a ratio is the median of the per-repetition
ratios. Nothing here passes or fails: the tests never assert on time.

    .venv/bin/python scripts/bench.py                 # everything (~10 minutes)
    .venv/bin/python scripts/bench.py --repeat 3 --skip tests
    .venv/bin/python scripts/bench.py --only warm
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
#: What a build reads; copied into the snapshot.
SNAPSHOT = ("mkdocs.yml", "docs", "scripts", "backprop_core", "examples", "data")
#: The plugins whose cost is measured: removed from the plain variant.
OURS = ("macros", "mkdocs-jupyter")
SECTIONS = ("warm", "cold", "example", "engine", "tests")


@dataclass
class Row:
    what: str
    times: list[float]
    ratios: list[float] = field(default_factory=list)
    note: str = ""


# ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    wanted = [s for s in SECTIONS if s in (args.only or SECTIONS) and s not in args.skip]
    rows: list[Row] = []
    engine_table = ""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="backprop-bench-") as scratch:
        project = Project(Path(scratch))
        if {"warm", "cold", "example"} & set(wanted):
            _say("snapshot of the project, one build to warm its caches")
            project.build()
        if "warm" in wanted:
            rows += bench_warm(project, args.repeat)
        if "cold" in wanted:
            rows += bench_cold(project, args.cold_repeat)
        if "example" in wanted:
            rows += bench_example(project, args.cold_repeat)
    if "engine" in wanted:
        engine_table = bench_engine(args.repeat)
    if "tests" in wanted:
        rows.append(bench_tests())

    print()
    print(f"Measured on {_machine()}, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"{time.perf_counter() - started:.0f} s in all.")
    if rows:
        print()
        print(table(rows))
    if engine_table:
        print()
        print(engine_table)
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scripts/bench.py",
                                description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=7, metavar="N",
                   help="repetitions of each warm comparison and engine size (default 7)")
    p.add_argument("--cold-repeat", type=int, default=3, metavar="N",
                   help="repetitions of each cold or changed-example build (default 3)")
    p.add_argument("--only", nargs="+", choices=SECTIONS, metavar="SECTION",
                   help=f"run only these sections ({', '.join(SECTIONS)})")
    p.add_argument("--skip", nargs="+", choices=SECTIONS, default=[], metavar="SECTION",
                   help="leave these sections out")
    return p


def _say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# The project snapshot and its two configurations


class Project:
    """A copy of the site's sources with caches of its own, and a plain variant config."""

    def __init__(self, scratch: Path) -> None:
        self.root = scratch / "project"
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for name in SNAPSHOT:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, self.root / name, ignore=ignore)
            else:
                self.root.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, self.root / name)
        self.config = self.root / "mkdocs.yml"
        self.plain = self.root / "mkdocs.plain.yml"
        self.plain.write_text(plain_config(self.config.read_text(encoding="utf-8")),
                              encoding="utf-8")
        self.out = scratch / "out"
        self.example = self.root / "examples" / "default.toml"

    def caches(self) -> Path:
        return self.root / ".cache"

    def clear_caches(self) -> None:
        shutil.rmtree(self.caches(), ignore_errors=True)

    def build(self, plain: bool = False, example: Path | None = None) -> float:
        """Seconds for one `mkdocs build` (a fresh process, as a maintainer runs it)."""
        config = self.plain if plain else self.config
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1",
                   BACKPROP_EXAMPLE=str(example or self.example),
                   # the notebook's kernel imports this snapshot's engine
                   PYTHONPATH=os.pathsep.join([str(self.root),
                                               os.environ.get("PYTHONPATH", "")]))
        env.pop("BACKPROP_EXAMPLE_LABEL", None)
        out = self.out / ("plain" if plain else "ours")
        cmd = [sys.executable, "-m", "mkdocs", "build", "--quiet", "--config-file",
               str(config), "--site-dir", str(out)]
        if not plain:
            cmd.insert(4, "--strict")
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=self.root, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise SystemExit(f"bench: {config.name} build failed: " + " | ".join(tail))
        return elapsed


def plain_config(text: str) -> str:
    """mkdocs.yml without our plugins (and the notebook's nav entry, now no page)."""
    config = yaml.load(text, Loader=_Loader)
    config["plugins"] = [p for p in config.get("plugins", [])
                         if (next(iter(p)) if isinstance(p, dict) else p) not in OURS]

    def keep(entry) -> bool:
        target = next(iter(entry.values())) if isinstance(entry, dict) else entry
        return not (isinstance(target, str) and target.endswith(".py"))

    config["nav"] = [e for e in config.get("nav", []) if keep(e)]
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps MkDocs' !ENV / !relative tags as plain values."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_scalar(node)
                              if isinstance(node, yaml.ScalarNode) else None)


# ---------------------------------------------------------------------------------------
# 1–3: builds


def interleaved(runs: dict[str, Callable[[], float]], repeat: int,
                before: Callable[[], None] | None = None) -> dict[str, list[float]]:
    """Each variant `repeat` times, order alternating (ABBA…), so drift hits all alike."""
    names = list(runs)
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(repeat):
        for name in (names if r % 2 == 0 else names[::-1]):
            if before is not None:
                before()
            times[name].append(runs[name]())
    return times


def paired(ours: list[float], plain: list[float]) -> list[float]:
    return [a / b for a, b in zip(ours, plain)]


def bench_warm(project: Project, repeat: int) -> list[Row]:
    _say(f"warm builds, ours vs plain, {repeat}× each")
    t = interleaved({"ours": project.build, "plain": lambda: project.build(plain=True)},
                    repeat)
    return [Row("plain `mkdocs build` (no macros, no mkdocs-jupyter)", t["plain"],
                note="the baseline"),
            Row("warm full build (injection, figures, notebook from cache)", t["ours"],
                paired(t["ours"], t["plain"]))]


def bench_cold(project: Project, repeat: int) -> list[Row]:
    _say(f"cold builds (caches cleared), ours vs plain, {repeat}× each")
    ours: list[float] = []
    plain: list[float] = []
    for r in range(repeat):
        pair = [("ours", ours), ("plain", plain)]
        for name, into in (pair if r % 2 == 0 else pair[::-1]):
            project.clear_caches()
            into.append(project.build(plain=name == "plain"))
    return [Row("cold build (caches cleared: figures drawn, notebook executed)", ours,
                paired(ours, plain))]


def bench_example(project: Project, repeat: int) -> list[Row]:
    """Rebuild after editing only the example: to a known one, and to new values."""
    _say(f"rebuilds after changing the example, {repeat}× each")
    base = project.example.read_text(encoding="utf-8")
    known = [project.root / "examples" / "bench-a.toml", project.root / "examples" / "bench-b.toml"]
    for i, path in enumerate(known):
        path.write_text(_with_learning_rate(base, 0.03 + 0.01 * i), encoding="utf-8")
        project.build(example=path)  # built once before: cached from now on
    fresh = project.root / "examples" / "bench-new.toml"
    counter = iter(range(1, 10_000))
    seen, new, plain = [], [], []
    for r in range(repeat):
        def to_new() -> float:
            fresh.write_text(_with_learning_rate(base, 0.5 + 0.001 * next(counter)),
                             encoding="utf-8")
            return project.build(example=fresh)
        runs = [(seen, lambda: project.build(example=known[r % 2])), (new, to_new),
                (plain, lambda: project.build(plain=True))]
        for into, run in (runs if r % 2 == 0 else runs[::-1]):
            into.append(run())
    return [Row("rebuild, example changed to one built before (all cached by content)",
                seen, paired(seen, plain)),
            Row("rebuild, example changed to new values (figures drawn, notebook executed)",
                new, paired(new, plain))]


def _with_learning_rate(toml: str, eta: float) -> str:
    lines = [f"learning_rate = {eta!r}" if ln.startswith("learning_rate") else ln
             for ln in toml.splitlines()]
    if lines == toml.splitlines():
        raise SystemExit("bench: examples/default.toml: expected a learning_rate line")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# 4: the engine; 5: the tests


def bench_engine(repeat: int) -> str:
    """scripts/bench_engine.py three ways: alone, next to PyTorch, and with glibc's
    heap trimming off (so that neither side pays page faults for fresh arrays)."""
    _say("backprop_core step vs PyTorch CPU across sizes")
    alone = _engine_json(repeat, "--no-torch")
    both = _engine_json(repeat)
    untrimmed = _engine_json(repeat, env=UNTRIMMED)
    if "torch" not in both[0]:
        return bench_engine_module().table(alone) + "\n\n(PyTorch is not installed: " \
            "`.venv/bin/pip install -e '.[bench]'`)"
    lines = ["| n_in-n_hidden-n_out | m | backprop_core alone | backprop_core next to torch | "
             "PyTorch CPU | ratio (ours / torch) | ratio, heap trimming off |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    be = bench_engine_module()
    for a, b, u in zip(alone, both, untrimmed):
        lines.append(f"| {a['size']} | {a['m']} | {be.summary(a['ours'])} | "
                     f"{be.summary(b['ours'])} | {be.summary(b['torch'])} | "
                     f"{be.ratio(b['ours'], b['torch'])} | {be.ratio(u['ours'], u['torch'])} |")
    return "\n".join(lines)


#: glibc malloc settings under which freed arrays stay in the heap (no trimming, no mmap
#: for arrays up to 32 MB), so a fresh 784×128 array costs no page faults.
UNTRIMMED = {"MALLOC_TRIM_THRESHOLD_": str(1 << 30), "MALLOC_MMAP_THRESHOLD_": str(1 << 25)}


def _engine_json(repeat: int, *flags: str, env: dict[str, str] | None = None) -> list[dict]:
    done = subprocess.run([sys.executable, str(SCRIPTS / "bench_engine.py"), "--json",
                           "--repeat", str(repeat), *flags], cwd=ROOT, capture_output=True,
                          text=True, env=dict(os.environ, **(env or {})))
    if done.returncode != 0:
        raise SystemExit("bench: scripts/bench_engine.py failed: "
                         + " | ".join(done.stderr.strip().splitlines()[-3:]))
    return json.loads(done.stdout)


def bench_engine_module():
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    import bench_engine
    return bench_engine


def bench_tests() -> Row:
    _say("the whole test suite (pytest -q), once")
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    elapsed = time.perf_counter() - t0
    summary = next((ln for ln in reversed(done.stdout.splitlines()) if " in " in ln), "")
    return Row("whole test suite (`pytest -q`)", [elapsed],
               note=summary.strip("= ") or f"exit status {done.returncode}")


# ---------------------------------------------------------------------------------------
# The table


def table(rows: list[Row]) -> str:
    lines = ["| measurement | runs | median | min–max | ratio to plain (median, min–max) |",
             "| --- | ---: | ---: | ---: | --- |"]
    for row in rows:
        med = statistics.median(row.times)
        spread = (f"{min(row.times):.2f}–{max(row.times):.2f} s" if len(row.times) > 1
                  else "—")
        if row.ratios:
            ratio = (f"**{statistics.median(row.ratios):.2f}** "
                     f"({min(row.ratios):.2f}–{max(row.ratios):.2f})")
        else:
            ratio = row.note
        lines.append(f"| {row.what} | {len(row.times)} | {med:.2f} s | {spread} | {ratio} |")
    return "\n".join(lines)


def _machine() -> str:
    return (f"this machine ({os.cpu_count()} cores, "
            f"Python {platform.python_version()}, load average "
            f"{os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    sys.exit(main())
