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
# BLAS and OpenMP thread pools: mutmut forks each mutant's test run from a process that
# has already run the tests; a pool started before the fork can leave a lock held by a
# thread the child does not have, and the child sleeps until mutmut's timeout (8 of
# network.py's mutants did). One thread each: no pool, nothing to inherit.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# Bring mutants/ up to date first (new and changed functions get their mutants, with no
# verdict), so that the list of pending mutants below includes them; a first pass over
# the tests made before a function changed is set aside (scripts/mutation_prepare.py).
.venv/bin/python scripts/mutation_prepare.py "${MUTATION_JOBS:-1}"
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
