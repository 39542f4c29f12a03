"""Example files: the TOML a user writes to regenerate the article with new numbers.

Parses and validates; every error names the field, what was expected and what was
found, and is raised as `ExampleError` (the command line turns it into one line on
stderr). Computing is `network.py`'s job; this module only turns text into arrays.
"""

from __future__ import annotations

import math
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .network import ACTIVATIONS, OUTPUTS, Network, Params, Step, step

__all__ = ["Example", "ExampleError", "check_text", "load_example", "parse_example"]

DEFAULT_TITLE = "Backpropagation, step by step"
#: The longest title accepted: a page heading, not a paragraph.
TITLE_MAX_CHARS = 120
DEFAULT_DECIMALS = 4
DEFAULT_TRAIN_STEPS = 100

_OPTIONAL = {"title", "hidden_activation", "decimals", "train_steps", "output",
             "update_biases"}
_EXPLICIT = ("x", "y", "W_ih", "b_h", "W_ho", "b_o")
_KNOWN = {"learning_rate", "random", *_OPTIONAL, *_EXPLICIT}
_RANDOM_KEYS = ("seed", "n_in", "n_hidden", "n_out", "m")


class ExampleError(ValueError):
    """A malformed example; the message is meant for the user as it stands."""


@dataclass(frozen=True)
class Example:
    """A validated example: the network, its numbers and how to show them.

    x: (m, n_in)   y: (m, n_out)   params: see `Params`
    random: the [random] table it was drawn from, or None for explicit values
    """

    title: str
    learning_rate: float
    x: np.ndarray
    y: np.ndarray
    params: Params
    network: Network = field(default_factory=Network)
    decimals: int = DEFAULT_DECIMALS
    train_steps: int = DEFAULT_TRAIN_STEPS
    random: dict[str, int] | None = None

    @property
    def sizes(self) -> dict[str, int]:
        return {"n_in": self.x.shape[1], "n_hidden": self.params.W_ih.shape[1],
                "n_out": self.y.shape[1], "m": self.x.shape[0]}

    def step(self) -> Step:
        return step(self.network, self.params, self.x, self.y, self.learning_rate)


# ---------------------------------------------------------------------------------------


def load_example(path: str | Path) -> Example:
    """Read and validate an example file. Raises ExampleError for anything wrong."""
    path = Path(path)
    text = read_toml_text(path, ExampleError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ExampleError(f"{path}: not valid TOML: {err}") from None
    return parse_example(data)


def read_toml_text(path: str | Path, error: type[ValueError]) -> str:
    """A TOML file's text; `error` with one line for a user mistake (missing file,
    a folder, not UTF-8, unreadable). Example and answers files share it."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, expected a TOML file") from None
    except UnicodeDecodeError:
        raise error(f"{path}: expected UTF-8 text; found undecodable bytes") from None
    except OSError as err:
        raise error(f"{path}: cannot read ({err.strerror})") from None


def parse_example(data: dict[str, Any]) -> Example:
    """Validate a parsed TOML table (a dict) into an Example."""
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise ExampleError(f"{unknown[0]}: unknown key; expected one of "
                           f"{', '.join(sorted(_KNOWN))}")

    hidden = data.get("hidden_activation", "sigmoid")
    if not isinstance(hidden, str) or hidden not in ACTIVATIONS:
        raise ExampleError(f"hidden_activation: expected one of {', '.join(ACTIVATIONS)}; "
                           f"got {describe(hidden)}")
    output = data.get("output", "softmax_cross_entropy")
    if output not in OUTPUTS:
        raise ExampleError(f"output: expected one of {', '.join(OUTPUTS)}; got {describe(output)}")
    update_biases = data.get("update_biases", True)
    if not isinstance(update_biases, bool):
        raise ExampleError(f"update_biases: expected true or false; got {describe(update_biases)}")
    network = Network(hidden, output, update_biases)

    title = check_text("title", data.get("title", DEFAULT_TITLE), TITLE_MAX_CHARS)
    if "learning_rate" not in data:
        raise ExampleError("learning_rate: expected a number > 0; the key is missing")
    learning_rate = _number("learning_rate", data["learning_rate"])
    if not learning_rate > 0:
        raise ExampleError(f"learning_rate: expected a number > 0; got {describe(learning_rate)}")
    decimals = _integer("decimals", data.get("decimals", DEFAULT_DECIMALS), 1, 12)
    train_steps = _integer("train_steps", data.get("train_steps", DEFAULT_TRAIN_STEPS), 1,
                           100_000)

    if "random" in data:
        clash = [k for k in _EXPLICIT if k in data]
        if clash:
            raise ExampleError(f"{clash[0]}: not allowed together with [random]; give either "
                               "[random] or explicit x, y and parameters")
        random = _random_table(data["random"])
        x, y, params = _draw(random, output)
    else:
        random = None
        x, y, params = _explicit(data, output)

    return Example(title, learning_rate, x, y, params, network, decimals, train_steps,
                   random)


def check_text(name: str, value: Any, max_chars: int) -> str:
    """A text field as the pages may show it: stripped, printable, at most `max_chars`.

    Refused: control characters (line breaks and tabs included), formatting characters
    (bidirectional overrides and isolates, zero-width spaces, BOM), line and paragraph
    separators, private-use and unassigned code points. Kept: the zero-width (non-)joiner,
    which some scripts and emoji sequences need. Text that passes is still data: the
    pages escape it (scripts/escape.py); nothing here makes it safe as markup.
    """
    if not isinstance(value, str) or not value.strip():
        raise ExampleError(f"{name}: expected a non-empty string; got {describe(value)}")
    text = value.strip()
    if len(text) > max_chars:
        raise ExampleError(f"{name}: expected at most {max_chars} characters; got "
                           f"{len(text)}")
    for index, char in enumerate(text, start=1):
        if unicodedata.category(char) in _REFUSED_CATEGORIES and char not in _JOINERS:
            label = unicodedata.name(char, _CATEGORY_NAMES.get(unicodedata.category(char),
                                                              "unnamed character"))
            raise ExampleError(f"{name}: expected printable text without control or "
                               f"formatting characters; found U+{ord(char):04X} ({label}) "
                               f"at character {index}")
    return text


_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_JOINERS = {"\u200c", "\u200d"}
_CATEGORY_NAMES = {"Cc": "control character", "Co": "private-use character",
                   "Cn": "unassigned code point", "Cs": "surrogate"}


# ---------------------------------------------------------------------------------------
# Helpers


def describe(value: Any) -> str:
    """How a found value appears in an error message: its TOML type and its text
    (the example file's messages and the answers file's, `check.py`)."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        text = repr(value)
        return f"array {text if len(text) <= 40 else text[:37] + '...'}"
    return repr(value)


def _finite(value: int | float) -> bool:
    # math.isfinite raises OverflowError for a TOML integer beyond float range.
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExampleError(f"{name}: expected a number; got {describe(value)}")
    if not _finite(value):
        raise ExampleError(f"{name}: expected a finite number; got {value}")
    return float(value)


def _integer(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ExampleError(f"{name}: expected an integer from {low} to {high}; got {describe(value)}")
    if not low <= value <= high:
        raise ExampleError(f"{name}: expected an integer from {low} to {high}; got {value}")
    return value


def _array(name: str, value: Any, ndim: int) -> np.ndarray:
    """A TOML array of numbers (ndim 1) or of rows of numbers (ndim 2), as floats."""
    what = "an array of numbers" if ndim == 1 else "an array of rows of numbers"
    if not isinstance(value, list) or not value:
        raise ExampleError(f"{name}: expected {what}; got {describe(value)}")
    rows = value if ndim == 2 else [value]
    for r, row in enumerate(rows):
        if not isinstance(row, list) or not row:
            raise ExampleError(f"{name}: expected {what}; row {r} is {describe(row)}")
        if len(row) != len(rows[0]):
            raise ExampleError(f"{name}: expected a rectangular matrix, every row as long as "
                               f"row 0 ({len(rows[0])}); row {r} has {len(row)}")
        for c, entry in enumerate(row):
            where = f"[{c}]" if ndim == 1 else f"[{r}][{c}]"
            if isinstance(entry, bool) or not isinstance(entry, (int, float)):
                raise ExampleError(f"{name}: expected {what}; {name}{where} is {describe(entry)}")
            if not _finite(entry):
                raise ExampleError(f"{name}: expected finite numbers; {name}{where} is {entry}")
    return np.array(value, dtype=float)


def _shape(name: str, arr: np.ndarray, expected: tuple[int, ...], why: str) -> None:
    if arr.shape != expected:
        raise ExampleError(f"{name}: expected shape {expected} for {why}; got {arr.shape}")


def _explicit(data: dict[str, Any], output: str) -> tuple[np.ndarray, np.ndarray, Params]:
    for key in _EXPLICIT:
        if key not in data:
            raise ExampleError(f"{key}: the key is missing; an example needs either [random] "
                               f"or all of {', '.join(_EXPLICIT)}")
    x = _array("x", data["x"], 2)
    m, n_in = x.shape
    y = _array("y", data["y"], 2)
    if y.shape[0] != m:
        raise ExampleError(f"y: expected {m} row{'s' * (m != 1)} to match x (m={m}); "
                           f"got {y.shape[0]}")
    n_out = y.shape[1]
    if n_out < 2:
        raise ExampleError(f"y: expected at least 2 classes (columns); got {n_out}")
    W_ih = _array("W_ih", data["W_ih"], 2)
    if W_ih.shape[0] != n_in:
        raise ExampleError(f"W_ih: expected {n_in} row{'s' * (n_in != 1)} (one per input, "
                           f"n_in={n_in}); got {W_ih.shape[0]}")
    n_hidden = W_ih.shape[1]
    b_h = _array("b_h", data["b_h"], 1)
    _shape("b_h", b_h, (n_hidden,), f"n_hidden={n_hidden}")
    W_ho = _array("W_ho", data["W_ho"], 2)
    _shape("W_ho", W_ho, (n_hidden, n_out), f"n_hidden={n_hidden}, n_out={n_out}")
    b_o = _array("b_o", data["b_o"], 1)
    _shape("b_o", b_o, (n_out,), f"n_out={n_out}")
    _check_targets(y, output)
    return x, y, Params(W_ih, b_h, W_ho, b_o)


def _check_targets(y: np.ndarray, output: str) -> None:
    if output == "softmax_cross_entropy":
        for r, row in enumerate(y):
            if not (np.isin(row, (0.0, 1.0)).all() and row.sum() == 1.0):
                shown = "[" + ", ".join(f"{v:g}" for v in row) + "]"
                raise ExampleError(f"y: row {r} expected one-hot (a single 1, the rest 0); "
                                   f"got {shown}")
    elif ((y < 0) | (y > 1)).any():
        r, c = np.argwhere((y < 0) | (y > 1))[0]
        raise ExampleError(f"y: expected targets between 0 and 1 for sigmoid outputs; "
                           f"y[{r}][{c}] is {y[r, c]:g}")


def _random_table(table: Any) -> dict[str, int]:
    if not isinstance(table, dict):
        raise ExampleError(f"random: expected a table ([random]); got {describe(table)}")
    unknown = sorted(set(table) - set(_RANDOM_KEYS))
    if unknown:
        raise ExampleError(f"random.{unknown[0]}: unknown key; expected one of "
                           f"{', '.join(_RANDOM_KEYS)}")
    out = {"seed": _integer("random.seed", table.get("seed", 0), 0, 2**32 - 1)}
    defaults = {"n_in": 2, "n_hidden": 2, "n_out": 2, "m": 1}
    for key, default in defaults.items():
        low = 2 if key == "n_out" else 1
        out[key] = _integer(f"random.{key}", table.get(key, default), low, 4096)
    return out


def _draw(random: dict[str, int], output: str) -> tuple[np.ndarray, np.ndarray, Params]:
    """A reproducible example: values rounded to 2 decimals, like hand-made ones."""
    rng = np.random.default_rng(random["seed"])
    n_in, n_hidden, n_out, m = (random[k] for k in ("n_in", "n_hidden", "n_out", "m"))

    def u(*shape: int) -> np.ndarray:
        return np.round(rng.uniform(-1.0, 1.0, size=shape), 2)

    x = u(m, n_in)
    if output == "softmax_cross_entropy":
        y = np.eye(n_out)[rng.integers(0, n_out, size=m)]
    else:
        y = np.round(rng.uniform(0.0, 1.0, size=(m, n_out)), 2)
    return x, y, Params(u(n_in, n_hidden), u(n_hidden), u(n_hidden, n_out), u(n_out))
