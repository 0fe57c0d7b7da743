#!/usr/bin/env bash
# Build mediasoup's C++ worker (mediasoup-worker) offline against Debian 12's
# own libraries and install it where the mediasoup npm package looks for it:
#   node_modules/mediasoup/worker/out/Release/mediasoup-worker
#
# Usage (from the repo root):  bash scripts/mediasoup-worker/build.sh
#
# Why: mediasoup's postinstall downloads a prebuilt worker from GitHub, or
# builds one with pip-installed meson and meson wraps that download their
# sources. None of that is reachable here, so `npm install` runs with
# MEDIASOUP_WORKER_BIN set (which skips the worker) and this script builds it.
#
# Needs these apt packages (also in apt-packages.txt, one per line):
#   meson ninja-build pkg-config g++ libssl-dev libuv1-dev libsrtp2-dev
#   libusrsctp-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler
# The -dev packages pull in the shared runtime libraries the binary links to
# (libssl3 libuv1 libsrtp2-1 libusrsctp2 libabsl20220623 libflatbuffers2).
#
# What it does:
#   1. reads the mediasoup version from node_modules/mediasoup/package.json;
#   2. if ${ALONGSIDE_CACHE_DIR:-~/.cache/alongside}/mediasoup-worker-<version>/
#      mediasoup-worker exists and runs, skips the build;
#   3. otherwise copies node_modules/mediasoup/worker to a temporary directory
#      (node_modules is never modified, except for the final install), applies
#      overlay/ (local meson subprojects using Debian libraries, and a libsrtp
#      3 -> 2 adapter header), lowers the meson version requirement, fixes the
#      DTLS BIO callback bug, builds with meson + ninja and caches the stripped
#      binary;
#   4. copies the cached binary into node_modules/mediasoup/worker/out/Release/.
#
# Env: ALONGSIDE_CACHE_DIR (cache root), ALONGSIDE_KEEP_BUILD=1 (keep the
# temporary build directory for debugging), MEDIASOUP_BUILD_JOBS (default 2).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OVERLAY_DIR="$SCRIPT_DIR/overlay"
REPO_ROOT="$(pwd)"
MS_DIR="$REPO_ROOT/node_modules/mediasoup"
JOBS="${MEDIASOUP_BUILD_JOBS:-2}"

# shellcheck disable=SC2034  # read by scripts that install the apt packages
MEDIASOUP_APT_PACKAGES="$(grep -v '^\s*\(#\|$\)' "$SCRIPT_DIR/apt-packages.txt" | tr '\n' ' ')"

log() { printf '[mediasoup-worker] %s\n' "$*"; }
die() { printf '[mediasoup-worker] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -f "$MS_DIR/package.json" ]] ||
  die "node_modules/mediasoup not found; run this from the repo root after npm install"
[[ -d "$MS_DIR/worker/src" ]] || die "$MS_DIR/worker/src missing (worker sources not installed?)"

MS_VERSION="$(node -p 'require(process.argv[1]).version' "$MS_DIR/package.json")"
CACHE_ROOT="${ALONGSIDE_CACHE_DIR:-${HOME:?HOME not set}/.cache/alongside}"
CACHE_DIR="$CACHE_ROOT/mediasoup-worker-$MS_VERSION"
CACHED_BIN="$CACHE_DIR/mediasoup-worker"
INSTALL_DIR="$MS_DIR/worker/out/Release"
INSTALL_BIN="$INSTALL_DIR/mediasoup-worker"

# The worker refuses to start without MEDIASOUP_VERSION and exits with code 41:
# reaching that exit proves the binary executes and its shared libraries load.
worker_runs() {
  local rc=0
  env -u MEDIASOUP_VERSION "$1" </dev/null >/dev/null 2>&1 || rc=$?
  [[ $rc -eq 41 ]]
}

check_tools_and_libs() {
  local missing=()
  command -v meson >/dev/null || missing+=(meson)
  command -v ninja >/dev/null || missing+=(ninja-build)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  command -v g++ >/dev/null || missing+=(g++)
  command -v flatc >/dev/null || missing+=(flatbuffers-compiler)
  if command -v pkg-config >/dev/null; then
    local pc pkg
    # pkg-config module -> apt package providing it
    for pc in openssl:libssl-dev libuv:libuv1-dev libsrtp2:libsrtp2-dev \
      usrsctp:libusrsctp-dev absl_flat_hash_map:libabsl-dev flatbuffers:libflatbuffers-dev; do
      pkg="${pc#*:}"
      pkg-config --exists "${pc%%:*}" || missing+=("$pkg")
    done
  fi
  if ((${#missing[@]})); then
    die "missing apt package(s): ${missing[*]}  ->  apt-get install -y ${missing[*]}"
  fi
}

build_worker() {
  check_tools_and_libs

  local tmp src
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker-build.XXXXXX")"
  if [[ "${ALONGSIDE_KEEP_BUILD:-}" == 1 ]]; then
    log "keeping build dir $tmp"
  else
    # Expand $tmp now: it is a local and gone by the time the trap runs.
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
  fi
  src="$tmp/worker"

  log "copying worker sources to $src"
  mkdir -p "$src"
  # Everything except an earlier build output.
  (cd "$MS_DIR/worker" && tar --exclude=./out -cf - .) | (cd "$src" && tar -xf -)

  log "applying overlay (Debian-library subprojects, libsrtp3 adapter)"
  # Replace every download-based wrap by a local subproject folder. liburing is
  # disabled below and wingetopt is Windows-only, so their wraps just go away.
  rm -f "$src"/subprojects/*.wrap
  rm -rf "$src"/subprojects/packagecache
  cp -R "$OVERLAY_DIR/subprojects/." "$src/subprojects/"
  local d
  for d in openssl libuv libsrtp3 usrsctp abseil-cpp flatbuffers; do
    cp "$OVERLAY_DIR/placeholder.c" "$src/subprojects/$d/placeholder.c"
  done

  # Debian 12 has meson 1.0.1; the worker's meson.build asks for >= 1.1.0 but
  # does not use anything newer than 1.0.
  grep -q "meson_version: '>= 1.1.0'" "$src/meson.build" ||
    die "meson.build no longer says meson_version: '>= 1.1.0'; review the overlay for this mediasoup version"
  sed -i "s/meson_version: '>= 1.1.0'/meson_version: '>= 1.0.0'/" "$src/meson.build"

  # Bug fix: OpenSSL passes the BIO callback operation as a bit set
  # (BIO_CB_RETURN | BIO_CB_WRITE), so `== BIO_CB_RETURN` never matches and the
  # callback returns 1 instead of the real byte count after a write. With
  # Debian's OpenSSL 3.0 the worker then crashes inside SSL_read on the first
  # real browser DTLS handshake.
  local dtls="$src/src/RTC/DtlsTransport.cpp"
  sed -i 's/(operationType == BIO_CB_RETURN)/(operationType \& BIO_CB_RETURN)/' "$dtls"
  grep -q '(operationType & BIO_CB_RETURN)' "$dtls" ||
    die "DtlsTransport.cpp BIO_CB_RETURN fix did not apply; review it for mediasoup $MS_VERSION"
  if grep -q 'operationType == BIO_CB_RETURN' "$dtls"; then
    die "DtlsTransport.cpp still compares operationType == BIO_CB_RETURN"
  fi

  local meson_opts=(--buildtype release -Db_ndebug=true --wrap-mode=nodownload)
  if grep -q "'ms_disable_liburing'" "$src/meson_options.txt"; then
    # liburing would be another downloaded subproject; libuv's path is enough.
    meson_opts+=(-Dms_disable_liburing=true)
  fi

  log "meson setup ${meson_opts[*]}"
  (cd "$src" && meson setup "${meson_opts[@]}" build >"$tmp/meson-setup.log" 2>&1) || {
    tail -n 40 "$tmp/meson-setup.log" >&2
    die "meson setup failed (full log: $tmp/meson-setup.log; set ALONGSIDE_KEEP_BUILD=1 to keep it)"
  }

  # The generated FBS/*.h headers are not declared as inputs of the C++
  # sources, so generate them first.
  log "generating flatbuffers headers"
  meson compile -C "$src/build" flatbuffers-generator >"$tmp/flatc.log" 2>&1 || {
    tail -n 40 "$tmp/flatc.log" >&2
    die "flatc code generation failed"
  }

  log "compiling mediasoup-worker with meson compile (ninja) -j$JOBS (takes a few minutes)"
  local started=$SECONDS
  meson compile -C "$src/build" -j "$JOBS" mediasoup-worker >"$tmp/ninja.log" 2>&1 || {
    grep -B2 -A12 -m3 'error' "$tmp/ninja.log" >&2 || tail -n 40 "$tmp/ninja.log" >&2
    die "compilation failed (full log: $tmp/ninja.log; set ALONGSIDE_KEEP_BUILD=1 to keep it)"
  }
  log "compiled in $((SECONDS - started))s"

  mkdir -p "$CACHE_DIR"
  cp "$src/build/mediasoup-worker" "$CACHED_BIN.tmp"
  strip "$CACHED_BIN.tmp"
  chmod 755 "$CACHED_BIN.tmp"
  worker_runs "$CACHED_BIN.tmp" || die "the freshly built worker does not run"
  mv -f "$CACHED_BIN.tmp" "$CACHED_BIN"
  log "cached $CACHED_BIN"
}

log "mediasoup $MS_VERSION"
if [[ -x "$CACHED_BIN" ]] && worker_runs "$CACHED_BIN"; then
  log "using cached $CACHED_BIN"
else
  [[ -e "$CACHED_BIN" ]] && log "cached binary does not run; rebuilding"
  build_worker
fi

mkdir -p "$INSTALL_DIR"
if ! cmp -s "$CACHED_BIN" "$INSTALL_BIN" 2>/dev/null; then
  cp -f "$CACHED_BIN" "$INSTALL_BIN.tmp"
  mv -f "$INSTALL_BIN.tmp" "$INSTALL_BIN"
fi
chmod +x "$INSTALL_BIN"
log "installed $INSTALL_BIN"
