#!/usr/bin/env bash
# Installs what the tests need (Python packages, Debian's chromium for the browser test) and runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
export SPLICE_DATA_DIR="${SPLICE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
python -m pytest -q tests "$@"
