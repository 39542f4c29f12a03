"""Every substituted formula on the article pages is calculator-true.

The number checks prove each number is an engine value; this proves the numbers stand
in the right places, and that a reader with a calculator gets the page's result. In
`a = 0.5658 · 0.9 = 0.3395` a swapped weight would still be an engine value, but the
product would not match.

The rule is the site's one precision rule (`backprop_core.precision`, stated on the home
page under "How the numbers are shown"): **the numbers written on a line are taken as
exact, and only the result is rounded**. Each `=`-separated segment made only of numbers,
matrices and operators (·, +, −, fractions, e^{…}, ln, σ, tanh, ReLU, squares, matrix
products, transposes, ⊙) is evaluated on the numbers exactly as the page writes them,
and must round to the number (or every entry of the matrix) that follows it: strictly
within half a unit of its last written place. No allowance is made for rounded inputs,
and a line landing exactly halfway is a failure (it depends on a tie rule).

The arithmetic is exact: every written number is a fraction read from its digits
(``2.534 \\times 10^{-5}`` is 2534/10⁸), so +, −, · and / never pick up a float residue
that could agree with a float result; exp, ln, σ and tanh are worked in 60-digit
decimals and turned back into fractions.
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest

from sitecheck import ARTICLE_PAGES, EXAMPLES, NUMBER, math_sources, parse_tokens

ALL = (*EXAMPLES, "largest", "tiny", "zeros")
ROW = re.compile(r"\\\\(?:\[\d+pt\])?")
MATRIX = re.compile(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", re.S)
PLACEHOLDER = re.compile(r"MAT(\d+)X")
#: Digits for exp, ln, σ and tanh: far below any half unit a page writes, so that a
#: line's verdict never depends on how its transcendental part was rounded.
DIGITS = 60


def _decimal(x) -> Decimal:
    """An exact Fraction as a Decimal of DIGITS significant digits."""
    x = Fraction(x)
    with localcontext() as ctx:
        ctx.prec = DIGITS
        return Decimal(x.numerator) / Decimal(x.denominator)


def _fraction(d: Decimal) -> Fraction:
    return Fraction(d)


def _exp(x) -> Fraction:
    with localcontext() as ctx:
        ctx.prec = DIGITS
        return _fraction(_decimal(x).exp())


def _log(x) -> Fraction:
    with localcontext() as ctx:
        ctx.prec = DIGITS
        return _fraction(_decimal(x).ln())


def _sig(z) -> Fraction:
    return 1 / (1 + _exp(-Fraction(z)))


def _tanh(z) -> Fraction:
    e = _exp(2 * Fraction(z))
    return (e - 1) / (e + 1)


def _relu(z) -> Fraction:
    return max(Fraction(0), Fraction(z))


def _each(f):
    """`f` for a number, or entry by entry for a matrix (an object array)."""
    def apply(x):
        if isinstance(x, np.ndarray):
            return np.vectorize(f, otypes=[object])(x)
        return f(x)
    return apply


FUNCS = {name: _each(f) for name, f in
         {"exp": _exp, "log": _log, "sig": _sig, "tanh": _tanh, "relu": _relu}.items()}


def exact(token) -> Fraction:
    """A number exactly as the page writes it: ``-0.1234`` is -1234/10000 and
    ``2.534 \\times 10^{-5}`` is 2534/10⁸, never a float near it."""
    m = NUMBER.fullmatch(token.text.strip())
    value = Fraction(m["sign"] + m["digits"])
    return value * Fraction(10) ** int(m["exp"]) if m["exp"] is not None else value


def half_unit(token) -> Fraction:
    """Half a unit in the last written place of a number as the page writes it."""
    if token.scientific:
        exponent = int(token.text.split("{")[-1].rstrip("}"))
        return Fraction(1, 2) * Fraction(10) ** (exponent - token.decimals)
    return Fraction(1, 2) / 10 ** token.decimals


def read_matrix(body: str) -> tuple[np.ndarray, np.ndarray] | None:
    """A bmatrix body as (values, half units), exact, or None if an entry is not one
    number."""
    values, halves = [], []
    for row in ROW.split(body):
        vrow, hrow = [], []
        for cell in row.split("&"):
            tokens = parse_tokens(cell)
            if len(tokens) != 1 or tokens[0].text.strip() != cell.strip():
                return None
            vrow.append(exact(tokens[0]))
            hrow.append(half_unit(tokens[0]))
        values.append(vrow)
        halves.append(hrow)
    if len({len(r) for r in values}) != 1:
        return None
    return np.array(values, dtype=object), np.array(halves, dtype=object)


def to_python(segment: str, matrices: list) -> tuple[str, list] | None:
    """The segment as a Python expression over v[..] and M[..], or None if it is not
    arithmetic."""
    tokens = parse_tokens(segment)
    pieces, last = [], 0
    for i, m in enumerate(NUMBER.finditer(segment)):
        pieces += [segment[last:m.start()], f" v[{i}] "]
        last = m.end()
    expr = "".join(pieces) + segment[last:]
    expr = PLACEHOLDER.sub(lambda m: f" M[{m[1]}] ", expr)
    if any(matrices[int(i)] is None for i in re.findall(r"M\[(\d+)\]", expr)):
        return None
    for old, new in ((r"\Big/", "/"), (r"\left", ""), (r"\right", ""), (r"\bigg", ""),
                     (r"\Big", ""), (r"\big", ""), (r"\qquad", " "), (r"\,", " "),
                     (r"\;", " "), ("&", " "), (r"\cdot", "*"), (r"\odot", "*"),
                     (r"^\top", ".T"), (r"\ln", "log"), (r"\sigma", "sig"),
                     (r"\tanh", "tanh"), (r"\operatorname{ReLU}", "relu")):
        expr = expr.replace(old, new)
    while True:
        new = re.sub(r"\be\^\{([^{}]*)\}", r"exp(\1)", expr)
        new = re.sub(r"\\t?frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", new)
        if new == expr:
            break
        expr = new
    expr = expr.replace("^2", "**2")
    expr = re.sub(r"(M\[\d+\](?:\.T)?)\s+(?=M\[)", r"\1 @ ", expr)   # matrix product
    expr = re.sub(r"(v\[\d+\])\s+(?=M\[)", r"\1 * ", expr)            # scalar · matrix
    expr = re.sub(r"([\])])\s*\(", r"\1*(", expr)                     # implicit product
    bare = re.sub(r"\b(?:exp|log|sig|tanh|relu)\(|[vM]\[\d+\]|\.T\b", "", expr)
    if not (tokens or "M[" in expr) or re.search(r"[^\d\s+\-*/().@]", bare):
        return None
    return expr, tokens


def rows_of(block: str) -> tuple[list[str], list]:
    """Rows of an aligned block, each equation chain on one row (rows that begin with
    `&`, such as `&= 0.2457` or `&\\qquad + …`, continue the row above), with every
    matrix replaced by a placeholder MAT<i>X. Returns the rows and the matrices."""
    matrices: list = []

    def stash(m: re.Match) -> str:
        matrices.append(read_matrix(m[1]))
        return f" MAT{len(matrices) - 1}X "

    block = MATRIX.sub(stash, block)
    rows: list[str] = []
    for row in ROW.split(block):
        if row.strip().startswith("&") and rows:
            rows[-1] += " " + row.strip()[1:].replace(r"\qquad", " ")
        else:
            rows.append(row)
    return rows, matrices


def result_of(text: str, matrices: list):
    """The segment as a single written number or matrix: (values, half units) or None."""
    text = re.sub(r"\\q?quad\s*\\text\{.*$", "", text)  # a trailing label: (via o_1)
    text = text.strip(" &\n,.")
    found = PLACEHOLDER.fullmatch(text)
    if found:
        return matrices[int(found[1])]
    tokens = parse_tokens(text)
    if len(tokens) == 1 and tokens[0].text.strip() == text:
        return (np.array(exact(tokens[0]), dtype=object),
                np.array(half_unit(tokens[0]), dtype=object))
    return None


def check_page(latex_blocks: list[str]) -> tuple[int, list[str]]:
    checked, wrong = 0, []
    for block in latex_blocks:
        block = block.strip()[2:-2]  # the \[ … \] or \( … \) around every formula
        for wrapper in (r"\begin{aligned}", r"\end{aligned}"):
            block = block.replace(wrapper, " ")
        rows, matrices = rows_of(block)
        for row in rows:
            segments = row.split("=")
            for expr_text, result_text in zip(segments, segments[1:]):
                result = result_of(result_text, matrices)
                if result is None:
                    continue
                parsed = to_python(expr_text, matrices)
                if parsed is None or not re.search(r"[-+*/(@]|\.T", parsed[0].strip()):
                    continue  # not arithmetic, or a bare number (a restatement)
                expr, tokens = parsed
                values = [exact(t) for t in tokens]
                mats = [m[0] if m is not None else None for m in matrices]
                try:
                    # stripped: a display formula's first line starts with a newline,
                    # which Python would read as an indented (unparsable) expression
                    got = np.asarray(eval(expr.strip(), {"__builtins__": {}, **FUNCS},
                                          {"v": values, "M": mats}), dtype=object)
                except (ValueError, TypeError, SyntaxError):
                    continue  # shapes that do not combine: not a formula we read
                shown, half = result
                if got.shape != np.shape(shown):
                    continue
                checked += 1
                # exact: + − · / on the written numbers as fractions, exp and ln to 60
                # digits; strictly inside half a unit, so a line landing exactly
                # halfway fails
                if any(abs(Fraction(g) - Fraction(w)) >= h for g, w, h in
                       zip(got.ravel(), np.asarray(shown).ravel(), np.asarray(half).ravel())):
                    wrong.append(f"{expr_text.strip()} = {result_text.strip()} (evaluates to "
                                 f"{[float(g) for g in got.ravel()]})")
    return checked, wrong


@pytest.mark.parametrize("name", ALL)
def test_substitutions_are_calculator_true(sites, name):
    total = 0
    for page in ARTICLE_PAGES:
        checked, wrong = check_page(math_sources(sites.page(name, page)))
        assert not wrong, f"{name}/{page}: {len(wrong)} lines, e.g. {wrong[:3]}"
        total += checked
        if page in ("forward", "output-layer", "hidden-layer"):
            assert checked >= 5, f"{name}/{page}: only {checked} substitutions recognised"
    assert total >= 20


def test_the_checker_holds_lines_to_the_shown_inputs():
    # The issue's own examples: each result is the exact value rounded, but a calculator
    # given the numbers as written gets another last digit.
    assert check_page([r"\[-\frac{1}{0.4342} = -2.3029\]"])[1]
    assert check_page([r"\[0.5 - 0.02 \cdot 0.0051 = 0.5 - 1.013 \times 10^{-4}"
                       r" = 0.4999\]"]) == (1, [])
    assert check_page([r"\[-0.02 \cdot 0.0051 = -1.013 \times 10^{-4}\]"])[1]
    assert check_page([r"\[-\frac{1}{0.43417} = -2.3032\]"]) == (1, [])
    checked, wrong = check_page([r"\[x &= (-0.5658) \cdot 0.9 = -0.2263\]"])
    assert checked == 1 and wrong


def test_the_checker_is_exact_where_floats_agree_with_themselves():
    """Evaluated in floats, 123456789.123456789 + 0.000000002 and 123456789.123456790
    are the same number; the written numbers are not, and the line is two half units off."""
    assert check_page([r"\[123456789.123456789 + 0.000000002 = 123456789.123456790\]"])[1]
    assert check_page([r"\[123456789.123456789 + 0.000000002 = 123456789.123456791\]"]) \
        == (1, [])
    # exactly halfway, however a float would land: 0.1 + 0.2 + 0.05 = 0.35 written 0.3
    assert check_page([r"\[0.1 + 0.2 + 0.05 = 0.3\]"])[1]
    assert check_page([r"\[0.1 + 0.2 + 0.049 = 0.3\]"]) == (1, [])
    # the transcendental part to 60 digits: σ(0) = 0.5 exactly, e^{0} = 1
    assert check_page([r"\[\sigma(0) \cdot 3 = 1.5\]"]) == (1, [])
    assert check_page([r"\[\sigma(0) \cdot 3 = 1.4\]"])[1]


def _plant(source: str) -> str:
    """The block with the last digit of its last number changed by one (no carry)."""
    numbers = list(NUMBER.finditer(source))
    last = numbers[-1]
    digit = last["digits"][-1]
    new = last[0][:-1] + ("8" if digit == "9" else str(int(digit) + 1)) \
        if last["exp"] is None else last[0]
    assert new != last[0], f"no digit to change in {last[0]!r}"
    return source[:last.start()] + new + source[last.end():]


def test_a_last_digit_error_planted_in_a_built_page_fails(sites):
    """The default layer-1 page, as built, then with one result's last digit off: the
    chain-rule line and the δ_h line each, in a copy of the page."""
    sources = math_sources(sites.page("default", "hidden-layer"))
    assert check_page(sources)[1] == []
    targets = [i for i, src in enumerate(sources)
               if re.search(r"\\end\{aligned\}\s*\\\]\s*$", src) and r"\cdot" in src
               and check_page([src])[0] >= 1 and "bmatrix" not in src.split("=")[-1]]
    assert len(targets) >= 3, "too few substituted blocks to plant an error in"
    for i in targets:
        planted = sources[:i] + [_plant(sources[i])] + sources[i + 1:]
        checked, wrong = check_page(planted)
        assert wrong, f"a changed last digit went unnoticed in {sources[i][-120:]!r}"


def test_the_checker_refuses_a_line_exactly_halfway():
    # The check page's W_{h1o1} row: the shown gradients differ by exactly 1.25e-10,
    # which is not 1.2e-10 (nor, for a reader rounding halves to even, surely 1.3e-10).
    assert check_page([r"\[0.374256653113 - 0.374256652988 = 1.2 \times 10^{-10}\]"])[1]
    assert check_page([r"\[0.25 + 0.5 = 0.8\]"])[1]
    assert check_page([r"\[0.251 + 0.5 = 0.8\]"]) == (1, [])


def test_the_checker_reads_a_one_line_display_formula_at_ten_decimals():
    """A display formula is a newline, then the line; at 10 decimals the last digit
    still counts (both were missed before)."""
    assert check_page(["\\[\n0.2910279239 - 0.2910277737 = 0.0000001502,\n\\]"]) == (1, [])
    checked, wrong = check_page(["\\[\n0.2910279239 - 0.2910277737 = 0.0000001503,\n\\]"])
    assert checked == 1 and len(wrong) == 1


def test_the_checker_reads_continued_rows_and_matrices():
    ok = (r"\[\begin{aligned} h &= a + b \\[4pt] &= 0.1 \cdot 0.7 + 0.2 \cdot 0.5"
          r" \\ &\qquad + 0.5 \\ &= 0.67 \end{aligned}\]")
    assert check_page([ok]) == (1, [])
    product = (r"\[\begin{aligned} h &= \begin{bmatrix} 0.1 & 0.2 \end{bmatrix}"
               r" \begin{bmatrix} 0.7 & 0.6 \\ 0.5 & 0.4 \end{bmatrix} \\[4pt]"
               r" &\qquad + \begin{bmatrix} 0.5 & 0.6 \end{bmatrix} \\[4pt]"
               r" &= \begin{bmatrix} 0.67 & %s \end{bmatrix} \end{aligned}\]")
    assert check_page([product % "0.74"]) == (1, [])
    assert check_page([product % "0.75"])[1]
    update = (r"\[\begin{aligned} W' &= \begin{bmatrix} 0.6 \\ 0.5 \end{bmatrix}"
              r" - 0.02 \begin{bmatrix} 0.0051 \\ -0.0024 \end{bmatrix}"
              r" = \begin{bmatrix} %s \\ 0.5000 \end{bmatrix} \end{aligned}\]")
    assert check_page([update % "0.5999"]) == (1, [])
    assert check_page([update % "0.6000"])[1]


def test_published_and_check_pages_are_calculator_true(sites):
    """The 2018 and Mazur pages (their own fixed examples) and the check page, too: the
    engine's lines and the rebuilt lines of the originals' own arithmetic alike."""
    total = 0
    for page in ("hand-calculation-2018", "mazur-2015", "check"):
        checked, wrong = check_page(math_sources(sites.page("default", page)))
        assert not wrong, f"default/{page}: {len(wrong)} lines, e.g. {wrong[:3]}"
        total += checked
    assert total >= 5
