"""Shared engine-test fixtures: random test networks and the autograd-difference tally.

`make_case` builds a reproducible network + example of any shape from a seed.
`autograd_diff` compares the engine with the autograd reference (tolerance ≤ 1e-10)
and keeps the largest absolute difference seen; `pytest_terminal_summary` prints it at
the end of the run, so the number can be quoted in reports.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import settings

from backprop_core import Network, Params

#: The page modules in scripts/ that mutation testing mutates (pyproject, [tool.mutmut]).
PAGE_MODULES = ("fmt", "escape", "check_page", "published", "article", "figures", "practice")


def _page_modules_under_both_names() -> None:
    """Under mutmut, make `import fmt` and `scripts.fmt` one module (likewise each page module).

    mutmut names a mutant of scripts/fmt.py `scripts.fmt.…` and switches it on only in
    the module of that name, while the tests and the scripts import it as plain `fmt`
    (scripts/ is on sys.path, not a package). Imported once as `scripts.fmt` and
    registered under `fmt` too, the module the tests call is the one mutmut mutates.
    Outside mutmut (no MUTANT_UNDER_TEST) nothing changes.
    """
    if "MUTANT_UNDER_TEST" not in os.environ:
        return
    scripts = str(Path(__file__).resolve().parents[1] / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    for name in PAGE_MODULES:  # fmt and escape first: the others import them
        sys.modules[name] = importlib.import_module(f"scripts.{name}")


_page_modules_under_both_names()


@pytest.fixture(autouse="MUTANT_UNDER_TEST" in os.environ)
def _no_cached_results():
    """Under mutmut, forget every result the code cached (lru_cache) before each test.

    mutmut forks each mutant's test run from a process that has already run the tests
    on the unmutated code; a function cached there (mistakes' catalogue by size, the
    article and the published checks by content) would hand the mutant's tests the
    unmutated result, and the mutant would survive without ever running. Per test, so
    that mutmut also sees each test that reads a cached result reach the code.
    """
    _clear_caches()


def _clear_caches() -> None:
    for name, module in list(sys.modules.items()):
        if name.startswith(("backprop_core", "scripts.")) or name in PAGE_MODULES:
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()

# Hypothesis profiles. "ci" (the default: Hypothesis' own settings, derandomized so that
# a submission's run is repeatable) is the suite's fast run. "thorough" (opt-in: HYPOTHESIS_PROFILE=thorough sh scripts/test.sh
# tests/test_engine_autograd.py) runs 1,000 random networks against the autograd
# reference, with new random draws each run (and 1,000 of any property test that sets
# no count of its own).
settings.register_profile("ci", settings(derandomize=True))
settings.register_profile("thorough", settings(max_examples=1000))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: The suite's tolerance against autograd: both float64, so only rounding differs.
RTOL = 1e-10
ATOL = 1e-12


class AutogradDiff:
    """assert_allclose that also remembers the largest differences it saw.

    max_abs: the largest |engine − autograd| of any entry; large only where the value
             itself is large (e.g. ∂E/∂o_out = −y/(m·o_out) for a tiny o_out), so also
    max_scaled: the largest |engine − autograd| / max(1, |autograd|).
    """

    def __init__(self) -> None:
        self.max_abs, self.max_abs_value, self.max_abs_where = 0.0, 0.0, "(none)"
        self.max_scaled, self.max_scaled_where = 0.0, "(none)"
        self.comparisons = 0

    def check(self, name: str, actual, expected, rtol: float = RTOL, atol: float = ATOL) -> None:
        actual = np.asarray(actual, dtype=float)
        expected = np.asarray(expected, dtype=float)
        assert actual.shape == expected.shape, f"{name}: shape {actual.shape} != {expected.shape}"
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=name)
        self.comparisons += 1
        if not actual.size:
            return
        diff = np.abs(actual - expected).ravel()
        at = int(np.argmax(diff))
        if diff[at] > self.max_abs:
            self.max_abs, self.max_abs_value = float(diff[at]), float(expected.ravel()[at])
            self.max_abs_where = name
        scaled = float(np.max(diff / np.maximum(1.0, np.abs(expected).ravel())))
        if scaled > self.max_scaled:
            self.max_scaled, self.max_scaled_where = scaled, name

    def merge(self, other: dict) -> None:
        """Take another process's tally (`vars` of one) into this one."""
        self.comparisons += other["comparisons"]
        if other["max_abs"] > self.max_abs:
            self.max_abs, self.max_abs_value, self.max_abs_where = (
                other["max_abs"], other["max_abs_value"], other["max_abs_where"])
        if other["max_scaled"] > self.max_scaled:
            self.max_scaled, self.max_scaled_where = other["max_scaled"], \
                other["max_scaled_where"]


_TALLY = AutogradDiff()


@pytest.fixture(scope="session")
def autograd_diff() -> AutogradDiff:
    return _TALLY


# Under pytest-xdist (scripts/test.sh) the tests run in worker processes: each hands its
# tally to the controller, which prints the summary.
def pytest_sessionfinish(session) -> None:
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["autograd_tally"] = vars(_TALLY)


_SCREENSHOTS: set[str] = set()  # where the workers' browser tests put screenshots


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: unknown without it
def pytest_testnodedown(node, error) -> None:
    output = getattr(node, "workeroutput", {})
    if output.get("autograd_tally"):
        _TALLY.merge(output["autograd_tally"])
    if output.get("screenshots"):
        _SCREENSHOTS.add(output["screenshots"])


def pytest_terminal_summary(terminalreporter) -> None:
    for folder in sorted(_SCREENSHOTS):
        count = len(list(Path(folder).glob("*.png")))
        terminalreporter.write_line(f"browser screenshots ({count}): {folder}")
    t = _TALLY
    if t.comparisons:
        terminalreporter.write_line(
            f"engine vs autograd, {t.comparisons} array comparisons at rtol={RTOL:g}, "
            f"atol={ATOL:g}:\n"
            f"  largest absolute difference {t.max_abs:.3e} (on a value of "
            f"{t.max_abs_value:.6g}, in {t.max_abs_where})\n"
            f"  largest difference / max(1, |value|) {t.max_scaled:.3e} (in "
            f"{t.max_scaled_where}); i.e. on values of magnitude ≤ 1 no difference "
            f"exceeds this")


def _make_case(seed: int, n_in: int = 2, n_hidden: int = 2, n_out: int = 2, m: int = 1,
               hidden: str = "sigmoid", output: str = "softmax_cross_entropy",
               update_biases: bool = True, scale: float = 1.0) -> SimpleNamespace:
    """A random network and batch; values uniform in ±scale, targets valid for `output`."""
    rng = np.random.default_rng(seed)

    def u(*shape: int) -> np.ndarray:
        return rng.uniform(-scale, scale, size=shape)

    x = u(m, n_in)
    if output == "softmax_cross_entropy":
        y = np.eye(n_out)[rng.integers(0, n_out, size=m)]
    else:
        y = rng.uniform(0.0, 1.0, size=(m, n_out))
    params = Params(W_ih=u(n_in, n_hidden), b_h=u(n_hidden), W_ho=u(n_hidden, n_out),
                    b_o=u(n_out))
    return SimpleNamespace(network=Network(hidden, output, update_biases), params=params,
                           x=x, y=y, learning_rate=float(rng.uniform(0.01, 1.0)))


@pytest.fixture(scope="session")
def make_case():
    return _make_case
