"""Issue 13, the practice page's part: kinds of mistake, updates that show, collisions.

In-process, on the page's own data (`scripts/practice.variant`, what the build writes):

- every kind of mistake the reader met with a bare "Not correct" is named at its own box,
  on the default example and on the practice seeds; the value typed is worked out here
  from the kind's definition (tests/student.py, written independently of the catalogue),
  and judged by the page's rule (`judge` below: practice.js's, line for line);
- the right answer is never named as a mistake; a weight left unmoved is not "correct"
  at the places the page asks for, and is named;
- the 2018 article's printed values are named as its own on the default example;
- how often a kind's value collides with the right answer or with another kind's, on
  the 100 practice seeds, measured and held to the figures the report gives.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from backprop_core import check, precision
from backprop_core.mistakes import for_example

from student import example, work

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import practice  # noqa: E402


# --- the page's rule (docs/javascripts/practice.js, judge) ----------------------------------


def _pair(iv):
    return iv if isinstance(iv, list) else [iv, iv]


def judge(entry, names: list[str], text: str, decimals: int = 4) -> tuple[str, list[str]]:
    """(verdict, mistake ids) as practice.js's judge gives them for a typed text, on a
    page asking for `decimals` places."""
    written = precision.parse(text)
    interval, places, wrong = entry

    def ids(m):
        return [names[i] for i in (m[0] if isinstance(m[0], list) else [m[0]])]

    def fits(m):
        return precision.matches(written, *_pair(m[1])) and \
            written.places >= (m[2] if len(m) > 2 else places)

    def named(found):
        return list(dict.fromkeys(i for m in found for mid in ids(m) for i in mid.split("+")))

    is_pair = [any("+" in i for i in ids(m)) for m in wrong]
    singles = [m for m, p in zip(wrong, is_pair) if not p and fits(m)]
    if precision.matches(written, *_pair(interval)):
        if written.places >= places:
            return "correct", []
        return ("wrong", named(singles)) if singles and written.places < decimals \
            else ("short", [])
    found = singles or [m for m, p in zip(wrong, is_pair) if p and fits(m)]
    return "wrong", named(found)


def boxes(ex, data) -> dict[str, list]:
    """data-answer ("forward.o_out[0][0]") -> the variant's entry for that box."""
    fields = [f for _, items in practice.fields(ex) for f in items]
    assert len(fields) == len(data["answers"])
    return {f.answer: entry for f, entry in zip(fields, data["answers"])}


def path(key: str, index: tuple[int, ...]) -> str:
    return key + "".join(f"[{i}]" for i in index)


def as_written(value: float, places: int) -> str:
    return f"{value:.{places}f}"


@pytest.fixture(scope="module")
def default():
    ex = example("default")
    data = practice.variant(ex, None)
    return ex, data, boxes(ex, data)


# --- the reader's cases, default example ----------------------------------------------------

#: (box, kind): each typed value is what `work(ex, (kind,))` gives there, 4 places.
READER_CASES = [
    ("backward.dE_do_out[0][0]", "wrong_sign[dE_do_out]"),       # +2.3029
    ("backward.do_out_do_in[0][0][1]", "jacobian_off_sign"),     # +0.2457
    ("backward.dE_do_in[0][0]", "wrong_sign[dE_do_in]"),         # +0.5658, y − o
    ("backward.dE_dW_ho[0][0]", "wrong_sign[dE_dW_ho]"),         # +0.3743
    ("forward.o_out[0][0]", "swapped_outputs"),                  # 0.5658
    ("backward.dh_out_dh_in[0][0]", "sigmoid_prime_h_only"),     # 0.6615
    ("backward.dE_dW_ih[0][0]", "other_input"),                  # 0.0051
    ("loss_after", "loss_before_update"),                        # 0.8342
    ("updated.W_ih[0][0]", "weights_frozen"),                    # 0.7000
    ("updated.W_ih[0][1]", "weights_frozen"),                    # 0.6000
    ("backward.dE_dh_out[0][0]", "backprop_untransposed"),
    ("backward.dE_dh_in[0][0]", "no_activation_slope"),
    ("backward.dh_out_dh_in[0][1]", "sigmoid_prime_one_minus_only"),
    ("backward.dE_dW_ho[0][0]", "other_hidden"),
    ("backward.dE_dh_out[0][0]", "wrong_sign[dE_dh_out]"),
    ("backward.dE_dh_in[0][0]", "wrong_sign[dE_dh_in]"),
    ("backward.dE_dW_ih[0][0]", "wrong_sign[dE_dW_ih]"),
]


def _value(ex, kind: str, box: str) -> float:
    key, _, rest = box.partition("[")
    index = tuple(int(i) for i in rest.replace("]", "").split("[") if i) if rest else ()
    return float(work(ex, (kind,))[key][index])


@pytest.mark.parametrize("box, kind", READER_CASES, ids=[k for _, k in READER_CASES])
def test_each_kind_is_named_on_the_default_example(default, box, kind):
    ex, data, entry = default
    v = _value(ex, kind, box)
    text = as_written(v, max(entry[box][1], 4))
    verdict, named = judge(entry[box], data["mistakes"], text)
    assert verdict == "wrong" and kind in named, (box, text, verdict, named)


def test_the_readers_numbers_are_these(default):
    """The same boxes with the reader's own typed numbers (READER3, finding 4 and 5); the
    unmoved weights written as they were given (at the page's 4 places, 0.7000 and 0.6000
    are also the updated weights rounded: see the next test but one)."""
    ex, data, entry = default
    typed = {"backward.dE_do_out[0][0]": ("2.3029", "wrong_sign[dE_do_out]"),
             "backward.do_out_do_in[0][0][1]": ("0.2457", "jacobian_off_sign"),
             "backward.dE_do_in[0][0]": ("0.5658", "wrong_sign[dE_do_in]"),
             "backward.dE_dW_ho[0][0]": ("0.3743", "wrong_sign[dE_dW_ho]"),
             "forward.o_out[0][0]": ("0.5658", "swapped_outputs"),
             "backward.dh_out_dh_in[0][0]": ("0.6615", "sigmoid_prime_h_only"),
             "backward.dE_dW_ih[0][0]": ("0.0051", "other_input"),
             "loss_after": ("0.8342", "loss_before_update"),
             "updated.W_ih[0][0]": ("0.7", "weights_frozen"),
             "updated.W_ih[0][1]": ("0.6", "weights_frozen"),
             "updated.W_ih[1][1]": ("0.4", "weights_frozen"),
             "loss": ("0.4704", practice.PRINTED_2018),
             "forward.o_out[0][0]#2018": ("0.5818", practice.PRINTED_2018),
             "backward.dE_do_out[0][0]#2018": ("-1.719", practice.PRINTED_2018),
             "backward.do_out_do_in[0][0][0]": ("0.2433", practice.PRINTED_2018),
             "backward.dE_dh_out[0][0]": ("-0.1673", practice.PRINTED_2018),
             "updated.W_ho[0][0]": ("0.4055", practice.PRINTED_2018),
             "updated.W_ih[0][0]#2018": ("0.7007", practice.PRINTED_2018)}
    bad = {}
    for box, (text, kind) in typed.items():
        verdict, named = judge(entry[box.split("#")[0]], data["mistakes"], text)
        if verdict != "wrong" or kind not in named:
            bad[box] = (text, verdict, named)
    assert bad == {}


def test_an_unmoved_weight_is_not_correct_and_a_moved_one_is(default):
    """Issue 13 (5): W⁺_i1h1 = 0.7000 was "correct" through the rounded chain."""
    ex, data, entry = default
    s = ex.step()
    for index in np.ndindex(s.params.W_ih.shape):
        box = entry[path("updated.W_ih", index)]
        before, after = float(s.params.W_ih[index]), float(s.updated.W_ih[index])
        places = box[1]
        assert judge(box, data["mistakes"], as_written(before, places))[0] != "correct"
        assert judge(box, data["mistakes"], as_written(before, 4))[0] != "correct"
        assert judge(box, data["mistakes"], as_written(after, places)) == ("correct", [])
    assert entry["updated.W_ih[0][0]"][1] == 5      # 0.69995: the update shows at 5


@pytest.mark.parametrize("seed", [3, 17, 58])
def test_each_kind_is_named_on_seeds(seed):
    """On fresh numbers too (#seed=3: the unmoved W_i1h1 = 0.1600 was bare)."""
    ex = practice.seed_example(seed)
    data = practice.variant(ex, seed)
    entry = boxes(ex, data)
    missing, shown = [], 0
    for box, kind in READER_CASES:
        v = _value(ex, kind, box)
        key, _, _ = box.partition("[")
        exact = check.engine_values(ex)[key]
        index = tuple(int(i) for i in box.partition("[")[2].replace("]", "").split("[")
                      if i) if "[" in box else ()
        text = as_written(v, max(entry[box][1], 4))
        if precision.matches(precision.parse(text), float(exact[index]), float(exact[index])):
            continue  # the kind does not change this value at the page's precision here
        shown += 1
        verdict, named = judge(entry[box], data["mistakes"], text)
        if verdict != "wrong" or kind not in named:
            missing.append((box, kind, text, verdict, named))
    assert shown >= len(READER_CASES) - 2 and missing == []
    if seed == 3:
        # not the update rounded to 4 places here: the weight unmoved, named
        assert judge(entry["updated.W_ih[0][0]"], data["mistakes"], "0.1600") == \
            ("wrong", ["weights_frozen"])


def test_an_update_right_to_the_pages_places_is_told_the_places_it_needs(default):
    """READER4: 0.6999 for W⁺_i1h1 (exact 0.699949) was "5 classic mistakes each give this
    value", and 0.6000 for W⁺_i1h2 (exact 0.600025) "you left the weights as they were",
    though both are the value rounded to the page's 4 places, as the article prints it.
    An answer with fewer places than the page asks is still named by its mistake."""
    ex, data, entry = default
    s = ex.step()
    assert data["decimals"] == 4
    for index in np.ndindex(s.updated.W_ih.shape):
        box = entry[path("updated.W_ih", index)]
        after = float(s.updated.W_ih[index])
        text = as_written(after, 4)
        if box[1] > 4:  # the update shows only at more places than the page's
            assert judge(box, data["mistakes"], text) == ("short", []), (index, text)
            assert judge(box, data["mistakes"], as_written(after, box[1])) == ("correct", [])
    assert judge(entry["updated.W_ih[0][0]"], data["mistakes"], "0.6999") == ("short", [])
    assert judge(entry["updated.W_ih[0][1]"], data["mistakes"], "0.6000") == ("short", [])
    assert judge(entry["updated.W_ih[0][1]"], data["mistakes"], "0.6") == \
        ("wrong", ["weights_frozen"])


def test_the_right_answer_names_nothing_on_any_box(default):
    """The exact value and the rounded-chain value at the places asked: correct, and no
    mistake named (the page judges correct first; this holds the data to it)."""
    ex, data, entry = default
    exact = check.engine_values(ex)
    for _, items in practice.fields(ex):
        for f in items:
            e = entry[f.answer]
            v = float(exact[f.key][f.index])
            assert judge(e, data["mistakes"], as_written(v, max(e[1], 4))) == ("correct", []), \
                f.answer


# --- collisions, measured on the 100 practice seeds -----------------------------------------


def collisions(seeds=range(1, practice.SEEDS + 1)) -> tuple[Counter, ...]:
    """Per kind: boxes where the page names it and it changes the value; of those, where
    its value (exact, written at the places the box asks) is judged correct (the student
    who made it is told "correct"); where it is named with other kinds (alternatives);
    and where more than 4 are (the page then names none: too many to tell apart)."""
    shown, right, shared, crowd = Counter(), Counter(), Counter(), Counter()
    for k in seeds:
        ex = practice.seed_example(k)
        data = practice.variant(ex, k)
        entry = boxes(ex, data)
        targets = check.targets(ex)
        for m in for_example(ex):
            values = m.values(ex)
            for key, value in values.items():
                for index in np.ndindex(np.shape(value)):
                    box = path(key, index)
                    if box not in entry or \
                            practice._section(key) > practice._section(m.stage) + practice.CARRY \
                            or (m.id.startswith("wrong_sign[") and key != m.stage):
                        continue  # not asked, or where the page does not name it
                    t = targets[key]
                    exact = float(t.exact[index])
                    v = float(np.asarray(value)[index])
                    if not np.isfinite(v) or np.isclose(v, exact, rtol=1e-12, atol=1e-15):
                        continue  # the same value, up to float noise: not a change here
                    shown[m.id] += 1
                    text = as_written(v, max(entry[box][1], 4))
                    verdict, named = judge(entry[box], data["mistakes"], text)
                    if verdict == "correct":
                        right[m.id] += 1
                    elif m.id in named and len(named) > 1:
                        shared[m.id] += 1
                        crowd[m.id] += len(named) > 4
    return shown, right, shared, crowd


#: The new kinds' collisions with the right answer on the 100 seeds, at most (measured
#: 29 Nov 2026: see the report; a kind whose value the page's precision cannot tell
#: from the right one there is simply not a mistake there).
NEW_KINDS = ("wrong_sign[dE_do_out]", "wrong_sign[dE_do_in]", "wrong_sign[dE_dW_ho]",
             "wrong_sign[dE_dh_out]", "wrong_sign[dE_dh_in]", "wrong_sign[dE_dW_ih]",
             "jacobian_off_sign", "swapped_outputs", "backprop_untransposed",
             "sigmoid_prime_h_only", "sigmoid_prime_one_minus_only", "no_activation_slope",
             "other_input", "other_hidden", "weights_frozen", "loss_before_update")


def test_collisions_on_the_seeds_are_measured_and_rare(capsys):
    shown, right, shared, crowd = collisions()
    with capsys.disabled():
        print("\nkind: boxes named / judged correct / with alternatives / more than 4 "
              "(100 practice seeds)")
        for kind in sorted(shown):
            print(f"  {kind}: {shown[kind]} / {right[kind]} / {shared[kind]} / {crowd[kind]}")
    for kind in NEW_KINDS:
        assert shown[kind] > 0, kind
        # x₁ close to x₂ (or h_out,1 to h_out,2) on a few seeds: the other input gives
        # nearly the right value; every other kind collides on under 3 % of its boxes
        assert right[kind] <= 0.06 * shown[kind], (kind, right[kind], shown[kind])
        assert crowd[kind] <= 0.05 * shown[kind], (kind, crowd[kind], shown[kind])
