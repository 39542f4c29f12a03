"""Every number on the article's pages stands under the label that names it.

The number checks prove that each number on a page is some engine value, and the
arithmetic check that each substituted line computes; neither sees a value written
under the wrong name (h_{in,2}'s value labelled h_{in,1}, example 2's x under x^{(1)},
W_{h_1o_2} for W_{h_2o_1}) when the line's arithmetic still holds. Here each label is
read as a reader reads it, its indices and example superscript included, and looked
up in a hand calculation of the step (tests/student.py: plain floats, textbook
formulas, written independently of the engine and of scripts/article.py):

- `LABEL = … = number`: the line's result is that label's value;
- `symbols = numbers` (a line written in symbols, then with numbers): each number is
  the value of the symbol in its place, and each constant (the 1 of 1 − h) itself;
- `LABEL = matrix`: every entry, in its row and column;
- the wrap-up's before → after table, and ReLU′'s case line (its condition must hold
  for the value it states, and give the derivative it writes).

A number is its label's value when it lies within half a unit of its own last written
place. The "zeros" example is checked against the engine's trace instead: its
h_{in,1} is exactly 0 as written, which the student's float sum misses by 1.4e-17, on
the other side of ReLU's kink.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages_inprocess as P  # noqa: E402  (puts tests/site on sys.path)
import student  # noqa: E402
from inprocess import shared_scope  # noqa: E402

import test_arithmetic as arithmetic  # noqa: E402  (tests/site)
from sitecheck import ARTICLE_PAGES, NUMBER, math_sources, parse_tokens  # noqa: E402

from backprop_core import load_example  # noqa: E402


@pytest.fixture(scope=shared_scope)
def pages(tmp_path_factory) -> P.InProcessSites:
    return P.InProcessSites(tmp_path_factory.mktemp("pages"))


# ---------------------------------------------------------------------------------------
# The reference: every value by hand


def reference(pages: P.InProcessSites, name: str, other: bool = False) -> dict[str, np.ndarray]:
    """Every value a label can name, from the student's hand calculation (the trace
    for "zeros", see the module docstring). `other`: the same step with the other
    hidden activation (ReLU, or sigmoid for a ReLU example), the conclusion's run."""
    ex = load_example(pages.example_file(name))
    if other:
        act = "sigmoid" if ex.network.hidden_activation == "relu" else "relu"
        ex = dataclasses.replace(ex, network=dataclasses.replace(ex.network,
                                                                 hidden_activation=act))
    if name == "zeros" and not other:
        tr = pages.trace(name)
        ref = {f"{part}.{k}": np.asarray(v, dtype=float)
               for part in ("forward", "backward", "gradients", "updated")
               for k, v in tr[part].items()}
        ref.update(loss=np.asarray(tr["loss"]), losses=np.asarray(tr["losses"]),
                   loss_after=np.asarray(tr["loss_after"]))
    else:
        ref = dict(student.work(ex))
    ref.update({"x": ex.x, "y": ex.y, "eta": np.asarray(ex.learning_rate),
                **{f"params.{k}": np.asarray(v) for k, v in ex.params.items()}})
    ref.update(_after(ex, ref))
    return ref


def _after(ex, ref: dict) -> dict[str, np.ndarray]:
    """The wrap-up's second forward pass, on the updated parameters (numpy, here)."""
    u = {k: ref[f"updated.{k}"] for k in ("W_ih", "b_h", "W_ho", "b_o")}
    h_in = ex.x @ u["W_ih"] + u["b_h"]
    act = ex.network.hidden_activation
    h_out = (1 / (1 + np.exp(-h_in)) if act == "sigmoid" else np.tanh(h_in) if act == "tanh"
             else np.maximum(h_in, 0.0))
    o_in = h_out @ u["W_ho"] + u["b_o"]
    if ex.network.output == "softmax_cross_entropy":
        z = np.exp(o_in - o_in.max(axis=1, keepdims=True))
        o_out = z / z.sum(axis=1, keepdims=True)
    else:
        o_out = 1 / (1 + np.exp(-o_in))
    return {"after.h_in": h_in, "after.h_out": h_out, "after.o_in": o_in, "after.o_out": o_out}


# ---------------------------------------------------------------------------------------
# Reading labels


_BRACED = r"[^{}]*(?:\{[^{}]*\}[^{}]*)*"
_SUP = r"(?:\^\{\((\d+)\)\})?"
ATOM = re.compile("|".join([
    rf"(?P<per>\\frac\{{\\partial E\}}\{{\\partial (W_\{{[ih]_\d+[ho]_\d+\}})\}}"
    rf"\\Big\|\^\{{\((\d+)\)\}})",
    rf"(?P<dfrac>\\frac\{{\\partial ({_BRACED})\}}\{{\\partial ({_BRACED})\}})",
    rf"(?P<actp>\\(?:sigma|tanh|operatorname\{{ReLU\}})'\(((?:[^()]|\(\d+\))*)\))",
    r"(?P<delta>\\Delta (W_\{[ih]_\d+[ho]_\d+\}|b_\{[ho]_\d+\}))",
    r"(?P<plus>(W_\{[ih]_\d+[ho]_\d+\}|b_\{[ho]_\d+\})\^\{\+\})",
    r"(?P<eafter>E_\{\\text\{after\}\})",
    r"(?P<ebefore>E_\{\\text\{before\}\})",
    r"(?P<lossn>L\^\{\((\d+)\)\})",
    r"(?P<w>W_\{([ih])_(\w+)\s*([ho])_(\w+)\})",
    r"(?P<b>b_\{([ho])_(\w+)\})",
    rf"(?P<unit>(?<![\\\w])([xyho]){_SUP}_(?:\{{(?:(in|out),)?(\w+)\}}|(\w)))",
    r"(?P<eta>\\eta)",
    r"(?P<e>(?<![\\\w])E(?![\w^_]))",
    NUMBER.pattern,
]))
UNRESOLVED = object()


def _unit(text: str, ref: dict):
    """x_{2}, y^{(1)}_1, h_{in,1}, o^{(2)}_{out,3} → its value (UNRESOLVED if an index
    is a letter: a symbol for any unit, not one value)."""
    m = re.fullmatch(rf"([xyho]){_SUP}_(?:\{{(?:(in|out),)?(\w+)\}}|(\w))", text.strip())
    if not m:
        return UNRESOLVED
    base, e, part, idx = m[1], m[2], m[3], m[4] or m[5]
    if not idx.isdigit() or (base in "ho") != bool(part):
        return UNRESOLVED
    e = int(e) - 1 if e else 0
    key = {"x": "x", "y": "y"}.get(base) or f"forward.{base}_{part}"
    return _at(ref[key], e, int(idx) - 1)


def _at(array, *idx):
    array = np.asarray(array)
    try:
        return float(array[idx])
    except IndexError:
        return UNRESOLVED


def _param(text: str, ref: dict, part: str = "params"):
    m = re.fullmatch(r"W_\{([ih])_(\w+)\s*([ho])_(\w+)\}", text.strip())
    if m and m[2].isdigit() and m[4].isdigit():
        return _at(ref[f"{part}.W_{m[1]}{m[3]}"], int(m[2]) - 1, int(m[4]) - 1)
    m = re.fullmatch(r"b_\{([ho])_(\w+)\}", text.strip())
    if m and m[2].isdigit():
        return _at(ref[f"{part}.b_{m[1]}"], int(m[2]) - 1)
    return UNRESOLVED


def _derivative(top: str, bottom: str, ref: dict):
    top, bottom = top.strip(), bottom.strip()
    if top == "E":
        if bottom.startswith(("W_", "b_")):
            return _param(bottom, ref, "gradients")
        m = re.fullmatch(rf"([ho]){_SUP}_\{{(in|out),(\d+)\}}", bottom)
        if not m:
            return UNRESOLVED
        e = int(m[2]) - 1 if m[2] else 0
        return _at(ref[f"backward.dE_d{m[1]}_{m[3]}"], e, int(m[4]) - 1)
    t = re.fullmatch(rf"([ho]){_SUP}_\{{(in|out),(\d+)\}}", top)
    if not t:
        return UNRESOLVED
    e, u = (int(t[2]) - 1 if t[2] else 0), int(t[4]) - 1
    b = re.fullmatch(rf"([ho]){_SUP}_\{{(in|out),(\d+)\}}", bottom)
    if b and (b[2] or None) == (t[2] or None) and b[1] == t[1] and (t[3], b[3]) == ("out", "in"):
        if t[1] == "o":
            return _at(ref["backward.do_out_do_in"], e, u, int(b[4]) - 1)
        return _at(ref["backward.dh_out_dh_in"], e, u) if u == int(b[4]) - 1 else 0.0
    w = re.fullmatch(r"W_\{([ih])_(\d+)\s*([ho])_(\d+)\}", bottom)
    if w and t[3] == "in":
        a, c = int(w[2]) - 1, int(w[4]) - 1
        if (t[1], w[3]) == ("o", "o"):
            return _at(ref["forward.h_out"], e, a) if c == u else 0.0
        if (t[1], w[3]) == ("h", "h"):
            return _at(ref["x"], e, a) if c == u else 0.0
    return UNRESOLVED


def atoms(segment: str, ref: dict) -> list[tuple[str, object]]:
    """The segment's labels and numbers in order: ("sym", value or UNRESOLVED) and
    ("num", Token)."""
    out = []
    for m in ATOM.finditer(segment):
        kind = m.lastgroup if m.lastgroup in {
            "per", "dfrac", "actp", "delta", "plus", "eafter", "ebefore", "lossn", "w", "b",
            "unit", "eta", "e"} else None
        text = m[0]
        if kind is None:  # a number
            out.append(("num", parse_tokens(text)[0]))
            continue
        if kind == "per":
            w = re.fullmatch(r"\\frac\{\\partial E\}\{\\partial W_\{([ih])_(\d+)([ho])_(\d+)\}\}"
                             r"\\Big\|\^\{\((\d+)\)\}", text)
            a, c, e = int(w[2]) - 1, int(w[4]) - 1, int(w[5]) - 1
            if w[1] == "h":
                value = _at(ref["forward.h_out"], e, a) * _at(ref["backward.dE_do_in"], e, c)
            else:
                value = _at(ref["x"], e, a) * _at(ref["backward.dE_dh_in"], e, c)
        elif kind == "dfrac":
            inner = re.fullmatch(rf"\\frac\{{\\partial ({_BRACED})\}}\{{\\partial ({_BRACED})\}}",
                                 text)
            value = _derivative(inner[1], inner[2], ref)
        elif kind == "actp":
            u = re.fullmatch(rf"h{_SUP}_\{{in,(\d+)\}}", text[text.index("'(") + 2:-1].strip())
            value = (_at(ref["backward.dh_out_dh_in"], int(u[1]) - 1 if u[1] else 0,
                         int(u[2]) - 1) if u else UNRESOLVED)
        elif kind == "delta":
            new, old = (_param(text[len("\\Delta "):], ref, part) for part in ("updated", "params"))
            value = UNRESOLVED if UNRESOLVED in (new, old) else new - old
        elif kind == "plus":
            value = _param(text[:-len("^{+}")], ref, "updated")
        elif kind in ("eafter", "ebefore", "e"):
            value = float(ref["loss_after" if kind == "eafter" else "loss"])
        elif kind == "lossn":
            value = _at(ref["losses"], int(re.search(r"\d+", text)[0]) - 1)
        elif kind in ("w", "b"):
            value = _param(text, ref)
        elif kind == "unit":
            value = _unit(text, ref)
        else:
            value = float(ref["eta"])
        out.append(("sym", value))
    return out


NOT_SYMBOLS = re.compile(r"\\(?:cdot|frac|tfrac|ln|sigma|tanh|operatorname\{ReLU\}|left|right|"
                         r"[bB]ig+|qquad|quad|times|,|;)|e\^|\\\\")


def numeric(segment: str) -> bool:
    """Only numbers and operators: no symbol a reader would read as a name."""
    rest = NOT_SYMBOLS.sub(" ", NUMBER.sub(" ", segment))
    return not re.search(r"[A-Za-z]", rest)


def shows(token, value: float) -> bool:
    """`token` is `value` to half a unit in its own last written place."""
    exponent = 0
    if token.scientific:
        exponent = int(token.text.split("{")[-1].rstrip("}"))
    half = 0.5 * 10.0 ** (exponent - token.decimals)
    return abs(token.value - value) <= half * (1 + 1e-9) + 1e-12


# ---------------------------------------------------------------------------------------
# The checks


VIA = re.compile(r"\\q?quad\s*\\text\{\(via.*?\)")
STATEMENTS = re.compile(r",\s*\\qquad|,\s*\\;\\;|\\qquad(?=\s*[A-Za-z\\])")


def statements(source: str) -> list[tuple[str, list]]:
    """A formula's statements (rows of an aligned block, continued rows joined; parts
    of a line separated by `, \\qquad`), each with the block's matrices."""
    block = source.strip()[2:-2]
    for wrapper in (r"\begin{aligned}", r"\end{aligned}"):
        block = block.replace(wrapper, " ")
    block = VIA.sub(" ", block)
    rows, matrices = arithmetic.rows_of(block)
    return [(part, matrices) for row in rows for part in STATEMENTS.split(row)]


MATRIX_NAMES = {
    "h_{in}": "forward.h_in", "h_{out}": "forward.h_out", "o_{in}": "forward.o_in",
    "o_{out}": "forward.o_out", r"\delta_o": "backward.dE_do_in",
    r"\delta_h": "backward.dE_dh_in",
    r"\frac{\partial E}{\partial h_{out}}": "backward.dE_dh_out",
    r"\frac{\partial E}{\partial W_{ho}}": "gradients.W_ho",
    r"\frac{\partial E}{\partial W_{ih}}": "gradients.W_ih",
    "W_{ho}^{+}": "updated.W_ho", "W_{ih}^{+}": "updated.W_ih",
    "b_o^{+}": "updated.b_o", "b_h^{+}": "updated.b_h",
    "x": "x", "y": "y", "W_{ih}": "params.W_ih", "W_{ho}": "params.W_ho", "b_h": "params.b_h",
    "b_o": "params.b_o", "h_{in}^{+}": "after.h_in", "h_{out}^{+}": "after.h_out",
    "o_{in}^{+}": "after.o_in", "o_{out}^{+}": "after.o_out",
}


def _matrix_value(label: str, ref: dict):
    label = label.strip().strip("&").strip()
    if label in MATRIX_NAMES:
        return np.atleast_2d(ref[MATRIX_NAMES[label]])
    delta = re.fullmatch(r"\\Delta (W_\{(?:ih|ho)\}|b_[ho])", label)
    if delta:
        key = delta[1].replace("{", "").replace("}", "")
        return np.atleast_2d(ref[f"updated.{key}"] - ref[f"params.{key}"])
    jac = re.fullmatch(r"\\frac\{\\partial o(?:\^\{\((\d+)\)\})?_\{out\}\}"
                       r"\{\\partial o(?:\^\{\((\d+)\)\})?_\{in\}\}", label)
    if jac and jac[1] == jac[2]:
        return ref["backward.do_out_do_in"][int(jac[1]) - 1 if jac[1] else 0]
    return None


def label_errors(source: str, ref: dict) -> tuple[int, list[str]]:
    """(numbers checked, numbers standing under a label whose value they are not)."""
    checked, wrong = 0, []
    for text, matrices in statements(source):
        segments = [s for s in text.split("=")]
        if len(segments) < 2:
            continue
        last = segments[-1].strip(" &,.\n")
        lhs = segments[0]
        # LABEL = … = MATRIX
        placeholder = arithmetic.PLACEHOLDER.fullmatch(last)
        if placeholder and matrices[int(placeholder[1])] is not None:
            value = _matrix_value(lhs, ref)
            shown = matrices[int(placeholder[1])][0]
            if value is not None and np.shape(value) == shown.shape:
                tokens = [t for row in arithmetic.MATRIX.findall(source) for t in []]  # noqa
                checked += shown.size
                half = matrices[int(placeholder[1])][1]
                bad = np.abs(shown - value) > half * (1 + 1e-9) + 1e-12
                if bad.any():
                    wrong.append(f"{lhs.strip()} = matrix: entries {np.argwhere(bad).tolist()}"
                                 f" are not its values {np.round(value, 6).tolist()}")
            elif value is not None:
                wrong.append(f"{lhs.strip()}: a {shown.shape} matrix for a "
                             f"{np.shape(value)} value")
            continue
        # LABEL = … = number
        left = atoms(lhs, ref)
        right = atoms(last, ref)
        if (len(left) == 1 and left[0][0] == "sym" and left[0][1] is not UNRESOLVED
                and len(right) == 1 and right[0][0] == "num"
                and right[0][1].text.strip() == last.strip().lstrip("-").strip()
                or (len(right) == 1 and right[0][0] == "num"
                    and right[0][1].text.strip() == last.strip())):
            if len(left) == 1 and left[0][0] == "sym" and left[0][1] is not UNRESOLVED:
                checked += 1
                if not shows(right[0][1], left[0][1]):
                    wrong.append(f"{lhs.strip()} = … = {last}: its value is {left[0][1]!r}")
        # symbols = numbers, place by place
        for sym, num in zip(segments, segments[1:]):
            a, b = atoms(sym, ref), atoms(num, ref)
            if (not a or len(a) != len(b) or not any(k == "sym" for k, _ in a)
                    or not numeric(num)
                    or any(v is UNRESOLVED for k, v in a if k == "sym")):
                continue
            for (kind, value), (_, token) in zip(a, b):
                checked += 1
                expect = value if kind == "sym" else value.value
                if not shows(token, expect):
                    wrong.append(f"{sym.strip()} = {num.strip()}: {token.text} stands where "
                                 f"{expect!r} belongs")
    return checked, wrong


RELU_CASE = re.compile(r"\\operatorname\{ReLU\}'\((h(?:\^\{\(\d+\)\})?_\{in,\d+\})\).*?"
                       r"\\quad \((-?[\d.]+(?: \\times 10\^\{-?\d+\})?) (>|\\le) 0\) = (\d+)",
                       re.S)


# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", P.ALL_EXAMPLES)
@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_every_number_stands_under_its_label(pages, name, page):
    ref = reference(pages, name)
    if page == "conclusion":  # its E before and after are the other activation's run
        other = reference(pages, name, other=True)
        ref.update(loss=other["loss"], loss_after=other["loss_after"])
    total, errors = 0, []
    for source in math_sources(pages.page(name, page)):
        checked, wrong = label_errors(source, ref)
        total += checked
        errors += wrong
    assert not errors, f"{name}/{page}: {len(errors)} numbers under the wrong label, " \
                       f"e.g. {errors[:4]}"
    if page not in ("index", "conclusion"):
        assert total >= 5, f"{name}/{page}: only {total} labelled numbers read"


@pytest.mark.parametrize("name", P.ALL_EXAMPLES)
def test_relu_cases_state_the_condition_that_holds(pages, name):
    ref = reference(pages, name)
    found = 0
    for source in math_sources(pages.page(name, "derivatives")):
        for m in RELU_CASE.finditer(source):
            label = re.fullmatch(rf"h{_SUP}_\{{in,(\d+)\}}", m[1])
            e, j = (int(label[1]) - 1 if label[1] else 0), int(label[2]) - 1
            h_in = _at(ref["forward.h_in"], e, j)
            token = parse_tokens(m[2])[0]
            assert shows(token, h_in), (m[0], h_in)
            assert (m[3] == ">") == (h_in > 0), m[0]
            assert int(m[4]) == (1 if h_in > 0 else 0), m[0]
            found += 1
    relu = load_example(pages.example_file(name)).network.hidden_activation == "relu"
    assert (found > 0) == relu


@pytest.mark.parametrize("name", P.ALL_EXAMPLES)
def test_wrap_up_puts_each_parameter_before_and_after_under_its_name(pages, name):
    """W_{ih}: before → after (frozen or not), and ΔW below it."""
    ref = reference(pages, name)
    sources = math_sources(pages.page(name, "wrap-up"))
    table = next(s for s in sources if r"\longrightarrow" in s)
    body = table.strip()[2:-2].replace(r"\begin{aligned}", " ").replace(r"\end{aligned}", " ")
    rows, matrices = arithmetic.rows_of(body)
    seen = set()
    for row in rows:
        m = re.match(r"\s*(W_\{ih\}|W_\{ho\}|b_h|b_o):\s*&\\quad\s*MAT(\d+)X"
                     r"\s*\\;\\longrightarrow\\;\s*MAT(\d+)X(.*)$", row.strip(), re.S)
        d = re.match(r"\s*&\\quad \\Delta (W_\{ih\}|W_\{ho\}|b_h|b_o) = MAT(\d+)X", row.strip())
        if m:
            key = m[1].replace("{", "").replace("}", "")
            for index, part in ((m[2], "params"), (m[3], "updated")):
                shown, half = matrices[int(index)]
                np.testing.assert_array_less(np.abs(shown - np.atleast_2d(ref[f"{part}.{key}"])),
                                             half * (1 + 1e-9) + 1e-12, err_msg=f"{name} {row}")
            frozen = key.startswith("b_") and not load_example(
                pages.example_file(name)).network.update_biases
            assert ("frozen" in m[4]) == frozen, row
            seen.add(key)
        elif d:
            key = d[1].replace("{", "").replace("}", "")
            shown, half = matrices[int(d[2])]
            change = np.atleast_2d(ref[f"updated.{key}"] - ref[f"params.{key}"])
            np.testing.assert_array_less(np.abs(shown - change), half * (1 + 1e-9) + 1e-12,
                                         err_msg=f"{name} {row}")
    assert seen == {"W_ih", "W_ho", "b_h", "b_o"}


def test_a_value_under_the_wrong_label_is_seen():
    """The reader of labels catches a swapped index, a wrong example and a wrong
    matrix entry, and passes the right ones (the default example, by hand: h_in =
    0.1·0.7 + 0.2·0.5 + 0.5 = 0.67 and 0.1·0.6 + 0.2·0.4 + 0.6 = 0.74)."""
    ref = {"x": np.array([[0.1, 0.2]]), "forward.h_in": np.array([[0.67, 0.74]]),
           "params.W_ih": np.array([[0.7, 0.6], [0.5, 0.4]]),
           "params.b_h": np.array([0.5, 0.6]), "eta": np.array(0.02)}
    good = (r"\[\begin{aligned} h_{in,1} &= x_{1} W_{i_1h_1} + x_{2} W_{i_2h_1} + b_{h_1}"
            r" \\[4pt] &= 0.1 \cdot 0.7 + 0.2 \cdot 0.5 + 0.5 = 0.67 \end{aligned}\]")
    assert label_errors(good, ref) == (6, [])
    assert label_errors(good.replace("h_{in,1} &", "h_{in,2} &"), ref)[1]
    assert label_errors(good.replace("W_{i_2h_1}", "W_{i_2h_2}"), ref)[1]
    assert label_errors(good.replace("x_{2}", "x^{(2)}_{2}"), ref)[0] < 6  # no such example
    matrix = r"\[h_{in} = \begin{bmatrix} %s & %s \end{bmatrix}\]"
    assert label_errors(matrix % ("0.67", "0.74"), ref) == (2, [])
    assert label_errors(matrix % ("0.74", "0.67"), ref)[1]
