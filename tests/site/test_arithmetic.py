"""Every substituted formula on the article pages evaluates to the value printed after it.

The number checks prove each number is an engine value; this proves the numbers stand
in the right places: in `a = 0.5658 · 0.9 = 0.3395` a swapped weight would still be an
engine value, but the product would not match. Each `=`-separated segment made only of
numbers and operators (·, +, −, fractions, e^{…}, ln, σ, tanh, ReLU, squares) is
evaluated with the page's own rounded numbers and compared with the number that follows
it, within the rounding the displayed inputs and result allow.
"""

from __future__ import annotations

import math
import re

import pytest

from sitecheck import (ARTICLE_PAGES, EXAMPLES, NUMBER, decimals_of, math_sources,
                       parse_tokens)

ALL = (*EXAMPLES, "largest", "tiny")
ROW = re.compile(r"\\\\(?:\[\d+pt\])?")
CONTINUATION = re.compile(r"^\s*&\\qquad \+")
FUNCS = {"exp": math.exp, "log": math.log, "sig": lambda z: 1 / (1 + math.exp(-z)),
         "tanh": math.tanh, "relu": lambda z: max(0.0, z)}


def half_unit(token, d: int) -> float:
    """How far the true value may lie from a displayed number."""
    if token.scientific:
        exponent = int(token.text.split("{")[-1].rstrip("}"))
        return 0.5 * 10.0 ** (exponent - token.decimals)
    return 0.5 * 10.0 ** (-d) if token.decimals >= d else 0.0


def to_python(segment: str) -> tuple[str, list] | None:
    """The segment as a Python expression over v[0..], or None if it is not arithmetic."""
    tokens = parse_tokens(segment)
    pieces, last = [], 0
    for i, m in enumerate(NUMBER.finditer(segment)):
        pieces += [segment[last:m.start()], f" v[{i}] "]
        last = m.end()
    expr = "".join(pieces) + segment[last:]
    for old, new in ((r"\left", ""), (r"\right", ""), (r"\,", " "), (r"\;", " "),
                     ("&", " "), (r"\cdot", "*"), (r"\ln", "log"), (r"\sigma", "sig"),
                     (r"\tanh", "tanh"), (r"\operatorname{ReLU}", "relu")):
        expr = expr.replace(old, new)
    while True:
        new = re.sub(r"\be\^\{([^{}]*)\}", r"exp(\1)", expr)
        new = re.sub(r"\\t?frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", new)
        if new == expr:
            break
        expr = new
    expr = expr.replace("^2", "**2")
    expr = re.sub(r"([\])])\s*\(", r"\1*(", expr)   # implicit multiplication
    bare = re.sub(r"\b(?:exp|log|sig|tanh|relu)\(|v\[\d+\]", "", expr)
    if not tokens or re.search(r"[^\d\s+\-*/().]", bare):
        return None
    return expr, tokens


def joined_rows(block: str) -> list[str]:
    """Rows of an aligned block, with a long sum's continuation rows put back."""
    rows: list[str] = []
    for row in ROW.split(block):
        if CONTINUATION.match(row) and rows:
            rows[-1] += " + " + CONTINUATION.sub("", row, count=1)
        else:
            rows.append(row)
    return rows


def check_page(latex_blocks: list[str], d: int) -> tuple[int, list[str]]:
    checked, wrong = 0, []
    for block in latex_blocks:
        block = block.strip()[2:-2]  # the \[ … \] or \( … \) around every formula
        for wrapper in (r"\begin{aligned}", r"\end{aligned}"):
            block = block.replace(wrapper, " ")
        for row in joined_rows(block):
            segments = row.split("=")
            for expr_text, result_text in zip(segments, segments[1:]):
                result = parse_tokens(result_text)
                if len(result) != 1 or result[0].text.strip() != result_text.strip(" &\n"):
                    continue
                parsed = to_python(expr_text)
                if parsed is None or not re.search(r"[-+*/(]", parsed[0].strip()):
                    continue  # not arithmetic, or a bare number (a restatement)
                expr, tokens = parsed
                values = [t.value for t in tokens]
                got = eval(expr, {"__builtins__": {}, **FUNCS}, {"v": values})
                slack = half_unit(result[0], d) + 1e-12
                for i, t in enumerate(tokens):  # first-order effect of each rounded input
                    nudged = list(values)
                    nudged[i] += half_unit(t, d)
                    slack += abs(eval(expr, {"__builtins__": {}, **FUNCS}, {"v": nudged}) - got)
                checked += 1
                if abs(got - result[0].value) > 1.01 * slack:
                    wrong.append(f"{expr_text.strip()} = {result_text.strip()} "
                                 f"(evaluates to {got:.6g})")
    return checked, wrong


@pytest.mark.parametrize("name", ALL)
def test_substitutions_evaluate_to_the_shown_values(sites, name):
    d = decimals_of(sites, name)
    total = 0
    for page in ARTICLE_PAGES:
        checked, wrong = check_page(math_sources(sites.page(name, page)), d)
        assert not wrong, f"{name}/{page}: {wrong[:3]}"
        total += checked
        if page in ("forward", "output-layer", "hidden-layer"):
            assert checked >= 5, f"{name}/{page}: only {checked} substitutions recognised"
    assert total >= 20


def test_the_checker_catches_a_wrong_product():
    ok = [r"\[W' = 0.5 - 0.02 \cdot 0.0051 = 0.4999\]"]
    bad = [r"\[x &= (-0.5658) \cdot 0.9 = -0.2263\]"]
    assert check_page(ok, 4) == (1, [])
    checked, wrong = check_page(bad, 4)
    assert checked == 1 and wrong
