#!/usr/bin/env bash
# Provides a Node.js this project can run on (>= 22; developed and tested on 24) and prints the
# folder that holds its `node`.
#
#   bash scripts/ensure-node.sh      # progress on stderr; last line of stdout: the bin folder
#
# 1. `node` on PATH at $NODE_MIN_MAJOR or newer: used as it is.
# 2. Otherwise Node.js $NODE_PINNED_VERSION from the npm registry (the `node-<os>-<arch>` package
#    that `npm install node@24` itself installs), into a cache folder outside the clone, so that
#    later runs and CI reuse it.
#
# Environment: DSP_AUDIENCES_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/dsp-audiences).
set -euo pipefail

NODE_PINNED_VERSION=24.21.0
NODE_MIN_MAJOR=22

say() { printf '[node] %s\n' "$*" >&2; }
die() { printf '[node] error: %s\n' "$*" >&2; exit 1; }

if command -v node >/dev/null 2>&1; then
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -ge "$NODE_MIN_MAJOR" ]; then
    dirname "$(command -v node)"
    exit 0
  fi
fi

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "no Node.js >= $NODE_MIN_MAJOR on PATH; install Node.js $NODE_PINNED_VERSION (https://nodejs.org) and run this again" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "no Node.js >= $NODE_MIN_MAJOR on PATH and no package for $(uname -m); install Node.js $NODE_PINNED_VERSION" ;;
esac
pkg="node-$os-$arch"
command -v npm >/dev/null 2>&1 || die "no Node.js >= $NODE_MIN_MAJOR and no npm to fetch one; install Node.js $NODE_PINNED_VERSION"

cache="${DSP_AUDIENCES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dsp-audiences}/node-v$NODE_PINNED_VERSION-$os-$arch"
bin="$cache/node_modules/$pkg/bin"
if [ ! -x "$bin/node" ]; then
  mkdir -p "$cache"
  # One download at a time per cache folder (parallel test runs, CI and a laptop shell).
  if command -v flock >/dev/null 2>&1; then exec 9>"$cache/.lock" && flock 9; fi
  if [ ! -x "$bin/node" ]; then
    say "node on PATH is $(node --version 2>/dev/null || echo missing); fetching Node.js $NODE_PINNED_VERSION from the npm registry ($pkg, first run only)"
    npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "$pkg@$NODE_PINNED_VERSION" >&2 || die "installing $pkg@$NODE_PINNED_VERSION failed (is the npm registry reachable?)"
    "$bin/node" --version >/dev/null || die "the fetched Node.js does not run"
  fi
fi
echo "$bin"
