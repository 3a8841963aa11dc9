#!/usr/bin/env bash
# Creates models/.venv for the offline model tooling (conversion, export, their tests).
# Offline: pip resolves from the machine's configured index (`pip config list`); PIP_RETRIES=0
# stops pip stalling on an unreachable default index. Re-runs only when requirements.txt changes.
set -euo pipefail
cd "$(dirname "$0")"
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then exit 0; fi
echo "[models] creating Python venv for model tooling (models/.venv)"
python3 -m venv .venv
PIP_RETRIES=${PIP_RETRIES:-0} .venv/bin/pip install --disable-pip-version-check -q -r requirements.txt
echo "$want" > "$stamp"
