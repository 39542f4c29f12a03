#!/bin/sh
# Create .venv (if missing) and install the project with its test extra into it.
# Idempotent: a second run only checks that everything is installed.
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed"'
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
# Material prints an end-of-life banner (about MkDocs 2.0) whenever a program named
# `mkdocs` imports it, unless NO_MKDOCS_2_WARNING is set; a plugin may add a ProperDocs
# notice unless DISABLE_MKDOCS_2_WARNING=true. The README covers both (MkDocs' future,
# ProperDocs), so this venv sets them for every program it runs, `mkdocs serve` included.
# A value already in the environment wins.
SITE_PACKAGES=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo 'import os; os.environ.setdefault("NO_MKDOCS_2_WARNING", "1"); os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")' \
    > "$SITE_PACKAGES/backprop_tutorial_quiet.pth"
