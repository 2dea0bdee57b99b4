#!/usr/bin/env bash
# The main job against the embedded simulator: see scripts/demo.ts (compiled to dist/ by the build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
npm run build --silent
exec node dist/scripts/demo.js "$@"
