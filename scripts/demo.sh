#!/usr/bin/env bash
# The main job against the embedded simulator: see scripts/demo.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
exec node -r ts-node/register/transpile-only scripts/demo.ts "$@"
