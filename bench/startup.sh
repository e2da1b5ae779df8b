#!/usr/bin/env bash
# Time from `bin/civitai-daemon serve` to the first 200 from /healthz, for the unpacked release
# (default: build/dist/civitai-daemon-<version>), N runs (default 7); prints each and the median.
# Usage: bench/startup.sh [RELEASE_DIR] [RUNS]. Needs curl.
set -euo pipefail
cd "$(dirname "$0")/.."
release=${1:-build/dist/civitai-daemon-$(cat VERSION)}
runs=${2:-7}
work=$(mktemp -d)
trap 'kill -9 "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(( 20000 + RANDOM % 20000 ))
printf '{"active_port": %d, "workers": 1, "update_interval_hours": 0, "civitai_url": "http://127.0.0.1:9/api/v1"}\n' \
    "$port" > "$work/config.json"
echo '[]' > "$work/manifest.json"
times=()
for run in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    "$release/bin/civitai-daemon" serve --config "$work/config.json" > "$work/out.txt" 2>&1 &
    pid=$!
    for _ in $(seq 1 3000); do   # at most ~30 s
        if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz"; then break; fi
        sleep 0.005
    done
    end=$(date +%s%N)
    kill -TERM "$pid"; wait "$pid" || true
    ms=$(( (end - start) / 1000000 ))
    times+=("$ms")
    echo "run $run: ${ms} ms"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
echo "median: ${median} ms to /healthz 200 over $runs runs ($(nproc) cores, $(uname -m))"
