#!/usr/bin/env bash
# Checks the files in systemd/ with systemd's own tools, without a running
# systemd (CI machines have none as PID 1):
#   - systemd-analyze verify: syntax, known keys, valid values, dependencies;
#     any warning (an unknown or misspelt key is only a warning) fails;
#   - systemd-sysusers --dry-run: the sysusers.d file creates the user;
#   - systemd-analyze security --offline: the hardening keeps the exposure
#     score at or below MAX_EXPOSURE (systemd's 0-10 scale).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=.ci/lib.sh
source .ci/lib.sh

unit=systemd/hfsched.service
sysusers=systemd/hfsched.sysusers
MAX_EXPOSURE=2.0

if ! command -v systemd-analyze >/dev/null 2>&1; then
  if [[ "$(id -u)" != 0 ]]; then
    fail "systemd-analyze is missing; install Debian's 'systemd' package (needs root)"
  fi
  echo "systemd-analyze missing: installing Debian's systemd package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends systemd >/dev/null
fi
# sed, not head: with pipefail, head closing the pipe early could fail the run.
systemd-analyze --version | sed -n 1p

# `verify` loads the unit as the service manager would, so it needs what the
# unit refers to: the units its default dependencies name (sysinit.target,
# ...) and an executable at each Exec path. A scratch root provides both: the
# host's unit files, and a placeholder at each Exec path (the real install is
# exercised by .ci/smoke-install.sh). The unit itself is verified unchanged.
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd" "$root/etc/systemd/system" "$root/usr/lib/sysusers.d" "$root/etc"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp "$unit" "$root/etc/systemd/system/hfsched.service"
sed -n -E 's/^Exec[A-Za-z]*=[-@:+!]*(\/[^[:space:]]+).*/\1/p' "$unit" | sort -u | while read -r exec_path; do
  mkdir -p "$root$(dirname "$exec_path")"
  printf '#!/bin/sh\nexit 0\n' > "$root$exec_path"
  chmod 0755 "$root$exec_path"
done

echo "--- systemd-analyze verify $unit"
if ! verify_output="$(systemd-analyze verify --root="$root" "$root/etc/systemd/system/hfsched.service" 2>&1)"; then
  echo "$verify_output" >&2
  fail "systemd-analyze verify rejected $unit"
fi
if [[ -n "$verify_output" ]]; then
  echo "$verify_output" >&2
  fail "systemd-analyze verify printed warnings for $unit (see above); fix them"
fi
echo "ok: no errors, no warnings"

echo "--- systemd-sysusers --dry-run $sysusers"
cp "$sysusers" "$root/usr/lib/sysusers.d/hfsched.conf"
if ! sysusers_output="$(systemd-sysusers --root="$root" --dry-run 2>&1)"; then
  echo "$sysusers_output" >&2
  fail "systemd-sysusers rejected $sysusers"
fi
grep -q "Creating user 'hfsched'" <<<"$sysusers_output" || {
  echo "$sysusers_output" >&2
  fail "$sysusers does not create the user 'hfsched' that $unit runs as"
}
echo "ok: creates user and group hfsched"

echo "--- systemd-analyze security --offline=true $unit"
threshold="$(awk -v e="$MAX_EXPOSURE" 'BEGIN { print int(e * 10 + 0.5) }')"
security_status=0
security_output="$(systemd-analyze security --offline=true --threshold="$threshold" --no-pager "$unit" 2>&1)" || security_status=$?
# The table is long; the README carries it. Keep the log to the verdicts.
grep -E '^(✗|→)' <<<"$security_output" || true
if [[ "$security_status" != 0 ]]; then
  echo "$security_output" >&2
  fail "$unit: exposure is above $MAX_EXPOSURE (systemd-analyze security); restore the hardening"
fi
echo "ok: exposure at or below $MAX_EXPOSURE"
