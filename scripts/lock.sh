#!/usr/bin/env bash
# Rewrite the two locks from pyproject.toml's ranges, with hashes (pip-tools):
#   requirements.txt      what runs (the production image installs only this)
#   requirements-dev.txt  what runs, plus the tests and tools (make test)
# Versions already locked stay as they are unless a range forces a change; pass
# UPGRADE=1 to take the newest versions the ranges allow.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
"$PY" -m piptools --version >/dev/null 2>&1 || "$PY" -m pip install --quiet "pip-tools>=7.4"

keep=()
if [ -z "${UPGRADE:-}" ] && [ -f requirements-dev.txt ]; then
  # The dev lock holds every package of both: as a constraint it keeps the pins.
  grep -E '^[A-Za-z0-9_.-]+==' requirements-dev.txt | sed 's/ .*//' > .lock-constraints.txt
  keep=(-c .lock-constraints.txt)
fi
compile() {
  "$PY" -m piptools compile --quiet --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-index-url --no-emit-find-links --no-header "${keep[@]}" "$@" pyproject.toml
}
compile -o requirements.txt
compile --extra dev -o requirements-dev.txt
rm -f .lock-constraints.txt
# The temporary constraint file is no reason a package is there.
sed -i '/#   -c .lock-constraints.txt/d' requirements.txt requirements-dev.txt
echo "locked: $(grep -c '==' requirements.txt) runtime and $(grep -c '==' requirements-dev.txt) development packages"
