#!/usr/bin/env bash
# A local S3-compatible server for tests and trying out an s3:// Pulumi backend: moto's server
# mode (https://github.com/getmoto/moto), installed from PyPI into a virtualenv in a cache folder
# outside the clone, so later runs and CI reuse it.
#
#   bash scripts/s3-server.sh --ensure          # install if missing; last stdout line: the moto_server path
#   bash scripts/s3-server.sh [--port 4566]     # install if missing, then serve on 127.0.0.1 (port 0: any free one)
#
# Only the S3 extra is installed (plus Flask for server mode): ~140 MB and ~80 s on a cold cache,
# against ~320 MB and ~190 s for moto[server] with every service.
# Environment: DSP_AUDIENCES_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/dsp-audiences).
set -euo pipefail

MOTO_VERSION=5.2.5
FLASK_VERSION=3.1.3
FLASK_CORS_VERSION=6.0.5

say() { printf '[s3-server] %s\n' "$*" >&2; }
die() { printf '[s3-server] error: %s\n' "$*" >&2; exit 1; }

mode=serve
port=0
while [ $# -gt 0 ]; do
  case "$1" in
    --ensure) mode=ensure ;;
    --port) port="${2:?--port needs a value}"; shift ;;
    *) die "unknown argument $1 (usage: s3-server.sh [--ensure] [--port N])" ;;
  esac
  shift
done

command -v python3 >/dev/null 2>&1 || die "python3 is needed to install the S3 test server (moto); install Python 3.9+"
pyver="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
venv="${DSP_AUDIENCES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dsp-audiences}/moto-$MOTO_VERSION-py$pyver"
server="$venv/bin/moto_server"

if [ ! -f "$venv/.complete" ]; then
  mkdir -p "$(dirname "$venv")"
  # One install at a time per cache folder (parallel test runs, CI and a laptop shell).
  exec 9>"$venv.lock"
  flock 9
  if [ ! -f "$venv/.complete" ]; then
    start=$(date +%s)
    rm -rf "$venv"
    say "installing moto[s3] $MOTO_VERSION into $venv (first run only)"
    python3 -m venv "$venv" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
      "moto[s3]==$MOTO_VERSION" "flask==$FLASK_VERSION" "flask-cors==$FLASK_CORS_VERSION" \
      || die "pip install of moto failed (is PyPI reachable?)"
    "$server" --help >/dev/null || die "moto_server does not run"
    touch "$venv/.complete"
    say "installed in $(( $(date +%s) - start )) s"
  fi
  exec 9>&-
fi

if [ "$mode" = ensure ]; then
  echo "$server"
  exit 0
fi
say "serving S3 on 127.0.0.1 (port $port; 0 = the free port printed below); any access key works"
exec "$server" -H 127.0.0.1 -p "$port"
