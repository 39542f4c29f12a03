"""A basic accessibility pass over every page: alternative text, heading order, MathML
for screen readers, and text contrast in the light scheme (dark is checked with dark mode).
"""

from __future__ import annotations

from probe import explain


def _by_page(visits, check) -> dict[str, object]:
    return {v.page.path or "/": check(v) for v in visits if check(v)}


def test_figures_have_alternative_text(desktop_visits):
    missing = _by_page(desktop_visits, lambda v: v.look.images_without_alt
                       + v.look.svgs_without_name)
    assert missing == {}, "img without alt / svg without an accessible name" + explain(missing)


def _heading_problems(headings: list[tuple[int, str]]) -> list[str]:
    problems = []
    h1 = [text for level, text in headings if level == 1]
    if len(h1) != 1:
        problems.append(f"{len(h1)} h1 headings {h1}; expected exactly one")
    if headings and headings[0][0] != 1:
        problems.append(f"first heading is h{headings[0][0]} {headings[0][1]!r}, not h1")
    for (before, _), (level, text) in zip(headings, headings[1:]):
        if level > before + 1:
            problems.append(f"h{before} then h{level} {text!r}: skips a level")
    return problems


def test_heading_checker_catches_skips():
    assert _heading_problems([(1, "a"), (2, "b"), (3, "c"), (2, "d")]) == []
    assert _heading_problems([(1, "a"), (3, "b")]) != []
    assert _heading_problems([(1, "a"), (2, "b"), (1, "c")]) != []


def test_headings_in_order(desktop_visits):
    wrong = _by_page(desktop_visits, lambda v: _heading_problems(v.look.headings))
    assert wrong == {}, explain(wrong)


def test_every_formula_exposes_mathml(desktop_visits):
    missing = _by_page(desktop_visits, lambda v: v.look.assistive != v.look.containers
                       and f"{v.look.containers - v.look.assistive} of {v.look.containers} "
                           "formulas without mjx-assistive-mml")
    assert missing == {}, explain(missing)
def test_text_contrast_light(desktop_visits):
    low = _by_page(desktop_visits, lambda v: v.look.low_contrast)
    assert low == {}, explain(low)
