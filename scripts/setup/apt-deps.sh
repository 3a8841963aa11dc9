#!/usr/bin/env bash
# Debian packages the product needs. Installs only what is missing; needs root (or sudo) when
# anything is missing. Set MOODROOM_SKIP_APT=1 to manage packages yourself.
set -euo pipefail
[ "${MOODROOM_SKIP_APT:-0}" = 1 ] && exit 0
PKGS=(${MOODROOM_APT_PACKAGES:-})
PKGS+=(
  # mediasoup worker, built offline against system libraries
  build-essential pkg-config libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev
  libflatbuffers-dev flatbuffers-compiler liburing-dev python3-venv
  # decoding recorded videos (npm run analyze) and making test camera files
  ffmpeg
)
missing=()
for p in "${PKGS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && { echo "all ${#PKGS[@]} Debian packages present"; exit 0; }
echo "installing: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
