#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine to run the gate on the recorded demo sequence:
# system packages, node modules (which builds the TypeScript), and the demo sequence in data/.
# Usage: bash scripts/setup.sh [--photos DIR]   (default photos: ../shared/datasets/face-mask-andrewmvd)
set -euo pipefail
cd "$(dirname "$0")/.."
export ONNXRUNTIME_NODE_INSTALL=skip
bash scripts/install-system-deps.sh
npm ci --no-audit --no-fund
node bin/mask-gate.js demo-sequence "$@"
