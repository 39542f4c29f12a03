"""Per-module mutation scores from a mutmut run (scripts/mutation.sh prints them).

mutmut keeps each file's results in mutants/<path>.meta (JSON: mutant name -> the exit
code of its test run). A mutant counts as killed when the tests failed on it. A timeout
is not counted as killed: here it is mostly a test that builds a site running past
mutmut's CPU limit, not a planted bug that hangs; it is listed with the survivors and
tested again on the next run. Mutants listed in
tests/mutation/equivalent.txt (one name a line, then " # " and why it cannot change any
output) are taken out of the count; every other survivor is a gap in the tests.

Usage: python scripts/mutation_score.py [MODULE-PREFIX ...]
       python scripts/mutation_score.py --pending MODULE-PREFIX ...
--pending prints the names of the mutants a run of those modules still has to test: not
yet tested, survived, found no tests or timed out last time (a site build in a test can
exceed the time limit), and not listed as equivalent (a killed
mutant stays killed while its function is unchanged: mutmut resets a changed one).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "tests" / "mutation" / "equivalent.txt"
CAUGHT = {"killed", "segfault", "caught by type check"}


def equivalent_names(path: Path = EQUIVALENT) -> set[str]:
    """The mutant names the equivalents file lists (text before ' # ' on each line)."""
    if not path.exists():
        return set()
    names = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return {name for name in names if name}


def module_of(mutant: str) -> str:
    """backprop_core.network.x_forward__mutmut_3 -> backprop_core.network"""
    return mutant.rsplit(".", 1)[0].split(".x")[0] if ".x" in mutant else mutant.rsplit(".", 1)[0]


def scores(prefixes: list[str], mutants: Path = ROOT / "mutants",
           equivalents: Path = EQUIVALENT) -> list[tuple[str, Counter, list[str]]]:
    equivalent = equivalent_names(equivalents)
    rows = []
    for meta in sorted(mutants.rglob("*.py.meta")):
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        module = str(meta.relative_to(mutants))[: -len(".py.meta")].replace("/", ".")
        if not codes or (prefixes and not any(module == p or module.startswith(p + ".")
                                             for p in prefixes)):
            continue
        tally, survivors = Counter(), []
        for name, code in codes.items():
            status = status_by_exit_code[code]
            if name in equivalent:
                status = "equivalent"
            elif status in ("survived", "timeout"):
                survivors.append(name if status == "survived" else f"{name} (timeout)")
            tally["caught" if status in CAUGHT else status] += 1
        rows.append((module, tally, sorted(survivors)))
    return rows


def pending(prefixes: list[str], mutants: Path = ROOT / "mutants",
            equivalents: Path = EQUIVALENT) -> list[str]:
    """Mutants of these modules without a verdict that new tests could change."""
    equivalent = equivalent_names(equivalents)
    names = []
    for meta in sorted(mutants.rglob("*.py.meta")):
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        names += [name for name, code in codes.items()
                  if any(name.startswith(p + ".") for p in prefixes) and name not in equivalent
                  and status_by_exit_code[code] in ("not checked", "survived", "no tests", "timeout")]
    return sorted(names)


def report(prefixes: list[str], mutants: Path = ROOT / "mutants",
           equivalents: Path = EQUIVALENT) -> list[str]:
    """One line a module (score, caught / tested, the other verdicts), then its survivors."""
    lines = []
    for module, tally, survivors in scores(prefixes, mutants, equivalents):
        checked = sum(n for s, n in tally.items() if s not in ("not checked", "equivalent"))
        pct = f"{100 * tally['caught'] / checked:5.1f} %" if checked else "   - "
        rest = ", ".join(f"{n} {s}" for s, n in sorted(tally.items()) if s != "caught")
        lines.append(f"{module:32} {pct}  {tally['caught']}/{checked} caught  ({rest or 'none other'})")
        lines += [f"    survived: {name}" for name in survivors]
    return lines


def main(argv: list[str]) -> int:
    if argv[:1] == ["--pending"]:
        print("\n".join(pending(argv[1:])))
        return 0
    print("\n".join(report(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
