#!/bin/sh
# The whole test suite: sets up .venv if needed, then runs pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh -k engine).
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
# The browser tests (tests/browser) drive Debian's Chromium; they fail without it.
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO=none; fi
    if [ "$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing chromium (apt-get) for the browser tests" >&2
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null \
            && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-liberation >/dev/null \
            || echo "chromium: apt-get install failed; the browser tests will fail" >&2
    else
        echo "chromium: not at $CHROMIUM and cannot install it (needs root or sudo, and apt-get);" \
             "the browser tests will fail. Install Debian's chromium or set CHROMIUM=/path." >&2
    fi
fi
# Two worker processes (pytest-xdist), one test file per worker at a time, so that the
# session fixtures (a built site, a browser) serve a whole file; TEST_WORKERS=0 runs
# everything in this one process (as plain `pytest` does).
status=0
.venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" --dist loadfile "$@" || status=$?
# pytest exits 5 when it collected no tests: that proves nothing, so it fails here too.
if [ "$status" -eq 5 ]; then echo "no tests were collected" >&2; exit 1; fi
exit "$status"
