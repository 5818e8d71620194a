#!/usr/bin/env bash
# Installs Node 24 and n8n (pinned) into a cache folder outside the checkout, once.
# n8n 2.x needs Node 24; the package itself builds and unit-tests on the machine's Node.
# Prints shell assignments: NODE24_BIN=... N8N_BIN=... N8N_VERSION=...
set -euo pipefail
# Exactly this release, like n8n: `node@24` would float to whatever the registry lists newest.
NODE_VERSION="24.21.0"
CACHE="${MISSED_CALLS_CACHE:-$HOME/.cache/n8n-nodes-missed-calls}"
# n8n's whole dependency tree is locked in scripts/n8n-runtime (see its README): resolved afresh,
# it picks up the newest versions the registry lists, some of which need packages it lacks.
# MISSED_CALLS_N8N_LINE=1: the n8n 1.x the compatibility test runs in (scripts/n8n-runtime-v1).
case "${MISSED_CALLS_N8N_LINE:-2}" in
  2) runtime_name="n8n-runtime" ;;
  1) runtime_name="n8n-runtime-v1" ;;
  *) echo "[ensure-n8n] MISSED_CALLS_N8N_LINE must be 1 or 2, not ${MISSED_CALLS_N8N_LINE}" >&2; exit 2 ;;
esac
runtime_src="$(cd "$(dirname "$0")/$runtime_name" && pwd)"
N8N_VERSION="$(sed -n 's/.*"n8n": "\([^"]*\)".*/\1/p' "$runtime_src/package.json")"
lock_hash="$(cat "$runtime_src/package.json" "$runtime_src/package-lock.json" | cksum | cut -d" " -f1)"  # POSIX, also on macOS
node_dir="$CACHE/node-$NODE_VERSION"
n8n_dir="$CACHE/n8n-$N8N_VERSION-$lock_hash"
log() { echo "[ensure-n8n] $*" >&2; }

# One install at a time: `npm test` and `npm run demo` started together on an empty cache would
# otherwise both install into the same folder. (flock is util-linux; without it, no lock.)
mkdir -p "$CACHE"
if command -v flock >/dev/null; then
  exec 9>"$CACHE/.install.lock"
  flock 9
fi

if [ ! -x "$node_dir/node_modules/.bin/node" ]; then
  log "installing Node $NODE_VERSION into $node_dir (first use only)"
  mkdir -p "$node_dir"
  (cd "$node_dir" && echo '{"name":"node-runtime","private":true}' > package.json \
    && npm install --no-audit --no-fund --loglevel=error "node@$NODE_VERSION" >&2)
fi
NODE24_BIN="$(cd "$node_dir/node_modules/node/bin" && pwd)"

if [ ! -x "$n8n_dir/node_modules/.bin/n8n" ] || [ ! -f "$n8n_dir/.complete" ]; then
  log "installing n8n $N8N_VERSION into $n8n_dir (first use only, about 3 minutes)"
  mkdir -p "$n8n_dir"
  cp "$runtime_src/package.json" "$runtime_src/package-lock.json" "$n8n_dir/"
  (cd "$n8n_dir" && PATH="$NODE24_BIN:$PATH" npm ci --no-audit --no-fund --loglevel=error >&2)
  touch "$n8n_dir/.complete"
  # An install of the same major version from an older lock is 2.7 GB that nothing uses any more.
  for stale in "$CACHE/n8n-${N8N_VERSION%%.*}."*; do
    if [ "$stale" != "$n8n_dir" ] && [ -d "$stale" ]; then
      log "removing $stale (installed from another lock file)"
      rm -rf "$stale"
    fi
  done
fi
echo "NODE24_BIN=$NODE24_BIN"
echo "N8N_BIN=$n8n_dir/node_modules/.bin/n8n"
echo "N8N_VERSION=$N8N_VERSION"
