"""The figures read as a reader reads them: each number by the label beside it.

tests/test_figures.py finds each number of the network diagrams by its `data-key`, the
key the drawing code gave it; a value drawn under the wrong visible label (the "in"
row showing the output, node h₂'s title over h₁'s values, the edge named x₁→h₂
carrying W_i₂h₁) keeps its key and passes there. Here no key is read: every number is
found by what stands beside it on the canvas and looked up in a hand calculation of
the step (tests/student.py, via test_pages_labels.reference):

- network and gradient diagrams: each node box by its title (x₁, h₂, o₃, E) and each
  row by its label (x, in, out, y, ∂in, ∂out, E, ∂E), the bias under the box by its
  "b" or "∂b", each edge number by the edge name beside it (x₂→h₁), the column heads'
  activation and output names, the batch note;
- the loss chart: its annotations and title (this step's E before → after, the last
  step's E, the number of steps, η), the training run worked by the student step by
  step;
- the vanishing chart: each marked h_in's σ′ annotation by its unit (and example),
  each bar's number by its layer (the tick label under its group) and its activation
  (the legend's order);
- every figure's alternative text and caption, by the words before each number.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages_inprocess as P  # noqa: E402  (puts scripts/ and tests/site on sys.path)
import student  # noqa: E402
import test_figures as tf  # noqa: E402
import test_pages_labels as labels  # noqa: E402
from inprocess import shared_scope  # noqa: E402

from backprop_core import Params, load_example  # noqa: E402

figures = P.figures
SVG = "{http://www.w3.org/2000/svg}"
#: Every example whose step the student works (not "zeros": see test_pages_labels).
NAMES = ("default", "batch-3-4-3", "relu", "mazur-2015", "tiny", "tanh-batch", "mse-batch",
         "mse-tanh")
_SUB = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


@pytest.fixture(scope=shared_scope)
def pages(tmp_path_factory) -> P.InProcessSites:
    return P.InProcessSites(tmp_path_factory.mktemp("pages"))


@pytest.fixture(scope=shared_scope, params=NAMES)
def case(request, pages):
    name = request.param
    path = pages.example_file(name)
    ex = load_example(path)
    figs = P.per_mutant(("figures", name, path.read_text(encoding="utf-8")),
                        lambda: figures.render(ex))
    return name, ex, figs, labels.reference(pages, name)


def close(text: str, value: float) -> bool:
    """`text` (as a figure writes it: −0.1234, 2.5×10⁻⁵) is `value` to half a unit in
    its own last place."""
    shown, half = tf.parse(text)
    return abs(shown - value) <= half * (1 + 1e-9) + 1e-15


# ---------------------------------------------------------------------------------------
# Reading the network diagrams by their visible labels


def _texts(svg: str) -> list[dict]:
    out = []
    for t in ET.fromstring(svg).iter(f"{SVG}text"):
        out.append({"text": "".join(t.itertext()), "x": float(t.get("x")),
                    "y": float(t.get("y")), "cls": t.get("class", "").split()})
    return out


def read_diagram(svg: str) -> dict[tuple[str, str], str]:
    """(node title or edge name, row label) → the number shown there, read by geometry:
    rows inside a node box (label and number on one line), the bias line under it,
    and each edge's number with the edge name beside it (above it, or just left)."""
    root = ET.fromstring(svg)
    texts = _texts(svg)
    boxes = [{k: float(r.get(k)) for k in ("x", "y", "width", "height")}
             for r in root.iter(f"{SVG}rect") if r.get("class") == "node"]
    found: dict[tuple[str, str], str] = {}

    def inside(t, b, below=0.0):
        return (b["x"] <= t["x"] <= b["x"] + b["width"]
                and b["y"] <= t["y"] <= b["y"] + b["height"] + below)

    for b in boxes:
        mine = [t for t in texts if inside(t, b)]
        title = [t["text"] for t in mine if "title" in t["cls"]]
        assert len(title) == 1, f"a node box with titles {title}"
        for lab in (t for t in mine if "label" in t["cls"]):
            nums = [t for t in mine if "num" in t["cls"] and abs(t["y"] - lab["y"]) < 1]
            assert len(nums) == 1, (title, lab["text"])
            found[(title[0], lab["text"])] = nums[0]["text"]
        under = [t for t in texts if inside(t, b, below=figures.LINE + 4)
                 and t["y"] > b["y"] + b["height"]]
        bias = [t for t in under if t["cls"] == ["bias"]]
        if bias:
            nums = [t for t in under if "num" in t["cls"] and abs(t["y"] - bias[0]["y"]) < 1]
            assert len(nums) == 1, title
            found[(title[0], bias[0]["text"])] = nums[0]["text"]
    names = [t for t in texts if "edge-name" in t["cls"]]
    for num in (t for t in texts if "edge-num" in t["cls"]):
        # the name written just above the number, in its column (the labels stand in a
        # column between the layers: a name, its number under it, the next name)
        above = [n for n in names if 0 < num["y"] - n["y"] <= figures.LINE + 2
                 and abs(n["x"] - num["x"]) < 2 * figures.FONT]
        near = above or sorted(names, key=lambda n: (abs(n["y"] - num["y"]) > figures.FONT + 2,
                                                     abs(n["x"] - num["x"]) + abs(n["y"] - num["y"])))
        key = (near[0]["text"], "")
        assert key not in found, f"two numbers under the edge name {key[0]}"
        found[key] = num["text"]
    return found


def expected_diagram(ex, ref: dict, grads: bool) -> dict[tuple[str, str], float]:
    """What each visible label must show: node values of example 1, edges the batch's."""
    z = ex.sizes
    sub = lambda i: str(i + 1).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))  # noqa
    out = {}
    for i in range(z["n_in"]):
        out[(f"x{sub(i)}", "x")] = ref["x"][0, i]
    for unit, n, part in (("h", z["n_hidden"], "h"), ("o", z["n_out"], "o")):
        for j in range(n):
            title = f"{unit}{sub(j)}"
            # rows written as the article writes them: h with the subscript "in"
            if grads:
                out[(title, f"∂{part}in")] = ref[f"backward.dE_d{part}_in"][0, j]
                out[(title, f"∂{part}out")] = ref[f"backward.dE_d{part}_out"][0, j]
                out[(title, "∂b")] = ref[f"gradients.b_{part}"][j]
            else:
                out[(title, f"{part}in")] = ref[f"forward.{part}_in"][0, j]
                out[(title, f"{part}out")] = ref[f"forward.{part}_out"][0, j]
                out[(title, "b")] = ref[f"params.b_{part}"][j]
                if unit == "o":
                    out[(title, "y")] = ref["y"][0, j]
    out[("E", "E")] = float(ref["loss"])
    if grads:
        out[("E", "∂E")] = 1.0
    group = "gradients" if grads else "params"
    for a in range(z["n_in"]):
        for j in range(z["n_hidden"]):
            out[(f"Wi{sub(a)}h{sub(j)}", "")] = ref[f"{group}.W_ih"][a, j]
    for j in range(z["n_hidden"]):
        for k in range(z["n_out"]):
            out[(f"Wh{sub(j)}o{sub(k)}", "")] = ref[f"{group}.W_ho"][j, k]
    return out


@pytest.mark.parametrize("view", ["network", "gradients"])
def test_every_diagram_number_is_its_labels_value(case, view):
    name, ex, figs, ref = case
    for scheme in figures.SCHEMES:
        shown = read_diagram(figs[view].svg[scheme])
        expected = expected_diagram(ex, ref, view == "gradients")
        assert set(shown) == set(expected), (name, view, set(shown) ^ set(expected))
        wrong = [(label, shown[label], float(v)) for label, v in expected.items()
                 if not close(shown[label], float(v))]
        assert not wrong, f"{name}/{view}/{scheme}: {wrong[:5]}"


def test_diagram_heads_and_notes_name_this_example(case):
    name, ex, figs, _ = case
    act = {"sigmoid": "sigmoid", "relu": "ReLU", "tanh": "tanh"}[ex.network.hidden_activation]
    out = "softmax" if ex.network.output == "softmax_cross_entropy" else "sigmoid"
    m = ex.sizes["m"]
    for view in ("network", "gradients"):
        words = [t["text"] for t in _texts(figs[view].svg["light"])]
        # (the head writes the activation's key, "relu", where the pages write ReLU)
        assert [w.lower() for w in words].count(f"hidden ({act.lower()})") == 1, words
        assert words.count(f"outputs ({out})") == 1
        assert "inputs" in words and "loss" in words
        note = [w for w in words if w.startswith("node values")]
        assert note == ([f"node values: example 1 of {m}; edge values: the whole batch"]
                        if m > 1 else []), (name, note)


def test_the_diagram_reader_sees_a_value_under_the_wrong_label(case):
    """Swapping two numbers (the "in" and "out" rows of h₁), two node titles or two
    edge names in the SVG is seen."""
    name, ex, figs, ref = case
    svg = figs["network"].svg["light"]
    expected = expected_diagram(ex, ref, False)

    def wrong(text: str) -> bool:
        shown = read_diagram(text)
        return set(shown) != set(expected) or any(
            not close(shown[k], float(v)) for k, v in expected.items())

    assert not wrong(svg)
    # the rows are h with a lowered "in" / "out" (a <tspan>), as the article writes them
    rows = re.findall(r'<tspan class="sub" dy="3">(in|out)</tspan>', svg)
    assert rows
    same = close(read_diagram(svg)[("h₁", "hin")], float(expected[("h₁", "hout")]))
    swapped = svg.replace('">in</tspan>', '">@@</tspan>', 1).replace(
        '">out</tspan>', '">in</tspan>', 1)
    assert wrong(swapped.replace('">@@</tspan>', '">out</tspan>', 1)) or same  # ReLU: in = out
    if ex.sizes["n_hidden"] > 1:
        titles = svg.replace(">h₁</text>", ">@@</text>").replace(">h₂</text>", ">h₁</text>")
        assert wrong(titles.replace(">@@</text>", ">h₂</text>"))
        edges = svg.replace('">h₁o₁</tspan>', '">@@</tspan>').replace(
            '">h₂o₁</tspan>', '">h₁o₁</tspan>')
        assert '">@@</tspan>' in edges
        assert wrong(edges.replace('">@@</tspan>', '">h₂o₁</tspan>')) or \
            np.isclose(ref["params.W_ho"][0, 0], ref["params.W_ho"][1, 0])


# ---------------------------------------------------------------------------------------
# The charts


def student_run(ex, steps: int) -> list[float]:
    """The loss at each of `steps` steps of gradient descent, and after the last, each
    step worked by the student from the parameters the step before left."""
    losses = []
    for _ in range(steps):
        worked = student.work(ex)
        losses.append(float(worked["loss"]))
        ex = dataclasses.replace(ex, params=Params(**{
            k: np.asarray(worked[f"updated.{k}"]) for k in ("W_ih", "b_h", "W_ho", "b_o")}))
    losses.append(float(student.work(ex)["loss"]))
    return losses


def chart_texts(svg: str) -> list[str]:
    return [t["text"] for t in _texts_any(svg)]


def _texts_any(svg: str) -> list[dict]:
    """Every text of a matplotlib SVG with its position (x, y attributes, or the
    translate() of a rotated text)."""
    out = []
    for t in ET.fromstring(svg).iter(f"{SVG}text"):
        x = t.get("x")
        if x is None:
            move = re.search(r"translate\(([-\d.]+)[ ,]+([-\d.]+)\)", t.get("transform", ""))
            x, y = move[1], move[2]
        else:
            y = t.get("y")
        out.append({"text": "".join(t.itertext()), "x": float(x), "y": float(y)})
    return out


def test_the_loss_chart_says_what_the_run_did(case):
    name, ex, figs, ref = case
    steps = ex.train_steps
    run = student_run(ex, steps)
    for scheme in figures.SCHEMES:
        words = chart_texts(figs["loss"].svg[scheme])
        step = [re.fullmatch(r"this page's step: E (\S+) → (\S+)", w) for w in words]
        step = [m for m in step if m]
        assert len(step) == 1, words
        assert close(step[0][1], run[0]) and close(step[0][2], run[1]), (name, step[0][0])
        end = [m for m in (re.fullmatch(r"after (\d+) steps: E (\S+)", w) for w in words) if m]
        assert len(end) == 1 and int(end[0][1]) == steps and close(end[0][2], run[-1]), \
            (name, end[0][0] if end else words)
        title = [m for m in (re.fullmatch(r"Loss over (\d+) steps, learning rate η = (\S+)", w)
                             for w in words) if m]
        assert len(title) == 1 and int(title[0][1]) == steps
        assert close(title[0][2], ex.learning_rate)
    alt = figs["loss"].alt
    m = re.search(r"loss over (\d+) gradient-descent steps at learning rate (\S+): from (\S+) "
                  r"to (\S+)\. .* marked: (\S+) to (\S+)\.$", alt)
    assert m, alt
    assert int(m[1]) == steps and close(m[2], ex.learning_rate)
    for text, value in zip(m.groups()[2:], (run[0], run[-1], run[0], run[1])):
        assert close(text, value), (name, alt)
    assert figs["loss"].caption == f"The loss over {steps} steps of gradient descent."


def layer_means(ex) -> dict[str, tuple[float, float]]:
    """mean |∂E/∂W_ho| and mean |∂E/∂W_ih| with each hidden activation, by the student."""
    out = {}
    for act in ("sigmoid", "relu", "tanh"):
        other = dataclasses.replace(ex, network=dataclasses.replace(ex.network,
                                                                    hidden_activation=act))
        w = student.work(other)
        out[act] = (float(np.mean(np.abs(w["gradients.W_ho"]))),
                    float(np.mean(np.abs(w["gradients.W_ih"]))))
    return out


def test_the_vanishing_chart_puts_each_number_under_its_name(case):
    name, ex, figs, ref = case
    means = layer_means(ex)
    h_in = ref["forward.h_in"]
    m, n_h = h_in.shape
    for scheme in figures.SCHEMES:
        texts = _texts_any(figs["vanishing"].svg[scheme])
        words = [t["text"] for t in texts]
        marks = [re.fullmatch(r"h([₁-₉])(?: \(ex\. (\d+)\))?: σ′\((\S+)\) = (\S+)", w)
                 for w in words]
        marks = [mk for mk in marks if mk]
        assert len(marks) == (h_in.size if h_in.size <= 4 else 0), (name, words)
        for mk in marks:
            j = int(mk[1].translate(_SUB)) - 1
            assert (mk[2] is None) == (m == 1), mk[0]
            e = int(mk[2]) - 1 if mk[2] else 0
            z = h_in[e, j]
            s = 1 / (1 + np.exp(-z))
            assert close(mk[3], z) and close(mk[4], s * (1 - s)), (name, mk[0], z)
        # the bars: grouped under their tick label, in the legend's order
        ticks = sorted((t for t in texts if t["text"] in ("hidden→output", "input→hidden")),
                       key=lambda t: t["x"])
        legend = [t["text"].replace(" (this example)", "") for t in sorted(
            (t for t in texts if t["text"].replace(" (this example)", "")
             in ("sigmoid", "ReLU", "tanh")), key=lambda t: t["y"])]
        this = [t["text"] for t in texts if t["text"].endswith(" (this example)")]
        act_label = {"sigmoid": "sigmoid", "relu": "ReLU", "tanh": "tanh"}
        assert this == [f"{act_label[ex.network.hidden_activation]} (this example)"]
        assert len(ticks) == 2 and len(legend) == 3
        tick_x = [t["x"] for t in ticks]
        bars = [t for t in texts if tf._NUMBER.match(t["text"]) and t["y"] < 240
                and t["x"] > tick_x[0] - 40 and not t["text"].startswith("10")]
        bars = sorted(bars, key=lambda t: t["x"])
        assert len(bars) == 6, (name, [b["text"] for b in bars])
        back = {v: k for k, v in act_label.items()}
        for g, tick in enumerate(ticks):
            layer = 0 if tick["text"] == "hidden→output" else 1
            for act, bar in zip(legend, bars[3 * g:3 * g + 3]):
                assert close(bar["text"], means[back[act]][layer]), \
                    (name, tick["text"], act, bar["text"], means[back[act]][layer])
    alt = figs["vanishing"].alt
    marked = re.search(r"h_in marked at (.*?)\. Right", alt)[1].split(", ")
    assert len(marked) == h_in.size and all(close(t, v) for t, v in zip(marked, h_in.ravel()))
    for act in ("sigmoid", "relu", "tanh"):
        m_ = re.search(rf"{act_label[act]} (\S+) \(W_ho\) and (\S+) \(W_ih\)", alt)
        assert m_ and close(m_[1], means[act][0]) and close(m_[2], means[act][1]), (act, alt)


def test_the_diagrams_alt_texts_name_their_values(case):
    name, ex, figs, ref = case
    z = ex.sizes
    act = {"sigmoid": "sigmoid", "relu": "ReLU", "tanh": "tanh"}[ex.network.hidden_activation]
    alt = figs["network"].alt
    assert f"{z['n_in']} inputs, {z['n_hidden']} hidden units ({act}), {z['n_out']} outputs" \
        in alt
    assert ("(node values for the first of the {} examples)".format(z["m"]) in alt) == \
        (z["m"] > 1)
    m = re.search(r"h_out = (.*?); o_out = (.*?); loss E = (\S+)\.$", alt)
    assert m, alt
    for part, key in ((m[1], "forward.h_out"), (m[2], "forward.o_out")):
        values = part.split(", ")
        assert len(values) == ref[key].shape[1]
        assert all(close(t, v) for t, v in zip(values, ref[key][0])), (name, key, part)
    assert close(m[3], float(ref["loss"]))
    grads = np.concatenate([ref["gradients.W_ho"].ravel(), ref["gradients.W_ih"].ravel()])
    # the largest in size: either sign where two tie (softmax's columns are opposite)
    largest = grads[np.abs(grads) >= np.abs(grads).max() * (1 - 1e-12)]
    g = re.search(r"largest in size is (\S+)\.$", figs["gradients"].alt)
    assert g and any(close(g[1], v) for v in largest), (name, figs["gradients"].alt, largest)


def test_the_cache_keeps_the_most_recent_entries(tmp_path):
    """KEEP_CACHE_ENTRIES drawings stay, the least recently used beyond them go."""
    import os

    keep = figures.KEEP_CACHE_ENTRIES
    assert keep == 32
    for i in range(keep + 2):
        entry = tmp_path / f"entry-{i:02d}"
        entry.mkdir()
        (entry / "figures.json").write_text("{}", encoding="utf-8")
        os.utime(entry / "figures.json", (1000 + i, 1000 + i))
    (tmp_path / "not-an-entry").mkdir()
    figures._prune(tmp_path)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([f"entry-{i:02d}" for i in range(2, keep + 2)] + ["not-an-entry"])


def _fill(svg: str, cls: list[str]) -> str:
    """The fill the SVG's own style sheet gives a text of these classes (last rule wins)."""
    style = "".join(ET.fromstring(svg).find(f"{SVG}style").itertext())
    fill = ""
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", style):
        for sel in selectors.split(","):
            names = [n for n in sel.strip().split(".") if n]
            if names and all(n in cls for n in names) and "fill:" in body:
                fill = re.search(r"fill:([^;]+)", body)[1]
    return fill


def test_the_bias_numbers_have_the_colour_the_legend_gives_them(case):
    """READER4: the gradients legend says biases are red, but ∂b was drawn grey."""
    name, ex, figs, _ = case
    for view, says in (("gradients", "red: gradients"), ("network", "grey: targets y, biases")):
        svg = figs[view].svg["light"]
        texts = _texts(svg)
        legend = [t["text"] for t in texts if says in t["text"]]
        assert len(legend) == 1 and legend[0].rstrip().split(",")[-1].strip().startswith("biases"), \
            (view, legend)
        grads = [t for t in texts if "num" in t["cls"] and "bwd" in t["cls"]]
        bias_labels = [t for t in texts if t["cls"] == ["bias"]]
        assert bias_labels, view
        for lab in bias_labels:
            num = next(t for t in texts if "num" in t["cls"] and abs(t["y"] - lab["y"]) < 1
                       and t["x"] > lab["x"])
            want = _fill(svg, grads[0]["cls"]) if view == "gradients" else _fill(svg, ["muted"])
            assert _fill(svg, num["cls"]) == want, (name, view, lab["text"], num)
