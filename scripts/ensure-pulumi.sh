#!/usr/bin/env bash
# Provides the Pulumi engine this project runs against and prints the folder that holds it.
#
#   bash scripts/ensure-pulumi.sh      # progress on stderr; last line of stdout: the bin folder
#
# 1. `pulumi` and `pulumi-language-nodejs` on PATH, at least $PULUMI_MIN_VERSION: used as they are.
# 2. Otherwise the pinned CLI is built from the Go module proxy (tools/pulumi-engine/go.mod requires
#    github.com/pulumi/pulumi/pkg/v3 at $PULUMI_PINNED_VERSION) together with tools/pulumi-engine/langhost,
#    a minimal Node.js language host (see tools/pulumi-engine/README.md for why), into a cache folder outside
#    the clone so that later runs and CI reuse it.
# Either way the folder also gets `pulumi-resource-pulumi-nodejs`, the launcher that dynamic
# providers need, unless one is already next to `pulumi`.
#
# Environment: DSP_AUDIENCES_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/dsp-audiences),
# DSP_AUDIENCES_FORCE_BUILD=1 to ignore a Pulumi on PATH.
set -euo pipefail

PULUMI_PINNED_VERSION=3.274.1
PULUMI_MIN_VERSION=3.150.0

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '[engine] %s\n' "$*" >&2; }
die() { printf '[engine] error: %s\n' "$*" >&2; exit 1; }

version_at_least() { # $1 >= $2 (semver without pre-release)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

write_launcher() { # $1 = folder
  local launcher="$1/pulumi-resource-pulumi-nodejs"
  [ -x "$launcher" ] && return 0
  # The engine starts this with the program folder as working directory; the SDK installed there
  # serves the dynamic providers, as Pulumi's own launcher does.
  cat >"$launcher.tmp" <<'EOF'
#!/usr/bin/env node
"use strict";
let entry;
try {
  entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [process.cwd()] });
} catch (err) {
  console.error("pulumi-resource-pulumi-nodejs: @pulumi/pulumi is not installed under " + process.cwd() + "; run `npm install`");
  process.exit(1);
}
require(entry);
EOF
  chmod +x "$launcher.tmp"
  mv "$launcher.tmp" "$launcher"
}

if [ "${DSP_AUDIENCES_FORCE_BUILD:-0}" != 1 ] && command -v pulumi >/dev/null 2>&1; then
  found="$(pulumi version 2>/dev/null | sed 's/^v//')" || found=""
  bindir="$(dirname "$(command -v pulumi)")"
  if [ -n "$found" ] && version_at_least "${found%%-*}" "$PULUMI_MIN_VERSION" \
     && command -v pulumi-language-nodejs >/dev/null 2>&1; then
    say "using Pulumi $found from PATH ($bindir)"
    if command -v pulumi-resource-pulumi-nodejs >/dev/null 2>&1; then
      echo "$bindir"
      exit 0
    fi
    cache="${DSP_AUDIENCES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dsp-audiences}/launcher"
    mkdir -p "$cache"
    write_launcher "$cache"
    ln -sf "$(command -v pulumi)" "$cache/pulumi"
    ln -sf "$(command -v pulumi-language-nodejs)" "$cache/pulumi-language-nodejs"
    echo "$cache"
    exit 0
  fi
  say "Pulumi on PATH is ${found:-unknown} (need >= $PULUMI_MIN_VERSION and pulumi-language-nodejs); building the pinned one"
fi

command -v go >/dev/null 2>&1 || die "no usable Pulumi CLI on PATH and no Go toolchain to build one.
Install the Pulumi CLI >= $PULUMI_MIN_VERSION (https://www.pulumi.com/docs/install/) or Go >= 1.26 and run this again."

# The cache key covers everything that goes into the binaries.
key="$(cat "$root/tools/pulumi-engine/go.mod" "$root/tools/pulumi-engine/go.sum" "$root/tools/pulumi-engine/langhost/"*.go | sha256sum | cut -c1-12)"
cache="${DSP_AUDIENCES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dsp-audiences}/pulumi-v$PULUMI_PINNED_VERSION-$key"
bin="$cache/bin"
if [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-language-nodejs" ]; then
  write_launcher "$bin"
  say "using cached Pulumi v$PULUMI_PINNED_VERSION ($bin)"
  echo "$bin"
  exit 0
fi

mkdir -p "$cache"
# One build at a time per cache folder (parallel test runs, CI and a laptop shell).
exec 9>"$cache/.lock"
flock 9
if [ ! -x "$bin/pulumi" ] || [ ! -x "$bin/pulumi-language-nodejs" ]; then
  start=$(date +%s)
  tmp="$cache/bin.partial"
  rm -rf "$tmp" && mkdir -p "$tmp"
  cd "$root/tools/pulumi-engine"
  say "downloading Go modules for Pulumi v$PULUMI_PINNED_VERSION (first run only)"
  go mod download || die "downloading Go modules failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  say "compiling the Pulumi CLI (first run only; several minutes on 2 cores)"
  ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_PINNED_VERSION"
  go build -trimpath -ldflags "$ldflags" -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    || die "building the Pulumi CLI failed (see above)"
  say "compiling the Node.js language host"
  go build -trimpath -ldflags "-X main.version=$PULUMI_PINNED_VERSION" -o "$tmp/pulumi-language-nodejs" ./langhost \
    || die "building the language host failed (see above)"
  rm -rf "$bin" && mv "$tmp" "$bin"
  say "built in $(( $(date +%s) - start )) s"
fi
write_launcher "$bin"
"$bin/pulumi" version >/dev/null || die "the built CLI does not run"
say "Pulumi v$PULUMI_PINNED_VERSION ready ($bin)"
echo "$bin"
