#!/bin/sh
# The whole test suite: sets up .venv if needed, then runs pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh -k engine).
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
status=0
.venv/bin/python -m pytest "$@" || status=$?
# pytest exits 5 when it collected no tests: that proves nothing, so it fails here too.
if [ "$status" -eq 5 ]; then echo "no tests were collected" >&2; exit 1; fi
exit "$status"
