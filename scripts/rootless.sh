#!/usr/bin/env bash
# Makes (idempotently) the unprivileged user the rootless tests run image-mcp and Podman as
# (e2e/rootless_test.go), set up the way a desktop user's rootless Podman is:
#   - the user (default imagemcp-rootless; IMAGE_MCP_ROOTLESS_USER) with a home,
#   - subordinate uid and gid ranges in /etc/subuid and /etc/subgid (newuidmap/newgidmap of
#     Debian's uidmap map them into Podman's user namespace),
#   - an owned /run/user/UID, which the tests use as XDG_RUNTIME_DIR (no systemd login here),
#   - ~/.config/containers/containers.conf with the two settings these machines need (crun
#     cannot set rlimits here: runc and fixed ulimits) and storage.conf with vfs storage
#     (no fuse-overlayfs needed).
# Run as root. Prints the user's name, uid, home and runtime dir, one per line.
set -euo pipefail

u=${IMAGE_MCP_ROOTLESS_USER:-imagemcp-rootless}
say() { echo "rootless: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it creates the user $u)"
for c in newuidmap newgidmap; do
  command -v "$c" >/dev/null 2>&1 || die "$c is missing: install Debian's uidmap (scripts/test.sh does)"
done
command -v podman >/dev/null 2>&1 || die "podman is missing"
if [ -r /proc/sys/kernel/unprivileged_userns_clone ] && [ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" != 1 ]; then
  die "unprivileged user namespaces are off (kernel.unprivileged_userns_clone=0)"
fi
[ "$(cat /proc/sys/user/max_user_namespaces)" -gt 0 ] || die "user namespaces are off (user.max_user_namespaces=0)"

# One setup at a time: e2e runs may start together on a fresh machine.
mkdir -p /run/lock
exec 9>/run/lock/image-mcp-rootless.lock
flock 9

if ! id "$u" >/dev/null 2>&1; then
  say "creating user $u"
  useradd --create-home --shell /bin/bash --comment "image-mcp rootless tests" "$u"
fi
uid=$(id -u "$u")
gid=$(id -g "$u")
home=$(getent passwd "$u" | cut -d: -f6)

# A subordinate range of 65536 ids after every range already given out (useradd adds one
# itself when login.defs says so; this covers systems where it does not).
for f in /etc/subuid /etc/subgid; do
  touch "$f"
  if ! grep -q "^$u:" "$f" && ! grep -q "^$uid:" "$f"; then
    start=$(awk -F: 'BEGIN {m = 100000} {e = $2 + $3; if (e > m) m = e} END {print m}' "$f")
    echo "$u:$start:65536" >>"$f"
    say "added $u:$start:65536 to $f"
  fi
done

install -d -m 0700 -o "$uid" -g "$gid" "/run/user/$uid"
install -d -m 0755 -o "$uid" -g "$gid" "$home/.config" "$home/.config/containers"
write() { # write FILE CONTENT: only when different, owned by the user
  if [ "$(cat "$1" 2>/dev/null)" != "$2" ]; then
    printf '%s\n' "$2" >"$1"
    chown "$uid:$gid" "$1"
  fi
}
write "$home/.config/containers/containers.conf" '[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"'
write "$home/.config/containers/storage.conf" '[storage]
driver = "vfs"'

# Check it works: rootless Podman as the user, in a clean login-like environment.
got=$(cd / && setpriv --reuid="$uid" --regid="$gid" --init-groups env -i HOME="$home" USER="$u" LOGNAME="$u" \
  PATH=/usr/local/bin:/usr/bin:/bin XDG_RUNTIME_DIR="/run/user/$uid" \
  podman info --format '{{.Host.Security.Rootless}} {{.Store.GraphDriverName}} {{.Host.OCIRuntime.Name}}' 2>&1 | tail -n1) ||
  die "podman info as $u failed: $got"
[ "$got" = "true vfs runc" ] || die "podman info as $u says \"$got\", want \"true vfs runc\" (rootless, vfs, runc)"

printf '%s\n%s\n%s\n%s\n' "$u" "$uid" "$home" "/run/user/$uid"
