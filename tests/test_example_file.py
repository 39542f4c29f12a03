"""Example files: every malformed file gets its own one-line message, and exit status 2.

Each case below is a small file (or a missing path, a directory, undecodable bytes)
with the exact message it must produce: the field, what was expected, what was found.
It is checked twice: `load_example` raises ExampleError with that text, and
`python -m backprop_core trace FILE` prints "error: <text>" on stderr, nothing on
stdout, no traceback, and exits 2. Also: the shipped examples load, and a [random]
table gives a reproducible example of the requested sizes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backprop_core import ExampleError, load_example, parse_example

ROOT = Path(__file__).resolve().parents[1]

#: A valid example (the default one); each case changes some of its lines.
VALID = {
    "learning_rate": "0.02",
    "x": "[[0.1, 0.2]]",
    "y": "[[1, 0]]",
    "W_ih": "[[0.7, 0.6], [0.5, 0.4]]",
    "b_h": "[0.5, 0.6]",
    "W_ho": "[[0.4, 0.6], [0.9, 0.8]]",
    "b_o": "[0.7, 0.9]",
}


def toml(**changes: str | None) -> str:
    """The valid example with keys changed (raw TOML text), added, or removed (None)."""
    table = {**VALID, **changes}
    return "".join(f"{key} = {value}\n" for key, value in table.items() if value is not None)


def random_toml(random: str, top: str = "learning_rate = 0.1\n") -> str:
    return f"{top}[random]\n{random}\n"


class Prefix(str):
    """An expected message of which only the beginning is fixed (e.g. tomllib's text)."""


NOT_WRITTEN, DIRECTORY = object(), object()
KNOWN_KEYS = ("W_ho, W_ih, b_h, b_o, decimals, hidden_activation, learning_rate, output, "
              "random, title, train_steps, update_biases, x, y")

# (id, file content, expected message); "{path}" stands for the file's path
MALFORMED = [
    ("missing file", NOT_WRITTEN, "{path}: no such file"),
    ("directory", DIRECTORY, "{path}: is a directory, expected a TOML file"),
    ("non-UTF-8 bytes", b'title = "caf\xe9"\n' + toml().encode(),
     "{path}: expected UTF-8 text; found undecodable bytes"),
    ("invalid TOML", "learning_rate = \n", Prefix("{path}: not valid TOML: Invalid value")),
    ("unknown key", toml(colour='"blue"'),
     f"colour: unknown key; expected one of {KNOWN_KEYS}"),
    ("missing learning_rate", toml(learning_rate=None),
     "learning_rate: expected a number > 0; the key is missing"),
    ("learning_rate zero", toml(learning_rate="0"),
     "learning_rate: expected a number > 0; got 0.0"),
    ("learning_rate negative", toml(learning_rate="-0.5"),
     "learning_rate: expected a number > 0; got -0.5"),
    ("learning_rate string", toml(learning_rate='"0.1"'),
     "learning_rate: expected a number; got string '0.1'"),
    ("learning_rate boolean", toml(learning_rate="true"),
     "learning_rate: expected a number; got boolean true"),
    ("learning_rate inf", toml(learning_rate="inf"),
     "learning_rate: expected a finite number; got inf"),
    ("boolean in x", toml(x="[[0.1, false]]"),
     "x: expected an array of rows of numbers; x[0][1] is boolean false"),
    ("string in b_h", toml(b_h='[0.5, "0.6"]'),
     "b_h: expected an array of numbers; b_h[1] is string '0.6'"),
    ("ragged W_ih", toml(W_ih="[[0.7, 0.6], [0.5]]"),
     "W_ih: expected a rectangular matrix, every row as long as row 0 (2); row 1 has 1"),
    ("x not a matrix", toml(x="[0.1, 0.2]"),
     "x: expected an array of rows of numbers; row 0 is 0.1"),
    ("W_ih rows", toml(W_ih="[[0.7, 0.6]]"),
     "W_ih: expected 2 rows (one per input, n_in=2); got 1"),
    ("W_ho shape", toml(W_ho="[[0.4, 0.6, 0.1], [0.9, 0.8, 0.2]]"),
     "W_ho: expected shape (2, 2) for n_hidden=2, n_out=2; got (2, 3)"),
    ("b_h length", toml(b_h="[0.5, 0.6, 0.7]"),
     "b_h: expected shape (2,) for n_hidden=2; got (3,)"),
    ("b_o length", toml(b_o="[0.7]"), "b_o: expected shape (2,) for n_out=2; got (1,)"),
    ("missing W_ho", toml(W_ho=None),
     "W_ho: the key is missing; an example needs either [random] or all of "
     "x, y, W_ih, b_h, W_ho, b_o"),
    ("y not one-hot", toml(y="[[1, 1]]"),
     "y: row 0 expected one-hot (a single 1, the rest 0); got [1, 1]"),
    ("y soft labels", toml(x="[[0.1, 0.2], [0.3, 0.4]]", y="[[1, 0], [0.3, 0.7]]"),
     "y: row 1 expected one-hot (a single 1, the rest 0); got [0.3, 0.7]"),
    ("y row count", toml(y="[[1, 0], [0, 1]]"), "y: expected 1 row to match x (m=1); got 2"),
    ("sigmoid target > 1", toml(output='"sigmoid_squared_error"', y="[[1.5, 0]]"),
     "y: expected targets between 0 and 1 for sigmoid outputs; y[0][0] is 1.5"),
    ("nan in x", toml(x="[[0.1, nan]]"), "x: expected finite numbers; x[0][1] is nan"),
    ("inf in x", toml(x="[[inf, 0.2]]"), "x: expected finite numbers; x[0][0] is inf"),
    ("-inf in b_o", toml(b_o="[0.7, -inf]"), "b_o: expected finite numbers; b_o[1] is -inf"),
    ("integer beyond float range", toml(x=f"[[{10**400}, 0.2]]"),
     f"x: expected finite numbers; x[0][0] is {10**400}"),
    ("unknown activation", toml(hidden_activation='"softplus"'),
     "hidden_activation: expected one of sigmoid, relu, tanh; got string 'softplus'"),
    ("activation not a string", toml(hidden_activation="[]"),
     "hidden_activation: expected one of sigmoid, relu, tanh; got array []"),
    ("unknown output", toml(output='"mse"'),
     "output: expected one of softmax_cross_entropy, sigmoid_squared_error; "
     "got string 'mse'"),
    ("update_biases string", toml(update_biases='"no"'),
     "update_biases: expected true or false; got string 'no'"),
    ("empty title", toml(title='"  "'), "title: expected a non-empty string; got string '  '"),
    ("decimals 0", toml(decimals="0"), "decimals: expected an integer from 1 to 12; got 0"),
    ("decimals 13", toml(decimals="13"), "decimals: expected an integer from 1 to 12; got 13"),
    ("decimals float", toml(decimals="2.5"),
     "decimals: expected an integer from 1 to 12; got 2.5"),
    ("train_steps 0", toml(train_steps="0"),
     "train_steps: expected an integer from 1 to 100000; got 0"),
    ("n_out 1", toml(y="[[1]]", W_ho="[[0.4], [0.9]]", b_o="[0.7]"),
     "y: expected at least 2 classes (columns); got 1"),
    ("empty x", toml(x="[]"), "x: expected an array of rows of numbers; got array []"),
    ("empty b_o", toml(b_o="[]"), "b_o: expected an array of numbers; got array []"),
    ("empty rows", toml(W_ih="[[], []]"),
     "W_ih: expected an array of rows of numbers; row 0 is array []"),
    ("[random] with x", random_toml("seed = 1", top="learning_rate = 0.1\nx = [[0.1]]\n"),
     "x: not allowed together with [random]; give either [random] or explicit x, y and "
     "parameters"),
    ("unknown [random] key", random_toml("seed = 1\nn_layers = 3"),
     "random.n_layers: unknown key; expected one of seed, n_in, n_hidden, n_out, m"),
    ("[random] n_out 1", random_toml("n_out = 1"),
     "random.n_out: expected an integer from 2 to 4096; got 1"),
    ("[random] negative seed", random_toml("seed = -1"),
     "random.seed: expected an integer from 0 to 4294967295; got -1"),
    ("random not a table", "learning_rate = 0.1\nrandom = 3\n",
     "random: expected a table ([random]); got 3"),
]


@pytest.fixture(params=MALFORMED, ids=[case[0] for case in MALFORMED])
def malformed(request, tmp_path):
    """(path, expected message) for one malformed case, written under tmp_path."""
    _, content, message = request.param
    path = tmp_path / "example.toml"
    if content is DIRECTORY:
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not NOT_WRITTEN:
        path.write_text(content, encoding="utf-8")
    return path, type(message)(message.replace("{path}", str(path)))


def assert_message(text: str, expected: str) -> None:
    if isinstance(expected, Prefix):
        assert text.startswith(expected), text
    else:
        assert text == expected


def test_load_example_raises_the_specific_message(malformed):
    path, expected = malformed
    with pytest.raises(ExampleError) as err:
        load_example(path)
    assert_message(str(err.value), expected)


def test_cli_prints_one_line_and_exits_2(malformed):
    path, expected = malformed
    run = subprocess.run([sys.executable, "-m", "backprop_core", "trace", str(path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    assert run.stderr.endswith("\n") and run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith("error: ")
    assert_message(run.stderr[len("error: "):-1], expected)


def test_there_are_enough_distinct_malformed_cases():
    assert len(MALFORMED) >= 15
    assert len({message for _, _, message in MALFORMED}) == len(MALFORMED)


# ---------------------------------------------------------------------------------------
# Valid files


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.toml")),
                         ids=lambda p: p.name)
def test_shipped_examples_load_and_are_consistent(path):
    ex = load_example(path)
    sizes = ex.sizes
    assert ex.x.shape == (sizes["m"], sizes["n_in"])
    assert ex.y.shape == (sizes["m"], sizes["n_out"])
    assert ex.params.W_ih.shape == (sizes["n_in"], sizes["n_hidden"])
    assert ex.params.W_ho.shape == (sizes["n_hidden"], sizes["n_out"])
    assert ex.learning_rate > 0 and ex.title


def test_the_valid_template_is_valid(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text(toml(), encoding="utf-8")
    ex = load_example(path)
    np.testing.assert_array_equal(ex.x, [[0.1, 0.2]])
    assert ex.network.hidden_activation == "sigmoid"
    assert ex.network.output == "softmax_cross_entropy" and ex.network.update_biases
    assert (ex.decimals, ex.random) == (4, None)


def test_options_are_read(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text(toml(title='" Mine "', hidden_activation='"tanh"', decimals="7",
                         train_steps="12", update_biases="false",
                         output='"sigmoid_squared_error"', y="[[0.25, 1]]"), encoding="utf-8")
    ex = load_example(path)
    assert (ex.title, ex.decimals, ex.train_steps) == ("Mine", 7, 12)
    assert ex.network.hidden_activation == "tanh" and not ex.network.update_biases
    assert ex.network.output == "sigmoid_squared_error"
    np.testing.assert_array_equal(ex.y, [[0.25, 1.0]])


# ---------------------------------------------------------------------------------------
# [random]


def drawn(output: str = "softmax_cross_entropy", **random):
    return parse_example({"learning_rate": 0.1, "output": output, "random": random})


def arrays(ex) -> list[np.ndarray]:
    return [ex.x, ex.y, *(v for _, v in ex.params.items())]


def test_random_same_seed_same_example():
    a, b = drawn(seed=7, n_in=3, n_hidden=4, n_out=3, m=5), drawn(seed=7, n_in=3, n_hidden=4,
                                                                  n_out=3, m=5)
    for u, v in zip(arrays(a), arrays(b)):
        np.testing.assert_array_equal(u, v)
    assert a.random == {"seed": 7, "n_in": 3, "n_hidden": 4, "n_out": 3, "m": 5}


def test_random_different_seed_different_example():
    a, b = drawn(seed=7, n_in=3, n_hidden=4, n_out=3, m=5), drawn(seed=8, n_in=3, n_hidden=4,
                                                                  n_out=3, m=5)
    assert all(u.shape == v.shape for u, v in zip(arrays(a), arrays(b)))
    assert any(not np.array_equal(u, v) for u, v in zip(arrays(a), arrays(b)))
    assert not np.array_equal(a.params.W_ih, b.params.W_ih)


@pytest.mark.parametrize("n_in, n_hidden, n_out, m", [(1, 1, 2, 1), (3, 4, 3, 5), (7, 2, 6, 9)])
@pytest.mark.parametrize("output", ["softmax_cross_entropy", "sigmoid_squared_error"])
def test_random_sizes_are_respected(n_in, n_hidden, n_out, m, output):
    ex = drawn(output, seed=3, n_in=n_in, n_hidden=n_hidden, n_out=n_out, m=m)
    assert ex.sizes == {"n_in": n_in, "n_hidden": n_hidden, "n_out": n_out, "m": m}
    p = ex.params
    assert (p.W_ih.shape, p.b_h.shape, p.W_ho.shape, p.b_o.shape) == \
        ((n_in, n_hidden), (n_hidden,), (n_hidden, n_out), (n_out,))
    for value in [ex.x, *(v for _, v in p.items())]:
        assert np.all(np.abs(value) <= 1.0)
        np.testing.assert_array_equal(value, np.round(value, 2))  # hand-made-looking values
    if output == "softmax_cross_entropy":
        assert set(np.unique(ex.y)) <= {0.0, 1.0}
        np.testing.assert_array_equal(ex.y.sum(axis=1), 1.0)
    else:
        assert np.all((ex.y >= 0) & (ex.y <= 1))


def test_random_defaults():
    ex = drawn()
    assert ex.sizes == {"n_in": 2, "n_hidden": 2, "n_out": 2, "m": 1}
    assert ex.random["seed"] == 0


def test_random_from_a_file_matches_parse(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(random_toml("seed = 11\nn_in = 3\nm = 2"), encoding="utf-8")
    a, b = load_example(path), drawn(seed=11, n_in=3, m=2)
    for u, v in zip(arrays(a), arrays(b)):
        np.testing.assert_array_equal(u, v)
