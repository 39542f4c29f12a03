"""`python -m backprop_core check EXAMPLE ANSWERS [--json]`, as a teacher runs it.

The 2018 article's printed values, as an answers file, get the diagnoses its
corrections page gives (worked out by hand below, value by value); a trace converted to
TOML is a perfect answer file; the human report reads in the article's order and flags
the first wrong stage; malformed files get one line and exit 2.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from student import to_toml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from inprocess import run_cli  # noqa: E402
sys.path.insert(0, str(ROOT / "scripts"))

import published as P  # noqa: E402

DATA_2018 = ROOT / "data" / "published-2018.toml"
ANSWERS_2018 = ROOT / "data" / "answers-2018.toml"
DEFAULT = ROOT / "examples" / "default.toml"


def cli(*args: str) -> subprocess.CompletedProcess:
    """`python -m backprop_core ARGS`, run in this process (tests/inprocess.py says why)."""
    return run_cli(*args)


@pytest.fixture(scope="module")
def start_2018(tmp_path_factory) -> Path:
    """The 2018 article's start values (its [start] table) as an example file."""
    start = tomllib.loads(DATA_2018.read_text(encoding="utf-8"))["start"]
    path = tmp_path_factory.mktemp("start") / "start-2018.toml"
    path.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in start.items()),
                    encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------
# The 2018 hand calculation as an answers file

#: What the checker must say about each printed number: (verdict, mistakes). Worked by
#: hand from its printed values (o_out = [0.5818, 0.4182], h_out = [0.6615, 0.6770]):
EXPECTED_2018 = {
    "forward.h_in[0][0]": ("correct", ()),          # 0.1·0.7 + 0.2·0.5 + 0.5 = 0.67
    "forward.h_in[0][1]": ("correct", ()),          # 0.06 + 0.08 + 0.6 = 0.74
    "forward.h_out[0][0]": ("correct", ()),
    "forward.h_out[0][1]": ("correct", ()),
    # 0.6615·0.7 + 0.6770·0.6 + 0.5 = 1.36925: layer 1's W_ihᵀ and b_h again
    "forward.o_in[0][0]": ("wrong", ("reused_layer1",)),
    "forward.o_in[0][1]": ("wrong", ()),            # 1.0391 follows from nothing
    "forward.o_out[0][0]": ("follows", ()),         # softmax of its own o_in
    "forward.o_out[0][1]": ("follows", ()),
    # −[log10 0.5818 + log10(1 − 0.4182)], each term 0.2352 at 4 places: 0.4704
    "loss": ("wrong", ("log10_loss", "binary_ce")),
    # −1/0.5818 = −1.7188: follows its o_out, but printed with 3 places
    "backward.dE_do_out[0][0]": ("wrong", ()),
    "backward.do_out_do_in[0][0][0]": ("follows", ()),   # 0.5818·0.4182 = 0.2433
    # −1.719·0.2433·0.6615 = −0.2767 and ·0.6770 = −0.2831: its own stages multiplied
    "backward.dE_dW_ho[0][0]": ("follows", ()),
    "backward.dE_dW_ho[0][1]": ("wrong", ()),       # "does not follow even from its rule"
    "backward.dE_dW_ho[1][0]": ("follows", ()),
    "backward.dE_dW_ho[1][1]": ("wrong", ()),
    "updated.W_ho[0][0]": ("follows", ()),          # 0.4 − 0.02·(−0.2767) = 0.4055
    "updated.W_ho[0][1]": ("follows", ()),
    "updated.W_ho[1][0]": ("follows", ()),
    "updated.W_ho[1][1]": ("follows", ()),
    # −1.719·0.2433·0.4 = −0.1673: the path through o1 alone (which is also what the
    # diagonal-only Jacobian gives here, and h1 through its own-numbered output)
    "backward.dE_dh_out[0][0]": ("wrong", ("jacobian_diagonal", "one_path[1]",
                                           "one_path[own]")),
    "backward.dh_out_dh_in[0][0]": ("correct", ()),
    "backward.dh_out_dh_in[0][1]": ("correct", ()),
    # x1·(−0.1673)·0.2239 = −0.0037, x2·… = −0.0075: from its own ∂E/∂h_out1
    "backward.dE_dW_ih[0][0]": ("follows", ()),
    "backward.dE_dW_ih[0][1]": ("wrong", ()),       # needs three mistakes at once
    "backward.dE_dW_ih[1][0]": ("follows", ()),
    "backward.dE_dW_ih[1][1]": ("wrong", ()),
    # 0.7 − 0.2·(−0.0037) = 0.7007: ten times the stated rate
    "updated.W_ih[0][0]": ("wrong", ("learning_rate_x10",)),
    "updated.W_ih[0][1]": ("wrong", ("learning_rate_x10",)),
    "updated.W_ih[1][0]": ("wrong", ("learning_rate_x10",)),
    "updated.W_ih[1][1]": ("wrong", ("learning_rate_x10",)),
}


def _elements(path: str, printed) -> dict[str, str]:
    """A printed value (a number, a row, a matrix) spread over its element paths."""
    if isinstance(printed, list):
        return {k: v for i, item in enumerate(printed)
                for k, v in _elements(f"{path}[{i}]", item).items()}
    return {path: printed}


def _leaves(prefix: str, node) -> dict[str, str]:
    if isinstance(node, dict):
        return {k: v for name, item in node.items()
                for k, v in _leaves(f"{prefix}.{name}" if prefix else name, item).items()}
    if isinstance(node, list):
        return {k: v for i, item in enumerate(node)
                for k, v in _leaves(f"{prefix}[{i}]", item).items()}
    return {} if node == "" else {prefix: node}


def test_2018_answers_file_holds_every_printed_number_at_its_place():
    """data/answers-2018.toml: each printed number of data/published-2018.toml at its
    engine path, as printed (places kept: read with parse_float=str), nothing else."""
    expected: dict[str, str] = {}
    for entry in tomllib.loads(DATA_2018.read_text(encoding="utf-8"))["value"]:
        if "engine" in entry and entry["published"] != "never updated":
            expected |= _elements(entry["engine"], entry["published"])
    answers = tomllib.loads(ANSWERS_2018.read_text(encoding="utf-8"), parse_float=str)
    assert _leaves("", answers) == expected
    assert expected["forward.h_out[0][1]"] == "0.6770" and len(expected) == 30


def test_2018_answers_file_is_generated_from_the_data_file():
    text = ANSWERS_2018.read_text(encoding="utf-8")
    generated = P.answers_toml(P.answers_2018(P.hand_calculation_2018()))
    assert text.split("\n", 7)[-1] == generated or text.endswith(generated)


def test_default_example_is_the_2018_start():
    """So `check examples/default.toml data/answers-2018.toml` grades the article."""
    start = tomllib.loads(DATA_2018.read_text(encoding="utf-8"))["start"]
    default = tomllib.loads(DEFAULT.read_text(encoding="utf-8"))
    for key in ("learning_rate", "x", "y", "W_ih", "b_h", "W_ho", "b_o"):
        assert default[key] == start[key], key
    assert default.get("decimals", 4) == 4


def test_2018_diagnoses(start_2018):
    run = cli("check", str(start_2018), str(ANSWERS_2018), "--json")
    assert run.returncode == 1, run.stderr
    assert run.stderr == ""
    records = json.loads(run.stdout)
    got = {r["key"] + "".join(f"[{i}]" for i in r["index"]): (r["verdict"],
                                                                tuple(r["mistakes"]))
           for r in records}
    assert got == EXPECTED_2018
    by = {r["key"] + "".join(f"[{i}]" for i in r["index"]): r for r in records}
    assert by["loss"]["together"] is True and by["loss"]["given"] == 0.4704
    assert by["forward.o_in[0][0]"]["expected"] == pytest.approx(1.5738975, abs=1e-7)
    assert "needs 4" in by["backward.dE_do_out[0][0]"]["note"]
    assert set(records[0]) == {"key", "index", "given", "expected", "verdict", "mistakes",
                               "together", "note"}
    # the default example gives the same
    again = json.loads(cli("check", str(DEFAULT), str(ANSWERS_2018), "--json").stdout)
    assert [(r["verdict"], r["mistakes"]) for r in again] == \
        [(r["verdict"], r["mistakes"]) for r in records]


def test_2018_human_report(start_2018):
    run = cli("check", str(start_2018), str(ANSWERS_2018))
    assert run.returncode == 1 and run.stderr == ""
    out = run.stdout
    lines = out.splitlines()
    # the article's stage order, the first wrong stage flagged where it starts
    heads = [ln for ln in lines if ln and not ln.startswith(" ")][1:-2]
    assert heads == [">>> Forward pass: the first wrong stage, start here <<<", "Loss",
                     "Layer 2: output weights", "Layer 1: hidden weights"]
    order = [ln.split()[1] for ln in lines if ln.startswith("  ") and not
             ln.startswith("   ")]
    assert order == list(EXPECTED_2018)
    at = out.index("forward.o_in[0][0]")
    block = out[at:out.index("forward.o_in[0][1]")]
    assert "1.3693" in block and "the correct value is 1.5739" in block
    assert "Mistake (reused_layer1): You computed layer 2 with layer 1's weights" in block
    assert "The right working: forward/#layer-2-linear-then-softmax" in block
    assert "Two mistakes together (log10_loss + binary_ce):" in out
    assert "No classic mistake in the catalogue gives this value." in out
    assert "-1.719 has 3 decimal places; an answer here needs 4 (-1.7188)" in out
    assert lines[-2] == ("30 answers: 6 correct, 11 follow from earlier wrong values, "
                         "13 wrong.")
    assert lines[-1].startswith("The first wrong stage: Forward pass (forward.o_in[0][0]); "
                                "read forward/#layer-2-linear-then-softmax")


# ---------------------------------------------------------------------------------------
# Perfect and rounded answer files


@pytest.mark.parametrize("name", ["default", "batch-3-4-3", "mazur-2015"])
def test_a_trace_converted_to_toml_is_a_perfect_answer_file(tmp_path, name):
    example = ROOT / "examples" / f"{name}.toml"
    trace = json.loads(cli("trace", str(example), "--json").stdout)
    path = tmp_path / "answers.toml"
    path.write_text(to_toml(trace), encoding="utf-8")
    run = cli("check", str(example), str(path))
    assert run.returncode == 0, run.stdout + run.stderr
    n = sum(1 for ln in run.stdout.splitlines() if ln.startswith("  correct "))
    assert n > 20 and f"{n} answers: {n} correct, 0 follow" in run.stdout
    assert "first wrong stage" not in run.stdout
    data = json.loads(cli("check", str(example), str(path), "--json").stdout)
    assert {r["verdict"] for r in data} == {"correct"} and len(data) == n


def test_a_four_decimal_trace_is_correct(tmp_path):
    """The trace rounded to the page's 4 places at every value (not carried): also
    correct everywhere (each is within half a unit of the exact value)."""
    trace = json.loads(cli("trace", str(DEFAULT), "--json").stdout)

    def four(v):
        if isinstance(v, list):
            return [four(i) for i in v]
        if isinstance(v, float):
            return f"{v:.4f}" if abs(v) >= 0.001 or v == 0 else f"{v:.3e}"
        return v

    answers = {k: four(v) for k, v in trace.items() if k not in ("x", "y", "params",
                                                                  "learning_rate")}
    path = tmp_path / "four.toml"
    path.write_text(to_toml(answers), encoding="utf-8")
    run = cli("check", str(DEFAULT), str(path))
    assert run.returncode == 0, run.stdout


def test_exit_1_for_follows_only(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text("[forward]\no_in = [[1.0000, 2.0000]]\no_out = [[0.2689, 0.7311]]\n",
                    encoding="utf-8")
    run = cli("check", str(DEFAULT), str(path), "--json")
    assert run.returncode == 1
    assert [r["verdict"] for r in json.loads(run.stdout)] == ["wrong", "wrong", "follows",
                                                              "follows"]
    # softmax of [1, 2], worked by hand: 1/(1 + e) = 0.268941
    assert 1 / (1 + math.e) == pytest.approx(0.268941, abs=1e-6)


# ---------------------------------------------------------------------------------------
# Malformed files: one line, exit 2, nothing on stdout


@pytest.mark.parametrize("text, message", [
    ("loss = ", "not valid TOML"),
    ("loss = nan", "expected a number such as -0.2831 or 2.534e-5; got 'nan'"),
    ("loss = 0.5\nfrobnicate = 1", "frobnicate: unknown key; expected one of losses, loss"),
    ("[backward]\ndE_dW_hx = [[1, 2], [3, 4]]", "backward.dE_dW_hx: unknown key; "
                                               "expected one of dE_do_out"),
    ("[backward]\ndE_dW_ho = [[1, 2]]", "backward.dE_dW_ho: expected an array of shape "
                                        "(2, 2); got shape (1, 2)"),
    ("[updated]\nb_h = [0.5, \"half\"]", "updated.b_h[1]: expected a number such as "
                                         "-0.2831; got string 'half'"),
    ("loss = false", "loss: expected a number such as -0.2831; got boolean false"),
    ("y = [[0, 1]]\nloss = 0.5", "y: expected the example's [[1.0, 0.0]]; got array "
                                 "[[0, 1]] (are the answers for another example?)"),
    ("", "answers: expected at least one answered value"),
    (b"\xff\xfe", "expected UTF-8 text; found undecodable bytes"),
])
def test_malformed_answers_file(tmp_path, text, message):
    path = tmp_path / "answers.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    run = cli("check", str(DEFAULT), str(path))
    assert (run.returncode, run.stdout) == (2, ""), run.stderr
    assert run.stderr.startswith(f"error: {path}: ") and run.stderr.count("\n") == 1
    assert message in run.stderr and "Traceback" not in run.stderr


def test_missing_files(tmp_path):
    run = cli("check", str(DEFAULT), str(tmp_path / "nope.toml"))
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == f"error: {tmp_path / 'nope.toml'}: no such file\n"
    run = cli("check", str(tmp_path / "nope.toml"), str(ANSWERS_2018))
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == f"error: {tmp_path / 'nope.toml'}: no such file\n"
    run = cli("check", str(DEFAULT), str(tmp_path))
    assert run.returncode == 2 and "is a directory" in run.stderr


def test_malformed_example_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("learning_rate = 0\n[random]\n", encoding="utf-8")
    run = cli("check", str(path), str(ANSWERS_2018))
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == "error: learning_rate: expected a number > 0; got 0.0\n"


@pytest.mark.parametrize("args", [("check",), ("check", str(DEFAULT))])
def test_check_usage_mistakes_exit_2(args):
    run = cli(*args)
    assert run.returncode == 2 and run.stdout == "" and "usage:" in run.stderr


def test_a_teacher_grades_seeded_homework(tmp_path):
    """`learning_rate = 0.1` with `[random] seed = K`: a 4-decimal hand calculation
    is correct (exit 0); one with the step's sign flipped is not (exit 1), and the
    report names the mistake."""
    from backprop_core import load_example
    from student import answers, work

    example = tmp_path / "seed-7.toml"
    example.write_text("learning_rate = 0.1\n[random]\nseed = 7\n", encoding="utf-8")
    ex = load_example(example)
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(to_toml(answers(work(ex, decimals=4), decimals=4)), encoding="utf-8")
    bad.write_text(to_toml(answers(work(ex, ("sign_flip",), decimals=4), decimals=4)),
                   encoding="utf-8")
    assert cli("check", str(example), str(good)).returncode == 0
    run = cli("check", str(example), str(bad))
    assert run.returncode == 1
    assert ">>> Layer 2: output weights: the first wrong stage" in run.stdout
    assert "Mistake (sign_flip): You added η·∂E/∂w instead of subtracting it" in run.stdout
