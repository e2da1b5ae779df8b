#!/usr/bin/env bash
# Benchmark of the API under load, in one run on this machine:
#  1. wrk against GET /api/status while 4 downloads run (throttled by max_download_speed so they
#     last through the measurement);
#  2. SUBSCRIBERS server-sent-event clients, each timing the job.completed events of DOWNLOADS
#     small downloads (latency from the event's own timestamp);
#  and the daemon's peak RSS (VmHWM) over both. Loopback only; needs wrk (apt-get install wrk).
# Usage: bench/api.sh [SUBSCRIBERS] [DOWNLOADS] [WRK_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
subscribers=${1:-1000}
downloads=${2:-20}
seconds=${3:-15}
command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install wrk" >&2; exit 1; }
make -s jar >/dev/null
java="$(lib/find-jdk.sh)/bin/java"
work=$(mktemp -d /tmp/civitai-api-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/srv" "$work/d"
head -c $((256 << 20)) /dev/urandom > "$work/srv/big.bin"
head -c $((1 << 20)) /dev/urandom > "$work/srv/small.bin"
"$java" bench/FileServer.java "$work/srv" > "$work/srv.port" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/srv.port" ] && break; sleep 0.1; done
files="http://127.0.0.1:$(cat "$work/srv.port")"

entries=""
for i in 1 2 3 4; do
    entries+="${entries:+,}{\"model_type\":\"checkpoint\",\"filename\":\"big$i.safetensors\",\"url\":\"$files/big.bin\"}"
done
echo "[$entries]" > "$work/d/manifest.json"
echo '{"active_port":0,"workers":4,"throttle":0,"download_dir":"models","max_download_speed":16000000}' > "$work/d/config.json"
"$java" @lib/jvm.options -jar build/civitai-daemon.jar --config "$work/d/config.json" > "$work/d/out" 2>&1 &
daemon=$!
pids+=($daemon)
for _ in $(seq 100); do grep -q "listening on" "$work/d/out" && break; sleep 0.1; done
port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/d/out" | grep -o '[0-9]*$')
base="http://127.0.0.1:$port"
peak() { awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$daemon/status"; }

sleep 1
active=$(curl -s "$base/api/status" | grep -o '"downloading":[0-9]*')
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); daemon JVM options: lib/jvm.options"
echo "wrk -t2 -c64 -d${seconds}s $base/api/status  (while $active)"
wrk -t2 -c64 -d"${seconds}s" --latency "$base/api/status" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors" || true
echo "daemon peak RSS so far: $(peak) MiB"
"$java" bench/SseBench.java "$base" "$files/small.bin" "$subscribers" "$downloads" || true
echo "daemon peak RSS: $(peak) MiB"
