"""Helpers for the site tests: build each example, read numbers back out of the HTML.

`Sites.site(name)` builds examples/NAME.toml with scripts/build.py into a session tmp dir
(once per session) and returns the folder. `trace(name)` is the engine's own output,
`python -m backprop_core trace FILE --json`, the reference the pages are checked
against; nothing here looks at the template context the pages were rendered from.

`math_tokens(html)` reads every number in the LaTeX source of the page's .arithmatex
elements: `-0.1234` (a sign only when the minus touches the digits), `0.7`, `2`,
`2.534 \\times 10^{-5}`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
BUILD = ROOT / "scripts" / "build.py"

#: The article pages this suite checks number by number (the rest of the site belongs
#: to other pages with their own tests; the site-wide scans still cover them).
ARTICLE_PAGES = ("index", "forward", "derivatives", "output-layer", "hidden-layer",
                 "wrap-up", "conclusion")
EXAMPLES = ("default", "batch-3-4-3", "relu", "mazur-2015")

#: The largest example the site accepts, written out as a file so that the CLI trace
#: and the build read exactly the same numbers.
LARGEST = 'title = "Largest accepted sizes"\nlearning_rate = 0.05\ndecimals = 4\n' \
          "[random]\nseed = 11\nn_in = 8\nn_hidden = 8\nn_out = 8\nm = 4\n"

#: The default network with tiny inputs: its layer-1 gradients are far below 10^-3, too
#: small for 4 decimals, so the pages must show them with significant digits.
TINY = 'title = "Tiny inputs"\nlearning_rate = 0.02\nx = [[0.001, 0.002]]\ny = [[1, 0]]\n' \
       "W_ih = [[0.7, 0.6], [0.5, 0.4]]\nb_h = [0.5, 0.6]\nW_ho = [[0.4, 0.6], [0.9, 0.8]]\n" \
       "b_o = [0.7, 0.9]\n"
#: Sums whose exact value is 0: h_in,1 = 0.1·0.2 + 0.2·0.4 − 0.1 (floating point leaves
#: +1.4e-17, on the wrong side of ReLU's kink) and ∂E/∂h_out,3 = 0.5·δ₁ + 0.5·δ₂ with
#: δ₂ = −δ₁. A calculator says 0 for both; so must every page.
ZEROS = 'title = "Sums that are exactly zero"\nlearning_rate = 0.02\nhidden_activation = "relu"\n' \
        "x = [[0.1, 0.2]]\ny = [[1, 0]]\nW_ih = [[0.2, 0.3, 0.5], [0.4, 0.6, 0.2]]\n" \
        "b_h = [-0.1, 0.1, 0.2]\nW_ho = [[0.4, 0.6], [0.9, 0.8], [0.5, 0.5]]\nb_o = [0.7, 0.9]\n"
GENERATED = {"largest": LARGEST, "tiny": TINY, "zeros": ZEROS}

NUMBER = re.compile(
    r"(?<![\w.])(?P<sign>-?)(?P<digits>\d+(?:\.\d+)?)"
    r"(?:\s*\\times\s*10\^\{(?P<exp>-?\d+)\})?")


@dataclass(frozen=True)
class Token:
    """A number as written on the page."""

    text: str
    value: float
    decimals: int      # digits after the point of the mantissa
    scientific: bool

    @property
    def is_decimal(self) -> bool:
        return self.scientific or self.decimals > 0


def parse_tokens(latex: str) -> list[Token]:
    out = []
    for m in NUMBER.finditer(latex):
        digits = m["digits"]
        mantissa = float(m["sign"] + digits)
        exp = m["exp"]
        value = mantissa * 10.0 ** int(exp) if exp is not None else mantissa
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        out.append(Token(m[0], value, decimals, exp is not None))
    return out


def math_sources(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [el.get_text() for el in soup.select(".arithmatex")]


def math_tokens(html: str) -> list[Token]:
    return [t for src in math_sources(html) for t in parse_tokens(src)]


def shows(token: Token, value: float, decimals: int) -> bool:
    """Whether `token` is `value` shown at the example's precision.

    Fixed notation: within half a unit of the last of `decimals` places (fewer places
    only when the value is exact there; more only as the value rounded at its own last
    place). Scientific: within half a unit of the
    mantissa's last digit.
    """
    if token.scientific:
        exponent = int(f"{value:e}".split("e")[1]) if value else 0
        return abs(token.value - value) <= 0.5 * 10.0 ** (exponent - token.decimals) * (1 + 1e-9)
    if token.decimals > decimals:
        # More digits than the example asks for: only in a line whose inputs need them
        # to be calculator-true (fmt.extra_digits), and then rounded at their own place.
        return abs(token.value - value) <= 0.5 * 10.0 ** (-token.decimals) * (1 + 1e-9) + 1e-15
    if token.decimals < decimals and abs(value - round(value, token.decimals)) > 1e-9:
        return False  # a rounded value must carry all its decimals
    return abs(token.value - value) <= 0.5 * 10.0 ** (-decimals) * (1 + 1e-9) + 1e-12


def leaves(obj) -> list[float]:
    """Every number in a nested list/dict structure."""
    if isinstance(obj, dict):
        return [v for item in obj.values() for v in leaves(item)]
    if isinstance(obj, list):
        return [v for item in obj for v in leaves(item)]
    if isinstance(obj, bool) or not isinstance(obj, (int, float)):
        return []
    return [float(obj)]


def decimals_of(sites: "Sites", name: str) -> int:
    """The display precision the example file asks for (the engine's default: 4)."""
    data = tomllib.loads(sites.example_file(name).read_text(encoding="utf-8"))
    return data.get("decimals", 4)


def run_build(*args: str, out: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("BACKPROP_EXAMPLE", None)
    return subprocess.run([PY, str(BUILD), *args, "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def run_trace(path: Path) -> dict:
    done = subprocess.run([PY, "-m", "backprop_core", "trace", str(path), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


# ---------------------------------------------------------------------------------------


class Sites:
    """Builds on first use, then hands out the same folder for the whole session."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._built: dict[str, Path] = {}
        self._traces: dict[str, dict] = {}

    def example_file(self, name: str) -> Path:
        if name in GENERATED:
            path = self.base / f"{name}.toml"
            if not path.exists():
                path.write_text(GENERATED[name], encoding="utf-8")
            return path
        return ROOT / "examples" / f"{name}.toml"

    def site(self, name: str) -> Path:
        if name not in self._built:
            out = self.base / f"site-{name}"
            done = run_build("--example", str(self.example_file(name)), out=out)
            if done.returncode != 0:
                pytest.fail(f"building {name} failed (exit {done.returncode}):\n"
                            f"{done.stderr}{done.stdout}")
            self._built[name] = out
        return self._built[name]

    def trace(self, name: str) -> dict:
        if name not in self._traces:
            self._traces[name] = run_trace(self.example_file(name))
        return self._traces[name]

    def page(self, name: str, page: str) -> str:
        folder = self.site(name)
        path = folder / "index.html" if page == "index" else folder / page / "index.html"
        return path.read_text(encoding="utf-8")

