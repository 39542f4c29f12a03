"""Run `python -m backprop_core ...` in this process: the same `cli.main`, its output
captured, its exit status returned, as a `subprocess.CompletedProcess`.

Why not a subprocess: the command-line tests then reach `cli.py` and `check.py` in the
test process itself, where coverage and mutation testing (scripts/mutation.sh) see
which test ran which code; and they run faster. An exception `main` does not turn into
a message propagates and fails the test, as a traceback would. The entry point
itself (`python -m backprop_core`, `__main__.py`) keeps subprocess tests of its own
(test_cli.py: test_the_module_runs_as_a_program).

`shared_scope` is for the same reason: a fixture computed once per module is, under
mutation testing, computed once per test, so that mutmut sees every test that reads it
reach the code (it credits the code a shared fixture runs to the first test only).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from pathlib import Path

from backprop_core import cli as _cli

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = _cli.main(list(args))
        except SystemExit as exit_:  # argparse's usage errors and --help
            code = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(["python", "-m", "backprop_core", *args], code or 0,
                                       out.getvalue(), err.getvalue())


def shared_scope(fixture_name: str, config) -> str:
    """pytest's dynamic scope: "module", or "function" under mutmut (MUTANT_UNDER_TEST)."""
    return "function" if "MUTANT_UNDER_TEST" in os.environ else "module"
