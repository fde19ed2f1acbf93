#!/usr/bin/env bash
# Vendors Swagger UI for the /docs page: fetches the npm package
# swagger-ui-dist at the version given (or the one pinned in
# internal/docsui/dist/package.json), checks it against the registry's
# integrity hash (npm pack does), and copies into internal/docsui/dist/ only
# the files the page serves, plus the licences and package.json as the record
# of the version. No source maps: they are large and only devtools ask for
# them. SHA256SUMS lets a test prove the embedded files are the package's.
#
#   scripts/update-docs-ui.sh            re-fetch the pinned version
#   scripts/update-docs-ui.sh 5.36.0     move to another version
#
# Then run `go test ./internal/docsui/ ./api/` and, with Chromium,
# `BLOGD_BROWSER_TEST=1 go test ./browsertest/`.
set -euo pipefail
cd "$(dirname "$0")/.."

dist=internal/docsui/dist
version=${1:-$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$dist/package.json")}
[ -n "$version" ] || { echo "usage: $0 VERSION" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "swagger-ui-dist@$version" >/dev/null && tar xzf "swagger-ui-dist-$version.tgz")

files=(swagger-ui-bundle.js swagger-ui.css favicon-32x32.png
       LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt package.json)
rm -rf "$dist"
mkdir -p "$dist"
for f in "${files[@]}"; do
  cp "$tmp/package/$f" "$dist/$f"
done
(cd "$dist" && sha256sum "${files[@]}" > SHA256SUMS)
echo "swagger-ui-dist $version in $dist:"
du -sh "$dist"
