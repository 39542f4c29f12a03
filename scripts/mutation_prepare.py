"""Bring mutants/ up to date with the code before a mutation run lists what to test.

scripts/mutation.sh runs this first. It does what `mutmut run` does before it tests
anything, with mutmut's own functions: copies the sources and tests into mutants/ and
writes the mutants of every changed file. mutmut resets the verdicts of a changed
function's mutants there, and a new function's mutants appear, so the list of pending
mutants taken afterwards (`mutation_score.py --pending`) includes them.

It also decides whether mutmut's first pass over the tests (mutants/mutmut-stats.json:
which tests reach which function) is still true. mutmut reuses that file and runs the
first pass again only for new tests; a function that is new or whose code changed since
the file was written may be reached by tests the file does not link to it, so its
mutants would be run against too few tests, or none ("no tests"). In that case the file
is set aside (mutmut-stats.json.old) and the next `mutmut run` makes a full first pass.

Usage: python scripts/mutation_prepare.py [JOBS]     (prints what it found)
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATS = Path("mutants") / "mutmut-stats.json"


def stale_functions(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """Functions whose tests the first pass may not know: new, or changed since it ran."""
    return sorted(name for name, digest in current.items() if recorded.get(name) != digest)


def recorded_hashes(stats: Path = STATS) -> dict[str, str] | None:
    """The function hashes the first pass was made with (None: no usable first pass)."""
    try:
        return json.loads(stats.read_text("utf-8")).get("function_hashes") or None
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def generate(jobs: int) -> dict[str, str]:
    """Write mutants/ as `mutmut run` does before testing; the hash of every function."""
    # Imported here: mutmut.__main__ sets the fork start method on import.
    from mutmut import __main__ as mutmut_main
    from mutmut.state import state

    mutmut_main.set_mutant_under_test("mutant_generation")
    os.makedirs("mutants", exist_ok=True)
    mutmut_main.copy_src_dir()
    mutmut_main.copy_also_copy_files()
    mutmut_main.setup_source_paths()
    mutmut_main.store_lines_covered_by_tests()
    mutmut_main.create_mutants(jobs)
    return dict(state().current_function_hashes)


def main(argv: list[str]) -> int:
    os.chdir(ROOT)
    jobs = int(argv[0]) if argv else 1
    current = generate(jobs)
    recorded = recorded_hashes()
    if recorded is None:
        print("mutation: no first pass yet; mutmut makes one")
        return 0
    stale = stale_functions(recorded, current)
    if stale:
        STATS.replace(STATS.with_name(STATS.name + ".old"))
        shown = ", ".join(stale[:8]) + (f" and {len(stale) - 8} more" if len(stale) > 8 else "")
        print(f"mutation: {len(stale)} functions new or changed since the first pass ({shown});"
              " mutmut makes a new one")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
