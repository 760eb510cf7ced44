#!/bin/bash
# systemd-analyze's offline security review of relayd.service: the overall
# exposure level must be at most MAX (default 2.0, on systemd's 0.0-10.0
# scale). Prints the figure and every setting that still costs exposure.
#
# usage: security_relayd.sh UNIT_DIR [MAX]
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 UNIT_DIR [MAX]" >&2
  exit 2
fi
unit=$1/relayd.service
max=${2:-2.0}

command -v systemd-analyze >/dev/null || { echo "FAIL: systemd-analyze is not installed (Debian package systemd)"; exit 1; }

# --threshold counts tenths: 2.0 is 20. Its exit status is checked below, and
# the figure is also parsed so that a change in the tool's scale cannot pass silently.
threshold=$(awk -v m="$max" 'BEGIN { printf "%d", m * 10 + 0.5 }')
status=0
report=$(systemd-analyze security --offline=true --man=no --threshold="$threshold" "$unit" 2>&1) || status=$?

summary=$(grep -E "Overall exposure level for relayd.service: [0-9]+\.[0-9]" <<<"$report" || true)
if [ -z "$summary" ]; then
  echo "FAIL: no 'Overall exposure level' line in systemd-analyze's output:"
  echo "$report"
  exit 1
fi
figure=$(sed -E 's/.*relayd.service: ([0-9]+\.[0-9]+).*/\1/' <<<"$summary")
echo "$summary"
echo "settings that still cost exposure:"
grep -E "^✗" <<<"$report" || true

if ! awk -v f="$figure" -v m="$max" 'BEGIN { exit !(f <= m) }'; then
  echo "FAIL: exposure $figure is above $max"
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "FAIL: systemd-analyze security --threshold=$threshold exited with status $status"
  exit 1
fi
echo "ok: exposure $figure <= $max"
