"""The practice page's data: the problem to solve and what each typed answer is judged by.

Build-time only. For the site's own example and for the seeds 1…SEEDS (the examples
`scripts/build.py --random K` builds, through the same `build.random_example`), this
writes one small JSON file per variant:

    {"seed": 7 | null, "layout": "<id>", "problem": [TeX, …],
     "mistakes": ["log10_loss", …],   (seeds: none; their list is in the page)
     "answers": [[interval, places, [[mistake, interval, places?], …]], …]}

  with one answer per input of the form named by "layout", in the form's order (the
  layout id is a hash of that order, so this saves repeating the keys in every file);
  an interval is one number (low = high) or [low, high]; a mistake entry names one
  mistake index, or a list of them when several give the same value, and its places
  only when they differ from the correct value's.

- ``problem``: the starting values as display TeX, every number through `fmt`;
- ``answers``: per trace key and element, the interval a correct answer must reach and
  the places it must carry (`backprop_core.check.targets`, the checker's own rule), and
  the values each classic mistake gives (`backprop_core.mistakes`), mistakes by index.

The page (`html`) holds one labelled input per element, grouped by the article's
stages; docs/javascripts/practice.js reads a typed number's value and places and
compares them with these intervals. It computes nothing: every number here comes from
the engine. The files are cached under .cache/practice/ by the content of the code that
computes them (and of the site's example), so a warm build only copies them.

Nothing here shows text from an example file: not its title, not its file name.
"""

from __future__ import annotations

import hashlib
import html as _html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path

import numpy as np

from backprop_core import Example, check, load_example, mistakes, parse_example
from backprop_core.stages import KEYS, shape_of, where

import build  # scripts/: --random K's example table, shared with the seeds
import fmt

__all__ = ["SEEDS", "STAGES", "Built", "Field", "Stage", "build_all", "fields", "html",
           "install", "seed_example", "variant"]

#: `practice/#seed=K` for K = 1…SEEDS.
SEEDS = 100
#: A mistake's value is kept to this many places beyond those its answer needs (see
#: `_pack`): for the size budget (≤ 1 MB for every variant).
MISTAKE_EXTRA_PLACES = 2
#: Where the variants go in the built site, relative to its root.
SITE_FOLDER = "assets/practice"
ROOT = Path(__file__).resolve().parent.parent
#: Everything whose change can change a variant's numbers or TeX.
SOURCES = (*sorted((ROOT / "backprop_core").glob("*.py")),
           ROOT / "scripts" / "practice.py", ROOT / "scripts" / "fmt.py",
           ROOT / "scripts" / "build.py", ROOT / "scripts" / "article.py")


@dataclass(frozen=True)
class Stage:
    """One of the article's stages: its trace keys, and the keys whose working its
    "show the working" links point to (`stages.where`: page and heading anchor)."""

    id: str
    title: str
    keys: tuple[str, ...]
    links: tuple[tuple[str, str], ...]   # (trace key, how the link names the place)


STAGES = (
    Stage("forward", "Forward pass",
          ("forward.h_in", "forward.h_out", "forward.o_in", "forward.o_out"),
          (("forward.h_in", "layer 1"), ("forward.o_in", "layer 2"))),
    Stage("loss", "Loss", ("loss",), (("loss", "the loss"),)),
    Stage("output", "Output layer",
          ("backward.dE_do_out", "backward.do_out_do_in", "backward.dE_do_in",
           "backward.dE_dW_ho", "backward.dE_db_o"),
          (("backward.dE_do_out", "layer 2, stage by stage"),
           ("backward.do_out_do_in", "the Jacobian"))),
    Stage("hidden", "Hidden layer",
          ("backward.dE_dh_out", "backward.dh_out_dh_in", "backward.dE_dh_in",
           "backward.dE_dW_ih", "backward.dE_db_h"),
          (("backward.dE_dh_out", "layer 1, stage by stage"),)),
    Stage("update", "Update", ("updated.W_ho", "updated.b_o", "updated.W_ih", "updated.b_h"),
          (("updated.W_ho", "layer 2's update"), ("updated.W_ih", "layer 1's update"))),
    Stage("loss_after", "Loss after the step", ("loss_after",),
          (("loss_after", "the loss after"),)),
)


@dataclass(frozen=True)
class Field:
    """One input: a trace key and index, its symbol (HTML) and a plain-text name."""

    key: str
    index: tuple[int, ...]
    symbol: str
    name: str

    @property
    def answer(self) -> str:
        """The page's data-answer: ``forward.o_in[0][1]``, ``loss``."""
        return self.key + "".join(f"[{i}]" for i in self.index)


def seed_example(seed: int) -> Example:
    """The example `scripts/build.py --random SEED` builds (default sizes)."""
    return parse_example(build.random_example(seed))


# ---------------------------------------------------------------------------------------
# Fields: what the page asks for


def _v(base: str, sub: str, e: int | None, m: int) -> str:
    """A variable as HTML, in the article's notation: h_in,2 → <var>h</var><sub>in,2</sub>;
    with more than one example, its number as a superscript."""
    sup = f"<sup>({e + 1})</sup>" if m > 1 and e is not None else ""
    return f"<var>{base}</var>{sup}<sub>{sub}</sub>"


def _unit(name: str, u: int, e: int | None, m: int) -> str:
    head, sub = name.split("_", 1)
    return _v(head, f"{sub},{u + 1}", e, m)


def _param(name: str, idx: tuple[int, ...]) -> tuple[str, str]:
    """A parameter element as HTML and plain text: W_{h_2 o_1} → W<sub>h2o1</sub>."""
    if name in ("W_ho", "W_ih"):
        a, b = name[2], name[3]
        sub = f"{a}{idx[0] + 1}{b}{idx[1] + 1}"
        return _v("W", sub, None, 1), f"W_{sub}"
    layer = name[-1]
    return _v("b", f"{layer}{idx[0] + 1}", None, 1), f"b_{layer}{idx[0] + 1}"


def _symbol(key: str, idx: tuple[int, ...], m: int) -> tuple[str, str]:
    """HTML and plain text naming one element, 1-based as the article counts.

    HTML rather than TeX: MathJax puts every formula in the tab order, and the form
    should take one Tab per box.
    """
    part, _, leaf = key.partition(".")
    if key == "loss":
        return "<var>E</var>", "E, the loss"
    if key == "loss_after":
        return "<var>E</var><sub>after</sub>", "E after the step"
    if part == "updated":
        html, text = _param(leaf, idx)
        return html.replace("</var>", "</var><sup>+</sup>", 1), f"{text} after the update"
    if leaf in ("dE_dW_ho", "dE_db_o", "dE_dW_ih", "dE_db_h"):
        html, text = _param(leaf[4:], idx)
        return f"∂<var>E</var>/∂{html}", f"∂E/∂{text}"
    e = idx[0]
    ex = f", example {e + 1}" if m > 1 else ""
    if part == "forward":
        return _unit(leaf, idx[1], e, m), f"{leaf},{idx[1] + 1}{ex}"
    unit = {"dE_do_out": "o_out", "dE_do_in": "o_in", "dE_dh_out": "h_out", "dE_dh_in": "h_in"}
    if leaf in unit:
        base, u = unit[leaf], idx[1]
        return (f"∂<var>E</var>/∂{_unit(base, u, e, m)}",
                f"∂E/∂{base},{u + 1}{ex}")
    if leaf in ("do_out_do_in", "dh_out_dh_in"):
        top, bottom = ("o_out", "o_in") if leaf == "do_out_do_in" else ("h_out", "h_in")
        c, k = (idx[1], idx[2]) if len(idx) == 3 else (idx[1], idx[1])
        return (f"∂{_unit(top, c, e, m)}/∂{_unit(bottom, k, e, m)}",
                f"∂{top},{c + 1}/∂{bottom},{k + 1}{ex}")
    raise KeyError(f"practice: no symbol for trace key {key!r}")


def fields(example: Example) -> list[tuple[Stage, list[Field]]]:
    """The inputs for an example, stage by stage, in the article's order: every element
    of every key the checker grades (`stages.KEYS`) that a stage lists."""
    m = example.sizes["m"]
    out = []
    for stage in STAGES:
        items = []
        for key in stage.keys:
            if key not in KEYS:
                continue
            for idx in np.ndindex(shape_of(key, example)):
                idx = tuple(int(i) for i in idx)
                symbol, text = _symbol(key, idx, m)
                items.append(Field(key, idx, symbol, text))
        if items:
            out.append((stage, items))
    return out


def layout_id(stages: list[tuple[Stage, list[Field]]]) -> str:
    """Variants with the same inputs share a form; this names the form."""
    text = "\n".join(f"{f.answer} {f.symbol}" for _, items in stages for f in items)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


# ---------------------------------------------------------------------------------------
# One variant


def _targets(example: Example) -> dict:
    """`check.targets` in the one shape this module reads:
    {key: {"low", "high", "places", "mistakes": {id: (low, high, places)}}}."""
    out = {}
    for key, t in check.targets(example).items():
        out[key] = {"low": t.correct.low, "high": t.correct.high, "places": t.correct.places,
                    "mistakes": {mid: (i.low, i.high, i.places) for mid, i in t.mistakes.items()}}
    return out


def problem_tex(example: Example) -> list[str]:
    """The starting values as display TeX, as the article's first page sets them."""
    d = example.decimals
    p = example.params

    def mat(a) -> str:
        a = np.asarray(a, dtype=float)
        return fmt.mat(a if a.ndim == 2 else a[None, :], d)

    # One block per value, so that each fits a phone's width on its own.
    return [f"x = {mat(example.x)}", f"y = {mat(example.y)}",
            f"W_{{ih}} = {mat(p.W_ih)}", f"b_h = {mat(p.b_h)}",
            f"W_{{ho}} = {mat(p.W_ho)}", f"b_o = {mat(p.b_o)}",
            f"\\eta = {fmt.num(example.learning_rate, d)}"]


def variant(example: Example, seed: int | None) -> dict:
    """Everything the page needs for one example, JSON-ready (see the module docstring)."""
    targets = _targets(example)
    stages = fields(example)
    ids: list[str] = []
    answers = []
    for _, items in stages:
        for f in items:
            key, idx = f.key, f.index
            low, high, places = (_at(targets[key][k], idx) for k in ("low", "high", "places"))
            places = int(places)
            found: dict[tuple, list[str]] = {}   # (interval, places) -> mistake ids
            for mid, (mlow, mhigh, mplaces) in targets[key]["mistakes"].items():
                mlow, mhigh, mplaces = _at(mlow, idx), _at(mhigh, idx), int(_at(mplaces, idx))
                if not (np.isfinite(mlow) and np.isfinite(mhigh)):
                    continue  # the mistake leaves float range here: nobody types that
                if low <= mlow and mhigh <= high:
                    continue  # this mistake does not change this value
                packed = (_pack(mlow, mhigh, mplaces + MISTAKE_EXTRA_PLACES), mplaces)
                same = found.setdefault(json.dumps(packed), [])
                # A pair is only named when no single mistake fits (as the checker does),
                # so a pair giving a single's value would never be shown.
                if "+" in mid and any("+" not in i for i in same):
                    continue
                same.append(mid)
            wrong = []
            for packed, names in found.items():
                interval, mplaces = json.loads(packed)
                numbers = []
                for mid in names:
                    if mid not in ids:
                        ids.append(mid)
                    numbers.append(ids.index(mid))
                wrong.append([numbers[0] if len(numbers) == 1 else numbers, interval]
                             + ([mplaces] if mplaces != places else []))
            answers.append([_pack(low, high), places, wrong])
    return {"seed": seed, "layout": layout_id(stages), "decimals": example.decimals,
            "problem": problem_tex(example), "mistakes": ids, "answers": answers}


def _pack(low: float, high: float, places: int | None = None):
    """An interval as the page reads it: one number when low == high, else [low, high].

    The correct interval keeps every bit (the page must judge exactly as the checker).
    A mistake's value is only ever recognised, so it is rounded outward to `places`
    decimals: 2 beyond those its answer needs, so the interval grows by at most 1/50
    of the half unit and never loses the value it stands for (3 would take every
    variant together to 0.98 MB, too close to the 1 MB budget).
    """
    if places is not None:
        step = Decimal(1).scaleb(-places)
        low = float(Decimal(low).quantize(step, rounding=ROUND_FLOOR))
        high = float(Decimal(high).quantize(step, rounding=ROUND_CEILING))
    return low if low == high else [low, high]


def _renumber(data: dict, names: list[str]) -> dict:
    """A variant whose mistake indices point into `names` (shared by all seeds), and
    without its own list."""
    local = data["mistakes"]

    def one(i):
        return [one(j) for j in i] if isinstance(i, list) else names.index(local[i])

    answers = [[iv, p, [[one(m[0]), *m[1:]] for m in wrong]] for iv, p, wrong in data["answers"]]
    return {k: v for k, v in data.items() if k != "mistakes"} | {"answers": answers}


def _at(value, idx: tuple[int, ...]) -> float:
    return float(np.asarray(value, dtype=float)[idx])


# ---------------------------------------------------------------------------------------
# Every variant, cached by content


@dataclass(frozen=True)
class Built:
    """The variants' files, and what the page needs to pose the site's own example."""

    folder: Path                # seed-K.json for K = 1…SEEDS, and ids.json
    site: dict                  # the site's own variant (site.json)
    example: Example            # the site's own example (its "show the working" links)
    seed_layout: str
    mistake_ids: tuple[str, ...]  # every single mistake any variant names (sentences)
    seed_mistakes: tuple[str, ...]  # what the seeds' mistake indices name


def _digest(paths, extra: bytes = b"") -> str:
    h = hashlib.sha256(np.__version__.encode() + extra)
    for p in paths:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _dump(data) -> str:
    # repr-exact floats: the page must compare with exactly the checker's intervals
    return json.dumps(data, separators=(",", ":"), allow_nan=False)


def build_all(example_path: Path, cache: Path) -> Built:
    """Write (or find in `cache`) the site's variant and every seed's; return them.

    The seeds depend only on the code (SOURCES, SEEDS, NumPy's version), the site's
    variant on the example file too; each is computed once per content.
    """
    code = _digest(SOURCES, str(SEEDS).encode())
    seeds_dir = cache / f"seeds-{code}"
    if not (seeds_dir / "ids.json").is_file():
        # Written aside and renamed into place, so that a build running at the same
        # time (mkdocs serve and build.py) never reads a half-written folder.
        cache.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".seeds-{code}-", dir=cache))
        datas = seed_variants(range(1, SEEDS + 1))
        ids = list(dict.fromkeys(i for data in datas for i in data["mistakes"]))
        for data in datas:
            # One list of mistake names for all seeds, written once into the page.
            (tmp / f"seed-{data['seed']}.json").write_text(_dump(_renumber(data, ids)),
                                                          encoding="utf-8")
        layout = layout_id(fields(seed_example(1)))
        (tmp / "ids.json").write_text(_dump({"layout": layout, "mistakes": ids}),
                                      encoding="utf-8")
        try:
            tmp.rename(seeds_dir)
        except OSError:  # another build got there first, with the same content
            shutil.rmtree(tmp, ignore_errors=True)
        for old in [*cache.glob("seeds-*"), *cache.glob("site-*.json")]:
            if code not in old.name:  # computed by code that has since changed
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else \
                    old.unlink(missing_ok=True)
    index = json.loads((seeds_dir / "ids.json").read_text(encoding="utf-8"))
    site_file = cache / f"site-{code}-{_digest([example_path])}.json"
    example = load_example(example_path)
    if not site_file.is_file():
        part = site_file.with_name(f".{site_file.name}.{os.getpid()}")
        part.write_text(_dump(variant(example, None)), encoding="utf-8")
        part.replace(site_file)
    site = json.loads(site_file.read_text(encoding="utf-8"))
    # Sentences are per single mistake; a pair ("a+b") shows both of its sentences.
    ids = tuple(dict.fromkeys(i for mid in [*site["mistakes"], *index["mistakes"]]
                              for i in mid.split("+")))
    return Built(seeds_dir, site, example, index["layout"], ids, tuple(index["mistakes"]))


def seed_variants(seeds, workers: int | None = None) -> list[dict]:
    """`variant` of each seed's example, in order; on every core (`workers`, default
    all of them; BACKPROP_NO_SPEEDUPS=1: one, in this process). Each seed is
    independent and costs ~25 ms of CPU, nearly all in the checker's targets: 100 of
    them are the largest part of a build with every cache cleared.

    This process computes one share; the others go to workers, this file run as a
    program on its share of the seeds, printing their variants as JSON (the form they
    are written in anyway, floats exact): plain processes, so nothing of the build's
    own process (its threads, its __main__) is copied.
    """
    seeds = list(seeds)
    if workers is None:
        workers = 1 if os.environ.get("BACKPROP_NO_SPEEDUPS") == "1" else os.cpu_count() or 1
    workers = min(workers, len(seeds))
    if workers < 2:
        return [_seed_variant(k) for k in seeds]
    shares = [seeds[i::workers] for i in range(workers)]
    procs = [subprocess.Popen([sys.executable, __file__, *map(str, share)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for share in shares[1:]]
    found: dict[int, dict] = {k: _seed_variant(k) for k in shares[0]}
    for share, proc in zip(shares[1:], procs):
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"practice: the variants of seeds {share[0]}…: expected "
                               f"them computed; got exit status {proc.returncode}: "
                               + " | ".join(err.strip().splitlines()[-3:]))
        found.update(zip(share, json.loads(out)))
    return [found[k] for k in seeds]


def _seed_variant(seed: int) -> dict:
    return variant(seed_example(seed), seed)


def install(built: Built, site_dir: Path) -> None:
    """Copy every variant into the built site (on_post_build)."""
    target = site_dir / SITE_FOLDER
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    (target / "site.json").write_text(_dump(built.site), encoding="utf-8")
    for k in range(1, SEEDS + 1):
        name = f"seed-{k}.json"
        try:  # a hard link costs nothing; nothing ever writes to these files in place
            os.link(built.folder / name, target / name)
        except OSError:  # another file system, or links not allowed
            shutil.copyfile(built.folder / name, target / name)


# ---------------------------------------------------------------------------------------
# The page


def _page_url(doc: str) -> str:
    """forward.md → forward/ (use_directory_urls)."""
    stem = doc.removesuffix(".md")
    return "" if stem == "index" else f"{stem}/"


def _form(stages: list[tuple[Stage, list[Field]]], page_url: str, layout: str,
          example: Example, markdown: bool = False) -> str:
    """One form: a section per stage, a labelled input per element (see practice.js).

    `markdown`: the stage headings as Markdown inside md_in_html blocks, so that they
    reach the page's table of contents (only for the form the page shows at first; a
    form kept in a <template> stays plain HTML).
    """
    esc = _html.escape
    up = "../" * page_url.count("/")
    md = ' markdown="1"' if markdown else ""
    parts = [f'<div class="practice-form" data-layout="{layout}"{md}>']
    for stage, items in stages:
        links = []
        for key, text in stage.links:
            page, anchor = where(key, example)
            links.append(f'<a href="{up}{_page_url(page)}#{anchor}">{esc(text)}</a>')
        heading = (f"## {stage.title} {{#practice-{stage.id}}}" if markdown else
                   f'<h2 id="practice-{stage.id}">{esc(stage.title)}</h2>')
        parts.append(f'<section class="practice-stage" data-stage="{stage.id}"{md}>')
        parts.append(heading)
        parts.append(f'<p class="practice-working">Show the working: {", ".join(links)}</p>')
        fields_html = ['<div class="practice-fields">']
        for f in items:
            ident = "pr-" + "".join(c if c.isalnum() else "-" for c in f.answer).strip("-")
            fields_html.append(
                f'<div class="practice-field" data-verdict="" data-mistake="">'
                f'<label for="{ident}">{f.symbol}</label>'
                f'<input id="{ident}" type="text" inputmode="decimal" autocomplete="off" '
                f'spellcheck="false" data-answer="{esc(f.answer)}" '
                f'aria-label="{esc(f.name)}" aria-describedby="{ident}-say">'
                f'<p class="practice-say" id="{ident}-say"></p></div>')
        fields_html.append("</div>")
        parts.append("".join(fields_html))
        parts.append("</section>")
    parts.append("</div>")
    return ("\n\n" if markdown else "").join(parts)


def html(built: Built, page_url: str) -> str:
    """The practice area: problem, forms, mistake sentences, controls (see practice.js)."""
    up = "../" * page_url.count("/")
    site_layout = built.site["layout"]
    problem = "".join(f'<div class="arithmatex" data-practice-problem="{i}">\\[{tex}\\]</div>'
                      for i, tex in enumerate(built.site["problem"]))
    templates = ""
    if built.seed_layout != site_layout:
        seed_stages = fields(seed_example(1))
        templates = (f'<template data-practice-layout="{built.seed_layout}">'
                     f"{_form(seed_stages, page_url, built.seed_layout, built.example)}"
                     "</template>")
    known = {m.id: m for m in (*mistakes.for_example(built.example),
                               *mistakes.pairs(built.example))}
    sentences = "".join(_sentence(known.get(i) or mistakes.by_id(i), up)
                        for i in built.mistake_ids)
    # Blocks separated by blank lines: md_in_html parses the Markdown headings inside
    # (the table of contents lists them) and keeps every other block as HTML.
    return "\n\n".join([
        f'<div class="practice" data-practice data-practice-data="{up}{SITE_FOLDER}/" '
        f'data-practice-seeds="{SEEDS}" '
        f'data-practice-learning-rate="{build.RANDOM_LEARNING_RATE!r}" '
        f'data-practice-mistakes="{_html.escape(_dump(list(built.seed_mistakes)))}" '
        'markdown="1">',
        '<div class="practice-controls">'
        '<p class="practice-which" data-practice-which>The site\'s own example.</p>'
        '<button type="button" class="md-button" data-practice-new>New numbers</button>'
        '</div>',
        f'<div class="practice-problem">{problem}</div>',
        _form(fields(built.example), page_url, site_layout, built.example, markdown=True),
        "## Your answers as a file {#practice-answers-file}",
        '<p>What you typed, as an answers file for the <code>check</code> command (the '
        "keys and nesting of <code>python -m backprop_core trace --json</code>). Save it "
        "as <code>answers.toml</code> and run <code>python -m backprop_core check "
        "EXAMPLE answers.toml</code> with the example named in its first line: it judges "
        "the same way, and gives follow-through credit.</p>",
        '<pre class="practice-toml"><code data-practice-toml># Nothing answered yet.\n'
        "</code></pre>",
        f'<div hidden data-practice-sentences>{sentences}</div>',
        '<p class="practice-live" aria-live="polite" data-practice-live></p>',
        "</div>",
        # Outside the Markdown-parsed block: md_in_html would take a <template> apart.
        f"<div hidden>{templates}</div>" if templates else ""])


def _sentence(mistake, up: str) -> str:
    return (f'<span data-mistake-id="{_html.escape(mistake.id)}">'
            f"{_html.escape(mistake.sentence)} "
            f'<a href="{up}{_html.escape(mistake.url)}">The right working</a>.</span>')


if __name__ == "__main__":  # a worker of seed_variants: the variants of the seeds given
    print(_dump([_seed_variant(int(k)) for k in sys.argv[1:]]))
