"""Each update line takes its gradient exactly as the page stated it.

`ΔW = −η ∂E/∂W` substitutes a number for ∂E/∂W; that number must have been written on
the page before, as the result of the line that computed the gradient (the chain rule
for the walk-through weight, the gradient matrix), with the same digits. A reader who
carries 0.0051 from above and meets 0.005067 in the update cannot follow the line.
"""

from __future__ import annotations

import re

import pytest

from sitecheck import EXAMPLES, math_sources

STEP = re.compile(r"\\Delta (\S+) &= -\\eta .*?\\\\\[4pt\]\s*&= - [\d.]+\s*"
                  r"(?:\\cdot \(?(-?[\d.]+)\)?|(\\begin\{bmatrix\}.*?\\end\{bmatrix\}))", re.S)


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("page", ["output-layer", "hidden-layer"])
def test_update_lines_use_the_gradient_as_shown_above(sites, name, page):
    blocks = math_sources(sites.page(name, page))
    text = "\n".join(blocks)
    found = 0
    for m in STEP.finditer(text):
        used = m[2] or m[3]
        earlier = text[:m.start()]
        # the same digits written earlier as a result: after "=" (a number), or as a
        # whole matrix
        if m[2]:
            assert re.search(r"=\s*" + re.escape(used) + r"(?![\d])", earlier), \
                f"{name}/{page}: ΔW uses {used}, never stated before"
        else:  # every entry written earlier with the same digits (a matrix or a line)
            entries = re.findall(r"-?\d+\.\d+(?: \\times 10\^\{-?\d+\})?", used)
            missing = [v for v in entries
                       if not re.search(r"(?<![\d.])" + re.escape(v) + r"(?![\d])", earlier)]
            assert not missing, f"{name}/{page}: ΔW uses {missing}, never stated before"
        found += 1
    assert found >= 2, f"{name}/{page}: only {found} update lines recognised"
