#!/usr/bin/env bash
# Runs a command with a Node.js >= 22 first on PATH (scripts/ensure-node.sh provides it), so that
# npm, the Pulumi language host and the dynamic providers it starts all run on that Node.
#
#   bash scripts/with-node.sh npm run check
set -euo pipefail
bin="$(bash "$(dirname "${BASH_SOURCE[0]}")/ensure-node.sh")"
PATH="$bin:$PATH" exec "$@"
