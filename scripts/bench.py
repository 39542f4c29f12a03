"""Benchmark: what building the site costs on this machine, measured in one run.

Prints two Markdown tables, builds and engine:

1. warm build: the full build (injection, figures, the notebook from its cache)
   against a plain ``mkdocs build`` of the same pages with the ``macros`` and
   ``mkdocs-jupyter`` plugins removed: the ratio is our overhead. Also the build with
   injection and figures but no notebook plugin, to tell the two costs apart;
2. cold build: every cache cleared, so the figures are drawn and the notebook executed;
3. regenerating with `scripts/build.py`: the example unchanged (warm caches), changed
   to an example built before
   (figures and notebook outputs cached by content) and to new values (drawn and
   executed): once with ``scripts/build.py`` (a fresh process, the one command), once
   under ``mkdocs serve`` (the process stays, so nothing is imported again);
4. one backprop_core step against network size, and against PyTorch CPU doing the same
   step (scripts/bench_engine.py; needs the ``bench`` extra: torch);
5. the whole test suite (``pytest -q``), once.

The builds run in a snapshot of the project in a temporary folder, with caches of their
own: the benchmark never touches this checkout's ``.cache/`` or ``site/``. Variants
are interleaved (A B C, C B A, ...) over several rounds, and every run is compared with
the plain build of its own round, so a busy spell on the shared machine hits both
sides of a ratio. Reported: median (min–max) of wall time, of CPU time (the build's
processes, its notebook kernel included: what the code costs, whatever the load) and
of the per-round ratios. Nothing here passes or fails: the tests never assert on time.

    .venv/bin/python scripts/bench.py                 # everything, ~10 minutes
    .venv/bin/python scripts/bench.py --skip tests    # without the test suite
    .venv/bin/python scripts/bench.py --only warm --repeat 11
    .venv/bin/python scripts/bench.py --project /tmp/old   # an export of another commit
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
#: What a build reads; copied into the snapshot.
SNAPSHOT = ("mkdocs.yml", "docs", "scripts", "site_plugins", "backprop_core", "examples",
            "data")
#: The notebook plugin's name in mkdocs.yml: mkdocs-jupyter, through site_plugins/'s
#: lazy-jupyter (which imports it only when the notebook is not in the cache).
NOTEBOOK = "lazy-jupyter"
#: The plugins whose cost is measured: the plain variant has neither.
OURS = ("macros", NOTEBOOK)
SECTIONS = ("warm", "cold", "example", "serve", "engine", "tests")
#: glibc malloc settings under which freed arrays stay in the heap (no trimming, no mmap
#: below 32 MB): a fresh 784×128 array then costs no page faults.
UNTRIMMED = {"MALLOC_TRIM_THRESHOLD_": str(1 << 30), "MALLOC_MMAP_THRESHOLD_": str(1 << 25)}

Run = Callable[[], tuple[float, float]]  # → (wall seconds, CPU seconds)


@dataclass
class Row:
    """One measurement: wall and CPU seconds per run, and the plain runs it pairs with."""

    what: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    plain: "Row | None" = None
    note: str = ""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    wanted = [s for s in SECTIONS if s in (args.only or SECTIONS) and s not in args.skip]
    rows: list[Row] = []
    engine = ""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="backprop-bench-") as scratch:
        project = Project(Path(scratch), args.project)
        if {"warm", "cold", "example", "serve"} & set(wanted):
            _say(f"snapshot of the project in {scratch}; one build to warm its caches")
            project.build()
        if "warm" in wanted:
            rows += bench_warm(project, args.repeat)
        if "cold" in wanted:
            rows += bench_cold(project, args.cold_repeat)
        if "example" in wanted:
            rows += bench_example(project, args.cold_repeat)
        if "serve" in wanted:
            rows += bench_serve(project, args.cold_repeat)
    if "engine" in wanted:
        engine = bench_engine(args.repeat)
    if "tests" in wanted:
        rows.append(bench_tests(args.project))

    print(f"\nMeasured on this machine ({os.cpu_count()} cores, shared; load average "
          f"{os.getloadavg()[0]:.1f} at the end), {time.strftime('%Y-%m-%d %H:%M')}, "
          f"{time.perf_counter() - started:.0f} s in all.\n")
    if rows:
        print(table(rows) + "\n")
    if engine:
        print(engine + "\n")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scripts/bench.py",
                                description=__doc__.splitlines()[0])
    p.add_argument("--project", type=Path, default=ROOT, metavar="DIR",
                   help="the checkout to measure (default: this one); e.g. an export of "
                        "an older commit, to measure before and after with the same code")
    p.add_argument("--repeat", type=_positive, default=7, metavar="N",
                   help="rounds of the warm builds, samples per engine size (default 7)")
    p.add_argument("--cold-repeat", type=_positive, default=3, metavar="N",
                   help="rounds of the cold builds and the example changes (default 3)")
    p.add_argument("--only", nargs="+", choices=SECTIONS, metavar="SECTION",
                   help=f"run only these sections: {', '.join(SECTIONS)}")
    p.add_argument("--skip", nargs="+", choices=SECTIONS, default=[], metavar="SECTION",
                   help="leave these sections out")
    return p


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1; got {text!r}")
    return value


def _say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# The project snapshot and its configurations


class Project:
    """A copy of the site's sources with caches of its own, and its config variants.

    ours:   mkdocs.yml as it is;
    macros: without mkdocs-jupyter (injection and figures only);
    plain:  without macros and mkdocs-jupyter, on a copy of docs/ of its own (so that
            a `mkdocs serve` of each can be triggered apart) and watching nothing else.
    """

    def __init__(self, scratch: Path, source: Path = ROOT) -> None:
        self.root = scratch / "project"
        self.source = source
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for name in SNAPSHOT:
            src = source / name
            if src.is_dir():
                shutil.copytree(src, self.root / name, ignore=ignore)
            else:
                self.root.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, self.root / name)
        shutil.copytree(self.root / "docs", self.root / "docs-plain")
        text = (self.root / "mkdocs.yml").read_text(encoding="utf-8")
        self.configs = {"ours": self.root / "mkdocs.yml",
                        "macros": self.root / "mkdocs.macros-only.yml",
                        "plain": self.root / "mkdocs.plain.yml"}
        self.configs["macros"].write_text(variant(text, (NOTEBOOK,)), "utf-8")
        self.configs["plain"].write_text(variant(text, OURS, docs_dir="docs-plain"), "utf-8")
        self.out = scratch / "out"
        self.example = self.root / "examples" / "default.toml"

    def env(self, example: Path | None = None) -> dict[str, str]:
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1",
                   BACKPROP_EXAMPLE=str(example or self.example),
                   # the notebook's kernel imports this snapshot's engine
                   PYTHONPATH=os.pathsep.join([str(self.root),
                                               os.environ.get("PYTHONPATH", "")]))
        env.pop("BACKPROP_EXAMPLE_LABEL", None)
        return env

    def clear_caches(self, keep: Sequence[str] = ()) -> None:
        """Remove .cache/, but for the folders named in `keep`."""
        cache = self.root / ".cache"
        if not cache.is_dir():
            return
        for entry in cache.iterdir():
            if entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()

    def build(self, name: str = "ours", example: Path | None = None) -> tuple[float, float]:
        """One `mkdocs build` in a fresh process, as `scripts/build.py` runs it."""
        cmd = [sys.executable, "-m", "mkdocs", "build", "--quiet", "--config-file",
               str(self.configs[name]), "--site-dir", str(self.out / name)]
        if name != "plain":  # the plain pages' raw {{ placeholders }} may warn
            cmd.append("--strict")
        return _timed(cmd, self.root, self.env(example))

    def regenerate(self, example: Path) -> tuple[float, float]:
        """The one command a maintainer runs: `scripts/build.py --example FILE`."""
        cmd = [sys.executable, str(self.root / "scripts" / "build.py"), "--example",
               str(example), "--out", str(self.out / "regenerated")]
        return _timed(cmd, self.root, self.env(example))


def _timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of a command; CPU includes its children (the kernel)."""
    before = _children_cpu()
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise SystemExit(f"bench: {' '.join(cmd[1:5])} … failed: " + " | ".join(tail))
    return wall, _children_cpu() - before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def variant(text: str, drop: Sequence[str], docs_dir: str | None = None) -> str:
    """mkdocs.yml without the plugins in `drop`. Without mkdocs-jupyter the notebook's
    nav entry goes too (it is no page then); without macros, the `watch` list (the
    engine and the examples mean nothing to plain pages) and the hooks: plain is MkDocs
    without anything of ours, so it compiles its theme's templates on every build."""
    config = yaml.load(text, Loader=_Loader)
    names = [next(iter(p)) if isinstance(p, dict) else p for p in config.get("plugins", [])]
    if set(drop) - set(names):
        raise SystemExit(f"bench: mkdocs.yml plugins: expected {', '.join(drop)}; "
                         f"found {', '.join(names)}")
    config["plugins"] = [p for p, name in zip(config.get("plugins", []), names)
                         if name not in drop]
    if NOTEBOOK in drop:
        config["nav"] = [e for e in config.get("nav", []) if not _is_notebook(e)]
    if "macros" in drop:
        # plain: MkDocs as it comes, so without our hooks (theme_cache.py) as well
        config.pop("watch", None)
        config.pop("hooks", None)
    if docs_dir:
        config["docs_dir"] = docs_dir
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def _is_notebook(entry) -> bool:
    target = next(iter(entry.values())) if isinstance(entry, dict) else entry
    return isinstance(target, str) and target.endswith(".py")


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps MkDocs' !ENV / !relative tags as plain values."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_scalar(node)
                              if isinstance(node, yaml.ScalarNode) else None)


def with_learning_rate(toml: str, eta: float) -> str:
    """The example with another learning rate: new values everywhere after the update."""
    lines = toml.splitlines()
    new = [f"learning_rate = {eta!r}" if ln.startswith("learning_rate") else ln
           for ln in lines]
    if new == lines:
        raise SystemExit("bench: examples/default.toml: expected a learning_rate line")
    return "\n".join(new) + "\n"


# ---------------------------------------------------------------------------------------
# Rounds


def interleaved(runs: dict[str, Run], repeat: int) -> dict[str, Row]:
    """Each variant `repeat` times, the order reversed every other round."""
    names = list(runs)
    got = {name: Row(name) for name in names}
    for r in range(repeat):
        for name in (names if r % 2 == 0 else names[::-1]):
            wall, cpu = runs[name]()
            got[name].wall.append(wall)
            got[name].cpu.append(cpu)
    return got


def _row(what: str, measured: Row, plain: Row | None = None, note: str = "") -> Row:
    return Row(what, measured.wall, measured.cpu, plain, note)


# ---------------------------------------------------------------------------------------
# 1–3: builds


def bench_warm(project: Project, repeat: int) -> list[Row]:
    _say(f"warm builds: full, injection only, plain; {repeat} rounds")
    t = interleaved({"plain": lambda: project.build("plain"),
                     "macros": lambda: project.build("macros"),
                     "ours": project.build}, repeat)
    return [_row("plain `mkdocs build` (no macros, no mkdocs-jupyter)", t["plain"],
                 note="the baseline"),
            _row("warm build, injection and figures only (no mkdocs-jupyter)", t["macros"],
                 t["plain"]),
            _row("**warm full build** (injection, figures, notebook from cache)", t["ours"],
                 t["plain"])]


def bench_cold(project: Project, repeat: int) -> list[Row]:
    _say(f"cold builds (caches cleared) against plain; {repeat} rounds")

    def cold(keep: Sequence[str] = ()) -> Run:
        def run() -> tuple[float, float]:
            project.clear_caches(keep)
            return project.build()
        return run

    runs = {"cold": cold(), "plain": lambda: project.build("plain")}
    if (project.root / "scripts" / "practice.py").is_file():
        runs["seeds kept"] = cold(keep=("practice",))
    t = interleaved(runs, repeat)
    rows = [_row("**cold full build** (every cache cleared: figures drawn, notebook "
                 "executed, the practice page's 100 seeds computed)", t["cold"], t["plain"])]
    if "seeds kept" in t:
        rows.append(_row("cold full build but for the practice seeds' cache (they "
                         "depend on the code only)", t["seeds kept"], t["plain"]))
    return rows


class Examples:
    """Example files for the 'changed the example' rounds: two seen before, new ones."""

    def __init__(self, project: Project) -> None:
        self.base = project.example.read_text(encoding="utf-8")
        folder = project.root / "examples"
        self.known = [folder / f"bench-known-{i}.toml" for i in range(2)]
        for i, path in enumerate(self.known):
            path.write_text(with_learning_rate(self.base, 0.03 + 0.01 * i), "utf-8")
        self.fresh = folder / "bench-new.toml"
        self.count = 0

    def next_known(self) -> Path:
        self.count += 1
        return self.known[self.count % 2]

    def write_new(self, path: Path) -> Path:
        self.count += 1
        path.write_text(with_learning_rate(self.base, 0.5 + 0.001 * self.count), "utf-8")
        return path


def bench_example(project: Project, repeat: int) -> list[Row]:
    """`scripts/build.py --example FILE` after the example changed."""
    _say(f"scripts/build.py after changing the example; {repeat} rounds")
    ex = Examples(project)
    for path in ex.known:
        project.regenerate(path)  # built once before: cached from now on
    t = interleaved({"same": lambda: project.regenerate(project.example),
                     "known": lambda: project.regenerate(ex.next_known()),
                     "new": lambda: project.regenerate(ex.write_new(ex.fresh)),
                     "plain": lambda: project.build("plain")}, repeat)
    return [_row("**`scripts/build.py`, warm caches** (the example built just before)",
                 t["same"], t["plain"]),
            _row("`scripts/build.py`, example changed to one built before (figures, "
                 "notebook cached by content)", t["known"], t["plain"]),
            _row("`scripts/build.py`, example changed to new values (figures drawn, "
                 "notebook executed)", t["new"], t["plain"])]


class Server:
    """A `mkdocs serve` of one config, rebuilt on demand and timed from its log.

    A rebuild is timed from the change (the file written) to the server's "Reloading
    browsers" line, which is when an open page reloads: the watcher's polling (every
    half second) and MkDocs' own 0.1 s delay are part of it, as a reader waits for
    them too. Its CPU time is the server's own, read from /proc, children included.
    """

    def __init__(self, project: Project, name: str, example: Path | None = None) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cmd = [sys.executable, "-m", "mkdocs", "serve", "--config-file",
               str(project.configs[name]), "--dev-addr", f"127.0.0.1:{port}"]
        self.proc = subprocess.Popen(cmd, cwd=project.root, env=project.env(example),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True)
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        try:
            self._wait_for("Serving on", timeout=300)
        except SystemExit:
            self.stop()
            raise

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.put((time.perf_counter(), line.rstrip()))
        self.lines.put((time.perf_counter(), "<exited>"))

    def _wait_for(self, text: str, timeout: float) -> float:
        end = time.perf_counter() + timeout
        while True:
            try:
                at, line = self.lines.get(timeout=max(0.0, end - time.perf_counter()))
            except queue.Empty:
                raise SystemExit(f"bench: mkdocs serve: no {text!r} in {timeout:.0f} s") \
                    from None
            if text in line:
                return at
            if "<exited>" in line or "Aborted" in line or "ERROR" in line:
                raise SystemExit(f"bench: mkdocs serve: {line}")

    def _cpu(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")

    def rebuild(self, trigger: Callable[[], object]) -> tuple[float, float]:
        while not self.lines.empty():
            self.lines.get_nowait()
        cpu = self._cpu()
        start = time.perf_counter()
        trigger()
        self._wait_for("Building documentation", timeout=60)
        end = self._wait_for("Reloading browsers", timeout=600)
        return end - start, self._cpu() - cpu

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def bench_serve(project: Project, repeat: int) -> list[Row]:
    """Under `mkdocs serve`: rebuild after the example changed, against a plain
    server's rebuild after a page changed."""
    _say(f"mkdocs serve: rebuilds after changing the example; {repeat} rounds")
    ex = Examples(project)
    served = project.root / "examples" / "bench-served.toml"
    served.write_text(ex.known[0].read_text(encoding="utf-8"), "utf-8")
    page = project.root / "docs-plain" / "index.md"
    text = page.read_text(encoding="utf-8")
    ours = Server(project, "ours", example=served)
    try:
        plain = Server(project, "plain")
    except SystemExit:
        ours.stop()
        raise
    try:
        def to_known() -> tuple[float, float]:
            source = ex.next_known()
            return ours.rebuild(lambda: shutil.copyfile(source, served))

        edits = iter(range(1_000_000))

        def edit_page() -> tuple[float, float]:
            n = next(edits)
            return plain.rebuild(lambda: page.write_text(text + "\n" * (n % 2), "utf-8"))

        to_known()
        to_known()  # both known examples are now cached
        t = interleaved({"known": to_known,
                         "new": lambda: ours.rebuild(lambda: ex.write_new(served)),
                         "plain": edit_page}, repeat)
    finally:
        ours.stop()
        plain.stop()
    return [_row("`mkdocs serve` plain, rebuild after a page changed", t["plain"],
                 note="the baseline for the two below"),
            _row("`mkdocs serve`, example changed to one built before", t["known"],
                 t["plain"]),
            _row("`mkdocs serve`, example changed to new values (notebook executed)",
                 t["new"], t["plain"])]


# ---------------------------------------------------------------------------------------
# 4: the engine; 5: the tests


def bench_engine(repeat: int) -> str:
    """scripts/bench_engine.py three ways: backprop_core alone; next to PyTorch; and
    both with glibc's heap trimming off, so neither pays page faults for fresh arrays."""
    _say("backprop_core step vs PyTorch CPU across sizes")
    be = _bench_engine_module()
    alone = _engine_json(repeat, "--no-torch")
    both = _engine_json(repeat)
    if "torch" not in both[0]:
        return (be.table(alone) + "\n\n(PyTorch is not installed here: "
                "`.venv/bin/pip install -e '.[bench]'`)")
    untrimmed = _engine_json(repeat, env=UNTRIMMED)
    lines = ["| n_in-n_hidden-n_out | m | backprop_core alone | backprop_core next to "
             "torch | PyTorch CPU | ours / torch | ours / torch, heap trimming off | page "
             "faults per step: alone, next to torch, torch |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for a, b, u in zip(alone, both, untrimmed):
        faults = " · ".join(f"{v:,.0f}" for v in (a["ours_faults"], b["ours_faults"],
                                                  b["torch_faults"]))
        lines.append(f"| {a['size']} | {a['m']} | {be.summary(a['ours'])} | "
                     f"{be.summary(b['ours'])} | {be.summary(b['torch'])} | "
                     f"{be.ratio(b['ours'], b['torch'])} | "
                     f"{be.ratio(u['ours'], u['torch'])} | {faults} |")
    lines.append("\nCPU time per step (one thread each), median (min–max) of "
                 f"{repeat} interleaved samples; float64. Heap trimming off: "
                 + " ".join(f"{k}={v}" for k, v in UNTRIMMED.items()) + ".")
    return "\n".join(lines)


def _engine_json(repeat: int, *flags: str, env: dict[str, str] | None = None) -> list[dict]:
    # PYTHONPATH: the engine next to this script, even from a copy of the project
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    done = subprocess.run([sys.executable, str(SCRIPTS / "bench_engine.py"), "--json",
                           "--repeat", str(repeat), *flags], cwd=ROOT, capture_output=True,
                          text=True, env=env)
    if done.returncode != 0:
        raise SystemExit("bench: scripts/bench_engine.py failed: "
                         + " | ".join(done.stderr.strip().splitlines()[-3:]))
    return json.loads(done.stdout)


def _bench_engine_module():
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    import bench_engine

    return bench_engine


def bench_tests(source: Path = ROOT) -> Row:
    """The whole suite once, in `source` (this checkout), as scripts/test.sh runs it."""
    _say("the whole test suite (pytest -q, as scripts/test.sh runs it), once")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    test_sh = source / "scripts" / "test.sh"
    if test_sh.is_file() and "--dist loadfile" in test_sh.read_text(encoding="utf-8"):
        cmd += ["-n", "2", "--dist", "loadfile"]  # its two pytest-xdist workers
    before = _children_cpu()
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=source, capture_output=True, text=True,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1",
                                   PYTHONPATH=str(source)))
    wall = time.perf_counter() - t0
    summary = next((ln for ln in reversed(done.stdout.splitlines()) if " in " in ln), "")
    return Row(f"whole test suite (`{' '.join(['pytest', *cmd[3:]])}`)", [wall], [_children_cpu() - before],
               note=summary.strip("= ") or f"exit status {done.returncode}")


# ---------------------------------------------------------------------------------------
# The table


def table(rows: list[Row]) -> str:
    lines = ["| measurement | rounds | wall time | wall / plain | CPU time | CPU / plain |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        if row.plain is not None:
            wall_ratio, cpu_ratio = _ratio(row.wall, row.plain.wall), \
                _ratio(row.cpu, row.plain.cpu)
        else:
            wall_ratio, cpu_ratio = row.note, "—"
        lines.append(f"| {row.what} | {len(row.wall)} | {_seconds(row.wall)} | "
                     f"{wall_ratio} | {_seconds(row.cpu)} | {cpu_ratio} |")
    return "\n".join(lines)


def _seconds(times: list[float]) -> str:
    if not times:
        return "—"
    if len(times) == 1:
        return f"{times[0]:.1f} s"
    return f"{statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f})"


def _ratio(ours: list[float], plain: list[float]) -> str:
    """Median (min–max) of the per-round ratios."""
    r = [a / b for a, b in zip(ours, plain)]
    return f"**{statistics.median(r):.2f}** ({min(r):.2f}–{max(r):.2f})"


if __name__ == "__main__":
    sys.exit(main())
