#!/usr/bin/env bash
# Set-up for `make run` and `make test`: system packages, .venv, pinned Python packages,
# npm assets, compiled translations. Safe to run again: each step skips what is done.
#   scripts/setup.sh          what `make run` needs
#   scripts/setup.sh test     also Debian's chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=${1:-}
PYTHON=${PYTHON:-python3}
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

# --- system packages -------------------------------------------------------------------
missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
command -v msgfmt >/dev/null || missing+=(gettext)
have_lib libpango-1.0.so.0 || missing+=(libpango-1.0-0)
have_lib libpangoft2-1.0.so.0 || missing+=(libpangoft2-1.0-0)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ "$want_test" = "test" ]; then
  command -v chromium >/dev/null || missing+=(chromium)
fi
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    say "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    die "Missing system packages. Please install them, then run make again:
    sudo apt-get install ${missing[*]}"
  fi
fi

"$PYTHON" - <<'PY' || die "Pioneer needs Python 3.11 or newer (found $($PYTHON --version 2>&1)). Set PYTHON=python3.11."
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

# --- Python packages --------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  say "Creating .venv"
  "$PYTHON" -m venv .venv
fi
# `make run` needs what runs (requirements.txt); `make test` the development lock, which
# holds the same pins plus the tests' packages. Both are hashed (pip-tools): pip refuses
# a package whose file does not match.
lock=requirements.txt
[ "$want_test" = "test" ] && lock=requirements-dev.txt
stamp=.venv/.installed-$lock
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
  say "Installing Python packages ($lock)"
  # (grep drops this machine's notes about unused local package mirrors; pipefail keeps errors)
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock" 2>&1 \
    | { grep -v "^WARNING: Location 'file:" || true; }
  touch "$stamp"
fi

# --- front-end assets (KERN, htmx, axe-core) from the npm registry -------------------------
if [ ! -f node_modules/.installed ] || [ package-lock.json -nt node_modules/.installed ]; then
  say "Installing front-end assets (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.installed
fi

# --- translations (quick; always rebuilt so a stale .mo never hides a change) -------------
.venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
say "Set-up complete"
