#!/usr/bin/env bash
# Installs everything Alongside needs on a fresh Debian 12 machine, then gets out of the
# way: it is idempotent and takes well under a second when nothing changed. `npm start`
# and `npm test` run it first, so the README's two commands work on a fresh clone.
#
#   1. Debian packages: Chromium, ffmpeg, and the libraries the mediasoup worker builds
#      against (installed with apt-get when missing; needs root).
#   2. npm dependencies (npm ci) when package-lock.json changed. MEDIASOUP_WORKER_BIN is
#      set during install so mediasoup does not try to download a worker.
#   3. The mediasoup worker, built against Debian's libraries and cached per version
#      (scripts/mediasoup-worker/build.sh).
#   4. The web apps and the embed script (npm run build:web) when their sources changed.
#   5. The unprivileged user the cloud browsers run as (ALONGSIDE_BROWSER_USER, default
#      alongside-browser; needs root), and a check that it can use Chromium's sandbox.
#
# Env: ALONGSIDE_SKIP_APT=1 skips step 1 (e.g. in a container image that has them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

# --- 1. Debian packages --------------------------------------------------------------
if [ "${ALONGSIDE_SKIP_APT:-}" != "1" ]; then
	mapfile -t wanted < <(printf '%s\n' chromium ffmpeg; grep -v '^\s*#' scripts/mediasoup-worker/apt-packages.txt | grep -v '^\s*$')
	missing=()
	for pkg in "${wanted[@]}"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
	done
	if [ "${#missing[@]}" -gt 0 ]; then
		if [ "$(id -u)" != "0" ]; then
			log "missing Debian packages: ${missing[*]}"
			log "run: sudo apt-get install -y ${missing[*]}"
			exit 1
		fi
		log "installing Debian packages: ${missing[*]}"
		apt-get update -q >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
	fi
fi

# --- 2. npm dependencies -------------------------------------------------------------
stamp=node_modules/.alongside-lock
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
	log "installing npm dependencies"
	MEDIASOUP_WORKER_BIN=skip PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund >&2
	# NOTE: better-sqlite3 is a native addon built at install time (node-gyp, Node's headers);
	# make sure it loads before going on.
	node -e "new (require('better-sqlite3'))(':memory:').close()" 2>/dev/null || npm rebuild better-sqlite3 >&2
	echo "$lock_sum" > "$stamp"
fi

# --- 3. mediasoup worker -------------------------------------------------------------
if [ ! -x node_modules/mediasoup/worker/out/Release/mediasoup-worker ]; then
	bash scripts/mediasoup-worker/build.sh >&2
fi

# --- 4. web apps ---------------------------------------------------------------------
web_sum=$(cat package-lock.json $(find protocol -type f | sort) $(find web -path web/dist -prune -o -type f -print | sort) | sha256sum | cut -d' ' -f1)
if [ ! -f web/dist/.alongside-build ] || [ "$(cat web/dist/.alongside-build)" != "$web_sum" ]; then
	log "building the web apps"
	# NOTE: the apps (vite) and the embed for companies' sites (esbuild): package.json's build:web.
	npm run -s build:web >&2
	echo "$web_sum" > web/dist/.alongside-build
fi

# --- 5. browser user ------------------------------------------------------------------
# The cloud browsers run as this user, with Chromium's sandbox on; the service (root)
# switches to it for each one. It owns nothing but the session directories, has no home
# and no login shell, and must not be able to read the data directory (the service keeps
# that 0700). `@self` (development only) runs them as the service's own user instead.
browser_user="${ALONGSIDE_BROWSER_USER:-alongside-browser}"
if [ "$browser_user" != "@self" ] && ! getent passwd "$browser_user" >/dev/null; then
	if [ "$(id -u)" != "0" ]; then
		log "the cloud browsers run as the user '$browser_user', which does not exist; create it with:"
		log "  sudo useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin $browser_user"
		log "and start the service as root (it switches to that user for each cloud browser). For development"
		log "only, ALONGSIDE_BROWSER_USER=@self runs them as your own user instead (sandbox still on)."
		exit 1
	fi
	log "creating the cloud browsers' user: $browser_user"
	useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$browser_user"
fi
# NOTE: the service checks this itself at start; saying it here saves a confusing first run.
if [ "$browser_user" != "@self" ] && [ "$(id -u)" = "0" ] \
	&& ! setpriv --reuid="$browser_user" --regid="$browser_user" --clear-groups -- unshare --user --pid --net --fork -- true 2>/dev/null; then
	log "warning: '$browser_user' cannot create user namespaces, which Chromium's sandbox needs (the service will"
	log "  refuse to start). Check sysctl user.max_user_namespaces (> 0) and, on Ubuntu 23.10+, kernel.apparmor_restrict_unprivileged_userns."
fi
