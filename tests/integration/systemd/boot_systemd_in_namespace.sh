#!/bin/bash
# Boots systemd as PID 1 of new PID, mount, cgroup, UTS and IPC namespaces, so
# that a unit runs under its real sandbox on a machine or container that has no
# systemd of its own. The network namespace is shared with the caller, which
# talks to the services on loopback. Everything systemd mounts stays inside the
# mount namespace; everything it creates in the cgroup tree stays under
# CGROUP_DIR, which the caller removes afterwards.
#
# usage: boot_systemd_in_namespace.sh RUN_DIR CGROUP_DIR
#   RUN_DIR/units   the only unit directory (SYSTEMD_UNIT_PATH); systemd starts
#                   sotto-sandbox-test.target from it
#   RUN_DIR/varlib  mounted on /var/lib, so StateDirectory= lands there
#   CGROUP_DIR      a new, empty cgroup2 directory: this process moves into it
#                   and it becomes the root of systemd's cgroup tree
# systemd's own log goes to RUN_DIR/console.log. Killing this process (it
# becomes unshare) kills systemd and everything it started.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 RUN_DIR CGROUP_DIR" >&2
  exit 2
fi
run_dir=$1 cgroup_dir=$2
systemd_binary=/lib/systemd/systemd
[ -x "$systemd_binary" ] || { echo "$systemd_binary is missing (Debian package systemd)" >&2; exit 1; }

echo $$ >"$cgroup_dir/cgroup.procs"
: >"$run_dir/console.log"
# The inner script's $1 and $2 are its own arguments, expanded inside.
# shellcheck disable=SC2016
exec unshare --pid --fork --kill-child --mount --propagation private --mount-proc --cgroup --uts --ipc -- \
  bash -euc '
    mount -t tmpfs -o mode=0755 tmpfs /run
    mount --bind "$1/varlib" /var/lib
    # The cgroup namespace makes CGROUP_DIR the root of this mount.
    mount -t cgroup2 cgroup2 /sys/fs/cgroup
    # PID 1 logs to /dev/console: a file here, never the real console.
    if [ -e /dev/console ]; then mount --bind "$1/console.log" /dev/console; fi
    exec env -i container=sotto-test SYSTEMD_UNIT_PATH="$1/units" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
      "$2" --system --unit=sotto-sandbox-test.target --log-target=console --log-color=no
  ' boot "$run_dir" "$systemd_binary"
