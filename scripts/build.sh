#!/bin/sh
# Fresh machine to built site: set up .venv (if needed), then build into site/.
# Extra arguments go to scripts/build.py (e.g. --example my.toml --out public).
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
exec .venv/bin/python scripts/build.py "$@"
