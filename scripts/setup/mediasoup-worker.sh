#!/usr/bin/env bash
# Provides the mediasoup worker binary without needing GitHub or meson's wrap downloads.
#
#   scripts/setup/mediasoup-worker.sh                  prints the absolute path of a ready worker
#                                                       binary on stdout (progress on stderr)
#   scripts/setup/mediasoup-worker.sh --install PATH   copies PATH to mediasoup's default location
#                                                       (node_modules/mediasoup/worker/out/Release)
#
# Order: $MEDIASOUP_WORKER_BIN if it names an existing file; else the cached binary in
# .cache/mediasoup-worker/<version>-<platform>-<arch>/ (kept outside node_modules so `npm ci`
# does not force a rebuild); else mediasoup's prebuilt download from GitHub (machines with
# internet; fails fast offline); else an offline build from the npm tarball against Debian's
# libraries (scripts/setup/apt-deps.sh installs them), with the stub meson subprojects and compat
# headers in scripts/setup/mediasoup/subprojects. See apps/sfu/README.md, "mediasoup worker".
#
# Env: MEDIASOUP_WORKER_BIN, MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD=1 (go straight to the
# build), MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL (a mirror of mediasoup's GitHub releases),
# MESON_VERSION / NINJA_VERSION (pip pins for the build tools), MESON_ARGS (extra meson options,
# e.g. -Dms_disable_liburing=true), MOODROOM_BUILD_JOBS (parallel compile jobs; default: cores).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STUBS="$ROOT/scripts/setup/mediasoup/subprojects"
log() { printf '[mediasoup-worker] %s\n' "$*" >&2; }
die() { printf '[mediasoup-worker] ERROR: %s\n' "$*" >&2; exit 1; }

# The one pin lives in apps/sfu/package.json; 3.19.3 is the newest mediasoup that supports Node 20.
VERSION="$(node -p "require('$ROOT/apps/sfu/package.json').dependencies.mediasoup" 2>/dev/null || true)"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "apps/sfu/package.json must pin mediasoup to an exact version (found '$VERSION')"
PLATFORM="$(node -p 'process.platform')"
ARCH="$(node -p 'process.arch')"
# BUILD_REV changes whenever the offline build's recipe (stubs, compat headers, patches) changes, so a
# binary cached by an older recipe is rebuilt rather than reused.
BUILD_REV=2
CACHE_DIR="$ROOT/.cache/mediasoup-worker/$VERSION-$PLATFORM-$ARCH-r$BUILD_REV"
CACHED_BIN="$CACHE_DIR/mediasoup-worker"

# A worker started without its MEDIASOUP_VERSION env exits with 41 (mediasoup's own check, see
# worker/src/main.cpp): proves the binary loads its shared libraries and runs on this host.
runs_here() {
  local status=0
  env -i "$1" </dev/null >/dev/null 2>&1 || status=$?
  [ "$status" -eq 41 ]
}

install_worker() {
  local src="$1"
  [ -f "$src" ] || die "--install: '$src' is not a file (run this script without arguments first to get one)"
  local pkg_dir
  # mediasoup's "exports" hide package.json; its main file is node/lib/index.js.
  pkg_dir="$(cd "$ROOT/apps/sfu" && node -p "require('path').resolve(require.resolve('mediasoup'), '../../..')" 2>/dev/null)" \
    || die "mediasoup is not installed in node_modules: run 'npm ci' (with MEDIASOUP_WORKER_BIN set, see scripts/setup.sh) first"
  local installed_version
  installed_version="$(node -p "require('$pkg_dir/package.json').version")"
  [ "$installed_version" = "$VERSION" ] || die "node_modules has mediasoup $installed_version but apps/sfu pins $VERSION: run 'npm ci'"
  local dest_dir dest
  dest_dir="$pkg_dir/worker/out/Release"
  dest="$dest_dir/mediasoup-worker"
  mkdir -p "$dest_dir"
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    log "already installed: $dest"
  else
    cp "$src" "$dest.tmp.$$" && chmod 755 "$dest.tmp.$$" && mv -f "$dest.tmp.$$" "$dest"
    log "installed $src -> $dest"
  fi
  runs_here "$dest" || die "the installed worker does not run on this host ($dest); delete $CACHE_DIR and run this script again"
  printf '%s\n' "$dest"
}

if [ "${1:-}" = "--install" ]; then
  [ $# -eq 2 ] || die "usage: $0 --install <path-to-mediasoup-worker>"
  install_worker "$2"
  exit 0
elif [ $# -gt 0 ]; then
  die "usage: $0 [--install <path-to-mediasoup-worker>]"
fi

if [ -n "${MEDIASOUP_WORKER_BIN:-}" ]; then
  [ -f "$MEDIASOUP_WORKER_BIN" ] || die "MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN does not exist: unset it to build or download a worker"
  runs_here "$MEDIASOUP_WORKER_BIN" || log "warning: $MEDIASOUP_WORKER_BIN did not pass the startup check (exit code 41 expected)"
  log "using MEDIASOUP_WORKER_BIN"
  printf '%s\n' "$(cd "$(dirname "$MEDIASOUP_WORKER_BIN")" && pwd)/$(basename "$MEDIASOUP_WORKER_BIN")"
  exit 0
fi

if [ -f "$CACHED_BIN" ]; then
  if runs_here "$CACHED_BIN"; then
    log "cached worker $VERSION ($PLATFORM-$ARCH)"
    printf '%s\n' "$CACHED_BIN"
    exit 0
  fi
  log "cached worker does not run on this host any more (missing shared libraries?); rebuilding"
  rm -f "$CACHED_BIN"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
started=$SECONDS

log "fetching mediasoup@$VERSION from the npm registry"
(cd "$WORK" && npm pack --silent "mediasoup@$VERSION" >/dev/null) || die "npm pack mediasoup@$VERSION failed: check access to the npm registry"
tar -xzf "$WORK"/mediasoup-*.tgz -C "$WORK"
PKG="$WORK/package"

cache_and_print() {
  mkdir -p "$CACHE_DIR"
  cp "$1" "$CACHED_BIN.tmp.$$" && chmod 755 "$CACHED_BIN.tmp.$$" && mv -f "$CACHED_BIN.tmp.$$" "$CACHED_BIN"
  log "worker ready in $((SECONDS - started)) s: $CACHED_BIN"
  printf '%s\n' "$CACHED_BIN"
  exit 0
}

# ---- 1. mediasoup's prebuilt binary (same URL and host check as its npm postinstall) ---------
try_prebuilt() {
  local kernel_major name base url
  kernel_major="$(uname -r | cut -d. -f1)"
  name="mediasoup-worker-$VERSION-$PLATFORM-$ARCH"
  [ "$PLATFORM" = linux ] && name="$name-kernel$kernel_major"
  base="${MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL:-https://github.com/versatica/mediasoup/releases/download}"
  url="$base/$VERSION/$name.tgz"
  log "trying the prebuilt worker: $url"
  # Node's fetch: fails at once without DNS/network; bounded when packets are silently dropped.
  node --input-type=module -e '
    const [url, out] = process.argv.slice(1);
    const res = await fetch(url, { signal: AbortSignal.timeout(120_000) }).catch((e) => {
      console.error(e.cause?.code ?? e.cause?.message ?? e.message);
      process.exit(1);
    });
    if (!res.ok) { console.error(`HTTP ${res.status}`); process.exit(1); }
    (await import("node:fs")).writeFileSync(out, Buffer.from(await res.arrayBuffer()));
  ' "$url" "$WORK/prebuilt.tgz" 2>"$WORK/prebuilt.err" \
    || { log "no prebuilt worker ($(tail -n 1 "$WORK/prebuilt.err" | cut -c1-200))"; return 1; }
  mkdir -p "$WORK/prebuilt" && tar -xzf "$WORK/prebuilt.tgz" -C "$WORK/prebuilt" || { log "prebuilt archive is unreadable"; return 1; }
  runs_here "$WORK/prebuilt/mediasoup-worker" || { log "the prebuilt worker does not run on this host (libc too old?)"; return 1; }
  cache_and_print "$WORK/prebuilt/mediasoup-worker"
}
if [ "${MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD:-}" ]; then
  log "MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD is set: building locally"
else
  try_prebuilt || log "falling back to an offline build from Debian libraries (~3-4 min on 2 cores)"
fi

# ---- 2. offline build ------------------------------------------------------------------------
missing=()
for lib in libcrypto libssl openssl libuv libsrtp2 usrsctp absl_flat_hash_map flatbuffers; do
  pkg-config --exists "$lib" 2>/dev/null || missing+=("$lib")
done
[ "$PLATFORM" = linux ] && ! pkg-config --exists liburing 2>/dev/null && missing+=(liburing)
command -v flatc >/dev/null || missing+=(flatc)
command -v c++ >/dev/null || missing+=(c++)
[ ${#missing[@]} -eq 0 ] || die "missing build dependencies: ${missing[*]}. Install them with: bash scripts/setup/apt-deps.sh (Debian/Ubuntu, needs root)"

log "build tools: meson and ninja from pip into a throwaway venv"
python3 -m venv "$WORK/venv" >&2 || die "python3 -m venv failed: install python3-venv (bash scripts/setup/apt-deps.sh)"
if ! PIP_RETRIES="${PIP_RETRIES:-0}" "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check \
  "meson==${MESON_VERSION:-1.12.1}" "ninja==${NINJA_VERSION:-1.13.2}" >&2; then
  die "pip could not install meson ${MESON_VERSION:-1.12.1} and ninja ${NINJA_VERSION:-1.13.2}: point pip at an index that has them (PIP_INDEX_URL / PIP_FIND_LINKS) or set MESON_VERSION/NINJA_VERSION to versions it has (meson >= 1.1)"
fi
export PATH="$WORK/venv/bin:$PATH"

log "stub subprojects: wrapping system libraries instead of downloading meson wraps"
for wrap in "$PKG"/worker/subprojects/*.wrap; do
  name="$(basename "$wrap" .wrap)"
  [ "$name" = wingetopt ] && continue # Windows only
  dir="$(sed -n 's/^directory *= *//p' "$wrap" | head -n1)"
  [ -n "$dir" ] || die "cannot read 'directory =' from $wrap"
  [ -d "$STUBS/$name" ] || die "mediasoup $VERSION needs subproject '$name', which has no stub in $STUBS: add one (see the others)"
  cp -R "$STUBS/$name" "$PKG/worker/subprojects/$dir"
done

PATCHES="$ROOT/scripts/setup/mediasoup/patches"
for patch in "$PATCHES"/*.patch; do
  [ -e "$patch" ] || continue
  log "patch: $(basename "$patch")"
  (cd "$PKG" && patch -p1 --forward --silent <"$patch") >&2 \
    || die "patch $(basename "$patch") does not apply to mediasoup $VERSION: check whether upstream fixed it and update $PATCHES"
done

BUILD="$PKG/worker/out/build"
log "meson setup"
# --wrap-mode=nodownload: a subproject without a stub fails here instead of reaching for the net.
# shellcheck disable=SC2086 # MESON_ARGS is a list of options
(cd "$PKG/worker" && meson setup --buildtype release -Db_ndebug=true --wrap-mode=nodownload ${MESON_ARGS:-} "$BUILD" >"$WORK/meson-setup.log" 2>&1) \
  || { tail -n 40 "$WORK/meson-setup.log" >&2; die "meson setup failed (log above)"; }
grep -E '^(\| )?(Run-time dependency|Program flatc)' "$WORK/meson-setup.log" | sed 's/^/  /' >&2 || true

jobs="${MOODROOM_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"
# The generated FlatBuffers headers first: nothing orders them before libwebrtc's sources.
(cd "$PKG/worker" && meson compile -C "$BUILD" flatbuffers-generator >"$WORK/flatc.log" 2>&1) \
  || { tail -n 40 "$WORK/flatc.log" >&2; die "flatc failed on mediasoup's schemas (log above)"; }
log "compiling the worker with $jobs jobs"
# ninja prints one "[done/total]" line per step; show a line every 5 % plus anything else
# (warnings, errors) so a long build visibly moves and a failure shows its compiler output.
set +e
NINJA_STATUS='[%f/%t] ' ninja -C "$BUILD" -j "$jobs" mediasoup-worker 2>&1 | awk -v start="$SECONDS" '
  /^\[[0-9]+\/[0-9]+\] / {
    split(substr($1, 2, length($1) - 2), p, "/")
    pct = int(100 * p[1] / p[2])
    if (pct >= next_pct) { printf "[mediasoup-worker]   %3d %% (%d/%d)\n", pct, p[1], p[2] > "/dev/stderr"; next_pct = pct + 5; fflush("/dev/stderr") }
    next
  }
  /^ninja: (Entering|leaving)/ { next }
  { print > "/dev/stderr"; fflush("/dev/stderr") }'
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || die "worker compilation failed (compiler output above). Check that the Debian packages are installed: bash scripts/setup/apt-deps.sh"

BIN="$BUILD/mediasoup-worker"
runs_here "$BIN" || die "the freshly built worker does not start (expected exit code 41 from '$BIN')"
cache_and_print "$BIN"
