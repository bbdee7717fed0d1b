#!/usr/bin/env bash
# Installs hfsched into a scratch root the way the README's "Run under
# systemd" section does (/opt/hfsched with production dependencies only, a
# /usr/bin/hfsched link to the CLI), then runs what the unit runs:
#   ExecStartPre  hfsched init            (twice: it must be idempotent)
#   ExecStart     hfsched daemon          (until `status --health` says alive)
#   systemctl stop  SIGTERM               (must exit 0 within TimeoutStopSec)
# with the unit's environment (HFSCHED_DB in the state directory, HF_HOME in
# the cache directory). It catches what unit tests cannot: a runtime import of
# a devDependency, migrations/ not found beside dist/, a CLI without its
# shebang, a daemon that ignores SIGTERM or outlives the stop timeout.
# Needs `npm run build` first (npm test does it).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
# shellcheck source=.ci/lib.sh
source .ci/lib.sh

unit=systemd/hfsched.service
[[ -f dist/src/cli/main.js ]] || fail "dist/src/cli/main.js is missing: run npm run build first"
stop_timeout="$(sed -n -E 's/^TimeoutStopSec=([0-9]+)s?$/\1/p' "$unit")"
[[ -n "$stop_timeout" ]] || fail "$unit has no TimeoutStopSec in plain seconds"
health_wait=30

root="$(mktemp -d "${TMPDIR:-/tmp}/hfsched-install.XXXXXX")"
daemon_pid=""
cleanup() {
  if [[ -n "$daemon_pid" ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -KILL "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$root"
}
trap cleanup EXIT

echo "--- install into $root (as the README does)"
app="$root/opt/hfsched"
mkdir -p "$app/dist" "$root/usr/bin" "$root/var/lib/hfsched" "$root/var/cache/hfsched"
cp package.json package-lock.json "$app/"
cp -r migrations "$app/"
cp -r dist/src "$app/dist/"
cp -r node_modules "$app/"
# The README builds with dev dependencies, then prunes them; do the same, so
# a runtime import of a devDependency fails here rather than on a server.
(cd "$app" && npm prune --omit=dev --no-audit --no-fund >/dev/null)
chmod 0755 "$app/dist/src/cli/main.js"
ln -s "$app/dist/src/cli/main.js" "$root/usr/bin/hfsched"
hfsched="$root/usr/bin/hfsched"

# The unit's environment (Environment=, LoadCredential=), under the scratch root.
export HFSCHED_DB="$root/var/lib/hfsched/hfsched.db"
export HF_HOME="$root/var/cache/hfsched"
# An empty credential, as the README installs it for public models only.
export CREDENTIALS_DIRECTORY="$root/run/credentials/hfsched.service"
mkdir -p "$CREDENTIALS_DIRECTORY"
: >"$CREDENTIALS_DIRECTORY/hf_token"
unset HF_TOKEN HF_HUB_CACHE HF_TOKEN_PATH HFSCHED_LOG_LEVEL
cd "$root"

echo "--- ExecStartPre: hfsched init (twice)"
"$hfsched" init || fail "hfsched init failed on a new database"
"$hfsched" init || fail "hfsched init failed on an existing database (it must be idempotent)"
[[ -f "$HFSCHED_DB" ]] || fail "hfsched init did not create $HFSCHED_DB"

echo "--- status --health with no daemon running (must exit 1)"
if "$hfsched" status --health; then
  fail "hfsched status --health exited 0 while no daemon runs"
fi

echo "--- ExecStart: hfsched daemon"
daemon_log="$root/daemon.log"
daemon_err="$root/daemon.err"
"$hfsched" daemon >"$daemon_log" 2>"$daemon_err" &
daemon_pid=$!
healthy=""
for _ in $(seq 1 $((health_wait * 2))); do
  if ! kill -0 "$daemon_pid" 2>/dev/null; then
    cat "$daemon_log" "$daemon_err" >&2
    fail "hfsched daemon exited at start (log above)"
  fi
  if timeout 10 "$hfsched" status --health >/dev/null 2>&1; then
    healthy=yes
    break
  fi
  sleep 0.5
done
if [[ -z "$healthy" ]]; then
  cat "$daemon_log" "$daemon_err" >&2
  fail "hfsched status --health did not report the daemon alive within ${health_wait}s (log above)"
fi
echo "ok: status --health exits 0 while the daemon runs"

echo "--- systemctl stop: SIGTERM, at most ${stop_timeout}s (TimeoutStopSec)"
kill -TERM "$daemon_pid"
stopped=""
for _ in $(seq 1 $((stop_timeout * 10))); do
  if ! kill -0 "$daemon_pid" 2>/dev/null; then
    stopped=yes
    break
  fi
  sleep 0.1
done
if [[ -z "$stopped" ]]; then
  cat "$daemon_log" "$daemon_err" >&2
  fail "hfsched daemon still runs ${stop_timeout}s after SIGTERM: systemd would SIGKILL it"
fi
daemon_status=0
wait "$daemon_pid" || daemon_status=$?
daemon_pid=""
if [[ "$daemon_status" != 0 ]]; then
  cat "$daemon_log" "$daemon_err" >&2
  fail "hfsched daemon exited with status $daemon_status after SIGTERM (expected 0: Restart=on-failure would restart it)"
fi
echo "ok: the daemon stopped cleanly on SIGTERM"

# journald stores each stdout line; pino writes one JSON object per line.
if grep -q -v -E '^\{.*\}$' "$daemon_log"; then
  grep -v -E '^\{.*\}$' "$daemon_log" | sed -n 1,5p >&2
  fail "the daemon printed lines that are not JSON log records (above)"
fi
echo "ok: $(wc -l <"$daemon_log") JSON log lines on stdout"
if [[ -s "$daemon_err" ]]; then
  echo "the daemon wrote to stderr:"
  cat "$daemon_err"
fi

if "$hfsched" status --health >/dev/null 2>&1; then
  fail "hfsched status --health still exits 0 after the daemon stopped"
fi
echo "ok: status --health exits 1 once the daemon is gone"
