#!/usr/bin/env bash
# Fetches libchdb.so (the ClickHouse engine as a library) from its npm package into a cache
# shared by builds, tests and the local mode. A cached copy is verified and reused: the
# 166 MB package is downloaded once per machine.
set -euo pipefail

CHDB_VERSION="${CHDB_VERSION:-26.5.3}"
# npm's published shasum of the package tarball for the pinned version.
CHDB_TARBALL_SHA1="${CHDB_TARBALL_SHA1:-3e52ecb7d894d9ebb1a6a50ac03f64208cc65501}"
CACHE_ROOT="${CX_PULSE_CACHE:-$HOME/.cache/cx-pulse}"
DEST_DIR="$CACHE_ROOT/chdb/$CHDB_VERSION"
LIB="$DEST_DIR/libchdb.so"

if [ -s "$LIB" ] && [ -f "$DEST_DIR/.complete" ]; then
  echo "libchdb $CHDB_VERSION: cached at $LIB"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "libchdb: only linux-x64 (glibc) is packaged as @chdb/lib-linux-x64-gnu; this is $(uname -s)-$(uname -m)" >&2
     exit 1 ;;
esac
command -v npm >/dev/null || { echo "libchdb: npm is needed to fetch @chdb/lib-linux-x64-gnu (apt-get install npm)" >&2; exit 1; }

mkdir -p "$DEST_DIR"
work="$(mktemp -d "$CACHE_ROOT/chdb/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "libchdb $CHDB_VERSION: fetching @chdb/lib-linux-x64-gnu (about 166 MB) ..."
(cd "$work" && npm pack --silent "@chdb/lib-linux-x64-gnu@$CHDB_VERSION" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
actual_sha1="$(sha1sum "$tarball" | cut -d' ' -f1)"
if [ "$actual_sha1" != "$CHDB_TARBALL_SHA1" ]; then
  echo "libchdb: checksum mismatch for $tarball: expected $CHDB_TARBALL_SHA1, got $actual_sha1" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work" package/libchdb.so
mv "$work/package/libchdb.so" "$LIB.tmp"
mv "$LIB.tmp" "$LIB"
touch "$DEST_DIR/.complete"
echo "libchdb $CHDB_VERSION: installed at $LIB"
