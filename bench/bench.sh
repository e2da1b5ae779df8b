#!/usr/bin/env bash
# make bench: the daemon against the tools users reach for, with nginx (Debian's package, normal
# MIME setup) on loopback as the storage host. Never part of `make test`.
#   (a) 1 GiB, no rate limit:          daemon | curl -o | curl -o + sync | aria2c --checksum=sha-256
#   (b) 512 MiB, limit_rate 40m/conn:  daemon 16 conns and default 4 | curl | aria2c -x16 -s16
#   (c) 8 x 128 MiB at once, 40m/conn: daemon workers 8 | aria2c -j8 (both verifying)
#   (d) a 10,000-entry POST /api/batch, then GET /api/status and GET /api/jobs?limit=100
#   (e) peak RSS with 4 concurrent segmented downloads
#   (h) 1 GiB through a fake Hub (bench/HubStub.java: 302 to nginx as the CDN), no rate limit:
#       daemon (POST /api/download of the resolve link) | curl -L -o | + sync | + sha256sum
#   (l) the library index: bench/library.sh (first scan against sha256sum, rescan, GET /api/library)
# Median wall time of RUNS runs (default 3), ratios, peak RSS and CPU seconds; writes
# bench/RESULTS.md. The daemon is added through the API and timed from the POST to `completed`
# (verification, fsync and rename included). Usage: bench/bench.sh   (RUNS=5 bench/bench.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
cases=${CASES:-a b c d e h l}  # a subset for a quick look, e.g. CASES="d"
wants() { [[ " $cases " == *" $1 "* ]]; }
main_cases() { wants a || wants b || wants c || wants d || wants e; }
if ! main_cases && ! wants h; then
    if wants l; then exec bench/library.sh; fi
    exit 0
fi

need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v aria2c >/dev/null || need+=(aria2)
command -v curl >/dev/null || need+=(curl)
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v bc >/dev/null || need+=(bc)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
make -s jar >/dev/null
java="$(lib/find-jdk.sh)/bin/java"

work=$(mktemp -d "${BENCH_DIR:-/tmp}/civitai-bench.XXXXXX")
chmod 755 "$work"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "preparing files in $work"
mkdir -p "$work/srv" "$work/out" "$work/nginx"
head -c $((1024 << 20)) /dev/urandom > "$work/srv/big.bin"
head -c $((512 << 20)) "$work/srv/big.bin" > "$work/srv/half.bin"
(cd "$work/srv" && split -b $((128 << 20)) -d -a 1 big.bin part && for i in 0 1 2 3 4 5 6 7; do mv "part$i" "p$i.bin"; done)
chmod 644 "$work"/srv/*
declare -A sha
for f in "$work"/srv/*.bin; do sha[$(basename "$f")]=$(sha256sum "$f" | cut -d' ' -f1); done

plain=$(shuf -i 20000-40000 -n1); capped=$((plain + 1))
cat > "$work/nginx/nginx.conf" <<EOF
$( [ "$(id -u)" = 0 ] && echo "user root root;" )
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path $work/nginx/tmp;
    server { listen 127.0.0.1:$plain; root $work/srv; }
    server { listen 127.0.0.1:$capped; root $work/srv; limit_rate 40m; }
}
EOF
"$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx"
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$plain/half.bin" -r 0-0 && break; sleep 0.1; done
fast="http://127.0.0.1:$plain"
slow="http://127.0.0.1:$capped"

now() { date +%s.%N; }
median() { awk 'NF' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ticks=$(getconf CLK_TCK)
cpu_of() { awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$1/stat"; }
hwm_of() { awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$1/status"; }

# One peer command: "wall cpu maxrss_mib"
measure() {
    local t0 t1
    t0=$(now)
    /usr/bin/time -o "$work/time.out" -f "%U %S %M" "$@" >/dev/null 2>&1
    [ -n "${SYNC_FILE:-}" ] && sync "$SYNC_FILE"
    t1=$(now)
    echo "$(echo "$t1 - $t0" | bc -l) $(tail -1 "$work/time.out" | awk '{print $1 + $2, int($3 / 1024)}')"
}
measure_sync() {  # curl + sync of the file, as durable as the daemon leaves it
    SYNC_FILE="$work/out/c.bin" measure curl -s -o "$work/out/c.bin" "$1"
}

# A daemon with extra config keys (JSON fragment); sets $dpid and $dbase.
start_daemon() {
    local d="$work/daemon-$RANDOM"
    mkdir -p "$d"
    echo '[]' > "$d/manifest.json"
    echo "{\"active_port\":0,\"throttle\":0,\"download_dir\":\"models\",\"stall_timeout\":30,\"update_interval_hours\":0$1}" > "$d/config.json"
    "$java" @lib/jvm.options -jar build/civitai-daemon.jar --config "$d/config.json" > "$d/out" 2>&1 &
    dpid=$!
    pids+=("$dpid")
    for _ in $(seq 200); do grep -q "listening on" "$d/out" && break; sleep 0.05; done
    dbase="http://127.0.0.1:$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$d/out" | grep -o '[0-9]*$')"
    ddir=$d
}
stop_daemon() { kill "$dpid"; wait "$dpid" 2>/dev/null || true; }

# Adds N entries through the API (url base, files, run tag) and waits for all to complete;
# prints "wall cpu".
daemon_get() {
    local base=$1 tag=$2; shift 2
    local entries="" f ids
    for f in "$@"; do
        entries+="${entries:+,}{\"model_type\":\"checkpoint\",\"filename\":\"$tag-$f.safetensors\",\"url\":\"$base/$f\",\"sha256\":\"${sha[$f]}\"}"
    done
    local c0 t0 t1; c0=$(cpu_of "$dpid"); t0=$(now)
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data "[$entries]" "$dbase/api/batch"
    local want=$#
    for _ in $(seq 60000); do
        local n; n=$(sqlite3 "$ddir/completed.db" "SELECT count(*) FROM jobs WHERE state='completed' AND filename LIKE '$tag-%'" 2>/dev/null || echo 0)
        [ "$n" = "$want" ] && break
        if ! kill -0 "$dpid" 2>/dev/null; then
            echo "the daemon exited during the run: $(tail -3 "$ddir/out")" >&2; exit 1
        fi
        if [ "$(sqlite3 "$ddir/completed.db" "SELECT count(*) FROM jobs WHERE state='failed'" 2>/dev/null || echo 0)" != 0 ]; then
            sqlite3 "$ddir/completed.db" "SELECT filename, last_error FROM jobs WHERE state='failed'" >&2; break
        fi
        sleep 0.02
    done
    t1=$(now)
    echo "$(echo "$t1 - $t0" | bc -l) $(echo "$(cpu_of "$dpid") - $c0" | bc -l)"
    rm -rf "$ddir/models"
}

# The Hub case: adds the resolve link with POST /api/download and polls GET /api/jobs/{id} until
# it is completed; prints "wall cpu own" (own: the job's duration_seconds), then deletes the job
# and its file so the next run downloads again.
hub_get() {
    local c0 t0 t1 id job state
    c0=$(cpu_of "$dpid"); t0=$(now)
    id=$(curl -s -X POST -H 'Content-Type: application/json' \
        --data "{\"url\":\"$1\",\"model_type\":\"checkpoint\"}" "$dbase/api/download" \
        | grep -o '"job":{"id":[0-9]*' | grep -o '[0-9]*$' || true)
    [ -n "$id" ] || { echo "POST /api/download of $1 queued nothing: $(tail -3 "$ddir/out")" >&2; exit 1; }
    for _ in $(seq 60000); do
        job=$(curl -s "$dbase/api/jobs/$id")
        state=$(echo "$job" | grep -o '"state":"[a-z]*"' | head -1 | cut -d'"' -f4)
        [ "$state" = completed ] && break
        case $state in failed|cancelled) echo "the Hub download $state: $job" >&2; exit 1 ;; esac
        kill -0 "$dpid" 2>/dev/null || { echo "the daemon exited during the run: $(tail -3 "$ddir/out")" >&2; exit 1; }
        sleep 0.02
    done
    t1=$(now)
    echo "$(echo "$t1 - $t0" | bc -l) $(echo "$(cpu_of "$dpid") - $c0" | bc -l) $(echo "$job" | grep -o '"duration_seconds":[0-9.]*' | cut -d: -f2)"
    curl -s -o /dev/null -X DELETE "$dbase/api/jobs/$id?delete_file=true"
}

# Median of each column over the runs of one measuring command.
col() { awk -v c="$1" '{print $c}' | median; }

declare -A wall cpu rss
record() {  # name, lines "wall cpu [rss]"
    local name=$1 lines=$2
    wall[$name]=$(echo "$lines" | col 1)
    cpu[$name]=$(echo "$lines" | col 2)
    rss[$name]=$(echo "$lines" | awk 'NF {print $3}' | sort -g | tail -1)
}

aria() {  # url file extra-args...
    local url=$1 f=$2; shift 2
    measure aria2c -q --allow-overwrite=true --auto-file-renaming=false --file-allocation=none \
        --checksum=sha-256="${sha[$f]}" -d "$work/out" -o "a-$f" "$@" "$url/$f"
    rm -f "$work/out/a-$f"
}

if wants a; then
echo "(a) 1 GiB, no rate limit"
start_daemon ""
l_curl=""; l_sync=""; l_aria=""; l_d=""
for r in $(seq "$runs"); do
    l_curl+="$(measure curl -s -o "$work/out/c.bin" "$fast/big.bin")"$'\n'; rm -f "$work/out/c.bin"
    l_sync+="$(measure_sync "$fast/big.bin")"$'\n'; rm -f "$work/out/c.bin"
    l_aria+="$(aria "$fast" big.bin)"$'\n'
    l_d+="$(daemon_get "$fast" "a$r" big.bin)"$'\n'
done
rss[a_daemon]=$(hwm_of "$dpid"); stop_daemon
record a_curl "$l_curl"; record a_sync "$l_sync"; record a_aria "$l_aria"
wall[a_daemon]=$(echo "$l_d" | col 1); cpu[a_daemon]=$(echo "$l_d" | col 2)

fi
if wants h; then
echo "(h) 1 GiB through a fake Hub (bench/HubStub.java), nginx as the CDN"
load_h0=$(cut -d' ' -f1-3 /proc/loadavg)
ln -f "$work/srv/big.bin" "$work/srv/model.bin"   # the CDN's name for it; the same bytes as (a)
"$java" bench/HubStub.java "$fast" "$work/srv/model.bin" > "$work/hub.port" 2> "$work/hub.err" &
hub_pid=$!; pids+=("$hub_pid")
for _ in $(seq 600); do [ -s "$work/hub.port" ] && break; sleep 0.1; done
[ -s "$work/hub.port" ] || { echo "the Hub stub did not start: $(cat "$work/hub.err")" >&2; exit 1; }
hub="http://127.0.0.1:$(cat "$work/hub.port")"
hub_url="$hub/org/repo/resolve/main/model.bin"
start_daemon ",\"hf_endpoint\":\"$hub\""
l_curl=""; l_sync=""; l_sha=""; l_d=""
for r in $(seq "$runs"); do
    l_curl+="$(measure curl -s -L -o "$work/out/h.bin" "$hub_url")"$'\n'; rm -f "$work/out/h.bin"
    l_sync+="$(SYNC_FILE="$work/out/h.bin" measure curl -s -L -o "$work/out/h.bin" "$hub_url")"$'\n'; rm -f "$work/out/h.bin"
    l_sha+="$(measure sh -c 'curl -s -L -o "$1" "$2" && sha256sum "$1"' _ "$work/out/h.bin" "$hub_url")"$'\n'; rm -f "$work/out/h.bin"
    l_d+="$(hub_get "$hub_url")"$'\n'
done
rss[h_daemon]=$(hwm_of "$dpid"); stop_daemon
kill "$hub_pid"; wait "$hub_pid" 2>/dev/null || true
hub_asked=$(grep -o 'hub requests: .*' "$work/hub.err" | cut -d' ' -f3- || true)
record h_curl "$l_curl"; record h_sync "$l_sync"; record h_sha "$l_sha"
wall[h_daemon]=$(echo "$l_d" | col 1); cpu[h_daemon]=$(echo "$l_d" | col 2); own_h=$(echo "$l_d" | col 3)
each() { echo "$1" | awk 'NF {printf "%s%.3f", (n++ ? " " : ""), $1}'; }
each_h="daemon $(each "$l_d") s, curl -L -o + sync $(each "$l_sync") s, curl -L -o + sha256sum $(each "$l_sha") s, curl -L -o $(each "$l_curl") s"
load_h1=$(cut -d' ' -f1-3 /proc/loadavg)

fi
if wants b; then
echo "(b) 512 MiB, limit_rate 40m per connection"
l_curl=""; l_aria=""; l_d16=""; l_d4=""
for r in $(seq "$runs"); do
    l_aria+="$(aria "$slow" half.bin -x16 -s16)"$'\n'
done
start_daemon ',"connections_per_download":16,"max_connections_per_host":16'
for r in $(seq "$runs"); do l_d16+="$(daemon_get "$slow" "b$r" half.bin)"$'\n'; done
rss[b_daemon16]=$(hwm_of "$dpid"); stop_daemon
start_daemon ""
for r in $(seq "$runs"); do l_d4+="$(daemon_get "$slow" "b$r" half.bin)"$'\n'; done
rss[b_daemon4]=$(hwm_of "$dpid"); stop_daemon
l_curl+="$(measure curl -s -o "$work/out/c.bin" "$slow/half.bin")"$'\n'; rm -f "$work/out/c.bin"
record b_curl "$l_curl"; record b_aria "$l_aria"
wall[b_daemon16]=$(echo "$l_d16" | col 1); cpu[b_daemon16]=$(echo "$l_d16" | col 2)
wall[b_daemon4]=$(echo "$l_d4" | col 1); cpu[b_daemon4]=$(echo "$l_d4" | col 2)

fi
if wants c; then
echo "(c) 8 x 128 MiB at once, limit_rate 40m per connection"
files8=(p0.bin p1.bin p2.bin p3.bin p4.bin p5.bin p6.bin p7.bin)
l_aria=""; l_d=""; l_dcap=""
for r in $(seq "$runs"); do
    for f in "${files8[@]}"; do
        printf '%s\n  checksum=sha-256=%s\n  out=a-%s\n' "$slow/$f" "${sha[$f]}" "$f"
    done > "$work/aria8.txt"
    l_aria+="$(measure aria2c -q -j8 --allow-overwrite=true --auto-file-renaming=false \
        --file-allocation=none -d "$work/out" -i "$work/aria8.txt")"$'\n'
    rm -f "$work"/out/a-*
done
start_daemon ',"workers":8'
for r in $(seq "$runs"); do l_dcap+="$(daemon_get "$slow" "c$r" "${files8[@]}")"$'\n'; done
rss[c_daemon_cap8]=$(hwm_of "$dpid"); stop_daemon
start_daemon ',"workers":8,"max_connections_per_host":32'
for r in $(seq "$runs"); do l_d+="$(daemon_get "$slow" "c$r" "${files8[@]}")"$'\n'; done
rss[c_daemon]=$(hwm_of "$dpid"); stop_daemon
record c_aria "$l_aria"
wall[c_daemon]=$(echo "$l_d" | col 1); cpu[c_daemon]=$(echo "$l_d" | col 2)
wall[c_daemon_cap8]=$(echo "$l_dcap" | col 1); cpu[c_daemon_cap8]=$(echo "$l_dcap" | col 2)

fi
if wants e; then
echo "(e) peak RSS, 4 concurrent segmented downloads (4 x 128 MiB, 40m per connection)"
start_daemon ',"workers":4,"min_segment_size":8388608,"max_connections_per_host":16'
daemon_get "$slow" e p0.bin p1.bin p2.bin p3.bin >/dev/null
rss[e_daemon]=$(hwm_of "$dpid"); stop_daemon

fi
if wants d; then
echo "(d) 10,000-entry batch"
start_daemon ',"throttle":3600,"workers":2'
entries=""
for i in $(seq 10000); do
    entries+="${entries:+,}{\"model_type\":\"lora\",\"filename\":\"m$i.safetensors\",\"url\":\"$slow/p0.bin\",\"sha256\":\"${sha[p0.bin]}\"}"
done
echo "[$entries]" > "$work/batch.json"
batch_s=$(curl -s -o /dev/null -w '%{time_total}' -X POST -H 'Content-Type: application/json' \
    --data-binary @"$work/batch.json" "$dbase/api/batch")
queued=$(sqlite3 "$ddir/completed.db" "SELECT count(*) FROM jobs")
in_manifest=$(grep -c '"filename"' "$ddir/manifest.json" || true)
status_ms=$(for i in $(seq 9); do curl -s -o /dev/null -w '%{time_total}\n' "$dbase/api/status"; done | median)
jobs_ms=$(for i in $(seq 9); do curl -s -o /dev/null -w '%{time_total}\n' "$dbase/api/jobs?limit=100"; done | median)
rss[d_daemon]=$(hwm_of "$dpid"); cpu[d_daemon]=$(cpu_of "$dpid"); stop_daemon

fi
for k in a_curl a_sync a_aria a_daemon b_curl b_aria b_daemon16 b_daemon4 c_aria c_daemon c_daemon_cap8 e_daemon d_daemon \
    h_curl h_sync h_sha h_daemon; do
    : "${wall[$k]:=-}" "${cpu[$k]:=-}" "${rss[$k]:=-}"
done
: "${batch_s:=-}" "${status_ms:=-}" "${jobs_ms:=-}" "${queued:=-}" "${in_manifest:=-}"
ratio() { if [ "$1" = - ] || [ "$2" = - ]; then echo -; else echo "scale=3; $1 / $2" | bc -l; fi; }
ms() { if [ "$1" = - ]; then echo -; else printf '%.0f' "$(echo "$1 * 1000" | bc -l)"; fi; }
verdict() {
    if [ "$1" = - ]; then echo "not run"; elif [ "$(echo "$1 <= $2" | bc -l)" = 1 ]; then echo "met"; else echo "**not met**"; fi
}
machine="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr), download dir on $(df -T "$work" | awk 'NR==2 {print $2}')"
jvm=$(grep -v '^#' lib/jvm.options | xargs)
ra=$(ratio "${wall[a_daemon]}" "${wall[a_sync]}")
rb16=$(ratio "${wall[b_daemon16]}" "${wall[b_aria]}")
rb4=$(ratio "${wall[b_daemon4]}" "${wall[b_aria]}")
rc=$(ratio "${wall[c_daemon]}" "${wall[c_aria]}")
rccap=$(ratio "${wall[c_daemon_cap8]}" "${wall[c_aria]}")

# bench/RESULTS.md: this script's table (cases a to e), the Hub case's section, then
# bench/library.sh's section. A part whose cases did not run stays as it is (library.sh replaces
# its own section when it runs).
section() { sed -n "/<!-- $1: begin -->/,/<!-- $1: end -->/p" bench/RESULTS.md 2>/dev/null || true; }
library_section=$(section 'bench\/library.sh')
hub_section=$(section 'bench\/bench.sh hub')
main_section=$( [ -f bench/RESULTS.md ] && sed '/<!-- bench\/.*: begin -->/,$d' bench/RESULTS.md || true)
main_table() {
echo "# Benchmark results"
echo
echo "Run $(date -u +%Y-%m-%dT%H:%MZ) by \`make bench\` (bench/bench.sh), median of $runs runs."
echo "Machine: $machine. nginx $("$nginx_bin" -v 2>&1 | cut -d/ -f2) on loopback as the storage host;"
echo "aria2c $(aria2c --version | head -1 | awk '{print $3}'), curl $(curl --version | head -1 | awk '{print $2}')."
echo "Daemon JVM options (lib/jvm.options): \`$jvm\`."
echo "The machine may be shared with other work while the benchmark runs: figures vary from run to run."
echo
echo "| case | tool | wall s | CPU s | peak RSS MiB |"
echo "|---|---|---:|---:|---:|"
echo "| (a) 1 GiB | curl -o | ${wall[a_curl]} | ${cpu[a_curl]} | ${rss[a_curl]} |"
echo "| (a) 1 GiB | curl -o + sync | ${wall[a_sync]} | ${cpu[a_sync]} | ${rss[a_sync]} |"
echo "| (a) 1 GiB | aria2c --checksum=sha-256 | ${wall[a_aria]} | ${cpu[a_aria]} | ${rss[a_aria]} |"
echo "| (a) 1 GiB | daemon (4 connections) | ${wall[a_daemon]} | ${cpu[a_daemon]} | ${rss[a_daemon]} |"
echo "| (b) 512 MiB, 40 MB/s per conn | curl -o (1 run) | ${wall[b_curl]} | ${cpu[b_curl]} | ${rss[b_curl]} |"
echo "| (b) 512 MiB, 40 MB/s per conn | aria2c -x16 -s16 --checksum | ${wall[b_aria]} | ${cpu[b_aria]} | ${rss[b_aria]} |"
echo "| (b) 512 MiB, 40 MB/s per conn | daemon, 16 connections | ${wall[b_daemon16]} | ${cpu[b_daemon16]} | ${rss[b_daemon16]} |"
echo "| (b) 512 MiB, 40 MB/s per conn | daemon, default 4 | ${wall[b_daemon4]} | ${cpu[b_daemon4]} | ${rss[b_daemon4]} |"
echo "| (c) 8 x 128 MiB, 40 MB/s per conn | aria2c -j8 --checksum | ${wall[c_aria]} | ${cpu[c_aria]} | ${rss[c_aria]} |"
echo "| (c) 8 x 128 MiB, 40 MB/s per conn | daemon workers 8, max_connections_per_host 32 | ${wall[c_daemon]} | ${cpu[c_daemon]} | ${rss[c_daemon]} |"
echo "| (c) 8 x 128 MiB, 40 MB/s per conn | daemon workers 8, default max_connections_per_host 8 | ${wall[c_daemon_cap8]} | ${cpu[c_daemon_cap8]} | ${rss[c_daemon_cap8]} |"
echo
echo "CPU s and peak RSS of the daemon are the whole daemon process (per run for CPU; peak over the case for RSS)."
echo
echo "| target | figure | |"
echo "|---|---|---|"
echo "| (a) daemon ≤ 1.1x curl -o + sync | $ra x | $(verdict "$ra" 1.1) |"
echo "| (b) daemon (16) ≤ 0.6x aria2c -x16 -s16 | $rb16 x (default 4: $rb4 x) | $(verdict "$rb16" 0.6) |"
echo "| (c) daemon ≤ 0.5x aria2c -j8 | $rc x (per-host cap 8: $rccap x) | $(verdict "$rc" 0.5) |"
echo "| (d) 10,000-entry POST /api/batch ≤ 2 s, manifest write included | $batch_s s ($queued jobs, $in_manifest manifest entries) | $(verdict "$batch_s" 2) |"
echo "| (d) GET /api/status with 10,000 queued ≤ 50 ms | $(ms "$status_ms") ms | $(verdict "$status_ms" 0.05) |"
echo "| (d) GET /api/jobs?limit=100 with 10,000 queued ≤ 50 ms | $(ms "$jobs_ms") ms | $(verdict "$jobs_ms" 0.05) |"
echo "| peak RSS ≤ 128 MB, 4 concurrent segmented downloads | ${rss[e_daemon]} MiB | $(verdict "${rss[e_daemon]}" 122) |"
echo "| peak RSS after the 10,000-entry batch | ${rss[d_daemon]} MiB | |"
}
rh=$(ratio "${wall[h_daemon]}" "${wall[h_sync]}")
rh_sha=$(ratio "${wall[h_daemon]}" "${wall[h_sha]}")
rh_curl=$(ratio "${wall[h_daemon]}" "${wall[h_curl]}")
rh_a=$(ratio "${wall[h_daemon]}" "${wall[a_daemon]}")
x() { if [ "$1" = - ]; then echo -; else printf '%.2fx' "$1"; fi; }
s3() { if [ "$1" = - ]; then echo -; else printf '%.3f s' "$1"; fi; }
hub_table() {
echo "<!-- bench/bench.sh hub: begin -->"
echo "## Hugging Face download through a fake Hub (case h, issue 18)"
echo
echo "Run $(date -u +%Y-%m-%dT%H:%MZ) by \`CASES=h make bench\` (or all of \`make bench\`), median of $runs runs."
echo "Machine: $machine; $("$java" -version 2>&1 | head -1). Daemon JVM options: lib/jvm.options."
echo "The Hub is bench/HubStub.java on loopback: \`HEAD|GET /org/repo/resolve/{main|commit}/model.bin\`"
echo "answers 302 with \`Location\` at nginx $("$nginx_bin" -v 2>&1 | cut -d/ -f2) (the (a) server, another port: the CDN) and"
echo "\`X-Repo-Commit\`, \`X-Linked-Etag\` (the SHA-256) and \`X-Linked-Size\`. The same 1 GiB file as (a), no rate"
echo "limit; page cache as in (a): the served file was just written and stays cached, nothing is dropped."
echo "The daemon (hf_endpoint at the stub, default 4 connections) is timed from \`POST /api/download\`"
echo "\`{\"url\": \"<stub>/org/repo/resolve/main/model.bin\", \"model_type\": \"checkpoint\"}\` (the Hub resolved"
echo "before it answers) to \`GET /api/jobs/{id}\` saying \`completed\` (asked every 20 ms): redirects,"
echo "download, SHA-256 against the Hub's, fsync, rename and the .hf.json sidecar included. The peer is"
echo "\`curl -s -L -o\` of the same stub URL then \`sync\` of the file (as durable as the daemon leaves it)."
echo
echo "| case | daemon | peer | ratio | goal | met |"
echo "|---|---:|---:|---:|---|---|"
echo "| 1 GiB via the Hub | $(s3 "${wall[h_daemon]}") | curl -L -o + sync $(s3 "${wall[h_sync]}") | $(x "$rh") | <= 1.15x | $(verdict "$rh" 1.15) |"
echo "| 1 GiB via the Hub | $(s3 "${wall[h_daemon]}") | curl -L -o + sha256sum $(s3 "${wall[h_sha]}") | $(x "$rh_sha") | - | - |"
echo "| 1 GiB via the Hub | $(s3 "${wall[h_daemon]}") | curl -L -o $(s3 "${wall[h_curl]}") | $(x "$rh_curl") | - | - |"
echo
echo "- CPU s (median): daemon ${cpu[h_daemon]} (the whole process), curl -L -o + sync ${cpu[h_sync]}, curl -L -o + sha256sum ${cpu[h_sha]}, curl -L -o ${cpu[h_curl]}; peak RSS MiB: daemon ${rss[h_daemon]}, curl ${rss[h_curl]}"
echo "- the job's own duration_seconds (started to finished, median): ${own_h:--} s"
echo "- each run: ${each_h:--}"
if wants a; then echo "- against the plain case (a) of this run (the daemon straight from nginx, ${wall[a_daemon]} s): $(x "$rh_a")"; fi
echo "- requests the stub answered over the case: ${hub_asked:--}"
echo
echo "Caveat: $(nproc) cores that may be shared with other work while the benchmark runs (load average"
echo "${load_h0:--} at the start of the case, ${load_h1:--} at its end): figures vary from run to run.${NOTE:+ $NOTE}"
echo "<!-- bench/bench.sh hub: end -->"
}
if main_cases; then main_section=$(main_table); fi
if wants h; then hub_section=$(hub_table); fi
{
echo "$main_section"
if [ -n "$hub_section" ]; then printf '\n%s\n' "$hub_section"; fi
if [ -n "$library_section" ]; then printf '\n%s\n' "$library_section"; fi
} > bench/RESULTS.md
cat bench/RESULTS.md
if wants l; then
    echo "(l) the library index"
    bench/library.sh
fi
