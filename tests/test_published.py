"""Published hand calculations against the engine: the 2018 article and Mazur (2015).

The printed values live in data/published-2018.toml and data/published-mazur-2015.toml.
Every value marked correct must equal the engine's at its printed precision, every value
marked wrong must differ, and the diagnosis of each mistake must hold: rebuilding the
value the way the original computed it gives the printed number (or, where the page says
it does not, does not). The engine's side is read from `python -m backprop_core trace
FILE --json`, the command a reader would run. The built pages are checked at the end.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np

from backprop_core.precision import shown
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inprocess import shared_scope  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import fmt  # noqa: E402
import published as P  # noqa: E402

DATA_2018 = ROOT / "data" / "published-2018.toml"
DATA_MAZUR = ROOT / "data" / "published-mazur-2015.toml"


def cli_trace(path: Path) -> dict:
    """The engine's values for an example file, as the command line prints them."""
    proc = subprocess.run([sys.executable, "-m", "backprop_core", "trace", str(path), "--json"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def toml_example(table: dict) -> str:
    """An example table as TOML text (numbers, strings and arrays of numbers only)."""
    return "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items())


def entries(path: Path) -> list[dict]:
    return tomllib.loads(path.read_text(encoding="utf-8"))["value"]


def places(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def rounds_to(value: float, printed: str) -> bool:
    """Does `value` round to `printed` at its printed precision (written out here)."""
    return abs(value - float(printed)) <= 0.5 * 10.0 ** -places(printed) * (1 + 1e-9)


def flat(text) -> list[str]:
    return [s for row in text for s in flat(row)] if isinstance(text, list) else [text]


@pytest.fixture(scope="module")
def trace_2018(tmp_path_factory) -> dict:
    start = tomllib.loads(DATA_2018.read_text(encoding="utf-8"))["start"]
    path = tmp_path_factory.mktemp("start") / "start-2018.toml"
    path.write_text(toml_example(start), encoding="utf-8")
    return cli_trace(path)


@pytest.fixture(scope="module")
def trace_mazur() -> dict:
    return cli_trace(ROOT / "examples" / "mazur-2015.toml")


@pytest.fixture(scope=shared_scope)
def h18() -> P.Check:
    return P.hand_calculation_2018(DATA_2018)


@pytest.fixture(scope=shared_scope)
def mz() -> P.Check:
    return P.mazur_2015(DATA_MAZUR)


# ---------------------------------------------------------------------------------------
# The data files say what REFERENCE.md §1 and §2 say


def test_2018_file_names_its_source_and_every_printed_step():
    data = tomllib.loads(DATA_2018.read_text(encoding="utf-8"))
    assert data["source"]["title"] == "Backward propagation of Neural Network explained"
    assert data["source"]["year"] == 2018
    keys = [e["key"] for e in data["value"]]
    assert keys == ["architecture", "h_in", "h_out", "o_in", "o_out", "loss", "dE_do_out1",
                    "do_out1_do_in1", "dE_dW_h2o1", "dE_dW_ho", "W_ho_updated",
                    "sigmoid_prime", "dE_dh_out1", "dE_dW_ih", "W_ih_updated",
                    "b_h_updated", "b_o_updated"]
    correct = sorted(e["key"] for e in data["value"] if e["correct"])
    assert correct == ["h_in", "h_out", "sigmoid_prime"]
    for e in data["value"]:
        assert e["explanation"].strip(), e["key"]
    # the start values are the article's (REFERENCE.md §1)
    start = data["start"]
    assert start["x"] == [[0.1, 0.2]] and start["y"] == [[1, 0]]
    assert start["W_ih"] == [[0.7, 0.6], [0.5, 0.4]] and start["b_h"] == [0.5, 0.6]
    assert start["W_ho"] == [[0.4, 0.6], [0.9, 0.8]] and start["b_o"] == [0.7, 0.9]
    assert start["learning_rate"] == 0.02
    assert data["original"]["W_ho_forward"] == [[0.7, 0.5], [0.6, 0.4]]


def test_mazur_file_names_its_source_and_his_figures():
    data = tomllib.loads(DATA_MAZUR.read_text(encoding="utf-8"))
    assert data["source"]["title"] == "A Step by Step Backpropagation Example"
    assert (data["source"]["author"], data["source"]["year"]) == ("Matt Mazur", 2015)
    printed = {e["key"]: e["published"] for e in data["value"]}
    assert printed == {"out_h1": "0.593269992", "out_o1": "0.75136507",
                       "E_total": "0.298371109", "w5_updated": "0.35891648",
                       "w1_updated": "0.149780716", "E_after": "0.291027924"}


# ---------------------------------------------------------------------------------------
# Printed values against the engine's trace (the CLI's JSON)


def _at(trace: dict, path: str) -> np.ndarray:
    m = re.fullmatch(r"([\w.]+)((?:\[\d+\])*)", path)
    node = trace
    for part in m.group(1).split("."):
        node = node[part]
    value = np.asarray(node, dtype=float)
    for i in re.findall(r"\d+", m.group(2)):
        value = value[int(i)]
    return value


def _numeric(path: Path) -> list[dict]:
    return [e for e in entries(path) if "engine" in e and isinstance(e["published"], list)
            or ("engine" in e and re.fullmatch(r"-?\d+(\.\d+)?", str(e["published"])))]


def _ids(path: Path) -> list[str]:
    return [e["key"] for e in _numeric(path)]


@pytest.mark.parametrize("entry", _numeric(DATA_2018), ids=_ids(DATA_2018))
def test_2018_printed_value_against_engine(entry, trace_2018):
    """Marked correct: equal at the printed precision. Marked wrong: some entry differs."""
    engine = _at(trace_2018, entry["engine"]).ravel()
    printed = flat(entry["published"])
    assert engine.size == len(printed)
    agree = [rounds_to(v, p) for v, p in zip(engine, printed)]
    if entry["correct"]:
        assert all(agree), f"{entry['key']}: engine {engine} vs printed {printed}"
    else:
        assert not all(agree), f"{entry['key']} is marked wrong but the engine agrees"


@pytest.mark.parametrize("entry", _numeric(DATA_MAZUR), ids=_ids(DATA_MAZUR))
def test_mazur_printed_figure_against_engine(entry, trace_mazur):
    engine = float(_at(trace_mazur, entry["engine"]))
    if entry["correct"]:
        assert rounds_to(engine, entry["published"]), (entry["key"], engine)
    else:
        assert not rounds_to(engine, entry["published"]), (entry["key"], engine)


def test_the_published_checks_agree_with_the_cli(h18, mz, trace_2018, trace_mazur):
    """scripts/published.py reads the same engine values the CLI prints."""
    for check, trace in ((h18, trace_2018), (mz, trace_mazur)):
        for row in check.rows:
            if row.engine is not None:
                np.testing.assert_allclose(row.engine, _at(trace, row.published.engine),
                                           rtol=1e-15, atol=0, err_msg=row.published.key)


def test_mazur_figures_at_his_printed_precision(trace_mazur):
    """The five single-step figures, spelled out (REFERENCE.md §2)."""
    assert round(trace_mazur["forward"]["h_out"][0][0], 9) == 0.593269992
    assert round(trace_mazur["forward"]["o_out"][0][0], 8) == 0.75136507
    assert round(trace_mazur["loss"], 9) == 0.298371109
    assert round(trace_mazur["updated"]["W_ho"][0][0], 8) == 0.35891648
    assert round(trace_mazur["updated"]["W_ih"][0][0], 9) == 0.149780716


# ---------------------------------------------------------------------------------------
# The diagnosis of each 2018 mistake


#: Per printed value, per entry: does rebuilding it the original's way reproduce it?
REPRODUCED = {
    "o_in": [True, False],           # 1.3693 from the other matrix; 1.0391 from nothing
    "o_out": [True, True],           # the softmax of its o_in
    "loss": True,                    # binary formula, log10, terms at 4 decimals
    "dE_do_out1": True,              # −1/o_out1
    "do_out1_do_in1": True,          # o_out1 · o_out2
    "dE_dW_h2o1": True,
    "dE_dW_ho": [[True, False], [True, False]],   # its own rule misses column 2
    "W_ho_updated": [[True, True], [True, True]],  # 0.02, from the initialised W_ho
    "dE_dh_out1": True,              # one path, times 0.4
    "dE_dW_ih": [[True, True], [True, True]],      # one path per hidden unit
    "W_ih_updated": [[True, True], [True, True]],  # rate 0.2
}


def test_2018_rebuilt_values_reproduce_what_the_page_says(h18):
    assert set(h18.rebuilt) == set(REPRODUCED)
    for key, expected in REPRODUCED.items():
        got = h18.rebuilt[key].mask
        assert got.tolist() == expected, f"{key}: rebuilt {h18.rebuilt[key].value}"


def test_2018_forward_pass_with_the_other_matrix(h18):
    """Its o_in[0] comes from W_ho = [[0.7, 0.5], [0.6, 0.4]], b_o = [0.5, 0.6]."""
    o_in = h18.extra["o_in_used"]
    np.testing.assert_allclose(o_in, [1.36925, 1.20155], atol=1e-5)
    assert abs(o_in[1] - 1.0391) > 0.1              # nothing near the printed 1.0391
    # carried from its printed h_out, as by hand: 1.36925 exactly, printed as 1.3693
    assert h18.rebuilt["o_in"].value[0] == pytest.approx(1.36925, abs=1e-12)
    with_own_b_o = h18.extra["o_in_used_start_b_o"]
    np.testing.assert_allclose(with_own_b_o, [1.56925, 1.50155], atol=1e-5)
    assert not any(rounds_to(v, p) for v, p in zip(with_own_b_o, ["1.3693", "1.0391"]))


def test_2018_only_binary_log10_gives_the_printed_loss(h18):
    losses_pub = h18.extra["losses_published"]
    hits = [(base, formula) for base, by in losses_pub.items() for formula, v in by.items()
            if rounds_to(v, "0.4704") or rounds_to(v, "0.4705")]
    assert hits == [("10", "binary")]
    # term by term at 4 decimals it prints 0.4704; unrounded it would print 0.4705
    o1, o2 = 0.5818, 0.4182                         # its printed o_out, y = [1, 0]
    terms = [round(-math.log10(o1), 4), round(-math.log10(1 - o2), 4)]
    assert round(sum(terms), 4) == 0.4704
    np.testing.assert_allclose(h18.extra["loss_terms_published"],
                               [-math.log10(o1), -math.log10(1 - o2)], rtol=1e-14)
    assert h18.rebuilt["loss"].value == pytest.approx(sum(terms), abs=1e-12)
    assert round(losses_pub["10"]["binary"], 4) == 0.4705
    assert losses_pub["10"]["binary"] == pytest.approx(-math.log10(o1) - math.log10(1 - o2),
                                                       rel=1e-14)
    # the engine's loss is the natural-log cross-entropy, computed here independently
    o = np.array(h18.trace["forward"]["o_out"][0])
    assert h18.extra["losses_engine"]["e"]["cross_entropy"] == pytest.approx(
        -math.log(o[0]), rel=1e-14)
    assert h18.trace["loss"] == pytest.approx(-math.log(o[0]), rel=1e-14)
    assert h18.extra["losses_engine"]["10"]["binary"] == pytest.approx(
        -math.log10(o[0]) - math.log10(1 - o[1]), rel=1e-14)


def test_2018_stage_two_cross_term(h18):
    """For o1 the dropped cross term is zero (y2 = 0); for o2 it flips the sign."""
    b = h18.trace["backward"]
    jac, dE_do_out = np.array(b["do_out_do_in"][0]), np.array(b["dE_do_out"][0])
    assert dE_do_out[1] == 0.0
    diag_only = -1.0 / h18.trace["forward"]["o_out"][0][1] * jac[1, 1]
    assert h18.extra["dE_do_in2_diagonal_only"] == pytest.approx(diag_only, rel=1e-14)
    assert diag_only < 0 < b["dE_do_in"][0][1]
    o = h18.trace["forward"]["o_out"][0]
    assert b["dE_do_in"][0][1] == pytest.approx(o[1] - 0.0, rel=1e-12)


def test_2018_hidden_gradient_needs_both_paths(h18):
    walk = h18.extra["walk"]
    via_o1, via_o2 = walk.paths[0]
    dE_dh_out1 = h18.trace["backward"]["dE_dh_out"][0][0]
    assert via_o1 + via_o2 == pytest.approx(dE_dh_out1, rel=1e-14)
    assert via_o1 < 0 < dE_dh_out1      # one path alone even has the wrong sign
    # its −0.1673 took W_h1o1 = 0.4; its forward pass had used 0.7
    assert h18.extra["W_h1o1_used"] == 0.7
    assert round(h18.extra["dE_dh_out1_with_used"], 4) != -0.1673
    # its stage 1 · stage 2 as printed, times 0.7
    assert h18.extra["dE_dh_out1_with_used"] == pytest.approx(-1.719 * 0.2433 * 0.7,
                                                             rel=1e-12)


def test_2018_learning_rate(h18):
    """Its W_ih update took 0.2; with the stated 0.02 its own gradients give other values."""
    assert h18.extra["learning_rate_ih"] == 0.2 and h18.example.learning_rate == 0.02
    at_002 = h18.extra["W_ih_updated_at_002"].ravel()
    printed = flat(h18.by_key["W_ih_updated"].text)
    assert not any(rounds_to(v, p) for v, p in zip(at_002, printed))


def test_2018_biases_have_gradients(h18):
    b = h18.trace["backward"]
    assert all(abs(g) > 1e-3 for g in b["dE_db_o"] + b["dE_db_h"])
    assert h18.trace["updated"]["b_h"] != h18.trace["params"]["b_h"]
    # leaving them out leaves the loss higher after the step
    assert h18.extra["loss_after_frozen_biases"] > h18.trace["loss_after"]


def test_2018_its_own_step_raises_the_loss(h18):
    assert h18.extra["loss_after_published_step"] > h18.trace["loss"] > h18.trace["loss_after"]
    # both printed weight matrices, the initialised biases, written out here
    x, b_h, b_o = np.array([0.1, 0.2]), np.array([0.5, 0.6]), np.array([0.7, 0.9])
    W_ih = np.array([[0.7007, 0.6020], [0.5015, 0.4041]])
    W_ho = np.array([[0.4055, 0.6075], [0.9057, 0.8077]])
    o_in = (1 / (1 + np.exp(-(x @ W_ih + b_h)))) @ W_ho + b_o
    loss = -(o_in[0] - np.log(np.exp(o_in).sum()))
    assert h18.extra["loss_after_published_step"] == pytest.approx(loss, rel=1e-12)


# ---------------------------------------------------------------------------------------
# Mazur's "error after one round"


def test_mazur_error_after_one_round_both_ways(mz, trace_mazur):
    original, updated = mz.extra["loss_after_original"], mz.extra["loss_after_updated"]
    assert original == trace_mazur["loss_after"]
    assert f"{original:.10f}" == "0.2910277737"
    assert round(updated, 9) == 0.291027924          # what he printed
    assert not rounds_to(original, "0.291027924")
    assert mz.rebuilt["E_after"].reproduces


def test_mazur_printed_w1_comes_from_the_original_w5_to_w8(mz):
    """His w1⁺ and his error after one round come from two different calculations."""
    assert rounds_to(mz.extra["W_ih_original"][0, 0], "0.149780716")
    assert not rounds_to(mz.extra["W_ih_updated"][0, 0], "0.149780716")


# ---------------------------------------------------------------------------------------
# The checker itself can fail


def _copy_with(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    out = tmp_path / source.name
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


def test_a_wrong_correct_flag_fails_loudly(tmp_path):
    path = _copy_with(tmp_path, DATA_2018, 'published = ["0.6615", "0.6770"]',
                      'published = ["0.6615", "0.6771"]')
    with pytest.raises(P.PublishedError, match=r"value 'h_out'\.correct: the file says "
                                               r"correct; .* does not match"):
        P.hand_calculation_2018(path)


def test_a_value_marked_wrong_that_the_engine_matches_fails(tmp_path):
    mazur = tmp_path / "m"
    mazur.mkdir()
    path = _copy_with(mazur, DATA_MAZUR, 'published = "0.291027924"',
                      'published = "0.291027774"')
    text = path.read_text(encoding="utf-8").replace(
        'example = "examples/mazur-2015.toml"',
        f'example = "{(ROOT / "examples" / "mazur-2015.toml").as_posix()}"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(P.PublishedError, match=r"'E_after'\.correct: the file says wrong; "
                                               r"the engine's loss_after matches the printed "
                                               r"value at 9 decimals$"):
        P.mazur_2015(path)


@pytest.mark.parametrize("old, new, message", [
    ('[source]\ntitle', '[sauce]\ntitle', r"source: expected a \[source\] table"),
    ('published = ["0.67", "0.74"]', 'published = ["0.67", 0.74]',
     r"value 'h_in'\.published: expected numbers as printed"),
    ('engine = "forward.o_in[0]"', 'engine = "forward.o_in(0)"',
     r"value 'o_in'\.engine: expected a trace path"),
    ('engine = "forward.o_in[0]"', 'engine = "forward.o_inn[0]"',
     r"'o_in'\.engine: 'forward\.o_inn\[0\]': the engine trace has no 'o_inn'"),
    ('engine = "forward.h_out[0]"', 'engine = "forward.h_out"',
     r"value 'h_out': published shape \(2,\) does not match the engine's \(1, 2\)"),
    ('key = "h_out"', 'key = "h_in"', r"expected a unique key; 'h_in' appears twice"),
    ('learning_rate_ih = 0.2', 'learning_rate_ih = "0.2"',
     r"original\.learning_rate_ih: expected a number; got '0\.2'"),
    ('x = [[0.1, 0.2]]', 'x = [[0.1, "a"]]', r"start\.x: expected an array of rows"),    # every refusal of the format names the field, what it expects and what it found
    ('year = 2018', 'year = "2018"', r"source\.year: expected a int; got '2018'$"),
    ('title = "Backward', 'title = 7\nt = "Backward', r"source\.title: expected a str; got 7$"),
    ('kind = "blog', 'kind = 1\nk = "blog', r"source\.kind: expected a str; got 1$"),
    ('url = "https', 'url = 1\nu = "https', r"source\.url: expected a str; got 1$"),
    ('url = "https', 'author = 2\nu = "https', r"source\.author: expected a str; got 2$"),
    ('url = "https', 'url = "javascript:alert(1)"\nu = "https',
     r"source\.url: expected a web address starting with https:// or http://; "
     r"got 'javascript:alert\(1\)'$"),
    ('url = "https', 'url = " https://x.org"\nu = "https',
     r"source\.url: expected a web address starting with https:// or http://; got ' https"),
    ('key = "architecture"', 'ke = "architecture"',
     r"value\[0\]\.key: expected a non-empty string; got None$"),
    ('key = "architecture"', 'key = " "', r"value\[0\]\.key: expected a non-empty string; got ' '$"),
    ('step = "1. The architecture"', 'step = ""', r"value\[0\]\.step: expected a non-empty string"),
    ('name = "the network as a formula"', 'name = 3',
     r"value\[0\]\.name: expected a non-empty string; got 3$"),
    ("explanation = '''The text says", "explanation = ' '\nx = '''The text says",
     r"value\[0\]\.explanation: expected a non-empty string; got ' '$"),
    ('correct = false', 'correct = "no"',
     r"value 'architecture'\.correct: expected true or false; got 'no'$"),
    ('published = "Relu(Sigmoid(x W_ih + b_1) W_ho + b_2)"', 'publish = "Relu"',
     r"value 'architecture'\.published: expected the printed value; the key is missing$"),
    ('published = "Relu(Sigmoid(x W_ih + b_1) W_ho + b_2)"\ncorrect = false',
     'published = "Relu(Sigmoid(x W_ih + b_1) W_ho + b_2)"\ncorrect = true',
     r"value 'architecture'\.correct: true needs a printed number and an engine path"),
    ('published = ["0.67", "0.74"]\nengine = "forward.h_in[0]"\ncorrect = true',
     'published = "n/a"\nengine = "forward.h_in[0]"\ncorrect = true',
     r"value 'h_in'\.correct: true needs a printed number and an engine path to hold it "
     r"to; got published='n/a', engine='forward\.h_in\[0\]'$"),
    ('published = ["0.67", "0.74"]', 'published = [["0.67", "0.74"], ["0.1"]]',
     r"value 'h_in'\.published: expected a number, a row or a rectangular matrix"),
    ('engine = "forward.h_in[0]"', 'engine = 5',
     r"value 'h_in'\.engine: expected a trace path like forward\.o_in\[0\]; got 5$"),
    ('engine = "forward.h_in[0]"', 'engine = "forward.h_in[7]"',
     r"'forward\.h_in\[7\]': index 7 is out of range for shape \(1, 2\)"),
    ('W_ho_forward = [[0.7', 'W_ho_forward = 1\nW = [[0.7',
     r"original\.W_ho_forward: expected a array; got 1$"),
    ('b_o_forward = [0.5, 0.6]', 'b_o_forward = "a"', r"original\.b_o_forward: expected a array; got 'a'$"),
    ('learning_rate_ih = 0.2', 'learning_rate_ih = true',
     r"original\.learning_rate_ih: expected a number; got True$"),
    ('log_base = 10', 'log_base = 1.5', r"original\.log_base: expected a integer or string; got 1\.5$"),
    ('loss_formula = "binary"', 'loss_formula = 2', r"original\.loss_formula: expected a string; got 2$"),
    ('log_base = 10', 'log_base = 2',
     r"original: expected loss_formula binary or cross_entropy and log_base 10 or \"e\"; "
     r"got 'binary', 2$"),
])
def test_malformed_data_file_is_one_clear_line(tmp_path, old, new, message):
    path = _copy_with(tmp_path, DATA_2018, old, new)
    with pytest.raises(P.PublishedError, match=message) as err:
        P.hand_calculation_2018(path)
    assert "\n" not in str(err.value)
    assert str(err.value).startswith(str(path)) or "published-2018.toml" in str(err.value)


# ---------------------------------------------------------------------------------------
# The built pages show these numbers, whatever example the site is built from


#: A test that builds a whole site (a minute of subprocess) is left out of mutation
#: testing (scripts/mutation.sh sets MUTANT_UNDER_TEST), as tests/site is: once per
#: mutant it would cost hours; the same pages are read there by the site tests.
builds_a_site = pytest.mark.skipif("MUTANT_UNDER_TEST" in os.environ,
                                   reason="builds a site: not in the mutation run")


def _build(out: Path, example: Path) -> Path:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build.py"), "--example", str(example),
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("site") / "default", ROOT / "examples" / "default.toml")


@pytest.fixture(scope="module")
def site_mazur(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("site") / "mazur",
                  ROOT / "examples" / "mazur-2015.toml")


def _article(site: Path, page: str):
    from bs4 import BeautifulSoup
    html = (site / page / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").find("article")


def _math(cell) -> str:
    """A cell's text with the \\( \\) of inline math removed."""
    return re.sub(r"\\\(|\\\)", "", cell.get_text(" ", strip=True)).strip()


def _printed_tex(text) -> str:
    if isinstance(text, str):
        return text
    rows = text if isinstance(text[0], list) else [text]
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(r) for r in rows) + r" \end{bmatrix}"


def _engine_tex(value, decimals: int) -> str:
    value = np.asarray(value, dtype=float)
    if value.ndim == 0:
        return fmt.num(float(value), decimals)
    return fmt.mat(value if value.ndim == 2 else value[None, :], decimals)


@builds_a_site
@pytest.mark.parametrize("page, data, trace_fixture", [
    ("hand-calculation-2018", DATA_2018, "trace_2018"),
    ("mazur-2015", DATA_MAZUR, "trace_mazur"),
])
def test_page_table_shows_every_printed_value_beside_the_engine(
        request, site, page, data, trace_fixture):
    trace = request.getfixturevalue(trace_fixture)
    table = _article(site, page).find("table")
    header = [_math(th) for th in table.find_all("th")]
    rows = [[_math(td) for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]
    items = [" ".join(li.get_text(" ").split())
             for li in table.find_next("ul").find_all("li")]
    # math in an explanation ($…$) reaches the HTML as \(…\) for MathJax
    _check_table(header, rows, items, page, data, trace,
                 said=lambda text: re.sub(r"\$(.+?)\$", r"\\(\1\\)", text))


def _markdown(page: str) -> str:
    """A published-values page's Markdown, rendered in-process as the build renders it
    (its template with `published.page_variables()` and the `link` macro; any other
    name is an error)."""
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    source = (ROOT / "docs" / f"{page}.md").read_text(encoding="utf-8")
    import escape

    return env.from_string(source).render(**P.page_variables(), link=escape.link)


def _cells(line: str) -> list[str]:
    """A Markdown table row's cells as a reader sees them: no $, tags or emphasis."""
    cells = [" ".join(re.sub(r"<[^>]+>", " ", c).replace("$", "").split())
             for c in line.strip().strip("|").split(" | ")]
    return [re.sub(r"^(\*\*|\*|`)(.*)\1$", r"\2", c) for c in cells]


@pytest.mark.parametrize("page, data, trace_fixture", [
    ("hand-calculation-2018", DATA_2018, "trace_2018"),
    ("mazur-2015", DATA_MAZUR, "trace_mazur"),
])
def test_page_markdown_shows_every_printed_value_beside_the_engine(
        request, page, data, trace_fixture):
    """The same table read from the page's Markdown, without building a site (fast
    enough for mutation testing, which leaves the site builds out)."""
    trace = request.getfixturevalue(trace_fixture)
    lines = _markdown(page).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| ") and
                 "| verdict |" in line)
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("|"))
    header = _cells(lines[start])
    rows = [_cells(line) for line in lines[start + 2:end]]
    after = lines[end:]
    first = next(i for i, line in enumerate(after) if line.startswith("- "))
    items = []
    for line in after[first:]:
        if not line.startswith("- "):
            break
        items.append(" ".join(line[2:].split()))
    _check_table(header, rows, items, page, data, trace, said=lambda text: text)
    # as Markdown: a formula or words as code (nothing to compare) or in italics (held
    # against an engine value), the verdict of a match in bold, math in $…$
    raw = [[c.strip() for c in line.strip().strip("|").split(" | ")]
           for line in lines[start + 2:end]]
    for cells, entry in zip(raw, entries(data)):
        name = f"${entry['symbol']}$" if "symbol" in entry else entry["name"]
        assert cells[0] == f"{name}<br><small>{entry['step']}</small>", entry["key"]
        printed = entry["published"]
        if isinstance(printed, str) and not re.fullmatch(r"-?\d+(\.\d+)?", printed):
            assert cells[3] == (f"`{printed}`" if "engine" not in entry else f"*{printed}*")
        else:
            assert cells[3].startswith("$") and cells[3].endswith("$")
        # page order: name, verdict, difference, printed, engine
        assert (cells[1] == "**matches**") == entry["correct"], entry["key"]


def _check_table(header, rows, items, page, data, trace, said) -> None:
    """Each row: the name and step, the printed value exactly as printed, the engine's
    value at the printed precision, their difference as the row shows them, the verdict;
    then one explanation per wrong value (2018) or per figure (Mazur)."""
    # the verdict and difference come first, so that a phone shows them without scrolling
    assert header[1:] == ["verdict", "difference", "printed", "engine"]
    order = [0] + [header.index(h) for h in ("printed", "engine", "difference", "verdict")]
    rows = [[row[i] for i in order] for row in rows]
    values = entries(data)
    assert len(rows) == len(values)
    for row, entry in zip(rows, values):
        printed = entry["published"]
        numeric = isinstance(printed, list) or re.fullmatch(r"-?\d+(\.\d+)?", printed)
        # the name as the article writes it (its symbol, if any), then its step
        assert row[0] == f"{entry.get('symbol', entry['name'])} {entry['step']}", entry["key"]
        assert row[1] == _printed_tex(printed), entry["key"]
        if "engine" not in entry:
            assert row[2] == row[3] == "—" and row[4] == "wrong"
            continue
        engine = _at(trace, entry["engine"])
        if numeric:
            decimals = max(places(p) for p in flat(printed))
            assert row[2] == _engine_tex(engine, decimals), entry["key"]
            assert (row[4] == "matches") == entry["correct"], entry["key"]
            # the verdict counts the entries that do not round to the printed ones
            off = sum(not rounds_to(float(v), p) for v, p in
                      zip(np.ravel(engine), flat(printed)))
            size = len(flat(printed))
            wrong = entry.get("verdict", "wrong")  # a file may name what a wrong value is
            assert row[4] == ("matches" if not off else wrong if off == size
                              else f"{wrong} ({off} of {size})"), entry["key"]
            if entry["correct"]:
                assert row[3] == "within rounding"
            else:
                # engine − printed as the row shows them: a reader subtracts the cells
                shown_engine = np.vectorize(lambda v: shown(float(v), decimals))(engine)
                diff = shown_engine - np.array(_floats(printed), dtype=float).reshape(
                    np.shape(engine))
                assert row[3] == _engine_tex(diff.reshape(engine.shape), decimals)
        else:
            assert row[2] == _engine_tex(engine, 4) and row[4] == "left out"
            assert row[3] == "—"
    explained = [e for e in values if not e["correct"]] if page.startswith("hand") else values
    assert len(items) == len(explained)
    for item, entry in zip(items, explained):
        expected = said(" ".join(entry["explanation"].split()))
        # (spacing around the math differs once the HTML is read back as text)
        assert "".join(item.split()).endswith("".join(expected.split())), entry["key"]


def _floats(p):
    return [_floats(v) for v in p] if isinstance(p, list) else float(p)


@builds_a_site
def test_2018_page_shows_the_diagnosis(site, trace_2018):
    _check_2018_diagnosis(" ".join(_article(site, "hand-calculation-2018").get_text(" ").split()),
                          trace_2018)


def test_2018_page_markdown_shows_the_diagnosis(trace_2018):
    _check_2018_diagnosis(" ".join(_markdown("hand-calculation-2018").split()), trace_2018)


def test_2018_page_says_which_rebuilt_values_reproduce_the_printed_ones(h18):
    """Each "reproduces" / "does not reproduce" on the page, as REPRODUCED has it."""
    text = " ".join(_markdown("hand-calculation-2018").split())
    show = P.Show(h18)
    for key, tail in (("o_out", "the printed"), ("loss", "the printed value"),
                      ("W_ho_updated", "its printed update"), ("dE_dW_ih", "the printed")):
        said = "reproduces" if np.all(REPRODUCED[key]) else "does not reproduce"
        found = re.search(re.escape(f"{show.rebuilt(key)}$") + r",? (?:which )?"
                          r"(reproduces|does not reproduce) " + re.escape(tail), text)
        assert found and found.group(1) == said, key
    # W_ho's first column reproduces under its own rule, the second does not
    assert "The first column reproduces the" in text
    # o_in's first entry is reproduced (rounded up), its second by nothing
    assert re.search(r"\$[\d.]+\$, which reproduces the printed " + re.escape(f"${show.at('o_in', 0)}$"),
                     text)


def test_mazur_page_markdown_says_which_round_agrees(mz):
    text = " ".join(_markdown("mazur-2015").split())
    # his error after one round reproduces the second figure; his w1' matches the first
    assert mz.rebuilt["E_after"].reproduces and mz.compare["w1_updated"].matches
    assert "$0.291027924$, which agrees with the second at his printed precision" in text
    assert "$w_1^{+} = 0.149780716$, on the other hand, agrees with the first" in text
    assert "does not agree" not in text


def _check_2018_diagnosis(text: str, trace_2018: dict) -> None:
    o = np.array(trace_2018["forward"]["o_out"][0])
    data = tomllib.loads(DATA_2018.read_text(encoding="utf-8"))
    printed_o = np.array([float(v) for v in data["value"][4]["published"]])
    # the loss table, each entry computed here from the CLI's o_out and the printed one
    for probs in (o, printed_o):
        for log in (math.log, math.log10):
            ce = -log(probs[0])
            binary = -log(probs[0]) - log(1 - probs[1])
            assert fmt.num(ce, 4) in text and fmt.num(binary, 4) in text
    assert "0.2352 + 0.2352 = 0.4704" in text
    # o_in with the matrix and bias its forward pass used
    h_out = np.array(trace_2018["forward"]["h_out"][0])
    used = h_out @ np.array(data["original"]["W_ho_forward"]) + np.array(
        data["original"]["b_o_forward"])
    assert fmt.vec(used, 5) in text
    # one path against both, from the CLI's backward pass
    b, W = trace_2018["backward"], np.array(trace_2018["params"]["W_ho"])
    via = np.array(b["dE_do_in"][0]) * W[0]
    assert (f"{fmt.num(via[0], 4)} + {fmt.signed(via[1], 4)} = "
            f"{fmt.num(b['dE_dh_out'][0][0], 4)}") in text
    # the rate it used, against the stated one
    printed_grads = np.array([[float(v) for v in r] for r in data["value"][13]["published"]])
    W_ih = np.array(data["start"]["W_ih"])
    assert fmt.mat(W_ih - 0.2 * printed_grads, 4) in text
    assert fmt.mat(W_ih - 0.02 * printed_grads, 6) in text   # exact: no rounding
    # the biases
    assert fmt.vec(trace_2018["updated"]["b_h"], 4) in text
    assert fmt.vec(trace_2018["updated"]["b_o"], 4) in text
    assert "goes uphill" in text


@builds_a_site
def test_mazur_page_shows_both_errors_after_one_round(site, trace_mazur):
    text = " ".join(_article(site, "mazur-2015").get_text(" ").split())
    shown = re.findall(r"\\\((0\.29102\d+)\\\)", text)
    assert f"{trace_mazur['loss_after']:.9f}" in shown           # the original w5..w8, his 9 places
    assert any(rounds_to(float(v), "0.291027924") and
               not rounds_to(float(v), f"{trace_mazur['loss_after']:.9f}") for v in shown)
    assert "agrees with the second" in text and "agrees with the first" in text


@builds_a_site
@pytest.mark.parametrize("page", ["hand-calculation-2018", "mazur-2015"])
def test_pages_do_not_depend_on_the_site_example(site, site_mazur, page):
    assert _article(site, page).get_text() == _article(site_mazur, page).get_text()


@pytest.mark.parametrize("page", ["hand-calculation-2018.md", "mazur-2015.md"])
def test_page_sources_type_no_numbers(page):
    """Every decimal on these pages comes from the data file or the engine."""
    source = (ROOT / "docs" / page).read_text(encoding="utf-8")
    typed = re.findall(r"(?<![\w.])\d+\.\d+", source)
    assert not typed, f"docs/{page}: hand-typed numbers {typed}"


# ---------------------------------------------------------------------------------------
# Every field of a comparison, and the answers file built from the printed values


@pytest.mark.parametrize("check, trace_fixture, data", [
    ("h18", "trace_2018", DATA_2018), ("mz", "trace_mazur", DATA_MAZUR)])
def test_every_comparison_field_against_the_cli_trace(request, check, trace_fixture, data):
    """engine: the CLI's value at the path; difference: engine − printed; mask: the
    printed rounding rule, each computed here from the data file's strings."""
    c, trace = request.getfixturevalue(check), request.getfixturevalue(trace_fixture)
    assert [r.published.key for r in c.rows] == [e["key"] for e in entries(data)]
    for row, entry in zip(c.rows, entries(data)):
        assert c.compare[entry["key"]] is row and c.by_key[entry["key"]] is row.published
        if "engine" not in entry:
            assert (row.engine, row.difference, row.mask) == (None, None, None)
            continue
        engine = np.asarray(_at(trace, entry["engine"]), dtype=float)
        np.testing.assert_allclose(row.engine, engine, rtol=1e-12, atol=1e-15)
        printed = entry["published"]
        if not (isinstance(printed, list) or re.fullmatch(r"-?\d+(\.\d+)?", printed)):
            assert row.difference is None and row.mask is None and not row.numeric
            continue
        values = np.array(_floats(printed), dtype=float)
        decimals = max(places(p) for p in flat(printed))
        np.testing.assert_allclose(row.difference, engine - values, rtol=1e-12, atol=1e-15)
        mask = np.vectorize(lambda v, p: rounds_to(float(v), p))(engine, np.array(printed))
        assert row.mask.tolist() == mask.tolist(), entry["key"]
        assert row.matches == entry["correct"] == bool(mask.all())


def _answer_at(answers: dict, path: str):
    key, index = re.fullmatch(r"([\w.]+)((?:\[\d+\])*)", path).groups()
    section, _, name = key.rpartition(".")
    value = (answers[section] if section else answers)[name]
    for i in re.findall(r"\d+", index):
        value = value[int(i)]
    return value


def test_answers_2018_hold_each_printed_value_at_its_engine_path(h18):
    answers = P.answers_2018(h18)
    numeric = [e for e in entries(DATA_2018) if "engine" in e
               and (isinstance(e["published"], list) or re.fullmatch(r"-?\d+(\.\d+)?",
                                                                      e["published"]))]
    assert numeric
    for e in numeric:
        assert _answer_at(answers, e["engine"]) == e["published"], e["key"]
    # dE_do_out: only its first entry was printed; the rest is "" (nothing to check)
    assert answers["backward"]["dE_do_out"] == [["-1.719", ""]]
    # one value left out: its whole trace key goes, the others stay
    left = P.answers_2018(h18, leave_out="dE_do_out1")
    assert "dE_do_out" not in left["backward"]
    assert left["forward"] == answers["forward"] and left["loss"] == answers["loss"]


def test_answers_toml_writes_numbers_as_printed():
    answers = {"loss": "0.4704", "forward": {"o_in": [["1.3693", ""]]},
               "backward": {"dE_do_out": [["-1.719", "0.50"]]}}
    assert P.answers_toml(answers, header="# the 2018 article") == (
        '# the 2018 article\nloss = 0.4704\n\n[forward]\no_in = [[1.3693, ""]]\n\n'
        '[backward]\ndE_do_out = [[-1.719, 0.50]]\n')
    assert P.answers_toml({"loss": "0.4704"}) == "loss = 0.4704\n"


@pytest.mark.parametrize("value, printed, decimals, ok", [
    (0.675, 0.67, 2, True),         # exactly half a unit away (a binary float's hair)
    (0.665, 0.67, 2, True),
    (0.6751, 0.67, 2, False),
    (0.6649, 0.67, 2, False),
    (0.29102792, 0.291027924, 9, False),
])
def test_published_matches_at_its_edges(value, printed, decimals, ok):
    assert bool(P.matches(value, np.array(printed), decimals)) is ok


def test_the_correct_flag_messages_name_both_sides(tmp_path):
    path = _copy_with(tmp_path, DATA_2018, 'published = ["0.6615", "0.6770"]',
                      'published = ["0.6615", "0.6771"]')
    with pytest.raises(P.PublishedError) as err:
        P.hand_calculation_2018(path)
    assert str(err.value).endswith(
        "value 'h_out'.correct: the file says correct; the engine's forward.h_out[0] does "
        "not match the printed value at 4 decimals")


def test_a_missing_data_file_is_one_clear_line(tmp_path):
    missing = tmp_path / "published-2018.toml"
    with pytest.raises(P.PublishedError) as err:
        P.hand_calculation_2018(missing)
    assert str(err.value) == f"{missing}: no such file"


def test_a_value_that_is_not_a_table_is_one_clear_line(tmp_path):
    path = tmp_path / "published.toml"
    path.write_text('value = [1]\n[source]\ntitle = "t"\nyear = 2018\nkind = "k"\n',
                    encoding="utf-8")
    with pytest.raises(P.PublishedError) as err:
        P.load_published(path)
    assert str(err.value) == f"{path}: value[0]: expected a table; got 1"


def test_rebuilt_values_against_a_hand_calculation_from_the_printed_ones(h18, mz):
    """Each Rebuilt's key and value, recomputed here from the 2018 article's printed
    numbers (its h_out 0.6615, 0.6770 and o_out 0.5818, 0.4182) with its own formulas."""
    assert all(r.key == key for key, r in h18.rebuilt.items())
    assert all(r.key == key for key, r in mz.rebuilt.items())
    h_out, o_out = np.array([0.6615, 0.6770]), np.array([0.5818, 0.4182])
    used_W, used_b = np.array([[0.7, 0.5], [0.6, 0.4]]), np.array([0.5, 0.6])
    hand = {
        "o_in": h_out @ used_W + used_b,                     # 1.36925, 1.20155 exactly
        "dE_do_out1": -1 / o_out[0],
        "do_out1_do_in1": o_out[0] * o_out[1],
        # binary cross-entropy in log10, each term rounded to 4 places as printed
        "loss": round(-math.log10(o_out[0]), 4) + round(-math.log10(1 - o_out[1]), 4),
    }
    for key, value in hand.items():
        np.testing.assert_allclose(h18.rebuilt[key].value, value, rtol=1e-12, err_msg=key)
    # Mazur's error after one round through the updated w5..w8 rounds to his figure
    assert rounds_to(float(mz.rebuilt["E_after"].value), "0.291027924")
    assert not rounds_to(float(mz.step.loss_after), "0.291027924")


def test_the_2018_lines_the_page_calls_exact_and_halfway_are_so(h18):
    """The 2018 page says the hand-carried o_in is exact with both entries exactly
    halfway at the printed 4 places, and that W_ih − 0.02·(printed gradient) is exact at
    6 places: worked here in decimal arithmetic from the printed strings."""
    from decimal import Decimal

    h_out = [Decimal(v) for v in h18.by_key["h_out"].text]
    W = h18.extra["W_ho_forward"]
    b = h18.extra["b_o_forward"]
    carried = [sum(h_out[j] * Decimal(str(W[j][k])) for j in range(2)) + Decimal(str(b[k]))
               for k in range(2)]
    assert [float(v) for v in carried] == pytest.approx(list(h18.extra["o_in_used_carried"]),
                                                        abs=1e-12)
    for v in carried:               # exactly halfway at 4 places: the 5th digit is the last
        assert v.as_tuple().exponent == -5 and v.as_tuple().digits[-1] == 5, v
    grads = [[Decimal(g) for g in row] for row in h18.by_key["dE_dW_ih"].text]
    W_ih = [[Decimal(str(w)) for w in row] for row in h18.example.params.W_ih]
    exact = [[w - Decimal("0.02") * g for w, g in zip(wr, gr)] for wr, gr in zip(W_ih, grads)]
    assert all(-v.as_tuple().exponent <= 6 for row in exact for v in row)
    np.testing.assert_allclose([[float(v) for v in row] for row in exact],
                               h18.extra["W_ih_updated_at_002"], rtol=0, atol=1e-12)
