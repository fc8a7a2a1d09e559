#!/usr/bin/env bash
# podman5.sh: a real Podman 5 beside the distro's Podman 4.3.1 on Debian 12, for image-mcp's
# second CI lane (scripts/test.sh). It never touches the system Podman or the host's libc.
#
# Debian 12 packages Podman 4.3.1 only, and a newer Podman on the host itself would drag in a
# newer libc. So Podman 5 gets its own Debian root (PODMAN5_ROOT, default /opt/podman5-root),
# made by debootstrap from the first suite of PODMAN5_SUITE that offers a 5.x. Every podman run
# from it execs (same pid) in a private mount namespace whose root is that tree (pivot_root);
# the host's /tmp, /var/tmp, $TMPDIR, PODMAN5_SHARE, and the folders named by --root,
# --runroot, --tmpdir, unix://SOCKET and CONTAINERS_CONF appear inside at the same paths. So a
# socket, a storage folder, a build context (local/build?localcontextdir=) or an archive
# (local/images/load?path=) mean the same on both sides, as long as they are under those
# folders. The network is the host's: a registry on 127.0.0.1 is reachable. Nothing is mounted
# in the host's namespace; the mounts go away with the last process of the namespace.
#
# Usage (as root):
#   podman5.sh install            make the root (idempotent; ~1-2 min and ~370 MB the first time)
#   podman5.sh version            print the installed Podman 5 version (e.g. 5.8.6)
#   podman5.sh bindir DIR         install if needed, then write DIR/podman, a wrapper that runs
#                                 Podman 5: put DIR first in PATH and whatever starts `podman`
#                                 (the e2e tests, image-mcp's autostart, the bench) gets Podman 5
#   podman5.sh podman ARGS...     run Podman 5 in the foreground (exec: the caller's pid)
#
# Environment:
#   PODMAN5_ROOT    the Debian root (default /opt/podman5-root)
#   PODMAN5_SUITE   suites to try, in order, until one has podman 5.x (default "forky sid":
#                   Debian testing/unstable carry 5.8 today; trixie's 5.4 lacks local/build and
#                   local/images/load, new in 5.7.0). Read only when installing.
#   PODMAN5_MIRROR  Debian archive URL (default: the one the host's apt uses)
#   PODMAN5_SHARE   colon-separated extra host folders to show inside at the same path
#
# Limits: Podman refuses a runroot over 50 characters; each start gets a fresh /run and
# /dev/shm (its locks are its own, never 4.3.1's), so never run two Podman 5 processes on the
# same storage at once: talk to the running service through its API instead.
set -euo pipefail

ROOT=${PODMAN5_ROOT:-/opt/podman5-root}
SUITES=${PODMAN5_SUITE:-forky sid}
SELF=$(readlink -f "${BASH_SOURCE[0]}")
DONE="$ROOT/.podman5-installed" # "<version> <suite>" once the root is complete
CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { echo "podman5.sh: $*" >&2; }
die() { log "$*"; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, mount namespaces)"

# The Debian archive the host's apt uses (no host name is written into this script).
archive() {
  if [ -n "${PODMAN5_MIRROR:-}" ]; then echo "${PODMAN5_MIRROR%/}"; return; fi
  local uri
  uri=$( { grep -hsE '^[[:space:]]*URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
           grep -hsE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
             sed -E 's/\[[^]]*\]//' | awk '{print $2}'; } | grep -v -- '-security' | grep -E '/debian/?$' | head -n1)
  [ -n "$uri" ] || die "cannot tell which Debian archive apt uses; set PODMAN5_MIRROR"
  echo "${uri%/}"
}

# Runs a command chrooted in the root with /proc, in a throwaway mount namespace.
chrooted() {
  unshare --mount --propagation private -- /bin/sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' \
    "$ROOT" env -i PATH="$CLEAN_PATH" HOME=/root DEBIAN_FRONTEND=noninteractive "$@"
}

install() {
  [ -f "$DONE" ] && return 0
  mkdir -p "$(dirname "$ROOT")"
  # Two callers on a fresh machine: one installs, the other waits. fd 9 is closed before any
  # podman runs, so no service inherits the lock.
  exec 9>"$ROOT.lock"
  flock 9
  [ -f "$DONE" ] || install_now
  exec 9>&-
}

install_now() {
  local t0=$SECONDS suite cand ver
  command -v debootstrap >/dev/null 2>&1 || {
    log "installing debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  }
  for suite in $SUITES; do
    if [ -e "$ROOT" ]; then # left by an interrupted install: start over
      grep -qF " $ROOT/" /proc/self/mounts && die "$ROOT has mounts; unmount them first"
      rm -rf "$ROOT"
    fi
    log "debootstrap $suite into $ROOT"
    # Debian 12's debootstrap has no script for suites newer than it; sid's serves them all.
    debootstrap --variant=minbase "$suite" "$ROOT" "$(archive)" /usr/share/debootstrap/scripts/sid \
      >"$ROOT.debootstrap.log" 2>&1 || die "debootstrap $suite failed (see $ROOT.debootstrap.log)"
    rm -f "$ROOT.debootstrap.log"
    # The root's apt must accept what the host's apt accepts: these machines' apt config turns
    # off the Release files' Valid-Until/date checks (and may set a proxy).
    apt-config dump | grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy) ' \
      >"$ROOT/etc/apt/apt.conf.d/99from-host" || true
    printf '%s\n' 'path-exclude=/usr/share/doc/*' 'path-exclude=/usr/share/man/*' \
      'path-exclude=/usr/share/locale/*' 'path-exclude=/usr/share/info/*' >"$ROOT/etc/dpkg/dpkg.cfg.d/01nodoc"
    printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d" # no daemon starts from a package script
    chmod +x "$ROOT/usr/sbin/policy-rc.d"
    chrooted apt-get update -qq || die "apt-get update failed in $ROOT ($suite)"
    # Only 5.x: Podman 6 drops cgroups v1, which these machines have. Old versions leave the
    # archive, so no exact version can be pinned: take what the suite has.
    cand=$(chrooted apt-cache policy podman | awk '/Candidate:/ {print $2}')
    case "$cand" in
      5.*) ;;
      *) log "$suite has podman '$cand', not 5.x"; rm -rf "$ROOT"; continue ;;
    esac
    log "installing podman $cand, runc and git in $ROOT"
    # runc: crun cannot set rlimits in this sandbox. git: builds from a git context run git in
    # the service. No recommends (buildah, passt, criu are not needed).
    chrooted sh -c "apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends podman=$cand runc git >/dev/null &&
      apt-get clean && rm -rf /var/lib/apt/lists/*" || die "installing podman failed in $ROOT"
    touch "$ROOT/etc/hosts" "$ROOT/etc/resolv.conf" # mount points for the host's files
    mkdir -p "$ROOT/.host"
    ver=$(chrooted podman --version | awk '{print $3}')
    case "$ver" in 5.*) ;; *) die "podman --version in $ROOT says '$ver'" ;; esac
    echo "$ver $suite" >"$DONE"
    log "Podman $ver from $suite installed in $((SECONDS - t0)) s ($(du -sh "$ROOT" | cut -f1))"
    return 0
  done
  die "none of the suites '$SUITES' has podman 5.x"
}

# True for a host folder that, mounted inside, would hide part of the Podman 5 root.
reserved() {
  case "$1" in
    / | /bin | /sbin | /lib | /lib64 | /usr | /usr/* | /etc | /etc/* | /var | /var/lib | /var/lib/* | \
      /var/cache | /var/cache/* | /run | /dev | /dev/* | /proc | /proc/* | /sys | /sys/* | /opt | /boot) return 0 ;;
    "$ROOT" | "$ROOT"/*) return 0 ;;
  esac
  return 1
}

# The host folders to show inside, one a line, without any that lies under another listed one.
shared_dirs() {
  local IFS=: d
  for d in /tmp /var/tmp ${TMPDIR:-} ${PODMAN5_SHARE:-} ${PODMAN5_EXTRA:-}; do
    [ -n "$d" ] && [ -d "$d" ] || continue
    d=$(readlink -f "$d")
    if reserved "$d"; then log "not showing $d inside"; continue; fi
    echo "$d"
  done | awk '{print length($0) "\t" $0}' | sort -n | cut -f2- |
    awk '{for (i = 1; i <= n; i++) if ($0 == p[i] || index($0, p[i] "/") == 1) next; p[++n] = $0; print}'
}

# Becomes Podman 5 in a new mount namespace (exec: same pid, so signals reach podman).
run_podman() {
  [ -f "$DONE" ] || die "Podman 5 is not installed in $ROOT: run '$SELF install'"
  local a prev="" extra=""
  for a in "$@"; do
    case "$prev" in --root | --runroot | --tmpdir) mkdir -p "$a"; extra="$extra:$a" ;; esac
    case "$a" in
      --root=* | --runroot=* | --tmpdir=*) mkdir -p "${a#*=}"; extra="$extra:${a#*=}" ;;
      unix://*) mkdir -p "$(dirname "${a#unix://}")"; extra="$extra:$(dirname "${a#unix://}")" ;;
    esac
    prev=$a
  done
  [ -n "${CONTAINERS_CONF:-}" ] && extra="$extra:$(dirname "$CONTAINERS_CONF")"
  export PODMAN5_EXTRA="$extra" PODMAN5_CWD="$PWD"
  # --propagation private: no mount made inside (ours or podman's) reaches the host.
  exec unshare --mount --propagation private -- bash "$SELF" __enter "$@"
}

# Inside the new namespace: assemble the view, pivot into it, exec podman.
enter() {
  local d
  mount --bind "$ROOT" "$ROOT" # pivot_root needs the new root to be a mount point
  mount -t proc proc "$ROOT/proc"
  mount --rbind /sys "$ROOT/sys" # runc needs the cgroup hierarchy
  mount --rbind /dev "$ROOT/dev"
  # A /dev/shm and /run of its own: Podman 5's lock segment and its tmpdir never meet 4.3.1's.
  mount -t tmpfs -o mode=1777,nosuid,nodev shm "$ROOT/dev/shm"
  mount -t tmpfs -o mode=755,nosuid,nodev run "$ROOT/run"
  for d in /etc/hosts /etc/resolv.conf; do [ -f "$d" ] && mount --bind "$d" "$ROOT$d"; done
  while read -r d; do
    [ -n "$d" ] || continue
    mkdir -p "$ROOT$d"
    mount --rbind "$d" "$ROOT$d"
  done < <(shared_dirs)
  mkdir -p "$ROOT/.host"
  cd "$ROOT"
  # pivot_root rather than chroot: runc's own pivot_root (a build's RUN step) fails in a chroot.
  pivot_root . .host
  cd /
  umount -l /.host # the rest of the host is no longer visible
  cd "$PODMAN5_CWD" 2>/dev/null || cd /
  unset PODMAN5_EXTRA PODMAN5_CWD
  export PATH="$CLEAN_PATH"
  # These machines have cgroups v1; Podman 5 would warn about it on every command.
  export PODMAN_IGNORE_CGROUPSV1_WARNING=${PODMAN_IGNORE_CGROUPSV1_WARNING:-1}
  exec /usr/bin/podman "$@"
}

bindir() {
  [ $# -eq 1 ] || die "usage: $0 bindir DIR"
  install
  mkdir -p "$1"
  printf '#!/bin/sh\n# Podman 5 from %s (written by podman5.sh bindir)\nexec bash %q podman "$@"\n' "$ROOT" "$SELF" >"$1/podman"
  chmod 755 "$1/podman"
  readlink -f "$1"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  install) install; cut -d' ' -f1 "$DONE" ;;
  version) [ -f "$DONE" ] || die "not installed in $ROOT"; cut -d' ' -f1 "$DONE" ;;
  bindir) bindir "$@" ;;
  podman) run_podman "$@" ;;
  __enter) enter "$@" ;;
  *) sed -n '2,/^set -euo/p' "$SELF" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
