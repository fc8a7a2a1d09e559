#!/usr/bin/env bash
# Runs every test of image-mcp. Installs what the tests need when it is missing (Debian
# packages; as root, as CI runs), then `go test ./...`: unit tests and the end-to-end tests
# of the built binary against a private Podman service and a loopback registry.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in podman:podman runc:runc docker-registry:docker-registry busybox:busybox-static htpasswd:apache2-utils git:git setpriv:util-linux newuidmap:uidmap; do
  cmd=${pair%%:*} pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
# The ssh:// tests run a private sshd and use ssh-keygen, ssh-agent and ssh-add.
[ -x /usr/sbin/sshd ] || command -v sshd >/dev/null 2>&1 || need+=(openssh-server)
command -v ssh-agent >/dev/null 2>&1 || need+=(openssh-client)
# The release tests (e2e/release_test.go …): Node.js for npx and the MCP Inspector, CA roots
# for the container image, GoReleaser (below).
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
[ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing test dependencies: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # RUNLEVEL=1: install openssh-server without starting a system sshd on port 22.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v goreleaser >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/goreleaser" ]; then
  echo "installing goreleaser v2.13.3 (go install; takes a few minutes)"
  go install github.com/goreleaser/goreleaser/v2@v2.13.3
fi

# Rootless Podman (e2e/rootless_test.go runs image-mcp and Podman as this user): the
# unprivileged user imagemcp-rootless, set up as a desktop user's rootless Podman is.
echo "setting up the rootless test user (scripts/rootless.sh)"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO ./scripts/rootless.sh >/dev/null

go vet ./...
go test -count=1 -timeout 40m "$@" ./...

# A short run of each fuzz target (FUZZTIME=0 skips them; the seeds ran above as tests).
fuzztime=${FUZZTIME:-10s}
if [ "$fuzztime" != "0" ]; then
  for target in ./capabilities:FuzzLoad ./tools:FuzzCheckArguments ./tools:FuzzBuildRequest ./tools:FuzzReadNDJSON; do
    go test -run '^$' -fuzz "^${target#*:}\$" -fuzztime "$fuzztime" "${target%%:*}"
  done
fi
