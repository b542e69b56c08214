#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine with Python 3.11, then run
# the whole suite: pytest (Python) and node:test (the Outlook add-in).
# System packages: LibreOffice (fixed .docx convert to PDF), Chromium (the HTML review page),
# Java (PySpark in local mode), Node.js and npm (the add-in). Needs root for apt-get; set
# SKLINT_SKIP_APT=1 to skip that step when they are installed already.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ "${SKLINT_SKIP_APT:-0}" != "1" ] && command -v apt-get >/dev/null 2>&1; then
  need=()
  command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
  command -v node >/dev/null 2>&1 || need+=(nodejs npm)
  if [ ${#need[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
      || echo "warning: could not install ${need[*]}; tests that need them will say so" >&2
  fi
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test,spark]" || exit 1

status=0
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
rc=$?
if [ $rc -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; rc=1; fi
[ $rc -eq 0 ] || status=$rc

if [ -f pre-send-hook/package.json ]; then
  (cd pre-send-hook && npm ci --no-audit --no-fund --loglevel=error && SKLINT_PYTHON="$PWD/../.venv/bin/python" npm test)
  rc=$?
  [ $rc -eq 0 ] || status=$rc
fi
exit $status
