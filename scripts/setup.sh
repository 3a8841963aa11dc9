#!/usr/bin/env bash
# Installs everything Moodroom needs to run, offline-capable (see README "Offline install").
# Idempotent: re-running skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m[setup %s] %s\033[0m\n' "$1" "$2"; }

step 1/4 "Debian packages (build tools and shared libraries for the mediasoup worker)"
bash scripts/setup/apt-deps.sh

step 2/4 "mediasoup worker (prebuilt download, else offline build from Debian libraries)"
# Prints the path of a cached worker binary; the npm install below then skips mediasoup's own
# postinstall (which would try GitHub and meson wraps) and the binary is copied into place.
MEDIASOUP_WORKER_BIN="$(bash scripts/setup/mediasoup-worker.sh)"
export MEDIASOUP_WORKER_BIN

step 3/4 "npm packages"
export ONNXRUNTIME_NODE_INSTALL=skip
if [ -f package-lock.json ]; then npm ci --no-fund --no-audit; else npm install --no-fund --no-audit; fi
bash scripts/setup/mediasoup-worker.sh --install "$MEDIASOUP_WORKER_BIN" >/dev/null
# From here on, run what runs in production: the worker installed in node_modules.
unset MEDIASOUP_WORKER_BIN

step 4/4 "checks"
node scripts/setup/check-install.mjs
echo "setup complete"
