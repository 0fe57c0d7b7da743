# syntax=docker/dockerfile:1
#
# Alongside container image: the whole service in one process tree (signaling HTTP +
# WebSocket, mediasoup workers, one headless Chromium per session), as `npm start` runs
# it, but with every build step done at image build time.
#
#   docker build -t alongside .
#   node deploy/seccomp/make-profile.mjs docker-default.json > deploy/seccomp/alongside-chromium.json
#   docker run --rm -p 8080:8080 -p 40000:40000/udp -p 40000:40000/tcp \
#     --cap-drop ALL --cap-add SETUID --cap-add SETGID --cap-add KILL --cap-add CHOWN \
#     --security-opt no-new-privileges \
#     --security-opt seccomp=deploy/seccomp/alongside-chromium.json \
#     --read-only --tmpfs /tmp:size=1g,mode=1777 \
#     -e ALONGSIDE_RTC_ANNOUNCED_ADDRESS=<this host's LAN or public IP> \
#     -e ALONGSIDE_SFU_WORKERS=1 alongside
#
# Ports: 8080/tcp is HTTP + WebSocket (ALONGSIDE_PORT). Media uses one port per mediasoup
# worker, UDP and TCP on the same number: worker N listens on ALONGSIDE_RTC_PORT + N
# (default 40000, 40001, ...). Publish exactly the ports of the workers you run, with the
# same number outside as inside (ICE candidates carry the inside port), and set
# ALONGSIDE_SFU_WORKERS explicitly: its default is one per CPU the kernel reports, which in
# a container is the host's count, not the container's CPU limit. See deploy/README.md.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------
# build: npm dependencies, the mediasoup worker (built against Debian's libraries by
# scripts/mediasoup-worker/build.sh) and the web apps (vite). Its toolchain stays here.
# ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build

# The worker's build tools and -dev libraries: the list scripts/setup.sh installs.
COPY scripts/mediasoup-worker/apt-packages.txt /tmp/apt-packages.txt
RUN apt-get update \
 && grep -v '^[[:space:]]*\(#\|$\)' /tmp/apt-packages.txt \
    | DEBIAN_FRONTEND=noninteractive xargs apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# npm dependencies, in their own layer (changes only with the lockfile).
# MEDIASOUP_WORKER_BIN is set for this command only, so mediasoup's postinstall does not try
# to download or build a worker. It must NOT be an ENV: at run time mediasoup would take it
# as the worker's path. The stamp is the one scripts/setup.sh writes after its own `npm ci`,
# so that setup.sh below does not install everything a second time.
COPY package.json package-lock.json ./
RUN MEDIASOUP_WORKER_BIN=skip PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund \
 && sha256sum package-lock.json | cut -d' ' -f1 > node_modules/.alongside-lock

# The mediasoup worker (about 3 minutes on 2 cores), in its own layer: it depends only on
# node_modules/mediasoup and on scripts/mediasoup-worker, so source edits do not rebuild it.
# Compile jobs default to the builder's CPU count; pass --build-arg MEDIASOUP_BUILD_JOBS=N
# on a builder with many cores and little memory.
ARG MEDIASOUP_BUILD_JOBS
ENV ALONGSIDE_CACHE_DIR=/opt/alongside-cache
COPY scripts/mediasoup-worker/ scripts/mediasoup-worker/
RUN MEDIASOUP_BUILD_JOBS="${MEDIASOUP_BUILD_JOBS:-$(nproc)}" bash scripts/mediasoup-worker/build.sh

# The rest of the repository, then setup.sh: npm and the worker are already in place (it
# checks and skips them), so it builds the web apps into web/dist.
COPY . .
RUN ALONGSIDE_SKIP_APT=1 bash scripts/setup.sh \
 && test -x node_modules/mediasoup/worker/out/Release/mediasoup-worker \
 && test -f web/dist/agent/index.html \
 && test -f web/dist/customer/index.html

# ---------------------------------------------------------------------------------------
# runtime: Chromium, ffmpeg, fonts, and the shared libraries the worker links to. No
# compiler, no -dev packages.
# ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

# - chromium: the cloud browsers (/usr/bin/chromium, ALONGSIDE_CHROMIUM_PATH).
# - ffmpeg: the recorder (PlainTransport -> ffmpeg).
# - fonts: Latin/Greek/Cyrillic (Liberation = metric-compatible Arial/Times/Courier,
#   DejaVu, Noto) and colour emoji. Add fonts-noto-cjk (about 60 MB) for Chinese,
#   Japanese and Korean pages.
# - tini: PID 1. Chromium leaves orphaned helper processes behind; tini reaps them, and
#   forwards SIGTERM to node, which ends the sessions and closes Chromium and the workers.
# - The worker's shared libraries (from `ldd mediasoup-worker` on Debian 12): libssl3,
#   libuv1, libsrtp2-1, libusrsctp2, libabsl20220623, and libnss3 (Debian's libsrtp2 uses
#   NSS). FlatBuffers is header-only in the worker: libflatbuffers2 is not needed.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates \
      chromium \
      ffmpeg \
      fonts-dejavu-core \
      fonts-liberation \
      fonts-noto-color-emoji \
      fonts-noto-core \
      libabsl20220623 \
      libnss3 \
      libsrtp2-1 \
      libssl3 \
      libusrsctp2 \
      libuv1 \
      tini \
 && rm -rf /var/lib/apt/lists/*

# The cloud browsers' user, with a fixed numeric id: unprivileged, no home, no shell. The
# service runs as root only to switch to it for each Chromium (see "Isolation" below), and
# keeps the data directory 0700 so that this user cannot read it.
RUN groupadd --system --gid 10002 alongside-browser \
 && useradd --system --uid 10002 --gid alongside-browser --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin alongside-browser \
 && install -d -o root -g root -m 0700 /var/lib/alongside

WORKDIR /app
# Owned by root and read-only for the service user: the process cannot change its own code.
COPY --from=build /app /app

# Fail the build here, not at the first session, if a runtime library or Chromium is
# missing. The worker exits with code 41 when started without MEDIASOUP_VERSION: reaching
# that exit proves that it executes and its shared libraries load.
RUN set -e; \
    w=/app/node_modules/mediasoup/worker/out/Release/mediasoup-worker; \
    if ldd "$w" | grep 'not found'; then exit 1; fi; \
    rc=0; env -u MEDIASOUP_VERSION "$w" </dev/null >/dev/null 2>&1 || rc=$?; \
    test "$rc" -eq 41; \
    chromium --version; \
    ffmpeg -hide_banner -version | head -n 1; \
    setpriv --reuid=alongside-browser --regid=alongside-browser --clear-groups -- \
      test -r /app/node_modules/puppeteer-stream/extension/manifest.json

# ALONGSIDE_SKIP_APT: nothing may apt-get at run time (setup.sh is not run at start anyway).
# ALONGSIDE_DATA_DIR: a volume with the store and keys; root-owned, 0700 (the service
# enforces it at start).
# Cloud browser session directories go to /tmp/alongside-profiles (ALONGSIDE_PROFILE_DIR's
# default when /dev/shm is small, as in containers) and tsx keeps its compile cache in
# $TMPDIR: /tmp must be writable, and should be a tmpfs (compose and Kubernetes mount one)
# so that a crashed container leaves no browsing data on disk.
ENV NODE_ENV=production \
    ALONGSIDE_SKIP_APT=1 \
    ALONGSIDE_HOST=0.0.0.0 \
    ALONGSIDE_DATA_DIR=/var/lib/alongside \
    ALONGSIDE_BROWSER_USER=alongside-browser
VOLUME ["/var/lib/alongside"]

# HTTP + WebSocket; then the first worker's media port, UDP and TCP fallback on the same
# number. Each extra worker (ALONGSIDE_SFU_WORKERS) uses the next port: 40001, 40002, ...
EXPOSE 8080/tcp 40000/udp 40000/tcp

# Isolation (deploy/README.md, "Isolation of the cloud browsers"): the service runs as root
# with only SETUID, SETGID (to start each Chromium as alongside-browser), KILL (to stop
# that user's processes) and CHOWN (to give it its session directory); every other
# capability dropped, no-new-privileges. Chromium runs as alongside-browser with its own
# sandbox ON (user, PID and network namespaces, seccomp-bpf), which needs unprivileged
# user namespaces: the runtime's default seccomp profile refuses them, so run with
# deploy/seccomp's profile (Docker: --security-opt seccomp=...; Kubernetes: a Localhost
# profile), not --privileged and not CAP_SYS_ADMIN. Without it the service refuses to
# start, saying so. Never run it --privileged.
# No --shm-size is needed: the app passes --disable-dev-shm-usage, so Chromium's shared
# memory lives in the session directory, not in the container's small /dev/shm.
USER 0:0

# /healthz answers {"ok":true,"sessions":N} once HTTP is up. No curl in the slim image:
# node's fetch does it. Assumes ALONGSIDE_HOST is 0.0.0.0 or loopback.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.ALONGSIDE_PORT||8080)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Not `npm start`: its prestart runs setup.sh (npm ci, worker build, vite), all done above.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "signaling/index.ts"]
