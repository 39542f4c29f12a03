"""A deterministic sample of one module's mutants, and its score with a 95 % interval.

For a module too large to run whole in the time there is (scripts/article.py has some
2,800 mutants): every K-th of its mutant names in sorted order, starting with the first,
so that a rerun tests the same mutants and the sample spreads over every function.

    python scripts/mutation_sample.py names MODULE K     # the names, one a line
    python scripts/mutation_sample.py score MODULE K     # the sample's score so far

The score counts as scripts/mutation_score.py does (equivalents left out, timeouts not
caught) and gives the Wilson 95 % interval of the module's whole score, as estimated by
the sample (a sample, never the full score).
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutation_score import CAUGHT, ROOT, equivalent_names  # noqa: E402


def all_names(module: str) -> dict[str, int]:
    """Every mutant of `module` (scripts.article) and its last exit code (None: untested)."""
    meta = ROOT / "mutants" / (module.replace(".", "/") + ".py.meta")
    return json.loads(meta.read_text("utf-8"))["exit_code_by_key"]


def sample(module: str, k: int) -> list[str]:
    return sorted(all_names(module))[::k]


def wilson(caught: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = caught / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def score(module: str, k: int) -> str:
    codes = all_names(module)
    equivalent = equivalent_names()
    tally, survivors = Counter(), []
    for name in sample(module, k):
        status = status_by_exit_code[codes[name]]
        if name in equivalent:
            status = "equivalent"
        elif status in ("survived", "timeout", "no tests"):
            survivors.append(f"{name} ({status})")
        tally["caught" if status in CAUGHT else status] += 1
    tested = sum(n for s, n in tally.items() if s not in ("not checked", "equivalent"))
    low, high = wilson(tally["caught"], tested)
    rest = ", ".join(f"{n} {s}" for s, n in sorted(tally.items()) if s != "caught")
    lines = [f"{module}: sample every {k}th of {len(codes)} mutants ({len(sample(module, k))}): "
             f"{tally['caught']}/{tested} caught"
             + (f" = {100 * tally['caught'] / tested:.1f} %, 95 % interval "
                f"{100 * low:.1f}-{100 * high:.1f} %" if tested else "")
             + f" ({rest or 'none other'})"]
    lines += [f"    not caught: {s}" for s in survivors]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    command, module, k = argv[0], argv[1], int(argv[2])
    if command == "names":
        print("\n".join(sample(module, k)))
    else:
        print(score(module, k))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
