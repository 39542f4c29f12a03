"""The command line on good files: `trace --json`, plain `trace` and `gradcheck`.

`trace --json` prints exactly one JSON object whose numbers are the engine's floats
bit for bit; plain `trace` prints readable text with every stage; `gradcheck` reports
small errors. Usage mistakes exit 2. (Malformed example files: test_example_file.py.)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backprop_core import load_example

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from inprocess import run_cli  # noqa: E402
EXAMPLES = ["default", "mazur-2015", "relu", "batch-3-4-3"]


def cli(*args: str) -> subprocess.CompletedProcess:
    """`python -m backprop_core ARGS`, run in this process (tests/inprocess.py says why)."""
    return run_cli(*args)


def example_path(name: str) -> str:
    return str(ROOT / "examples" / f"{name}.toml")


def reject_constant(name: str):
    raise AssertionError(f"non-standard JSON constant {name}")


@pytest.mark.parametrize("name", EXAMPLES)
def test_trace_json_is_one_object_at_full_precision(name):
    run = cli("trace", example_path(name), "--json")
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert run.stdout.endswith("\n") and run.stdout.count("\n") == 1
    data = json.loads(run.stdout, parse_constant=reject_constant)
    assert isinstance(data, dict)

    s = load_example(example_path(name)).step()
    assert set(data["forward"]) == {"h_in", "h_out", "o_in", "o_out"}
    assert set(data["gradients"]) == {"W_ih", "b_h", "W_ho", "b_o"}
    assert set(data["updated"]) == {"W_ih", "b_h", "W_ho", "b_o"}
    for key in ("h_in", "h_out", "o_in", "o_out"):
        np.testing.assert_array_equal(np.array(data["forward"][key]), getattr(s.forward, key))
    for key, value in s.grads.items():
        np.testing.assert_array_equal(np.array(data["gradients"][key]), value)
    for key, value in s.updated.items():
        np.testing.assert_array_equal(np.array(data["updated"][key]), value)
    assert type(data["loss"]) is float and data["loss"] == s.loss
    assert type(data["loss_after"]) is float and data["loss_after"] == s.loss_after
    np.testing.assert_array_equal(np.array(data["backward"]["do_out_do_in"]),
                                  s.backward.do_out_do_in)


def test_trace_json_describes_the_run():
    data = json.loads(cli("trace", example_path("mazur-2015"), "--json").stdout)
    assert data["title"] == "Mazur's 2015 example"
    assert data["network"] == {"hidden_activation": "sigmoid", "output": "sigmoid_squared_error",
                               "update_biases": False}
    assert data["learning_rate"] == 0.5
    assert data["sizes"] == {"n_in": 2, "n_hidden": 2, "n_out": 2, "m": 1}
    assert data["x"] == [[0.05, 0.10]] and data["y"] == [[0.01, 0.99]]
    assert data["loss"] == pytest.approx(0.298371109, abs=5e-10)


def test_plain_trace_is_readable_text():
    run = cli("trace", example_path("default"))
    assert run.returncode == 0 and run.stderr == ""
    out = run.stdout
    assert out.startswith("Backpropagation, step by step\n")
    assert "n_in=2, n_hidden=2, n_out=2, m=1; hidden sigmoid" in out
    for heading in ("inputs", "forward", "backward", "update"):
        assert f"\n{heading}\n" in out
    for name in ("h_in", "h_out", "o_in", "o_out", "dE_dW_ih", "dE_db_h", "dE_dW_ho",
                 "dE_db_o", "E after"):
        assert re.search(rf"^  {re.escape(name)}\s", out, re.M), name
    assert re.search(r"^  h_in\s+\[\[0\.67 0\.74\]\]$", out, re.M)
    assert re.search(r"^  h_out\s+\[\[0\.661503 0\.676996\]\]$", out, re.M)
    assert "{" not in out  # not JSON


def test_plain_trace_mentions_frozen_biases():
    out = cli("trace", example_path("mazur-2015")).stdout
    assert "biases frozen" in out and "output sigmoid_squared_error" in out


@pytest.mark.parametrize("name", ["default", "batch-3-4-3"])
def test_gradcheck_reports_small_errors(name):
    run = cli("gradcheck", example_path(name))
    assert run.returncode == 0 and run.stderr == ""
    lines = run.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["W_ih", "b_h", "W_ho", "b_o", "all"]
    errors = [float(re.search(r"max relative error (\S+)", line).group(1)) for line in lines]
    assert max(errors) < 1e-6
    assert errors[-1] == max(errors[:-1])
    assert "eps=1e-06" in lines[-1]


def test_gradcheck_on_a_malformed_file_exits_2(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("learning_rate = 0\n[random]\n", encoding="utf-8")
    run = cli("gradcheck", str(path))
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == "error: learning_rate: expected a number > 0; got 0.0\n"


@pytest.mark.parametrize("args", [(), ("frobnicate",), ("trace",), ("trace", "a", "b")],
                         ids=["no command", "unknown command", "no file", "two files"])
def test_usage_mistakes_exit_2(args):
    run = cli(*args)
    assert run.returncode == 2 and run.stdout == ""
    assert "usage:" in run.stderr and "Traceback" not in run.stderr


def test_the_module_runs_as_a_program():
    """The entry point itself, in a process of its own: `python -m backprop_core` prints
    what `cli.main` prints (the other tests call `main` in-process) and exits with its
    status, a usage mistake with 2 and one line of usage."""
    done = subprocess.run([sys.executable, "-m", "backprop_core", "trace",
                           example_path("default"), "--json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == cli("trace", example_path("default"), "--json").stdout
    bad = subprocess.run([sys.executable, "-m", "backprop_core", "retrace"], capture_output=True,
                         text=True, cwd=ROOT, timeout=60)
    assert bad.returncode == 2 and bad.stdout == "" and "invalid choice: 'retrace'" in bad.stderr
