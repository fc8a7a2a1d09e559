#!/usr/bin/env bash
# Runs every test of image-mcp. Installs what the tests need when it is missing (Debian
# packages; as root, as CI runs), then `go test ./...`: unit tests and the end-to-end tests
# of the built binary against a private Podman service and a loopback registry, once per
# Podman: the distro's (lane 1) and a Podman 5 from scripts/podman5.sh (lane 2).
set -euo pipefail
cd "$(dirname "$0")/.."

# What each tool was: found on this machine, or installed by this run (printed below).
declare -A how
need=()
for pair in podman:podman runc:runc docker-registry:docker-registry busybox:busybox-static htpasswd:apache2-utils git:git setpriv:util-linux newuidmap:uidmap node:nodejs npm:npm; do
  cmd=${pair%%:*} pkg=${pair#*:}
  if command -v "$cmd" >/dev/null 2>&1; then how[$cmd]=found; else need+=("$pkg"); how[$cmd]="installed (apt: $pkg)"; fi
done
# The ssh:// tests run a private sshd and use ssh-keygen, ssh-agent and ssh-add.
[ -x /usr/sbin/sshd ] || command -v sshd >/dev/null 2>&1 || need+=(openssh-server)
command -v ssh-agent >/dev/null 2>&1 || need+=(openssh-client)
# CA roots for the container image of the release tests.
[ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#need[@]} -gt 0 ]; then
  echo "installing test dependencies: ${need[*]}"
  $SUDO apt-get update -qq
  # RUNLEVEL=1: install openssh-server without starting a system sshd on port 22.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Podman 5 for lane 2 installs (the first time: ~1-2 min, ~370 MB under /opt) while the rest runs.
p5tmp=$(mktemp -d)
p5install=""
# On any exit: let a running install finish (interrupted, it would start over next time) and
# drop this run's wrapper folder.
trap '[ -z "$p5install" ] || wait "$p5install" 2>/dev/null; rm -rf "$p5tmp"' EXIT
p5found=""
if [ "${PODMAN5:-1}" != "0" ]; then
  if p5found=$($SUDO bash scripts/podman5.sh version 2>/dev/null); then :; else
    p5found=""
    bash scripts/podman5.sh install >"$p5tmp/install.log" 2>&1 &
    p5install=$!
  fi
fi

# The Go development tools are pinned where go records and checks them: a `tool` directive in
# a go.mod of their own, scripts/devtools/NAME/go.mod, whose go.sum holds their checksums (the
# product's go.mod does not grow). `go tool -n` builds one when needed and prints its path; a
# version the module proxy does not serve fails here, at once. docs/testing.md: how to update.
declare -A ver
devtool() { # NAME: builds the pinned tool; sets how[NAME] and ver[NAME]
  local dir=scripts/devtools/$1
  if GOFLAGS=-mod=mod GOPROXY=off go -C "$dir" mod download >/dev/null 2>&1; then how[$1]=found; else how[$1]=installed; fi
  go -C "$dir" tool -n "$1" >/dev/null 2>"$p5tmp/$1.log" || { cat "$p5tmp/$1.log" >&2; echo "cannot build the pinned $1 ($dir/go.mod)" >&2; exit 1; }
  ver[$1]=$(go -C "$dir" list -f '{{.Module.Version}}' "$(sed -n 's/^tool //p' "$dir/go.mod")")
}
devtool staticcheck
devtool goreleaser
staticcheck=$(go -C scripts/devtools/staticcheck tool -n staticcheck)

echo "=== versions (found: already on this machine; installed: by this run)"
printf '%-12s %s\n' \
  go: "$(go version | cut -d' ' -f3-) (found)" \
  podman: "$(podman --version | awk '{print $NF}') at $(command -v podman) (${how[podman]})" \
  "podman 5:" "$(if [ "${PODMAN5:-1}" = 0 ]; then echo "not used (PODMAN5=0)"; elif [ -n "$p5found" ]; then echo "$p5found (scripts/podman5.sh, found)"; else echo "installing in the background (scripts/podman5.sh; its version is printed before lane 2)"; fi)" \
  staticcheck: "$("$staticcheck" -version | head -n1), module ${ver[staticcheck]} (${how[staticcheck]})" \
  goreleaser: "${ver[goreleaser]} (${how[goreleaser]})" \
  node: "$(node --version) (${how[node]}), npm $(npm --version) (${how[npm]})"

# Rootless Podman (e2e/rootless_test.go runs image-mcp and Podman as this user): the
# unprivileged user imagemcp-rootless, set up as a desktop user's rootless Podman is.
echo "setting up the rootless test user (scripts/rootless.sh)"
$SUDO ./scripts/rootless.sh >/dev/null

go vet ./...

# staticcheck: the pinned release (scripts/devtools/staticcheck).
"$staticcheck" ./...

# The e2e tests that run in lane 1 only: the release snapshot (GoReleaser, several minutes),
# the npm launcher, the container image built from it, the Inspector, server.json and the
# StackRox tests do not depend on the Podman version, or (the container image: podman build
# and run of the Containerfile) only lightly, and would double CI time. The rootless test runs
# as an unprivileged user with the distro's Podman (Podman 5 here needs root): lane 1 only.
lane2_skip='^(TestContainerImage|TestReleaseConfigCheck|TestReleaseSnapshot|TestNpmLauncher|TestInspectorCLI|TestTypeScriptSDKPrompts|TestServerJSON|TestFakeCentralContract|TestStackRox.*|TestStackrox.*|TestRootless)$'

# Each lane prints the Podman it runs against (the `podman` first in its PATH, which the tests
# and image-mcp's autostart start; `go test -v ./e2e` also prints "e2e: against Podman X") and
# its wall time; a failing lane stops the script (set -e).
lane() {
  local name=$1 t0=$SECONDS
  shift
  echo "=== lane: $name"
  "$@"
  echo "=== lane: $name: passed in $((SECONDS - t0)) s"
}

# Lane 1, the distro's Podman (4.3.1 on Debian 12): every test, unit and end-to-end, including
# the release, npm, container-image and Inspector tests, which do not depend on the Podman version.
lane "$(command -v podman): $(podman --version)" go test -count=1 -timeout 40m "$@" ./...

# Lane 2, Podman 5 (scripts/podman5.sh: the newest 5.x of Debian testing, in its own root
# under /opt): the Podman end-to-end suite again, with the wrapper first in PATH so the tests'
# service and image-mcp's autostart both run Podman 5. Tests that do not depend on the Podman
# version (release, npm, Inspector, StackRox) ran in lane 1 and are skipped here to keep CI short.
# PODMAN5=0 skips this lane (e.g. a machine without root).
if [ "${PODMAN5:-1}" != "0" ]; then
  if [ -n "$p5install" ]; then
    t0=$SECONDS
    wait "$p5install" || { cat "$p5tmp/install.log" >&2; echo "installing Podman 5 failed" >&2; exit 1; }
    p5install=""
    echo "podman 5:   $(bash scripts/podman5.sh version) (scripts/podman5.sh, installed; waited $((SECONDS - t0)) s for it)"
  fi
  p5bin=$(bash scripts/podman5.sh bindir "$p5tmp/bin")
  lane "$p5bin/podman (scripts/podman5.sh): $(PATH="$p5bin:$PATH" podman --version)" env PATH="$p5bin:$PATH" \
    go test -count=1 -timeout 40m -skip "$lane2_skip" "$@" ./e2e
fi

# A short run of each fuzz target (FUZZTIME=0 skips them; the seeds ran above as tests). The
# budget is a count of inputs, not a duration: with -fuzztime as a duration, Go 1.26's fuzz
# coordinator can fail a target with a bare "context deadline exceeded" as the time runs
# out (golang/go#75804, fixed in Go 1.27). 100000 inputs take 4-12 s a target here.
fuzztime=${FUZZTIME:-100000x}
if [ "$fuzztime" != "0" ]; then
  for target in ./capabilities:FuzzLoad ./tools:FuzzCheckArguments ./tools:FuzzBuildRequest ./tools:FuzzShape ./podman:FuzzReadNDJSON; do
    go test -run '^$' -fuzz "^${target#*:}\$" -fuzztime "$fuzztime" "${target%%:*}"
  done
fi
