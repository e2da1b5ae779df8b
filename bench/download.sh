#!/usr/bin/env bash
# Benchmark: the daemon downloading + verifying + filing a 1 GiB file from a loopback server,
# against `curl -o` alone and `curl -o` + `sha256sum`, in one run on this machine.
# Prints the median of RUNS runs of each, the ratios, and the daemon's peak RSS (VmHWM) for
# one download and for 4 concurrent ones. Usage: bench/download.sh [SIZE_MIB] [RUNS]
# BENCH_DOWNLOAD_DIR=/some/dir measures another file system; BENCH_JAVA_OPTS replaces
# lib/jvm.options. Needs curl, sqlite3 and bc. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
runs=${2:-3}
make -s jar >/dev/null
java="$(lib/find-jdk.sh)/bin/java"
command -v curl >/dev/null || { echo "bench needs curl (apt-get install curl)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "bench needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }

work=$(mktemp -d /tmp/civitai-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/srv"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$work/srv/model.bin"
for i in 1 2 3 4; do ln "$work/srv/model.bin" "$work/srv/copy$i.bin"; done
sha=$(sha256sum "$work/srv/model.bin" | cut -d' ' -f1)
"$java" bench/FileServer.java "$work/srv" > "$work/port" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$work/port")"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Runs the daemon on a manifest of N copies; prints "seconds peak_rss_kib" (seconds: first
# attempt start to last completion, as the database records them).
daemon_run() {
    local n=$1 d="$work/daemon-$RANDOM"
    mkdir -p "$d"
    local entries=""
    for i in $(seq "$n"); do
        local name=model.bin; [ "$n" -gt 1 ] && name=copy$i.bin
        entries+="${entries:+,}{\"model_type\":\"checkpoint\",\"filename\":\"m$i.safetensors\",\"url\":\"$url/$name\",\"sha256\":\"$sha\"}"
    done
    echo "[$entries]" > "$d/manifest.json"
    echo "{\"active_port\":0,\"workers\":$n,\"throttle\":0,\"download_dir\":\"${BENCH_DOWNLOAD_DIR:-models}\",\"stall_timeout\":30}" > "$d/config.json"
    "$java" ${BENCH_JAVA_OPTS:-@lib/jvm.options} -jar build/civitai-daemon.jar --config "$d/config.json" > "$d/out" 2>&1 &
    local pid=$!
    pids+=($pid)
    local peak=0
    for _ in $(seq 6000); do
        local hwm; hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        [ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
        local done_n; done_n=$(sqlite3 "$d/completed.db" "SELECT count(*) FROM jobs WHERE state='completed'" 2>/dev/null || echo 0)
        [ "$done_n" = "$n" ] && break
        sleep 0.1
    done
    local secs; secs=$(sqlite3 "$d/completed.db" "SELECT (julianday(max(finished_at)) - julianday(min(started_at))) * 86400 FROM jobs")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$d/models"
    echo "$secs $peak"
}

# curl writes where the daemon writes, so both pay the same file system
out_dir=${BENCH_DOWNLOAD_DIR:-$work}
curl_t=() curl_sync_t=() curl_sha_t=() daemon_t=() rss1=0
for r in $(seq "$runs"); do
    t0=$(now); curl -s -o "$out_dir/c.bin" "$url/model.bin"; t1=$(now)
    curl_t+=("$(echo "$t1 - $t0" | bc -l)"); rm -f "$out_dir/c.bin"
    t0=$(now); curl -s -o "$out_dir/c.bin" "$url/model.bin"; sync "$out_dir/c.bin"; t1=$(now)
    curl_sync_t+=("$(echo "$t1 - $t0" | bc -l)"); rm -f "$out_dir/c.bin"
    t0=$(now); curl -s -o "$out_dir/c.bin" "$url/model.bin"; sha256sum "$out_dir/c.bin" >/dev/null; t1=$(now)
    curl_sha_t+=("$(echo "$t1 - $t0" | bc -l)"); rm -f "$out_dir/c.bin"
    read -r secs peak < <(daemon_run 1)
    daemon_t+=("$secs"); [ "$peak" -gt "$rss1" ] && rss1=$peak
done
read -r _ rss4 < <(daemon_run 4)

c=$(printf '%s\n' "${curl_t[@]}" | median)
cy=$(printf '%s\n' "${curl_sync_t[@]}" | median)
cs=$(printf '%s\n' "${curl_sha_t[@]}" | median)
d=$(printf '%s\n' "${daemon_t[@]}" | median)
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "file: ${size_mib} MiB over loopback, median of $runs runs"
printf 'curl -o                 %6.2f s\n' "$c"
printf 'curl -o + sync FILE     %6.2f s   (durable on disk, as the daemon makes it)\n' "$cy"
printf 'curl -o + sha256sum     %6.2f s\n' "$cs"
printf 'daemon (get+verify+mv)  %6.2f s\n' "$d"
printf 'ratio daemon / curl            %.3f\n' "$(echo "$d / $c" | bc -l)"
printf 'ratio daemon / (curl+sync)     %.3f\n' "$(echo "$d / $cy" | bc -l)"
printf 'ratio daemon / (curl+sha256)   %.3f\n' "$(echo "$d / $cs" | bc -l)"
echo "download dir: $out_dir ($(df -T "$out_dir" | awk 'NR==2 {print $2}'))"
echo "daemon peak RSS: 1 download $((rss1 / 1024)) MiB, 4 concurrent $((rss4 / 1024)) MiB (JVM options: ${BENCH_JAVA_OPTS:-lib/jvm.options})"
