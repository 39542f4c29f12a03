"""Grade a hand calculation of the step, value by value, and name the mistakes.

`grade(example, answers)` takes an answers file already read with
``tomllib.loads(text, parse_float=precision.parse)`` (so written places survive): any
subset of the numeric keys of ``python -m backprop_core trace FILE --json``, with the
same nesting. Each answered element gets a `Record` with one verdict:

- ``correct``: its half-unit interval reaches the *correct interval* (`precision.matches`)
  and it carries at least the places the page shows for a value in it
  (`precision.places_needed`: 0.8 is not an answer for 0.8342). The correct interval
  is the hull of the exact value; of the value the formula gives on every earlier value
  rounded as the page shows it (the rounded chain, through either correct working
  where a key has two: o_out − y or stage 1 · stage 2, σ′ from h_out or from h_in; the
  terms of the loss rounded too); and, when every earlier value the student gave is
  correct, of the value the formula gives on the student's own earlier values. A
  student who carries 4-decimal intermediates through every stage is therefore correct
  everywhere, but for an updated parameter: it needs the places at which the parameter
  written unmoved is not correct (`moved_places`: 0.69995, not 0.7000, for a weight
  that moved by 5·10⁻⁵), and so does each mistake's value there. The places needed are the fewest any of those values needs (a rounded
  chain can land on 0.0001230 where the exact value, 0.00009297, needs 8).
- ``follows``: not correct, but what the correct formula gives on the student's own
  earlier answers (unanswered earlier values filled in by the same formulas from the
  student's values, exactly or rounded as shown), under the same places rule:
  follow-through credit, as a human grader gives it.
- ``wrong``: neither; ``mistakes`` names each catalogue mistake (`mistakes.py`) that,
  made on the student's own earlier values, reproduces it under the same rule (both
  ids of a pair, with ``together``, when no single mistake does). A value that would
  be right but is written with too few places is wrong with a note saying how many
  places it needs, unless a single mistake gives exactly it (0.7 for a bias of 0.7113
  is the frozen bias, not a short answer) and the answer has fewer places than the page
  asks for (an update written with the page's 4, right to them, is told the places it
  needs, whatever mistake also rounds to it). A wrong sign (`wrong_sign[…]`) is named at
  the value where it is made only: carried on, the later values follow from it.

Which earlier keys each key reads is `stages.STAGES` (its `deps`); a key with any
answered element not correct makes every key reading it lose the follow-through
allowance for *correct* (it can still follow). Unanswered elements are filled from the
student's own values by the correct formulas.

`targets(example)` gives the same judgement without a student's earlier values: per key
and element the correct interval and places, and each mistake's interval, so a static
page can judge a typed value with `precision.matches` and `places_needed` alone (no
follow-through: that needs the student's other answers and a computation).

Not here: the formulas (`stages.py`), the mistakes (`mistakes.py`), the command line
(`cli.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from .example import Example, describe
from .mistakes import Mistake, for_example, pairs
from .precision import (Written, matches, parse, places_needed, rounded, shown,
                        shown_places, small_threshold)
from .stages import (CORRECT, KEYS, ROUNDED_WALKS, STAGES, inputs, rounded_walks, run,
                     shape_of, where)

__all__ = ["AnswersError", "Answer", "Record", "Interval", "Target", "Walk", "read_answers",
           "grade", "targets", "targets_json", "record_json", "reproduce", "engine_values", "show",
           "moved_places",
           "GIVEN_KEYS", "SECTIONS"]


class AnswersError(ValueError):
    """A malformed answers file; the message names the key, what was expected and what
    was found, and is meant for the user as it stands."""


# ---------------------------------------------------------------------------------------
# Reading an answers file

#: Tables of the trace and the keys in each; top-level keys are in TOP.
SECTIONS = {
    section: tuple(k.split(".", 1)[1] for k in KEYS if k.startswith(section + "."))
    for section in ("forward", "backward", "gradients", "updated")
}
_TOP = tuple(k for k in KEYS if "." not in k)
#: Keys of the trace that are the example's own givens: accepted (a trace converted to
#: TOML is a perfect answer file) and held to the example, never graded.
GIVEN_KEYS = ("title", "network", "sizes", "learning_rate", "x", "y", "params")


@dataclass(frozen=True)
class Answer:
    """One answered key.

    values: floats shaped like the key's value (0 where not answered)
    places: the decimal places each element was written with (0 where not answered)
    mask:   True where an element was answered (an empty string "" leaves one out)
    text:   each element as written (an object array; "" where not answered)
    """

    values: np.ndarray
    places: np.ndarray
    mask: np.ndarray
    text: np.ndarray


def read_answers(data: Mapping[str, Any], example: Example) -> dict[str, Answer]:
    """Validate a parsed answers file against the example: key -> Answer.

    Raises AnswersError for an unknown key, a wrong shape, something that is not a
    number, givens that are not the example's, or no answer at all.
    """
    if not isinstance(data, Mapping):
        raise AnswersError(f"answers: expected a TOML table; got {_found(data)}")
    flat: dict[str, Any] = {}
    for name, value in data.items():
        if name in GIVEN_KEYS:
            _given(name, value, example)
        elif name in SECTIONS:
            if not isinstance(value, Mapping):
                raise AnswersError(f"{name}: expected a table [{name}] with keys "
                                   f"{', '.join(SECTIONS[name])}; got {_found(value)}")
            for sub, entry in value.items():
                if sub not in SECTIONS[name]:
                    raise AnswersError(f"{name}.{sub}: unknown key; expected one of "
                                       f"{', '.join(SECTIONS[name])}")
                flat[f"{name}.{sub}"] = entry
        elif name in _TOP:
            flat[name] = value
        else:
            known = list(_TOP) + [f"[{s}]" for s in SECTIONS] + list(GIVEN_KEYS)
            raise AnswersError(f"{name}: unknown key; expected one of {', '.join(known)}")
    out = {key: _answer(key, flat[key], shape_of(key, example)) for key in KEYS
           if key in flat}
    out = {k: a for k, a in out.items() if a.mask.any()}
    if not out:
        raise AnswersError("answers: expected at least one answered value (such as "
                           "loss = 0.4342 or [forward] o_in = [[...]]); found none")
    return out


def _found(value: Any) -> str:
    if isinstance(value, Written):
        return f"the number {value.value:g}"
    return describe(_plain(value))


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.value if isinstance(value, Written) else value


def _nested_shape(key: str, value: Any) -> tuple[int, ...]:
    """The shape of a nested list of leaves; AnswersError if it is ragged."""
    if not isinstance(value, list):
        return ()
    if not value:
        raise AnswersError(f"{key}: expected numbers; got an empty array")
    shapes = {_nested_shape(key, v) for v in value}
    if len(shapes) != 1:
        raise AnswersError(f"{key}: expected a rectangular array; got rows of different "
                           f"shapes {sorted(shapes)}")
    return (len(value), *shapes.pop())


def _leaf(where: str, value: Any) -> tuple[float, int, str] | None:
    """One element: (value, places, text), or None when left out ("")."""
    if isinstance(value, Written):
        return value.value, value.places, _text(value)
    if isinstance(value, bool) or isinstance(value, (Mapping, list)) or value is None:
        raise AnswersError(f"{where}: expected a number such as -0.2831; "
                           f"got {_found(value)}")
    if isinstance(value, str) and not value.strip():
        return None
    try:
        w = parse(value)
    except (ValueError, OverflowError):
        raise AnswersError(f"{where}: expected a number such as -0.2831; "
                           f"got {_found(value)}") from None
    if not math.isfinite(w.value):
        raise AnswersError(f"{where}: expected a finite number; got {_found(value)}")
    return w.value, w.places, str(value).strip()


def _text(w: Written) -> str:
    """A written number back as text with its places (0.6000 stays 0.6000)."""
    return f"{w.value:.{min(w.places, 20)}f}"


def _answer(key: str, value: Any, shape: tuple[int, ...]) -> Answer:
    found = _nested_shape(key, value)
    if found != shape:
        what = "a number" if shape == () else f"an array of shape {shape}"
        got = "a number" if found == () else f"shape {found}"
        raise AnswersError(f"{key}: expected {what}; got {got}")
    values = np.zeros(shape)
    places = np.zeros(shape, dtype=int)
    mask = np.zeros(shape, dtype=bool)
    text = np.full(shape, "", dtype=object)
    flat_value = [value] if shape == () else list(_leaves(value))
    for i, (index, leaf) in enumerate(zip(np.ndindex(shape), flat_value)):
        got = _leaf(key + "".join(f"[{j}]" for j in index), leaf)
        if got is not None:
            values[index], places[index], text[index] = got
            mask[index] = True
    return Answer(values, places, mask, text)


def _leaves(value: Any):
    for v in value:
        if isinstance(v, list):
            yield from _leaves(v)
        else:
            yield v


def _given(name: str, value: Any, example: Example) -> None:
    """A given of the trace (x, params, …) must be the example's own, or the answers
    are for another example."""
    if name == "title":
        return
    if name in ("network", "sizes"):
        mine = ({"hidden_activation": example.network.hidden_activation,
                 "output": example.network.output,
                 "update_biases": example.network.update_biases}
                if name == "network" else example.sizes)
        plain = {k: _plain(v) for k, v in value.items()} if isinstance(value, Mapping) \
            else value
        if plain != mine:
            raise AnswersError(f"{name}: expected the example's {mine}; got {_found(value)}"
                               " (are the answers for another example?)")
        return
    if name == "params":
        if not isinstance(value, Mapping) or set(value) - {"W_ih", "b_h", "W_ho", "b_o"}:
            raise AnswersError(f"params: expected a table with W_ih, b_h, W_ho, b_o; "
                               f"got {_found(value)}")
        for sub, v in value.items():
            _same(f"params.{sub}", v, getattr(example.params, sub))
        return
    mine = {"learning_rate": example.learning_rate, "x": example.x, "y": example.y}[name]
    _same(name, value, mine)


def _same(name: str, value: Any, mine: Any) -> None:
    mine = np.asarray(mine, dtype=float)
    got = _answer(name, value, mine.shape)
    close = np.abs(got.values - mine) <= 0.5 * 10.0 ** -got.places.astype(float) + 1e-12
    if not (close | ~got.mask).all():
        raise AnswersError(f"{name}: expected the example's {np.round(mine, 6).tolist()}; "
                           f"got {_found(value)} (are the answers for another example?)")


# ---------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class Record:
    """The verdict on one answered element.

    key, index: where it sits in the trace (index () for a scalar)
    given:    the value as a float;  written: as written;  places: its decimal places
    expected: the correct (exact) value;  needed: the places an answer for it needs
    verdict:  "correct" | "follows" | "wrong"
    mistakes: ids of the catalogue mistakes that reproduce a wrong value
    together: True when no single mistake does and `mistakes` are pairs made together
    note:     why, in words, when the verdict needs one (too few places; follows)
    group:    the article's stage (a key of stages.GROUPS)
    page, anchor: where the article works this key out
    """

    key: str
    index: tuple[int, ...]
    given: float
    expected: float
    verdict: str
    mistakes: tuple[str, ...] = ()
    note: str | None = None
    together: bool = False
    written: str = ""
    places: int = 0
    needed: int = 0
    group: str = ""
    page: str = ""
    anchor: str = ""

    @property
    def path(self) -> str:
        """``forward.o_in[0][1]``, as the practice page's data-answer names it."""
        return self.key + "".join(f"[{i}]" for i in self.index)

    @property
    def url(self) -> str:
        return f"{self.page.removesuffix('.md')}/#{self.anchor}"


def record_json(r: Record) -> dict:
    """A record as `check --json` prints it."""
    return {"key": r.key, "index": list(r.index), "given": r.given, "expected": r.expected,
            "verdict": r.verdict, "mistakes": list(r.mistakes), "together": r.together,
            "note": r.note}


# ---------------------------------------------------------------------------------------
# Intervals


@dataclass(frozen=True)
class _Hull:
    """Element-wise [low, high] over the finite candidate values (NaN where none is),
    and the candidates themselves (stacked on axis 0) for `places`."""

    low: np.ndarray
    high: np.ndarray
    stack: np.ndarray

    def places(self, index: tuple[int, ...], decimals: int) -> int:
        """The fewest places an answer needs here (see `_fewest_places`)."""
        return int(_fewest_places(self.stack[(slice(None), *index)], decimals))

    def fits(self, w: Written, index: tuple[int, ...], decimals: int) -> bool:
        return _fits(w, self.low[index], self.high[index]) and \
            w.places >= self.places(index, decimals)


def _fewest_places(stack: np.ndarray, decimals: int) -> np.ndarray:
    """The places an answer needs, per element, over candidates stacked on axis 0 (the
    first the exact one): what the page shows for the exact value, or fewer where
    another candidate, as the page would show it, needs fewer: a rounded chain can land
    on 0.0001230 (7 places) or on −0.0010035 (4) where the exact value, 0.00009297 or
    −0.0009909, needs 8 or 7. Another candidate is never read in a short form: a rounded
    0.8000 needs `decimals` places, so 0.8 stays no answer for 0.80003."""
    stack = np.asarray(stack, dtype=float)
    small = small_threshold(decimals)

    def other(v: float) -> int:  # what another candidate allows (99: nothing)
        if not math.isfinite(v):
            return 99
        return _needed(v, decimals) if abs(v) < small else decimals

    # per element, a Python loop: the arrays hold a handful of numbers
    columns = stack.reshape(len(stack), -1).tolist()
    places = [min([_needed(first, decimals), *map(other, rest)])
              for first, *rest in zip(*columns)]
    return np.array(places, dtype=int).reshape(stack.shape[1:])


def _hull(candidates: list[np.ndarray], shape: tuple[int, ...]) -> _Hull:
    stack = np.stack([c if type(c) is np.ndarray and c.dtype == float and c.shape == shape
                      else np.broadcast_to(np.asarray(c, dtype=float), shape)
                      for c in candidates])
    stack = np.where(np.isfinite(stack), stack, np.nan)
    # np.nanmin/np.nanmax without their all-NaN warning (an all-NaN hull simply matches
    # nothing): for an ndarray they are exactly these reductions, and a warnings filter
    # around them cost more than the arithmetic.
    return _Hull(np.fmin.reduce(stack, axis=0), np.fmax.reduce(stack, axis=0), stack)


#: Below this a computed value is zero up to float noise (−0.65·δ1 − 0.65·δ2 with
#: δ2 = −δ1 comes out as −2e-17): it needs no places, and shows as 0.
_FLOAT_NOISE = 1e-12


def _needed(value: float, decimals: int) -> int:
    if not math.isfinite(value):
        return 99
    return 0 if abs(value) < _FLOAT_NOISE else places_needed(value, decimals)


#: The most places `moved_places` asks for (a change below 10⁻¹² is float noise).
_MOST_PLACES = 12


def moved_places(key: str, example: Example, low: np.ndarray, high: np.ndarray,
                 places: np.ndarray) -> np.ndarray:
    """The places an answer for an updated parameter needs: at least `places`, and, per
    element, enough that the parameter written unmoved (its value before the step, at
    those places) is not correct by the precision rule (`matches` on [low, high]).

    The update of a small gradient can be smaller than half a unit of the display
    precision: W⁺ = 0.7 − 0.02 · 0.0025 = 0.69995 is reached by 0.7000, so a student who
    forgot the update would be marked correct; at 5 places 0.70000 is not. Other keys,
    and elements whose change is zero, keep `places`."""
    if not key.startswith("updated."):
        return places
    old = np.broadcast_to(np.asarray(inputs(example)[key.split(".", 1)[1]], dtype=float),
                          np.shape(places))
    out = np.array(places, dtype=int, copy=True)
    for index in np.ndindex(out.shape):
        lo, hi, before = float(low[index]), float(high[index]), float(old[index])
        if not (math.isfinite(lo) and math.isfinite(hi)):
            continue
        for p in range(int(out[index]), _MOST_PLACES + 1):
            if not matches(Written(float(rounded(before, p)), p), lo, hi):
                out[index] = p
                break
    return out


def _fits(w: Written, low: float, high: float) -> bool:
    return math.isfinite(low) and math.isfinite(high) and matches(w, low, high)


def show(value: float, decimals: int) -> str:
    """A value as the page writes it (`precision.shown`), float noise as 0."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) < _FLOAT_NOISE:
        return "0"
    places = shown_places(value, decimals)
    return f"{shown(value, decimals):.{places}f}"


# ---------------------------------------------------------------------------------------
# Grading


def engine_values(example: Example) -> dict[str, np.ndarray]:
    """The correct value of every answerable key, from the engine's step."""
    s = example.step()
    out = {"forward." + k: getattr(s.forward, k) for k in SECTIONS["forward"]}
    out |= {"backward." + k: getattr(s.backward, k) for k in SECTIONS["backward"]}
    out |= {"gradients." + k: getattr(s.grads, k) for k in SECTIONS["gradients"]}
    out |= {"updated." + k: getattr(s.updated, k) for k in SECTIONS["updated"]}
    out |= {"losses": s.forward.losses, "loss": np.asarray(s.loss),
            "loss_after": np.asarray(s.loss_after)}
    return {k: np.asarray(v, dtype=float) for k, v in out.items()}


class _Runs:
    """The walks a grading needs, each computed once, on demand."""

    def __init__(self, example: Example, answers: dict[str, Answer]) -> None:
        self.example = example
        self.given = {k: (a.values, a.mask) for k, a in answers.items()}
        self._cache: dict[tuple, dict] = {}
        self._hulls: dict[tuple[str, str], _Hull] = {}

    def computed(self, mistake: Mistake | None, rounded: bool,
                 other: frozenset[str] = frozenset(), ties: int = 0) -> dict:
        name = mistake.id if mistake else ""
        if (name, rounded, other, ties) not in self._cache:
            habits = mistake.habits() if mistake else CORRECT
            self._cache[(name, rounded, other, ties)] = run(
                self.example, habits, self.given, rounded, other, ties).computed
        return self._cache[(name, rounded, other, ties)]

    def candidates(self, mistake: Mistake | None, key: str) -> list[np.ndarray]:
        """Every value the key can have from these earlier values: each correct working,
        on the walk carried exactly and rounded as shown (either working carried)."""
        return [*self.computed(mistake, False)[key],
                *(v for other, ties in ROUNDED_WALKS
                  for v in self.computed(mistake, True, other, ties)[key])]

    def hull(self, mistake: Mistake | None, key: str, shape) -> _Hull:
        name = (mistake.id if mistake else "", key)
        if name not in self._hulls:
            self._hulls[name] = _hull(self.candidates(mistake, key), shape)
        return self._hulls[name]


def grade(example: Example, answers: Mapping[str, Any]) -> list[Record]:
    """A Record per answered element, in the article's order (see the module doc)."""
    given = read_answers(answers, example)
    d = example.decimals
    exact = engine_values(example)
    right_rounded = _rounded_chains(example)
    runs = _Runs(example, given)
    singles = for_example(example)
    twos: list[Mistake] | None = None
    clean: dict[str, bool] = {}
    records: list[Record] = []

    for st in STAGES:
        key = st.key
        deps_clean = all(clean.get(dep, True) for dep in st.deps)
        if key not in given:
            clean[key] = deps_clean
            continue
        a, shape = given[key], exact[key].shape
        follow = runs.hull(None, key, shape)
        f_value = runs.computed(None, False)[key][0]
        right = [exact[key], *right_rounded(key)]
        if deps_clean:
            right += runs.candidates(None, key)
        correct = _hull(right, shape)
        moved = moved_places(key, example, correct.low, correct.high,
                             np.zeros(shape, dtype=int))
        f_moved = moved_places(key, example, follow.low, follow.high,
                               np.zeros(shape, dtype=int))
        page, anchor = where(key, example)
        all_correct = True
        for index in zip(*np.nonzero(a.mask)) if shape else [()]:
            index = tuple(int(i) for i in index)
            w = Written(float(a.values[index]), int(a.places[index]))
            expected = float(exact[key][index])
            needed = max(correct.places(index, d), int(moved[index]))
            verdict, found, note, together = "wrong", (), None, False
            only_places = False  # right to the places the page asks, but this needs more
            if _fits(w, correct.low[index], correct.high[index]):
                if w.places >= needed:
                    verdict = "correct"
                else:
                    note = _few(w, a.text[index], needed, expected, d)
                    only_places = w.places >= d
            if verdict == "wrong" and _fits(w, follow.low[index], follow.high[index]):
                f_needed = max(follow.places(index, d), int(f_moved[index]))
                if w.places >= f_needed:
                    verdict = "follows"
                    note = (f"follows from your earlier values; the correct value is "
                            f"{show(expected, d)}")
                elif note is None:
                    note = _few(w, a.text[index], f_needed, float(f_value[index]), d,
                                "follows from your earlier values, but ")
            if verdict == "wrong" and not only_places:
                # a mistake's value at its own places explains it better than "too few
                # places" (0.7 is a frozen bias 0.7, not a short 0.7113); not so for an
                # answer with the page's places, right to them (an update written 0.6999
                # or 0.6000 needs the places that show it moved: say so, name no mistake)
                found = _explained(runs, singles, key, index, w, shape, d)
                if not found and note is None:  # two mistakes only where nothing simpler does
                    if twos is None:
                        twos = list(pairs(example))
                    found = _explained(runs, twos, key, index, w, shape, d)
                    together = bool(found)
                if found:
                    note = None
            all_correct &= verdict == "correct"
            records.append(Record(key, index, w.value, expected, verdict, found, note,
                                  together, str(a.text[index]), w.places, needed, st.group, page,
                                  anchor))
        clean[key] = all_correct and (bool(a.mask.all()) or deps_clean)
    return records


def _rounded_chains(example: Example, habits=CORRECT):
    """key -> every value of the rounded chains (either correct working carried on),
    each distinct chain once (`stages.rounded_walks`: the hulls and places built from
    them do not depend on repeats)."""
    walks = [chain.computed for chain in rounded_walks(example, habits)]
    return lambda key: [v for w in walks for v in w[key]]


def _few(w: Written, text: str, needed: int, value: float, d: int, lead: str = "") -> str:
    s = "" if w.places == 1 else "s"
    # an update that only shows at more places than the page's: the value at those
    written = show(value, d) if needed <= shown_places(value, d) or not math.isfinite(value) \
        else f"{value:.{needed}f}"
    return (f"{lead}{text} has {w.places} decimal place{s}; an answer here needs {needed} "
            f"({written})")


def _explained(runs: _Runs, mistakes, key: str, index, w: Written, shape,
               d: int) -> tuple[str, ...]:
    """The ids of the mistakes whose value, on the student's own earlier values, the
    written answer reproduces at the places it needs."""
    found: list[str] = []
    at = KEYS.index(key)
    for m in mistakes:
        if KEYS.index(m.stage) > at:
            continue  # starts later: cannot change this value
        if key not in m.keys and any(i.startswith("wrong_sign[") for i in m.id.split("+")):
            continue  # a sign carried on is each later key's own, or follows from it
        hull = runs.hull(m, key, shape)
        if hull.fits(w, index, d) and w.places >= moved_places(
                key, runs.example, hull.low, hull.high, np.zeros(shape, dtype=int))[index]:
            found += [i for i in m.id.split("+") if i not in found]
    return tuple(found)


# ---------------------------------------------------------------------------------------
# Targets for a static page


@dataclass(frozen=True)
class Interval:
    """Per element: an answer is right for it when it carries at least `places` decimal
    places and `precision.matches(written, low, high)`. Arrays shaped like the key."""

    low: np.ndarray
    high: np.ndarray
    places: np.ndarray


@dataclass(frozen=True)
class Target:
    """What a static page needs to judge one key without a student's other answers.

    exact:    the correct value;  correct: its Interval (exact and rounded chain)
    mistakes: mistake id -> Interval of what that mistake gives, for every mistake that
              changes this key, in catalogue order; then pairs "a+b" of mistakes that
              change the same key by their own formula (log10_loss+binary_ce at the
              loss), at the keys both of them change
    group, page, anchor: the article's stage and where it works the key out
    """

    key: str
    exact: np.ndarray
    correct: Interval
    mistakes: dict[str, Interval] = field(default_factory=dict)
    group: str = ""
    page: str = ""
    anchor: str = ""


def _interval(candidates: list[np.ndarray], value: np.ndarray, d: int) -> Interval:
    h = _hull(candidates, value.shape)
    return Interval(h.low, h.high, _fewest_places(h.stack, d))


def _key_interval(key: str, example: Example, candidates: list[np.ndarray],
                  value: np.ndarray) -> Interval:
    """The Interval of a key's candidates (right ones, or a mistake's): its places at
    least `moved_places`, so that an unmoved weight is neither right nor any mistake
    but leaving the weights out."""
    i = _interval(candidates, value, example.decimals)
    return Interval(i.low, i.high, moved_places(key, example, i.low, i.high, i.places))


def targets(example: Example) -> dict[str, Target]:
    """key -> Target for every answerable key, in the article's order."""
    d = example.decimals
    exact = engine_values(example)
    rounded = _rounded_chains(example)
    walks = [(m, run(example, m.habits()), _rounded_chains(example, m.habits()))
             for m in for_example(example)]
    walks += [(m, run(example, m.habits()), _rounded_chains(example, m.habits()))
              for m in pairs(example)
              if set.intersection(*(set(by.keys) for by in _parts(m, walks))) - {"loss_after"}]
    right = run(example).values
    # mistake id -> the keys whose value it changes
    changes = {m.id: {k for k in KEYS if not _equal(plain.values[k], right[k])}
               for m, plain, _ in walks}
    out = {}
    for st in STAGES:
        key = st.key
        found = {}
        for m, plain, rnd in walks:
            if key not in changes[m.id]:
                continue
            if "+" in m.id and not all(key in changes[w[0].id]
                                       for w in walks if w[0].id in m.id.split("+")):
                continue  # a pair only where each of its mistakes changes the key
            found[m.id] = _key_interval(key, example, [*plain.computed[key], *rnd(key)],
                                        plain.values[key])
        page, anchor = where(key, example)
        out[key] = Target(key, exact[key],
                          _key_interval(key, example, [exact[key], *rounded(key)],
                                        exact[key]),
                          found, st.group, page, anchor)
    return out


def _equal(a: np.ndarray, b: np.ndarray) -> bool:
    """np.array_equal(a, b, equal_nan=True), element by element in Python (a handful
    of numbers: NumPy's call costs more than the comparisons)."""
    if a.shape != b.shape:
        return False
    return all(x == y or (x != x and y != y)
               for x, y in zip(a.ravel().tolist(), b.ravel().tolist()))


def _parts(m: Mistake, walks) -> list[Mistake]:
    ids = m.id.split("+")
    by = {w[0].id: w[0] for w in walks}
    return [by[i] for i in ids]


def _finite_list(a: np.ndarray):
    """Nested lists (or a float) with null where a value is not finite (strict JSON)."""
    a = np.asarray(a, dtype=float)
    return np.where(np.isfinite(a), a, None).tolist() if a.ndim else \
        (float(a) if math.isfinite(float(a)) else None)


def targets_json(example: Example) -> dict:
    """`targets` as plain JSON-ready Python: key -> {exact, low, high, places, group,
    page, anchor, mistakes: {id: {low, high, places}}}; null where a mistake's value is
    not a finite number (nothing matches it)."""
    def plain(i: Interval) -> dict:
        return {"low": _finite_list(i.low), "high": _finite_list(i.high),
                "places": i.places.tolist()}

    return {k: {"exact": t.exact.tolist(), **plain(t.correct), "group": t.group,
                "page": t.page, "anchor": t.anchor,
                "mistakes": {m: plain(i) for m, i in t.mistakes.items()}}
            for k, t in targets(example).items()}


# ---------------------------------------------------------------------------------------
# Reproducing a hand calculation (the 2018 page)


@dataclass(frozen=True)
class Walk:
    """What a student gets, key by key, working from their own answers with some
    mistakes: `exact` with unanswered values carried exactly, `rounded` with them
    rounded as the page shows them. Each key's value is the formula's, on the earlier
    values (the key's own answer, if any, is not used for it)."""

    exact: dict[str, np.ndarray]
    rounded: dict[str, np.ndarray]

    def matches(self, key: str, index: tuple[int, ...], written: Written) -> bool:
        """Does a written value reproduce this walk's value (the checker's rule)?"""
        value = float(self.exact[key][index])
        low, high = sorted((value, float(self.rounded[key][index])))
        return _fits(written, low, high)


def reproduce(example: Example, answers: Mapping[str, Any], ids: tuple[str, ...] = ()
              ) -> Walk:
    """Walk the step from a student's answers (as `grade` reads them) with the catalogue
    mistakes `ids` made together (none: the correct formulas, i.e. follow-through)."""
    from .mistakes import by_id

    habits = CORRECT
    for i in ids:
        habits = by_id(i).habit(habits)
    given = {k: (a.values, a.mask) for k, a in read_answers(answers, example).items()} \
        if answers else {}
    exact = run(example, habits, given).computed
    rounded = run(example, habits, given, rounded=True).computed
    return Walk({k: v[0] for k, v in exact.items()}, {k: v[0] for k, v in rounded.items()})
