#!/usr/bin/env bash
# What the tests need beyond the product: Debian's Chromium (driven by playwright-core; never
# `npx playwright install`, which downloads), iproute2 for the loopback-only network namespace the
# browser tests run in, opencv-doc (messi5.jpg, Megamind.avi: extra real faces for the vision tests),
# and the Python venv for the model tooling tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
MOODROOM_APT_PACKAGES="chromium iproute2 fonts-dejavu-core opencv-doc" bash scripts/setup/apt-deps.sh
if [ -f models/requirements.txt ]; then bash models/setup-venv.sh; fi
