#!/usr/bin/env bash
# Runs every test of image-mcp. Installs what the tests need when it is missing (Debian
# packages; as root, as CI runs), then `go test ./...`: unit tests and the end-to-end tests
# of the built binary against a private Podman service and a loopback registry.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in podman:podman runc:runc docker-registry:docker-registry busybox:busybox-static htpasswd:apache2-utils; do
  cmd=${pair%%:*} pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing test dependencies: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

go vet ./...
go test -count=1 -timeout 40m "$@" ./...

# A short run of each fuzz target (FUZZTIME=0 skips them; the seeds ran above as tests).
fuzztime=${FUZZTIME:-10s}
if [ "$fuzztime" != "0" ]; then
  for target in ./capabilities:FuzzLoad ./tools:FuzzCheckArguments ./tools:FuzzBuildRequest ./tools:FuzzReadNDJSON; do
    go test -run '^$' -fuzz "^${target#*:}\$" -fuzztime "$fuzztime" "${target%%:*}"
  done
fi
