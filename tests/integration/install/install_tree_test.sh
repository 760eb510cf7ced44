#!/usr/bin/env bash
# `cmake --install` into a DESTDIR: every file a user or an administrator
# needs lands where the documentation says, with the right modes, and the
# installed programs run (--version, --help).
# Usage: install_tree_test.sh BUILD_DIR BINDIR MANDIR DOCDIR DATADIR RELAYD_CONFIG VERSION
# (the directories are the configured absolute paths, e.g. /usr/bin)
set -euo pipefail
build=$1 bindir=$2 mandir=$3 docdir=$4 datadir=$5 relayd_config=$6 version=$7
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

if ! DESTDIR=$root cmake --install "$build" >"$root.log" 2>&1; then
  cat "$root.log" >&2
  rm -f "$root.log"
  exit 1
fi
rm -f "$root.log"

expect_file() {  # PATH MODE
  local path=$root$1
  if [ ! -f "$path" ]; then fail "missing $1"; return; fi
  local mode
  mode=$(stat -c %a "$path")
  [ "$mode" = "$2" ] || fail "$1 has mode $mode, expected $2"
}

for program in relayd msgd msgctl msg-notify msg-tui; do
  expect_file "$bindir/$program" 755
  [ -x "$root$bindir/$program" ] || continue
  out=$("$root$bindir/$program" --version 2>&1) || fail "$program --version exited $?"
  case $out in
    *"$version"*) ;;
    *) fail "$program --version printed '$out', not the version $version" ;;
  esac
  out=$("$root$bindir/$program" --help 2>&1) || fail "$program --help exited $?"
  case $out in
    *--version*) ;;
    *) fail "$program --help does not list --version" ;;
  esac
done

expect_file "$relayd_config" 644
for example in relayd.yaml msgd.yaml notify.yaml; do
  expect_file "$docdir/examples/$example" 644
done
cmp -s "$root$relayd_config" "$root$docdir/examples/relayd.yaml" || fail "the installed relayd.yaml differs from the example"

for page in man1/msgctl.1 man1/msgd.1 man1/msg-notify.1 man1/msg-tui.1 man8/relayd.8; do
  expect_file "$mandir/$page.gz" 644
  [ -f "$root$mandir/$page.gz" ] || continue
  name=$(basename "$page")
  th=$(gzip -dc "$root$mandir/$page.gz" | grep -m1 '^\.TH ' || true)
  want=$(echo "${name%.*} ${name##*.}" | tr '[:lower:]' '[:upper:]')
  case $th in
    ".TH $want "*) ;;
    *) fail "$page.gz starts with '$th', expected .TH $want" ;;
  esac
done

expect_file "$datadir/bash-completion/completions/msgctl" 644
zsh_completion=$(find "$root$datadir/zsh" -name _msgctl 2>/dev/null | head -1)
[ -n "$zsh_completion" ] || fail "no zsh completion _msgctl under $datadir/zsh"

# Units and the D-Bus activation file: in the folders systemd and dbus-daemon
# read, naming the installed binaries.
find_one() {  # NAME PATH-PATTERN
  find "$root" -name "$1" -path "$2" -type f | head -1
}
check_exec() {  # FILE KEY BINARY
  local line
  line=$(grep -m1 "^$2=" "$1" || true)
  case $line in
    "$2=$bindir/$3"*) ;;
    *) fail "$(basename "$1"): '$line' does not start $bindir/$3" ;;
  esac
}
unit=$(find_one relayd.service '*/systemd/system/*')
if [ -n "$unit" ]; then
  check_exec "$unit" ExecStart relayd
  grep -q -- "--config $relayd_config" "$unit" || fail "relayd.service does not use --config $relayd_config"
else
  fail "relayd.service not installed in a systemd/system folder"
fi
[ -n "$(find_one relayd.socket '*/systemd/system/*')" ] || fail "relayd.socket not installed in a systemd/system folder"
unit=$(find_one msgd.service '*/systemd/user/*')
if [ -n "$unit" ]; then check_exec "$unit" ExecStart msgd; else fail "msgd.service not installed in a systemd/user folder"; fi
unit=$(find_one msg-notify.service '*/systemd/user/*')
if [ -n "$unit" ]; then check_exec "$unit" ExecStart msg-notify; else fail "msg-notify.service not installed in a systemd/user folder"; fi
activation=$(find_one org.sotto.Messenger1.service '*/dbus-1/services/*')
if [ -n "$activation" ]; then
  check_exec "$activation" Exec msgd
  grep -q '^Name=org.sotto.Messenger1$' "$activation" || fail "activation file does not name org.sotto.Messenger1"
  grep -q '^SystemdService=msgd.service$' "$activation" || fail "activation file does not hand over to msgd.service"
else
  fail "org.sotto.Messenger1.service not installed in a dbus-1/services folder"
fi

writable=$(find "$root" -perm -o+w ! -type l)
[ -z "$writable" ] || fail "world-writable: $writable"

echo "installed $(find "$root" -type f | wc -l) files under DESTDIR"
[ "$failures" -eq 0 ] || { echo "$failures problem(s)" >&2; exit 1; }
echo "install tree OK"
