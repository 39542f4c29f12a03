#!/bin/sh
# Mutation testing: plant one small bug at a time in the code and count how many the
# non-browser tests catch (README, "Mutation testing"). A measurement, not part of .ci/run.
#
#   sh scripts/mutation.sh                          # every module not yet tested (hours)
#   sh scripts/mutation.sh backprop_core.network    # one module (or several)
#   sh scripts/mutation.sh --score [MODULE ...]     # only print the last run's scores
#
# MUTATION_JOBS (default 1) is how many mutants are tested at once: this machine's two
# cores are shared, so one. Results stay in mutants/ (git-ignored); a second run of a
# module tests only its mutants without a verdict (MUTATION_FRESH=1: all of them).
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,mutation]'
if [ "${1:-}" = "--score" ]; then
    shift
    exec .venv/bin/python scripts/mutation_score.py "$@"
fi
# A named module: only its mutants without a verdict yet (untested, survived or "no
# tests" last time) are run, by name; MUTATION_FRESH=1 runs all of them again (mutmut
# runs every mutant it is given by name or pattern).
names=""
for module in "$@"; do
    if [ "${MUTATION_FRESH:-0}" = 1 ]; then
        names="$names $module.*"
    else
        names="$names $(.venv/bin/python scripts/mutation_score.py --pending "$module" | tr '\n' ' ')"
    fi
done
if [ $# -gt 0 ] && [ -z "$(echo "$names" | tr -d ' ')" ]; then
    echo "nothing left to test in: $*"
    exec .venv/bin/python scripts/mutation_score.py "$@"
fi
start=$(date +%s)
# shellcheck disable=SC2086  # names are single words; no glob expansion (set -f)
set -f
.venv/bin/mutmut run --max-children "${MUTATION_JOBS:-1}" $names >mutants.log 2>&1 \
    || { tail -n 40 mutants.log >&2; echo "mutmut failed; its output is in mutants.log" >&2; exit 1; }
set +f
echo "mutation run took $(( $(date +%s) - start )) s"
exec .venv/bin/python scripts/mutation_score.py "$@"
