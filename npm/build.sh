#!/usr/bin/env bash
# Builds the npm packages of image-mcp from GoReleaser's binaries:
#   image-mcp                 the `image-mcp` command (bin/image-mcp.js), which runs the binary of
#                             this platform from one of:
#   @image-mcp/<os>-<cpu>     one prebuilt binary each, with npm's os/cpu fields so that npm
#                             installs only the matching one (optionalDependencies).
# Usage: npm/build.sh [dist-dir] [out-dir]   (defaults: dist, dist/npm)
# The version is GoReleaser's (dist/metadata.json). Publish the platform packages first:
#   for d in dist/npm/*-*/ dist/npm/image-mcp/; do npm publish --access public "$d"; done
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dist=$(cd "${1:-$root/dist}" && pwd)
out=${2:-$dist/npm}

[ -f "$dist/metadata.json" ] || { echo "npm/build.sh: $dist/metadata.json is missing: run goreleaser release --snapshot --clean (or a release) first" >&2; exit 1; }
version=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version)' "$dist/metadata.json")
repo='{ "type": "git", "url": "git+https://github.com/image-mcp/image-mcp.git" }'

rm -rf "$out"
mkdir -p "$out"
optional=""
# GoReleaser os/arch → Node's process.platform/process.arch.
for target in linux:amd64:linux:x64 linux:arm64:linux:arm64 darwin:amd64:darwin:x64 \
  darwin:arm64:darwin:arm64 windows:amd64:win32:x64 windows:arm64:win32:arm64; do
  IFS=: read -r goos goarch os cpu <<<"$target"
  exe=image-mcp
  [ "$goos" = windows ] && exe=image-mcp.exe
  bins=("$dist"/image-mcp_"${goos}"_"${goarch}"*/"$exe")
  [ -f "${bins[0]}" ] || { echo "npm/build.sh: no $goos/$goarch binary in $dist" >&2; exit 1; }
  name="@image-mcp/$os-$cpu"
  dir="$out/$os-$cpu"
  mkdir -p "$dir/bin"
  cp "${bins[0]}" "$dir/bin/$exe"
  chmod 755 "$dir/bin/$exe"
  cat >"$dir/package.json" <<EOF
{
  "name": "$name",
  "version": "$version",
  "description": "The $os-$cpu binary of image-mcp (install image-mcp, not this)",
  "license": "Apache-2.0",
  "repository": $repo,
  "os": ["$os"],
  "cpu": ["$cpu"],
  "files": ["bin/"],
  "preferUnplugged": true
}
EOF
  optional="$optional${optional:+,
}    \"$name\": \"$version\""
done

dir="$out/image-mcp"
mkdir -p "$dir"
cp -r "$root/npm/image-mcp/bin" "$dir/"
chmod 755 "$dir/bin/image-mcp.js"
cp "$root/README.md" "$root/LICENSE" "$dir/"
cat >"$dir/package.json" <<EOF
{
  "name": "image-mcp",
  "version": "$version",
  "description": "MCP server for container images: Podman's images API and StackRox Central's ImageService",
  "license": "Apache-2.0",
  "repository": $repo,
  "homepage": "https://github.com/image-mcp/image-mcp#readme",
  "keywords": ["mcp", "model-context-protocol", "podman", "container", "image", "stackrox"],
  "mcpName": "io.github.image-mcp/image-mcp",
  "bin": { "image-mcp": "bin/image-mcp.js" },
  "files": ["bin/", "README.md", "LICENSE"],
  "engines": { "node": ">=18" },
  "optionalDependencies": {
$optional
  }
}
EOF
echo "npm packages $version in $out"
