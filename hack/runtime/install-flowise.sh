#!/usr/bin/env bash
# Installs the real `flowise` npm package for the runtime suite (make runtime) into
# $FLOTILLA_CACHE/flowise/<key>/ (default $HOME/.cache/flotilla) and prints that directory.
#
#   hack/runtime/install-flowise.sh [version]     # default: the chart's appVersion
#
# Why not a plain `npm install flowise`: faiss-node's install script downloads from a host CI
# cannot reach and npm then rolls back the whole tree, so install scripts are skipped and only
# sqlite3 (the one native module Flowise needs at start) is rebuilt.
# Idempotent: the tree is built in a temporary directory and renamed into place; a marker file
# written last says it is complete, so an interrupted install is redone, a complete one skipped.
# The key is the version plus the hash of the committed lockfile when there is one
# (hack/runtime/flowise/<version>/package-lock.json), which makes the tree reproducible and lets
# `npm ci` skip resolution.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="${1:-${FLOWISE_VERSION:-}}"
if [ -z "$version" ]; then
  version="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$root/charts/flowise/Chart.yaml")"
fi
[ -n "$version" ] || { echo "install-flowise: no version given and none in charts/flowise/Chart.yaml" >&2; exit 2; }

cache="${FLOTILLA_CACHE:-$HOME/.cache/flotilla}/flowise"
lock="$here/flowise/$version/package-lock.json"
key="$version"
if [ -f "$lock" ]; then
  key="$version-$(sha256sum "$lock" | cut -c1-12)"
fi
dest="$cache/$key"
marker="$dest/.flotilla-complete"
if [ -f "$marker" ]; then
  echo "$dest"
  exit 0
fi

mkdir -p "$cache"
# One installer at a time per cache (CI may start it in the background and again from the test).
exec 9>"$cache/.lock"
flock 9
if [ -f "$marker" ]; then
  echo "$dest"
  exit 0
fi

start=$(date +%s)
tmp="$(mktemp -d "$cache/.tmp-$key.XXXXXX")"
chmod 755 "$tmp" # mktemp makes it private; the tree is run by a non-root test user
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export npm_config_nodedir="${npm_config_nodedir:-/usr}" # Debian's node headers: no download
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
if [ -f "$lock" ]; then
  cp "$here/flowise/$version/package.json" "$lock" .
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
else
  printf '{"name":"flotilla-flowise-runtime","private":true}\n' >package.json
  npm install "flowise@$version" --save-exact --ignore-scripts --no-audit --no-fund --loglevel=error >&2
fi
npm rebuild sqlite3 --loglevel=error >&2
test -x node_modules/.bin/flowise
node -e 'require("sqlite3")' # the native module really loads
echo "$version" >.flotilla-complete
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "install-flowise: flowise $version installed in $(( $(date +%s) - start ))s" >&2
echo "$dest"
