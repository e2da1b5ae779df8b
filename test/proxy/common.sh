# Shared by the proxy tests: sourced, not run. Installs what is missing, finds free loopback ports,
# starts and stops the daemon, and stops everything started on exit (by pid, nothing else).

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PIDS=()

say() { printf '%s: %s\n' "$(basename "$0")" "$*"; }
fail() { say "FAIL: $*"; exit 1; }

cleanup() {
    local pid
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# need COMMAND PACKAGE...: installs the first package that apt can, when COMMAND is missing.
APT_UPDATED=""
need() {
    local cmd="$1"; shift
    command -v "$cmd" >/dev/null 2>&1 && return 0
    PATH="$PATH:/usr/sbin:/sbin"; command -v "$cmd" >/dev/null 2>&1 && return 0
    if [ -z "$APT_UPDATED" ]; then
        say "apt-get update"
        as_root timeout 300 apt-get update -qq
        APT_UPDATED=1
    fi
    local pkg
    for pkg in "$@"; do
        say "installing $pkg (for $cmd)"
        if as_root env DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq --no-install-recommends "$pkg"; then
            command -v "$cmd" >/dev/null 2>&1 && return 0
        fi
    done
    fail "cannot install $cmd"
}

# free_port: a loopback TCP port nothing listens on now.
free_port() {
    local port i
    for i in $(seq 1 50); do
        port=$(( 20000 + RANDOM % 30000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"; return 0
        fi
    done
    fail "no free port found"
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s until it succeeds.
wait_for() {
    local seconds="$1" what="$2"; shift 2
    local deadline=$(( $(date +%s) + seconds ))
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "timed out after ${seconds}s waiting for $what"
        sleep 0.2
    done
}

java_bin() {
    echo "$("$ROOT/lib/find-jdk.sh")/bin/java"
}

# start_daemon DIR: runs the daemon on DIR/config.json, logs in DIR/daemon.out; sets DAEMON_PID.
start_daemon() {
    local dir="$1"
    "$(java_bin)" @"$ROOT/lib/jvm.options" -jar "$ROOT/build/civitai-daemon.jar" --config "$dir/config.json" \
        >"$dir/daemon.out" 2>&1 &
    DAEMON_PID=$!
    PIDS+=("$DAEMON_PID")
}
