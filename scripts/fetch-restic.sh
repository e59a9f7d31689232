#!/usr/bin/env bash
# Fetches restic 0.18 from Debian trixie into a cache OUTSIDE the repository, for the
# restic oracle test (test/retention/restic-oracle.test.ts). Needs no root: apt-get runs
# against a throwaway sources list, lists dir and cache, and dpkg -x unpacks the .deb.
# Does nothing when the cached binary exists. Prints `restic version` either way.
#
#   scripts/fetch-restic.sh            # → ${XDG_CACHE_HOME:-$HOME/.cache}/cloudhsm-retention/restic-0.18/restic
#   RESTIC_BIN=/path/to/restic ...     # the test uses this instead, if set
#
# Why trixie: bookworm's restic 0.14 predates `unlimited` counts and the "oldest snapshot"
# rule (both 0.16); our semantics follow 0.18. The binary is static and runs on bookworm.
# apt checks the download against trixie's signed Release file, as for any Debian package.
set -euo pipefail

want="0.18"
dest="${XDG_CACHE_HOME:-$HOME/.cache}/cloudhsm-retention/restic-${want}/restic"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

check_version() {
  local out
  out=$("$1" version) || return 1
  case "$out" in
    "restic ${want}."*) echo "$out" ;;
    *) echo "fetch-restic: expected restic ${want}.x, got: $out" >&2; return 1 ;;
  esac
}

if [ -x "$dest" ]; then
  check_version "$dest"
  exit 0
fi

for tool in apt-get dpkg; do
  command -v "$tool" >/dev/null || { echo "fetch-restic: needs $tool (Debian/Ubuntu); or put restic ${want}.x at $dest, or set RESTIC_BIN for the test" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/deb"
echo "deb ${mirror} trixie main" >"$tmp/sources.list"
apt_opts=(
  -o "Dir::Etc::SourceList=$tmp/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$tmp/lists"
  -o "Dir::Cache=$tmp/cache"
  -o "APT::Sandbox::User=root" # as root, apt would fetch as _apt, which cannot write to the 0700 temp dir
)
echo "fetch-restic: downloading restic from Debian trixie (${mirror})" >&2
apt-get "${apt_opts[@]}" -qq update
(cd "$tmp/deb" && apt-get "${apt_opts[@]}" -qq download restic)
deb=$(ls "$tmp"/deb/restic_*.deb)
dpkg -x "$deb" "$tmp/root"
check_version "$tmp/root/usr/bin/restic" >/dev/null
# Rename into place so a concurrent run never sees a half-written binary.
mkdir -p "$(dirname "$dest")"
install -m 0755 "$tmp/root/usr/bin/restic" "$dest.tmp.$$"
mv -f "$dest.tmp.$$" "$dest"
echo "fetch-restic: cached $(basename "$deb") at $dest" >&2
check_version "$dest"
