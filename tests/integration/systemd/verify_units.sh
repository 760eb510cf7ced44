#!/bin/bash
# systemd-analyze verify on every unit, run on test copies of the units whose
# @bindir@ is BIN_DIR (links to the build tree's programs, made here), so that
# the check covers the ExecStart= paths too. verify may print a warning and
# still exit 0: any output at all fails the test.
#
# usage: verify_units.sh UNIT_DIR BIN_DIR RELAYD MSGD MSG_NOTIFY
set -euo pipefail

if [ $# -ne 5 ]; then
  echo "usage: $0 UNIT_DIR BIN_DIR RELAYD MSGD MSG_NOTIFY" >&2
  exit 2
fi
unit_dir=$1 bin_dir=$2
declare -A programs=([relayd]=$3 [msgd]=$4 [msg-notify]=$5)

command -v systemd-analyze >/dev/null || { echo "FAIL: systemd-analyze is not installed (Debian package systemd)"; exit 1; }

mkdir -p "$bin_dir"
for name in "${!programs[@]}"; do
  target=${programs[$name]}
  if [ -z "$target" ] || [ ! -x "$target" ]; then
    echo "FAIL: the program $name is not built (expected at '${target}')"
    exit 1
  fi
  ln -sfn "$target" "$bin_dir/$name"
done

# The user manager needs a runtime directory even for verify.
runtime_dir=$(mktemp -d)
trap 'rm -rf "$runtime_dir"' EXIT

failed=0
check() {
  local label=$1
  shift
  local output status=0
  output=$("$@" 2>&1) || status=$?
  if [ "$status" -ne 0 ] || [ -n "$output" ]; then
    echo "FAIL: $label (exit status $status):"
    echo "$output"
    failed=1
  else
    echo "ok: $label"
  fi
}

check "system units: relayd.service relayd.socket" \
  systemd-analyze verify --man=no --generators=no "$unit_dir/relayd.service" "$unit_dir/relayd.socket"
check "user units: msgd.service msg-notify.service" \
  env XDG_RUNTIME_DIR="$runtime_dir" \
  systemd-analyze --user verify --man=no --generators=no "$unit_dir/msgd.service" "$unit_dir/msg-notify.service"

# The D-Bus activation file is not a unit: check that it names the bus name,
# a program that exists and the user unit that provides the name.
activation=$unit_dir/org.sotto.Messenger1.service
expect_line() {
  if grep -qxF -- "$1" "$activation"; then
    echo "ok: $(basename "$activation") has '$1'"
  else
    echo "FAIL: $(basename "$activation") lacks the line '$1':"
    cat "$activation"
    failed=1
  fi
}
expect_line "[D-BUS Service]"
expect_line "Name=org.sotto.Messenger1"
expect_line "Exec=$bin_dir/msgd"
expect_line "SystemdService=msgd.service"
if ! grep -qxF "BusName=org.sotto.Messenger1" "$unit_dir/msgd.service"; then
  echo "FAIL: msgd.service does not declare BusName=org.sotto.Messenger1, the name the activation file starts it for"
  failed=1
fi

exit "$failed"
