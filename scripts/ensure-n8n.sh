#!/usr/bin/env bash
# Installs Node 24 and n8n (pinned) into a cache folder outside the checkout, once.
# n8n 2.x needs Node 24; the package itself builds and unit-tests on the machine's Node.
# Prints the two paths as shell assignments: NODE24_BIN=... N8N_BIN=...
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-2.41.1}"   # exactly this: 2.41.3 needs a package the registry lacks
NODE_MAJOR="${NODE_MAJOR:-24}"
CACHE="${MISSED_CALLS_CACHE:-$HOME/.cache/n8n-nodes-missed-calls}"
node_dir="$CACHE/node$NODE_MAJOR"
n8n_dir="$CACHE/n8n-$N8N_VERSION"
log() { echo "[ensure-n8n] $*" >&2; }

if [ ! -x "$node_dir/node_modules/.bin/node" ]; then
  log "installing Node $NODE_MAJOR into $node_dir (first use only)"
  mkdir -p "$node_dir"
  (cd "$node_dir" && echo '{"name":"node-runtime","private":true}' > package.json \
    && npm install --no-audit --no-fund --loglevel=error "node@$NODE_MAJOR" >&2)
fi
NODE24_BIN="$(cd "$node_dir/node_modules/node/bin" && pwd)"

if [ ! -x "$n8n_dir/node_modules/.bin/n8n" ] || [ ! -f "$n8n_dir/.complete" ]; then
  log "installing n8n $N8N_VERSION into $n8n_dir (first use only, about 3 minutes)"
  mkdir -p "$n8n_dir"
  # allowScripts: the Kafka native build downloads zlib/openssl from the internet and fails here.
  cat > "$n8n_dir/package.json" <<JSON
{ "name": "n8n-runtime", "private": true,
  "dependencies": { "n8n": "$N8N_VERSION" },
  "allowScripts": { "@confluentinc/kafka-javascript": false } }
JSON
  (cd "$n8n_dir" && PATH="$NODE24_BIN:$PATH" npm install --no-audit --no-fund --loglevel=error >&2)
  touch "$n8n_dir/.complete"
fi
echo "NODE24_BIN=$NODE24_BIN"
echo "N8N_BIN=$n8n_dir/node_modules/.bin/n8n"
