#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or older than package-lock.json, and
# compiles dist/ after an install or when it is missing, so the README's commands work on a fresh
# clone with nothing installed first. The build is not an npm `prepare` script: npm would list it
# among the install scripts of every project that installs the packed package.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
installed=
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[deps] installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
  installed=1
fi
if [ -n "$installed" ] || [ ! -d dist ]; then
  echo "[deps] compiling to dist/ (npm run build)" >&2
  npm run build --silent >&2
fi
