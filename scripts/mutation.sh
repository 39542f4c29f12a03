#!/bin/sh
# Mutation testing: plant one small bug at a time in the code and count how many the
# non-browser tests catch (README, "Mutation testing"). A measurement, not part of .ci/run.
#
#   sh scripts/mutation.sh                          # all of backprop_core/
#   sh scripts/mutation.sh backprop_core.network    # one module (or several)
#   sh scripts/mutation.sh --score [MODULE ...]     # only print the last run's scores
#
# MUTATION_JOBS (default 1) is how many mutants are tested at once: this machine's two
# cores are shared, so one. Results stay in mutants/ (git-ignored); a second run only
# tests mutants whose code or tests changed.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,mutation]'
if [ "${1:-}" = "--score" ]; then
    shift
    exec .venv/bin/python scripts/mutation_score.py "$@"
fi
# mutmut selects mutants by name: backprop_core.network -> backprop_core.network.*
patterns=""
for module in "$@"; do patterns="$patterns $module.*"; done
start=$(date +%s)
# shellcheck disable=SC2086  # each pattern is one word, quoted so the shell expands none
set -f
.venv/bin/mutmut run --max-children "${MUTATION_JOBS:-1}" $patterns >mutants.log 2>&1 \
    || { tail -n 40 mutants.log >&2; echo "mutmut failed; its output is in mutants.log" >&2; exit 1; }
set +f
echo "mutation run took $(( $(date +%s) - start )) s"
exec .venv/bin/python scripts/mutation_score.py "$@"
