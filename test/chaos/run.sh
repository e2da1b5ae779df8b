#!/usr/bin/env bash
# Runs the chaos suite: test/chaos/run.sh ci|long [SEED]. Called by `make chaos` / `make chaos-long`
# (which set JAVA_BIN, DAEMON_JAR and CHAOS_CP). Installs nginx-light from Debian's packages when
# missing. Every child (daemons, nginx) is started by the Java runner, which writes their pids to
# build/chaos/pids; the trap kills exactly those pids (and the runner) however the run ends.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:?usage: run.sh ci|long [SEED]}
seed=${2:-}
case "$mode" in
    ci) budget=330 ;;     # the CI run must stay near 6 minutes: scenarios overrun their share a little
    long) budget=5400 ;;
    *) echo "mode is ci or long" >&2; exit 64 ;;
esac
if ! command -v nginx >/dev/null && ! [ -x /usr/sbin/nginx ]; then
    echo "chaos: installing nginx-light (Debian) for the storage-host runs"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq nginx-light >/dev/null; fi
fi
mkdir -p build/chaos
: > build/chaos/pids; : > build/chaos/mounts
runner=""
cleanup() {
    [ -n "$runner" ] && kill "$runner" 2>/dev/null || true
    while read -r pid; do
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    done < build/chaos/pids
    while read -r mnt; do  # a tmpfs the disk-full run mounted and could not unmount itself
        [ -n "$mnt" ] && umount "$mnt" 2>/dev/null || true
    done < <(cat build/chaos/mounts 2>/dev/null || true)
}
trap cleanup EXIT INT TERM
timeout -k 10 $((budget + 60)) "$JAVA_BIN" -Xmx1g -XX:+UseSerialGC -cp "$CHAOS_CP" civitai.chaos.Chaos "$mode" "$budget" ${seed:+"$seed"} &
runner=$!
set +e
wait "$runner"
status=$?
runner=""
exit $status
