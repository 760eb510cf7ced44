#!/usr/bin/env bash
# `cpack -G DEB` builds a package that Debian's tools accept and that installs:
# the control fields and Depends, the contents, lintian (no errors), then a real
# `dpkg -i`, the installed programs, and `dpkg --purge`.
# Usage: deb_package_test.sh BUILD_DIR BINDIR VERSION
set -euo pipefail
build=$1 bindir=$2 version=$3
out=$(mktemp -d)
installed_here=0
cleanup() {
  if [ "$installed_here" = 1 ]; then dpkg --purge sotto >/dev/null 2>&1 || true; fi
  rm -rf "$out"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$out/cpack.log" 2>&1; then
  cat "$out/cpack.log" >&2
  exit 1
fi
deb=$(find "$out" -maxdepth 1 -name 'sotto_*.deb' | head -1)
[ -n "$deb" ] || { echo "FAIL: cpack made no sotto_*.deb" >&2; cat "$out/cpack.log" >&2; exit 1; }
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes"

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = sotto ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', expected $version"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is '$(field Architecture)'"
depends=$(field Depends)
echo "Depends: $depends"
# The libraries the programs link must be named (dpkg-shlibdeps found them).
for lib in libc6 libssl3 libsqlite3-0 'libsdbus-c++' libyaml-cpp libprotobuf libargon2 libsystemd0 libstdc++6; do
  case $depends in
    *"$lib"*) ;;
    *) fail "Depends lacks $lib" ;;
  esac
done

contents=$(dpkg-deb -c "$deb")
for path in "./usr/bin/relayd" "./usr/bin/msgd" "./usr/bin/msgctl" "./usr/bin/msg-notify" "./usr/bin/msg-tui" \
  "./etc/sotto/relayd.yaml" "relayd.service" "relayd.socket" "msgd.service" "msg-notify.service" \
  "org.sotto.Messenger1.service" "./usr/share/doc/sotto/copyright" "./usr/share/doc/sotto/changelog.gz"; do
  grep -q -- "$path" <<<"$contents" || fail "the package lacks $path"
done
# Listed into a variable first: with pipefail, `tar -t | grep -q` fails whenever
# grep exits before tar has written its last line (tar dies of SIGPIPE).
control_files=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t)
grep -q conffiles <<<"$control_files" || fail "no conffiles (control: $control_files)"
[ "$(dpkg-deb -I "$deb" conffiles)" = /etc/sotto/relayd.yaml ] || fail "conffiles: $(dpkg-deb -I "$deb" conffiles)"
unstripped=$(dpkg-deb -x "$deb" "$out/tree" && find "$out/tree/usr/bin" -type f -exec sh -c 'readelf -S "$1" | grep -q "\.debug_info" && echo "$1"' sh {} \;)
[ -z "$unstripped" ] || fail "binaries with debug info: $unstripped"

if command -v lintian >/dev/null; then
  # Errors fail the test; warnings are printed for the record.
  lintian_out=$(lintian --tag-display-limit 0 "$deb" 2>&1 || true)
  [ -z "$lintian_out" ] || echo "$lintian_out"
  if grep -q '^E: ' <<<"$lintian_out"; then fail "lintian reports errors"; fi
else
  fail "lintian is not installed (scripts/setup-deps installs it)"
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "not root: skipping dpkg -i (the package checks above ran)"
elif dpkg-query -W -f='${Status}' sotto 2>/dev/null | grep -q 'install ok installed'; then
  echo "a sotto package is already installed on this machine: not replacing it, skipping dpkg -i"
else
  installed_here=1
  if ! dpkg -i "$deb" >"$out/dpkg.log" 2>&1; then
    cat "$out/dpkg.log" >&2
    fail "dpkg -i failed"
  else
    grep -q "$version" <<<"$("$bindir/relayd" --version)" || fail "installed relayd --version"
    "$bindir/msgctl" --help >/dev/null || fail "installed msgctl --help"
    grep -q "$version" <<<"$("$bindir/msgd" --version)" || fail "installed msgd --version"
    grep -q "$version" <<<"$("$bindir/msg-notify" --version)" || fail "installed msg-notify --version"
    grep -q "$version" <<<"$("$bindir/msg-tui" --version)" || fail "installed msg-tui --version"
    relayd check-config /etc/sotto/relayd.yaml >/dev/null || fail "the installed relayd.yaml does not pass check-config"
    dpkg --purge sotto >"$out/dpkg.log" 2>&1 || { cat "$out/dpkg.log" >&2; fail "dpkg --purge failed"; }
    installed_here=0
    [ ! -e "$bindir/relayd" ] || fail "relayd is still there after dpkg --purge"
    echo "dpkg -i, the installed programs, and dpkg --purge: OK"
  fi
fi

[ "$failures" -eq 0 ] || { echo "$failures problem(s)" >&2; exit 1; }
echo "package OK"
