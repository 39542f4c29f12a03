"""The mutation run's own bookkeeping (scripts/mutation_score.py, mutation_prepare.py).

A wrong list of pending mutants silently leaves mutants untested, and a wrong score
is a wrong measurement in the README; both are checked here on a small results folder
written by hand in mutmut's format (mutants/<path>.meta: mutant name -> exit code).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("mutmut", reason="the `mutation` extra is not installed")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import mutation_prepare  # noqa: E402
import mutation_score  # noqa: E402

# One mutant of each verdict mutmut writes, by exit code: None (not yet tested), 0
# (survived), 1 (killed), 33 (no tests reach it), 36 and -24 (timeouts), 37 (caught
# by the type check), 34 (skipped).
CODES = {
    "pkg.mod.x_f__mutmut_1": None,
    "pkg.mod.x_f__mutmut_2": 0,
    "pkg.mod.x_f__mutmut_3": 1,
    "pkg.mod.x_f__mutmut_4": 33,
    "pkg.mod.x_f__mutmut_5": 36,
    "pkg.mod.x_f__mutmut_6": -24,
    "pkg.mod.x_f__mutmut_7": 37,
    "pkg.mod.x_f__mutmut_8": 34,
    "pkg.mod.x_g__mutmut_1": 0,  # survived, but listed as equivalent below
}


@pytest.fixture
def results(tmp_path: Path) -> tuple[Path, Path]:
    mutants = tmp_path / "mutants"
    (mutants / "pkg").mkdir(parents=True)
    (mutants / "pkg" / "mod.py.meta").write_text(json.dumps({"exit_code_by_key": CODES}))
    # A module whose name starts like the other's: `pkg.mod` must not take its mutants.
    (mutants / "pkg" / "modern.py.meta").write_text(
        json.dumps({"exit_code_by_key": {"pkg.modern.x_h__mutmut_1": None}}))
    equivalents = tmp_path / "equivalent.txt"
    equivalents.write_text("# a comment line\npkg.mod.x_g__mutmut_1  # why it changes nothing\n")
    return mutants, equivalents


def test_pending_is_every_mutant_without_a_verdict_new_tests_could_change(results):
    mutants, equivalents = results
    assert mutation_score.pending(["pkg.mod"], mutants, equivalents) == [
        "pkg.mod.x_f__mutmut_1", "pkg.mod.x_f__mutmut_2", "pkg.mod.x_f__mutmut_4",
        "pkg.mod.x_f__mutmut_5", "pkg.mod.x_f__mutmut_6"]
    assert mutation_score.pending(["pkg.modern"], mutants, equivalents) == [
        "pkg.modern.x_h__mutmut_1"]
    assert mutation_score.pending(["pkg.other"], mutants, equivalents) == []


def test_score_counts_caught_over_tested_without_equivalents(results):
    mutants, equivalents = results
    [(module, tally, survivors)] = mutation_score.scores(["pkg.mod"], mutants, equivalents)
    assert module == "pkg.mod"
    assert tally == {"caught": 2, "survived": 1, "timeout": 2, "no tests": 1,
                     "not checked": 1, "skipped": 1, "equivalent": 1}
    assert survivors == ["pkg.mod.x_f__mutmut_2", "pkg.mod.x_f__mutmut_5 (timeout)",
                         "pkg.mod.x_f__mutmut_6 (timeout)"]


def test_score_line_gives_the_percentage_of_tested_mutants(results):
    mutants, equivalents = results
    assert len(mutation_score.report(["pkg"], mutants, equivalents)) == 2 + 3  # 2 modules
    first = mutation_score.report(["pkg.mod"], mutants, equivalents)[0]
    # tested: every verdict but "not checked" and the equivalent one: 2 of 7 caught.
    assert first.split()[:4] == ["pkg.mod", "28.6", "%", "2/7"]


@pytest.mark.parametrize(("recorded", "current", "stale"), [
    ({"m.x_f": "a", "m.x_g": "b"}, {"m.x_f": "a", "m.x_g": "b"}, []),
    ({"m.x_f": "a", "m.x_g": "b"}, {"m.x_f": "a", "m.x_g": "c"}, ["m.x_g"]),  # changed
    ({"m.x_f": "a"}, {"m.x_f": "a", "m.x_new": "d"}, ["m.x_new"]),  # new
    ({"m.x_f": "a", "m.x_gone": "e"}, {"m.x_f": "a"}, []),  # removed: nothing to link
])
def test_first_pass_is_stale_for_new_and_changed_functions(recorded, current, stale):
    assert mutation_prepare.stale_functions(recorded, current) == stale


def test_recorded_hashes_of_a_missing_or_broken_first_pass_is_none(tmp_path):
    assert mutation_prepare.recorded_hashes(tmp_path / "absent.json") is None
    (tmp_path / "broken.json").write_text("{")
    assert mutation_prepare.recorded_hashes(tmp_path / "broken.json") is None
    (tmp_path / "ok.json").write_text(json.dumps({"function_hashes": {"m.x_f": "a"}}))
    assert mutation_prepare.recorded_hashes(tmp_path / "ok.json") == {"m.x_f": "a"}


def test_every_listed_equivalent_gives_its_reason():
    """tests/mutation/equivalent.txt: one mutant a line, then " # " and why it cannot
    change any output; a name without a reason would drop a survivor from the score
    unexplained."""
    for line in mutation_score.EQUIVALENT.read_text("utf-8").splitlines():
        name, _, reason = line.partition(" # ")
        if not line.strip() or line.startswith("#"):
            continue
        assert "__mutmut_" in name and " " not in name.strip(), line
        assert len(reason.split()) >= 2, line  # at least "as mutmut_5"
