"""Published hand calculations, held against the engine.

Loads a `data/published-*.toml` file (what an article printed, value by value, with its
source), runs `backprop_core` on that article's own example, and pairs each printed
value with the engine's. For the 2018 article and Mazur's 2015 example it also rebuilds
the wrong values the way the originals computed them, so a page can show each mistake
with numbers and a test can prove the diagnosis.

Every number comes from the engine: correct values from its step, and each rebuilt
value from the catalogue of classic mistakes (`backprop_core.mistakes`) walked from the
original's own printed values (`backprop_core.check.reproduce`), so each mistake is
written once, there. `REBUILD_2018` says which mistakes rebuild which printed value.
The 2018 printed values are also an answers file for `python -m backprop_core check`
(`answers_2018`, `data/answers-2018.toml`). Formatting is `scripts/fmt.py`'s job, pages
are in `docs/`.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from backprop_core.precision import shown

from backprop_core import (Example, ExampleError, Step, forward, load_example,
                           parse_example, precision)
from backprop_core.check import reproduce
from backprop_core.cli import trace_dict
from backprop_core.mistakes import by_id
from backprop_core.stages import CORRECT, Habits, loss_terms

import fmt

__all__ = ["ROOT", "DATA_2018", "DATA_MAZUR", "PublishedError", "Source", "Published",
           "Comparison", "Rebuilt", "Check", "load_published", "resolve", "matches",
           "hand_calculation_2018", "mazur_2015", "Show", "page_variables", "REBUILD_2018",
           "answers_2018", "answers_toml"]

ROOT = Path(__file__).resolve().parents[1]
DATA_2018 = ROOT / "data" / "published-2018.toml"
DATA_MAZUR = ROOT / "data" / "published-mazur-2015.toml"


class PublishedError(ValueError):
    """A malformed published-values file; the message names the file and the field."""


# ---------------------------------------------------------------------------------------
# What a file holds


@dataclass(frozen=True)
class Source:
    title: str
    year: int
    kind: str
    author: str | None = None
    url: str | None = None   # shown as text, never loaded


@dataclass(frozen=True)
class Published:
    """One value as the article printed it.

    text:     the printed number(s) as strings, nested like the value (a scalar, a row,
              a matrix), or a string that is not a number ("never updated", a formula)
    values:   text as floats (same nesting, as an array), None if not numeric
    decimals: the printed precision (the most decimals of any entry), None if not numeric
    engine:   where the correct value sits in the engine's trace, or None
    """

    key: str
    step: str
    name: str
    symbol: str
    text: Any
    values: np.ndarray | None
    decimals: int | None
    correct: bool
    explanation: str
    engine: str | None
    verdict: str | None = None  # the table's word for a value that is not simply wrong


@dataclass(frozen=True)
class Comparison:
    """A printed value beside the engine's.

    engine:     the engine's value, shaped like `published.values` (or as found, if the
                published value is not a number)
    difference: engine − published, None if the published value is not a number
    mask:       per entry, does the engine round to the printed number
    """

    published: Published
    engine: np.ndarray | None
    difference: np.ndarray | None
    mask: np.ndarray | None

    @property
    def numeric(self) -> bool:
        return self.mask is not None

    @property
    def matches(self) -> bool:
        return self.mask is not None and bool(self.mask.all())


@dataclass(frozen=True)
class Rebuilt:
    """A printed value recomputed the way the original computed it.

    value: the recomputed number(s), shaped like the printed value: the walk with
           unrounded intermediates, or, where only that reproduces the printed value,
           with every intermediate rounded as printed
    mask:  per entry, does the printed number reproduce it (the checker's rule,
           `precision.matches` on the hull of both walks)
    """

    key: str
    value: np.ndarray
    mask: np.ndarray

    @property
    def reproduces(self) -> bool:
        return bool(self.mask.all())


@dataclass(frozen=True)
class Check:
    """One article held against the engine.

    example:  the article's own example (fixed; not the one the site is built from)
    step:     the engine's step on it;  trace: the same as `python -m backprop_core
              trace FILE --json` prints it
    values:   every printed value, in the file's order;  by_key: the same, by key
    rows:     a Comparison per printed value, in order;  compare: the same, by key
    rebuilt:  Rebuilt per key, for the values the originals' own arithmetic reproduces
    extra:    further engine numbers the page shows (variants run through the engine)
    original: the file's [original] table: what the original used instead
    """

    path: Path
    source: Source
    example: Example
    step: Step
    trace: dict
    values: list[Published]
    by_key: dict[str, Published]
    rows: list[Comparison]
    compare: dict[str, Comparison]
    rebuilt: dict[str, Rebuilt]
    extra: dict[str, Any]
    original: dict[str, Any]

    @property
    def numeric(self) -> list[Comparison]:
        """The printed values that are numbers held against the engine (not a formula,
        not "never updated")."""
        return [r for r in self.rows
                if r.published.values is not None and r.engine is not None]

    @property
    def wrong(self) -> list[Comparison]:
        """Those of `numeric` the engine does not reproduce at the printed precision."""
        return [r for r in self.numeric if not r.matches]


# ---------------------------------------------------------------------------------------
# Reading and comparing

_PATH = re.compile(r"^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)((?:\[\d+\])*)$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def resolve(trace: dict, path: str) -> np.ndarray:
    """The value at `path` ("backward.dE_dW_ho[1][0]") in an engine trace, as an array."""
    found = _PATH.match(path)
    if not found:
        raise KeyError(f"{path!r}: expected dotted keys then [index]…, "
                       "e.g. forward.o_in[0]")
    node: Any = trace
    for part in found.group(1).split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"{path!r}: the engine trace has no {part!r} here")
        node = node[part]
    value = np.asarray(node, dtype=float)
    for index in re.findall(r"\[(\d+)\]", found.group(2)):
        if value.ndim == 0 or int(index) >= value.shape[0]:
            raise KeyError(f"{path!r}: index {index} is out of range for shape {value.shape}")
        value = value[int(index)]
    return value


def matches(value: Any, printed: np.ndarray, decimals: int) -> np.ndarray:
    """Per entry: does `value` round to the printed number at its printed precision."""
    half_unit = 0.5 * 10.0 ** -decimals
    # A hair of slack for binary floats that sit exactly on a rounding boundary.
    return np.abs(np.asarray(value, dtype=float) - printed) <= half_unit * (1 + 1e-9)


def load_published(path: Path) -> tuple[Source, list[Published], dict[str, Any], dict]:
    """Read and validate a published-values file: (source, values, original, raw table)."""
    where = _show_path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PublishedError(f"{where}: no such file") from None
    except tomllib.TOMLDecodeError as err:
        raise PublishedError(f"{where}: not valid TOML: {err}") from None

    src = data.get("source")
    if not isinstance(src, dict):
        raise PublishedError(f"{where}: source: expected a [source] table with title, year "
                             "and kind; the table is missing")
    for field, kind in (("title", str), ("year", int), ("kind", str)):
        if not isinstance(src.get(field), kind):
            raise PublishedError(f"{where}: source.{field}: expected a {kind.__name__}; "
                                 f"got {src.get(field)!r}")
    for field in ("author", "url"):
        if field in src and not isinstance(src[field], str):
            raise PublishedError(f"{where}: source.{field}: expected a str; "
                                 f"got {src[field]!r}")
    if "url" in src and not src["url"].startswith(("https://", "http://")):
        raise PublishedError(f"{where}: source.url: expected a web address starting with "
                             f"https:// or http://; got {src['url']!r}")
    source = Source(src["title"], src["year"], src["kind"], src.get("author"), src.get("url"))

    entries = data.get("value")
    if not isinstance(entries, list) or not entries:
        raise PublishedError(f"{where}: value: expected one or more [[value]] tables; "
                             "found none")
    values, seen = [], set()
    for n, entry in enumerate(entries):
        value = _published(where, n, entry)
        if value.key in seen:
            raise PublishedError(f"{where}: value[{n}].key: expected a unique key; "
                                 f"{value.key!r} appears twice")
        seen.add(value.key)
        values.append(value)
    return source, values, dict(data.get("original", {})), data


def _published(where: str, n: int, entry: Any) -> Published:
    label = f"{where}: value[{n}]"
    if not isinstance(entry, dict):
        raise PublishedError(f"{label}: expected a table; got {entry!r}")
    for field in ("key", "step", "name", "explanation"):
        if not isinstance(entry.get(field), str) or not entry[field].strip():
            raise PublishedError(f"{label}.{field}: expected a non-empty string; "
                                 f"got {entry.get(field)!r}")
    label = f"{where}: value {entry['key']!r}"
    if not isinstance(entry.get("correct"), bool):
        raise PublishedError(f"{label}.correct: expected true or false; "
                             f"got {entry.get('correct')!r}")
    engine = entry.get("engine")
    if engine is not None and (not isinstance(engine, str) or not _PATH.match(engine)):
        raise PublishedError(f"{label}.engine: expected a trace path like forward.o_in[0]; "
                             f"got {engine!r}")
    if "published" not in entry:
        raise PublishedError(f"{label}.published: expected the printed value; "
                             "the key is missing")
    text = entry["published"]
    values, decimals = _numbers(f"{label}.published", text)
    if entry["correct"] and (values is None or engine is None):
        raise PublishedError(f"{label}.correct: true needs a printed number and an engine "
                             f"path to hold it to; got published={text!r}, engine={engine!r}")
    verdict = entry.get("verdict")
    if verdict is not None and (not isinstance(verdict, str) or not verdict.strip()
                                or entry["correct"]):
        raise PublishedError(f"{label}.verdict: expected a short text for a value that is "
                             f"not correct, or no verdict; got {verdict!r}")
    return Published(entry["key"], entry["step"], entry["name"],
                     entry.get("symbol", entry["name"]), text, values, decimals,
                     entry["correct"], " ".join(entry["explanation"].split()), engine,
                     verdict)


def _numbers(label: str, text: Any) -> tuple[np.ndarray | None, int | None]:
    """Printed numbers (strings, possibly nested) as floats and their precision."""
    if isinstance(text, str) and not _NUMBER.match(text):
        return None, None  # words or a formula, shown as printed
    flat = list(_flatten(text))
    for entry in flat:
        if not isinstance(entry, str) or not _NUMBER.match(entry):
            raise PublishedError(f"{label}: expected numbers as printed, as strings like "
                                 f"\"0.6615\"; found {entry!r}")
    try:
        values = np.array(_nested_floats(text), dtype=float)
    except ValueError:
        raise PublishedError(f"{label}: expected a number, a row or a rectangular matrix; "
                             f"got {text!r}") from None
    decimals = max(-Decimal(entry).as_tuple().exponent for entry in flat)
    return values, int(decimals)


def _flatten(text: Any):
    if isinstance(text, list):
        for item in text:
            yield from _flatten(item)
    else:
        yield text


def _nested_floats(text: Any) -> Any:
    return [_nested_floats(t) for t in text] if isinstance(text, list) else float(text)


def _show_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _compare(where: str, trace: dict, value: Published) -> Comparison:
    if value.engine is None:
        return Comparison(value, None, None, None)
    try:
        engine = resolve(trace, value.engine)
    except KeyError as err:
        raise PublishedError(f"{where}: value {value.key!r}.engine: {err.args[0]}") from None
    if value.values is None:
        return Comparison(value, engine, None, None)
    if engine.shape != value.values.shape:
        raise PublishedError(f"{where}: value {value.key!r}: published shape "
                             f"{value.values.shape} "
                             f"does not match the engine's {engine.shape} at {value.engine}")
    return Comparison(value, engine, engine - value.values,
                      matches(engine, value.values, value.decimals))


def _check(path: Path, example: Example
           ) -> tuple[Source, list[Published], dict[str, Any], Step, dict, list[Comparison]]:
    source, values, original, _ = load_published(path)
    s = example.step()
    trace = trace_dict(example, s)
    rows = [_compare(_show_path(path), trace, v) for v in values]
    for row in rows:
        v = row.published
        if v.values is not None and v.engine is not None and v.correct != row.matches:
            said = "correct" if v.correct else "wrong"
            found = "matches" if row.matches else "does not match"
            raise PublishedError(
                f"{_show_path(path)}: value {v.key!r}.correct: the file says {said}; the "
                f"engine's {v.engine} {found} the printed value at {v.decimals} decimals")
    return source, values, original, s, trace, rows


def _rebuilt(by_key: dict[str, Published], key: str, value: Any) -> Rebuilt:
    printed = by_key[key]
    value = np.asarray(value, dtype=float)
    return Rebuilt(key, value, matches(value, printed.values, printed.decimals))


# ---------------------------------------------------------------------------------------
# The 2018 hand calculation

#: Which catalogue mistakes (backprop_core.mistakes), made on its own printed earlier
#: values, rebuild each printed value of the 2018 article. () is follow-through: the
#: correct formula on its own (wrong) earlier values.
REBUILD_2018: dict[str, tuple[str, ...]] = {
    "o_in": ("reused_layer1",),                       # layer 1's W_ihᵀ and b_h again
    "o_out": (),
    "loss": ("log10_loss", "binary_ce"),
    "dE_do_out1": (),
    "do_out1_do_in1": (),
    "dE_dW_h2o1": (),
    # its rule: −1/o_out as stage 1 for both outputs, the Jacobian's diagonal only
    "dE_dW_ho": ("target_one", "jacobian_diagonal"),
    "W_ho_updated": (),
    "dE_dh_out1": ("one_path[1]",),
    # one path per hidden unit (h1 through o1, h2 through o2) after the same rule
    "dE_dW_ih": ("target_one", "jacobian_diagonal", "one_path[own]"),
    "W_ih_updated": ("learning_rate_x10",),
}

#: The loss formulas the 2018 page tabulates, as catalogue mistakes: {base: {formula: ids}}.
_LOSS_VARIANTS = {"e": {"cross_entropy": (), "binary": ("binary_ce",)},
                  "10": {"cross_entropy": ("log10_loss",),
                         "binary": ("log10_loss", "binary_ce")}}


def _split(engine: str) -> tuple[str, tuple[int, ...]]:
    """"backward.dE_dW_ho[1][0]" -> ("backward.dE_dW_ho", (1, 0))."""
    found = _PATH.match(engine)
    return found.group(1), tuple(int(i) for i in re.findall(r"\[(\d+)\]", found.group(2)))


def answers_2018(check: "Check", leave_out: str | None = None) -> dict:
    """The article's printed numbers as an answers file for `check` (a dict as
    `tomllib.loads` gives it): each at its engine path, as printed, "" where it printed
    nothing; without the trace key of the printed value `leave_out`, if given."""
    skip = _split(check.by_key[leave_out].engine)[0] if leave_out else None
    arrays: dict[str, np.ndarray] = {}
    for v in check.values:
        if v.values is None or v.engine is None:
            continue
        key, prefix = _split(v.engine)
        if key == skip:
            continue
        shape = resolve(check.trace, key).shape
        arr = arrays.setdefault(key, np.full(shape, "", dtype=object))
        if isinstance(v.text, str):
            arr[prefix] = v.text
        else:
            arr[prefix] = np.array(v.text, dtype=object)
    out: dict[str, Any] = {}
    for key, arr in arrays.items():
        section, _, name = key.rpartition(".")
        value = arr.tolist() if arr.ndim else arr.item()
        (out.setdefault(section, {}) if section else out)[name] = value
    return out


def answers_toml(answers: dict, header: str = "") -> str:
    """An answers dict (strings as printed, "" for none) as TOML, numbers as written."""
    def text(value: Any) -> str:
        if isinstance(value, list):
            return "[" + ", ".join(text(v) for v in value) + "]"
        return value if value else '""'

    lines = [header] if header else []
    lines += [f"{k} = {text(v)}" for k, v in answers.items() if not isinstance(v, dict)]
    for section, table in answers.items():
        if isinstance(table, dict):
            lines += ["", f"[{section}]"] + [f"{k} = {text(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _rebuild(check: "Check", key: str, ids: tuple[str, ...]) -> Rebuilt:
    """A printed value walked from its own printed earlier values with mistakes `ids`."""
    printed = check.by_key[key]
    walk = reproduce(check.example, answers_2018(check, leave_out=key), ids)
    trace_key, prefix = _split(printed.engine)
    exact = np.asarray(walk.exact[trace_key][prefix], dtype=float)
    rounded = np.asarray(walk.rounded[trace_key][prefix], dtype=float)
    texts = np.array(printed.text, dtype=object)
    mask = np.zeros(exact.shape, dtype=bool)
    for index in np.ndindex(exact.shape):
        mask[index] = walk.matches(trace_key, prefix + index,
                                   precision.parse(texts[index]))
    # the exact walk, unless only the printed rounding reproduces the printed value
    exact_hits = matches(exact, printed.values, printed.decimals)
    value = np.where(exact_hits | ~matches(rounded, printed.values, printed.decimals),
                     exact, rounded)
    return Rebuilt(key, value, mask)


def _habits(ids: tuple[str, ...]) -> Habits:
    """How a student computes who makes the catalogue mistakes `ids`."""
    habits = CORRECT
    for i in ids:
        habits = by_id(i).habit(habits)
    return habits


def _loss_table(example: Example, answers: dict) -> dict[str, dict[str, float]]:
    """The loss under each formula and log base the 2018 page tabulates."""
    return {base: {formula: float(reproduce(example, answers, ids).exact["loss"])
                   for formula, ids in by.items()}
            for base, by in _LOSS_VARIANTS.items()}


def hand_calculation_2018(path: Path = DATA_2018) -> Check:
    """The 2018 article's printed values beside the engine's, and how each came about.

    Computed once per content of the data file (`mkdocs serve` recomputes on an edit).
    """
    return _hand_calculation_2018(Path(path), _digest(path))


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        try:
            h.update(Path(path).read_bytes())
        except OSError:
            h.update(b"(unreadable)")  # let the loader report it in its own words
    return h.hexdigest()


@lru_cache(maxsize=8)
def _hand_calculation_2018(path: Path, digest: str) -> Check:
    _, _, _, raw = load_published(path)
    if not isinstance(raw.get("start"), dict):
        raise PublishedError(f"{_show_path(path)}: start: expected a [start] table with the "
                             "article's start values; the table is missing")
    try:
        example = parse_example(raw["start"])
    except ExampleError as err:
        raise PublishedError(f"{_show_path(path)}: start.{err}") from None
    source, values, original, s, trace, rows = _check(path, example)
    by_key = {v.key: v for v in values}
    compare = {r.published.key: r for r in rows}
    _require(path, original, {"W_ho_forward": list, "b_o_forward": list,
                              "learning_rate_ih": float, "log_base": (int, str),
                              "loss_formula": str})
    formula, base = original["loss_formula"], str(original["log_base"])
    if formula not in ("binary", "cross_entropy") or base not in ("e", "10"):
        raise PublishedError(f"{_show_path(path)}: original: expected loss_formula binary or "
                             f"cross_entropy and log_base 10 or \"e\"; got {formula!r}, "
                             f"{original['log_base']!r}")

    net, p, x, y = example.network, example.params, s.x, s.y
    W_ho_fwd = np.array(original["W_ho_forward"], dtype=float)
    b_o_fwd = np.array(original["b_o_forward"], dtype=float)
    lr_ih = float(original["learning_rate_ih"])
    partial = Check(path, source, example, s, trace, values, by_key, rows, compare, {}, {},
                    original)
    rebuilt = {key: _rebuild(partial, key, ids) for key, ids in REBUILD_2018.items()}

    printed = answers_2018(partial)

    def walk(ids: tuple[str, ...], *keys: str, start: Example = example) -> dict:
        """The catalogue's walk with mistakes `ids` from its printed values at `keys`."""
        return reproduce(start, _only(printed, *keys), ids).exact

    b = s.backward
    own_o_out = walk((), "forward.o_out")
    its_rule = walk(("target_one", "jacobian_diagonal"), "forward.o_out")
    frozen = by_id("biases_frozen").values(example)
    # its one-path stage 1 with the W_h1o1 its forward pass had used
    one_path_used = walk(("one_path[1]",), "forward.o_out", "backward.dE_do_out",
                         "backward.do_out_do_in",
                         start=replace(example, params=replace(p, W_ho=W_ho_fwd)))
    # its printed weights, biases never updated, through the forward pass
    published_step = walk(("biases_frozen",), "updated.W_ih", "updated.W_ho")
    extra = {
        # the forward pass with the matrix and bias it used: layer 1's, again
        "o_in_used": by_id("reused_layer1").values(example)["forward.o_in"][0],
        "o_in_used_start_b_o": forward(net, replace(p, W_ho=W_ho_fwd), x, y).o_in[0],
        # the same two, carried by hand from its printed (rounded) h_out, as the page
        # shows them: exact sums of printed numbers
        "o_in_used_carried": walk(("reused_layer1",), "forward.h_out")["forward.o_in"][0],
        "o_in_used_start_b_o_carried": walk((), "forward.h_out", start=replace(
            example, params=replace(p, W_ho=W_ho_fwd)))["forward.o_in"][0],
        "W_ho_forward": W_ho_fwd,
        "b_o_forward": b_o_fwd,
        "used_is_W_ih_T": bool(np.array_equal(W_ho_fwd, p.W_ih.T)),
        "used_is_b_h": bool(np.array_equal(b_o_fwd, p.b_h)),
        "o_in_carried": rebuilt["o_in"].value,
        "learning_rate_ih": lr_ih,
        "losses_engine": _loss_table(example, {}),
        "losses_published": _loss_table(example, _only(printed, "forward.o_out")),
        # each output's term of its loss, at its printed o_out (the page adds them up)
        "loss_terms_published": loss_terms(by_key["o_out"].values[None], y, example,
                                           _habits(_LOSS_VARIANTS[base][formula]))[0],
        "loss_formula": formula,
        "log_base": base,
        # stage 1 of the base-10 loss it printed, at its o_out: −1/(o_out1 · ln 10)
        "dE_do_out1_log10": float(own_o_out["backward.dE_do_out"][0, 0] / math.log(10)),
        "dE_do_out2_as_if_y2_1": float(its_rule["backward.dE_do_out"][0, 1]),
        "dE_do_in_article": its_rule["backward.dE_do_in"][0],
        # the engine's ∂E/∂o_in2 two ways: the whole Jacobian column, and the article's
        # rule (target_one + jacobian_diagonal) at the engine's o_out
        "dE_do_in2_diagonal_only": float(by_id("target_one+jacobian_diagonal")
                                         .values(example)["backward.dE_do_in"][0, 1]),
        "dE_do_in2_cross_term": float(b.dE_do_out[0, 0] * b.do_out_do_in[0, 0, 1]),
        "W_h1o1_used": float(W_ho_fwd[0, 0]),
        "dE_dh_out1_with_used": float(one_path_used["backward.dE_dh_out"][0, 0]),
        "walk": s.path_ih(1, 0),         # the article's layer-1 walk-through: W_i2h1
        "W_ih_updated_at_002": walk((), "backward.dE_dW_ih")["updated.W_ih"],
        "W_ih_engine_at_used_rate": by_id("learning_rate_x10").values(example)["updated.W_ih"],
        "loss_after_frozen_biases": frozen["loss_after"],
        "loss_after_published_step": float(published_step["loss_after"]),
    }
    if not math.isclose(lr_ih, 10 * example.learning_rate):
        raise PublishedError(f"{_show_path(path)}: original.learning_rate_ih: expected 10 × "
                             f"the stated rate (the catalogue's learning_rate_x10); got "
                             f"{lr_ih!r}")
    return Check(path, source, example, s, trace, values, by_key, rows, compare, rebuilt,
                 extra, original)


def _only(answers: dict, *keys: str) -> dict:
    """The part of an answers dict at these trace keys (sections merged, not replaced)."""
    out: dict[str, Any] = {}
    for key in keys:
        section, _, name = key.rpartition(".")
        table = answers.get(section, {}) if section else answers
        if name in table:
            (out.setdefault(section, {}) if section else out)[name] = table[name]
    return out


def _require(path: Path, table: dict[str, Any], fields: dict[str, type]) -> None:
    for name, kind in fields.items():
        value = table.get(name)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) \
            if kind is float else isinstance(value, kind)
        if not ok:
            raise PublishedError(f"{_show_path(path)}: original.{name}: expected a "
                                 f"{_kind(kind)}; got {value!r}")


def _kind(kind: type | tuple[type, ...]) -> str:
    if kind is float:
        return "number"
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({"list": "array", "str": "string", "int": "integer"}.get(k.__name__,
                                                                           k.__name__)
                       for k in kinds)


# ---------------------------------------------------------------------------------------
# Mazur's 2015 example


def mazur_2015(path: Path = DATA_MAZUR) -> Check:
    """Mazur's printed figures beside the engine's, and both "error after one round"s.

    Computed once per content of the data file and of his example file.
    """
    _, _, _, raw = load_published(Path(path))
    example_file = raw["source"].get("example")
    if not isinstance(example_file, str):
        raise PublishedError(f"{_show_path(path)}: source.example: expected the path of "
                             f"his example file; got {example_file!r}")
    return _mazur_2015(Path(path), example_file, _digest(path, ROOT / example_file))


@lru_cache(maxsize=8)
def _mazur_2015(path: Path, example_file: str, digest: str) -> Check:
    try:
        example = load_example(ROOT / example_file)
    except ExampleError as err:
        raise PublishedError(f"{_show_path(path)}: source.example: {err}") from None
    source, values, original, s, trace, rows = _check(path, example)
    by_key = {v.key: v for v in values}
    compare = {r.published.key: r for r in rows}

    # The hidden-layer gradients through the already-updated w5..w8: the catalogue's
    # `updated_weights` mistake.
    via_updated = by_id("updated_weights").values(example)
    loss_after_via_updated = via_updated["loss_after"]
    rebuilt = {"E_after": _rebuilt(by_key, "E_after", loss_after_via_updated)}
    extra = {
        "loss_after_original": s.loss_after,
        "loss_after_updated": loss_after_via_updated,
        "dE_dW_ih_original": s.backward.dE_dW_ih,
        "dE_dW_ih_updated": via_updated["backward.dE_dW_ih"],
        "W_ih_original": s.updated.W_ih,
        "W_ih_updated": via_updated["updated.W_ih"],
    }
    return Check(path, source, example, s, trace, values, by_key, rows, compare, rebuilt,
                 extra, original)


# ---------------------------------------------------------------------------------------
# For the pages


def page_variables() -> dict[str, Any]:
    """What docs/hand-calculation-2018.md and docs/mazur-2015.md read: a Check and a Show
    for each (`h18`, `h18t`; `mz`, `mzt`)."""
    h18, mz = hand_calculation_2018(), mazur_2015()
    return {"h18": h18, "h18t": Show(h18), "mz": mz, "mzt": Show(mz)}


class Show:
    """LaTeX and table cells for a published-values page, every number through `fmt`.

    `d` is the article's own example's precision (the 2018 article printed 4 decimals,
    Mazur 9). Cells (`*_cell`) are Markdown with their own `$…$`; the rest is bare LaTeX.
    """

    def __init__(self, check: Check) -> None:
        self.c = check
        self.d = check.example.decimals
        self.o_out_extra = 0  # extra digits of the engine's o_out (`loss_inputs`)

    # -- numbers ----------------------------------------------------------------------

    def n(self, v: Any, d: int | None = None) -> str:
        return fmt.num(float(v), self.d if d is None else d)

    def sn(self, v: Any, d: int | None = None) -> str:
        return fmt.signed(float(v), self.d if d is None else d)

    def vec(self, v: Any, d: int | None = None) -> str:
        return fmt.vec(np.asarray(v, dtype=float).ravel(), self.d if d is None else d)

    def mat(self, a: Any, d: int | None = None) -> str:
        a = np.asarray(a, dtype=float)
        return fmt.mat(a if a.ndim == 2 else a[None, :], self.d if d is None else d)

    def loss_inputs(self, o_out: Any, y: Any, table: dict) -> str:
        """The engine's o_out as the loss table writes it: with the fewest extra digits
        that make every cell of its column calculator-true from the o_out shown
        (`fmt.extra_digits`; at 4 places −ln 0.4342 would give 0.8343, not 0.8342)."""
        o, t = np.asarray(o_out, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
        logs = {"e": np.log, "10": np.log10}
        order = [(base, formula) for base in ("e", "10")
                 for formula in ("cross_entropy", "binary")]

        def cells(p):
            out = []
            for base, formula in order:
                log = logs[base]
                terms = t * log(p) + ((1 - t) * log(1 - p) if formula == "binary" else 0)
                out.append(-np.sum(terms))
            return np.array(out)

        k = fmt.extra_digits(cells, [o], [table[b][f] for b, f in order], self.d)
        self.o_out_extra = k  # the page writes the engine's o_out this way throughout
        return fmt.vec(o, self.d, k)

    def minus_reciprocal(self, value: Any, result: Any, at_least: int = 0) -> str:
        """``-1/value = result``, calculator-true: `value` with the digits it needs, and
        at least `at_least` extra ones (as the page writes it elsewhere)."""
        value, result = float(value), float(result)
        k = max(at_least, fmt.extra_digits(lambda v: -1 / v, [value], result, self.d))
        return f"-1/{fmt.num(value, self.d, k)} = {fmt.num(result, self.d)}"

    def minus(self, a: Any, b: Any, d: int | None = None) -> str:
        """``a − b = result`` as a calculator-true line: the result is the exact
        difference rounded, the inputs carry the digits it needs (`fmt.extra_digits`)."""
        d = self.d if d is None else d
        a, b = float(a), float(b)
        k = fmt.extra_digits(lambda u, v: u - v, [a, b], a - b, d)
        return f"{fmt.num(a, d, k)} - {fmt.signed(b, d, k)} = {fmt.num(a - b, d)}"

    def value(self, v: Any, d: int | None = None) -> str:
        """A scalar, a row or a matrix, whichever `v` is."""
        v = np.asarray(v, dtype=float)
        return self.n(v, d) if v.ndim == 0 else (self.vec(v, d) if v.ndim == 1
                                                  else self.mat(v, d))

    # -- printed values ---------------------------------------------------------------

    def printed(self, key: str) -> str:
        """A printed value exactly as printed (its strings), as LaTeX."""
        text = self.c.by_key[key].text
        if isinstance(text, str):
            return text
        rows = text if isinstance(text[0], list) else [text]
        body = r" \\ ".join(" & ".join(row) for row in rows)
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"

    def at(self, key: str, *index: int) -> str:
        """One printed entry (e.g. `at("o_out", 1)`), exactly as printed."""
        text = self.c.by_key[key].text
        for i in index:
            text = text[i]
        return text

    def rebuilt(self, key: str, d: int | None = None) -> str:
        """The rebuilt value at the printed precision (or `d`)."""
        return self.value(self.c.rebuilt[key].value,
                          self.c.by_key[key].decimals if d is None else d)

    # -- the comparison table ---------------------------------------------------------

    def label_cell(self, r: Comparison) -> str:
        """The value's name, and under it the article's step it was printed in."""
        p = r.published
        name = f"${p.symbol}$" if p.symbol != p.name else p.name
        return f"{name}<br><small>{p.step}</small>"

    def printed_cell(self, r: Comparison) -> str:
        p = r.published
        if p.values is None:
            return f"`{p.text}`" if p.engine is None else f"*{p.text}*"
        return f"${self.printed(p.key)}$"

    def engine_cell(self, r: Comparison) -> str:
        if r.engine is None:
            return "—"
        d = r.published.decimals if r.published.decimals is not None else self.d
        return f"${self.value(r.engine, d)}$"

    def difference_cell(self, r: Comparison) -> str:
        if r.difference is None:
            return "—"
        if r.matches:
            return "within rounding"
        # engine − printed as the row shows them (the engine at the printed precision),
        # so a reader can subtract the two cells and get this one
        d = r.published.decimals if r.published.decimals is not None else self.d
        engine_shown = np.vectorize(lambda v: shown(float(v), d))(r.engine)
        return f"${self.value(engine_shown - r.published.values, d)}$"

    @staticmethod
    def verdict(r: Comparison) -> str:
        p = r.published
        if r.mask is None:
            return "left out" if p.engine is not None else "wrong"
        if r.matches:
            return "matches"
        if p.verdict:  # not an arithmetic slip: the file names what it is
            return p.verdict
        wrong = int((~r.mask).sum())
        return "wrong" if wrong == r.mask.size else f"wrong ({wrong} of {r.mask.size})"

    def verdict_cell(self, r: Comparison) -> str:
        return f"**{self.verdict(r)}**" if r.matches else self.verdict(r)

    def explanation_item(self, r: Comparison) -> str:
        """A list item: the value's name, then what went wrong (or what it is)."""
        p = r.published
        name = f"${p.symbol}$" if p.symbol != p.name else p.name
        return f"{name} ({p.step}): {p.explanation}"

    @staticmethod
    def agree(ok: bool) -> str:
        """For prose: whether two values agree at the printed precision."""
        return "agrees with" if ok else "does not agree with"

    @staticmethod
    def mark(ok: bool) -> str:
        """For prose: whether a rebuilt or compared value reproduces the printed one."""
        return "reproduces" if ok else "does not reproduce"
