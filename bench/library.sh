#!/usr/bin/env bash
# Benchmark of the library index (issue 19), in one run on the same files on this machine:
#   (f) first scan of 40 files of 64 MiB (random bytes, <root>/checkpoints/*.safetensors) against
#       `sha256sum *.safetensors` of the same files, page cache dropped before each of both (when
#       it can be: root and a writable /proc/sys/vm/drop_caches), then both again with the files
#       in the page cache; `openssl dgst -sha256` as the figure of the CPU's SHA speed on one core;
#   (g) 10,000 files of 1 KiB in 100 sub-folders: the first scan, then rescans with nothing
#       changed (against `find -printf` of size, mtime and inode, the stat walk it cannot beat);
#   (h) GET /api/library?limit=100 with the 10,000 indexed: median and p95 of REQUESTS curls.
# The daemon runs on build/civitai-daemon.jar with lib/jvm.options, update checks off, the files
# under one of its library_roots and Civitai's by-hash lookup answered by bench/CivitaiStub.java on
# loopback. A scan is timed from POST /api/library/scan to GET /api/library/scan saying it is no
# longer running (the identification after it included); the scan's own started_at..finished_at
# is reported beside. Each first scan has a fresh daemon and database. Medians of RUNS runs.
# Prints a table and replaces the library section of bench/RESULTS.md. Called by bench/bench.sh
# (CASES=l for this part alone), or alone: bench/library.sh   (RUNS=5 REQUESTS=500 NOTE="...")
# Work folder: build/bench-library (about 2.5 GiB while it runs; removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
requests=${REQUESTS:-200}
big_n=${BIG_N:-40}; big_mib=${BIG_MIB:-64}   # the issue's figures; smaller for a quick look
small_dirs=100; small_per_dir=100   # 10,000 files of 1 KiB

need=()
command -v curl >/dev/null || need+=(curl)
command -v bc >/dev/null || need+=(bc)
command -v openssl >/dev/null || need+=(openssl)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
make -s jar >/dev/null
java="$(lib/find-jdk.sh)/bin/java"

work="$PWD/build/bench-library"
rm -rf "$work"
mkdir -p "$work"
dpid=""; stub_pid=""   # the processes this script started and has not stopped yet
cleanup() {
    for p in $dpid $stub_pid; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
median() { awk 'NF' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p95() { awk 'NF' | sort -g | awk '{a[NR]=$1} END {i=int(NR*0.95); if (i < NR*0.95) i++; print a[i]}'; }
sub() { echo "$1 - $2" | bc -l | awk '{printf "%.3f\n", $1}'; }
col() { awk -v c="$1" 'NF {print $c}'; }
iso_s() { date -d "$1" +%s.%N; }  # 2026-12-04T19:20:06.123Z -> seconds
load() { cut -d' ' -f1-3 /proc/loadavg; }
load_start=$(load)

# The page cache: dropped when it can be (both peers then read cold), else both read warm.
if [ "$(id -u)" = 0 ] && { sync; echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null; then
    can_drop=yes
else
    can_drop=no
fi
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
warm() { cat "$@" > /dev/null; }
echo "page cache: $([ $can_drop = yes ] && echo "dropped before each cold run (sync; echo 3 > /proc/sys/vm/drop_caches)" \
    || echo "cannot be dropped here (not root, or /proc/sys read-only): every run reads warm")"

# Civitai's by-hash lookup on loopback.
"$java" bench/CivitaiStub.java > "$work/stub.port" 2> "$work/stub.err" &
stub_pid=$!
for _ in $(seq 300); do [ -s "$work/stub.port" ] && break; sleep 0.1; done
civitai="http://127.0.0.1:$(cat "$work/stub.port")/api/v1"

echo "making $big_n files of $big_mib MiB and $((small_dirs * small_per_dir)) of 1 KiB in $work"
big="$work/big/checkpoints"     # moved into the daemon's root for its runs, back for the peers'
small="$work/small/loras"
mkdir -p "$big" "$small" "$work/root"
for i in $(seq -w 1 "$big_n"); do head -c $((big_mib << 20)) /dev/urandom > "$big/model-$i.safetensors"; done
for d in $(seq -w 1 "$small_dirs"); do
    mkdir -p "$small/set-$d"
    head -c $((small_per_dir * 1024)) /dev/urandom | split -b 1024 -a 3 -d --additional-suffix=.safetensors - "$small/set-$d/lora-"
done
(cd "$big" && sha256sum -- *.safetensors | awk '{print $1}' | sort) > "$work/big.sha"

# A fresh daemon (its own folder and database) whose library root $work/root is empty, its start
# scan done; sets $dpid, $dbase, $ddir.
start_daemon() {
    local d; d=$(mktemp -d "$work/daemon.XXXXXX")
    echo '[]' > "$d/manifest.json"
    printf '{"active_port":0,"throttle":0,"download_dir":"models","library_roots":["%s"],"update_interval_hours":0,"civitai_url":"%s"}\n' \
        "$work/root" "$civitai" > "$d/config.json"
    "$java" @lib/jvm.options -jar build/civitai-daemon.jar --config "$d/config.json" > "$d/out" 2>&1 &
    dpid=$!
    ddir=$d
    for _ in $(seq 600); do grep -q "listening on" "$d/out" && break; sleep 0.05; done
    grep -q "listening on" "$d/out" || { echo "the daemon did not start: $(tail -5 "$d/out")" >&2; exit 1; }
    dbase="http://127.0.0.1:$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$d/out" | grep -o '[0-9]*$')"
    scan_wait >/dev/null
}
stop_daemon() { kill "$dpid"; wait "$dpid" 2>/dev/null || true; dpid=""; }

# Waits (at most 30 min) for no scan to run; prints the last result's JSON. Asks every 20 ms for
# the first second, then every 100 ms: the asking curls share the CPU with the scan they time.
scan_wait() {
    local s i
    for i in $(seq 18050); do
        s=$(curl -s "$dbase/api/library/scan")
        case $s in *'"running":false'*) echo "$s"; return 0 ;; esac
        kill -0 "$dpid" 2>/dev/null || { echo "the daemon exited: $(tail -3 "$ddir/out")" >&2; exit 1; }
        if [ "$i" -le 50 ]; then sleep 0.02; else sleep 0.1; fi
    done
    echo "the scan did not finish in 30 minutes" >&2; exit 1
}
field() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2- | tr -d '"'; }

# One scan of every root: prints "wall own files hashed" (wall: the POST to done; own: the
# scan's started_at..finished_at).
scan() {
    local t0 t1 s code
    t0=$(now)
    code=$(curl -s -o "$work/post.out" -w '%{http_code}' -X POST "$dbase/api/library/scan")
    s=$(scan_wait)
    t1=$(now)
    [ "$code" = 202 ] || { echo "POST /api/library/scan answered $code: $(cat "$work/post.out")" >&2; exit 1; }
    local last=${s#*\"last\":}
    local own; own=$(sub "$(iso_s "$(echo "$last" | field finished_at)")" "$(iso_s "$(echo "$last" | field started_at)")")
    local err; err=$(echo "$last" | field error)
    [ "$err" = null ] || { echo "the scan failed: $err" >&2; exit 1; }
    echo "$(sub "$t1" "$t0") $own $(echo "$last" | field files) $(echo "$last" | field hashed)"
}

timed() {  # command...: prints "wall cpu" (seconds; cpu: user + system)
    local t0 t1
    t0=$(now); /usr/bin/time -o "$work/time.out" -f '%U %S' "$@" > /dev/null; t1=$(now)
    echo "$(sub "$t1" "$t0") $(tail -1 "$work/time.out" | awk '{printf "%.2f", $1 + $2}')"
}

# The daemon's first scan of the big files (cold: caches dropped once they are in place); sets
# $res to scan's "wall own files hashed" and $dcpu to the daemon's CPU seconds.
daemon_big() {  # cold|warm
    start_daemon
    mv "$big" "$work/root/checkpoints"
    if [ "$1" = cold ]; then drop; else warm "$work"/root/checkpoints/*; fi
    local c0; c0=$(cpu_of "$dpid")
    res=$(scan)
    dcpu=$(sub "$(cpu_of "$dpid")" "$c0")
    set -- $res
    [ "$3" = "$big_n" ] && [ "$4" = "$big_n" ] || { echo "the scan found $3 files and hashed $4, not $big_n" >&2; exit 1; }
    curl -s "$dbase/api/library?limit=100" | grep -o '"sha256":"[0-9a-f]*"' | cut -d'"' -f4 | sort > "$work/daemon.sha"
    cmp -s "$work/big.sha" "$work/daemon.sha" || { echo "the daemon's SHA-256s differ from sha256sum's" >&2; exit 1; }
    stop_daemon
    mv "$work/root/checkpoints" "$big"
    rm -rf "$ddir"
}
ticks=$(getconf CLK_TCK)
cpu_of() { awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$1/stat"; }
peer_big() {  # cold|warm command...
    local mode=$1; shift
    if [ "$mode" = cold ]; then drop; else warm "$big"/*; fi
    (cd "$big" && timed "$@" *.safetensors)
}

modes="warm"; [ $can_drop = yes ] && modes="cold warm"
declare -A d_wall d_own d_cpu p_sum p_sum_cpu p_ssl p_ssl_cpu runs_d runs_p
for mode in $modes; do
    l_d=""; l_own=""; l_sum=""; l_ssl=""; l_cpu=""
    for r in $(seq "$runs"); do
        echo "(f) $big_n x $big_mib MiB, $mode, run $r of $runs"
        l_sum+="$(peer_big "$mode" sha256sum)"$'\n'
        daemon_big "$mode"
        l_cpu+="$dcpu"$'\n'
        l_d+="$(echo "$res" | awk '{print $1}')"$'\n'
        l_own+="$(echo "$res" | awk '{print $2}')"$'\n'
        l_ssl+="$(peer_big "$mode" openssl dgst -sha256)"$'\n'
        echo "    sha256sum $(echo "$l_sum" | awk 'NF' | tail -1 | awk '{print $1 " s, " $2 " CPU s"}');" \
            "daemon $(echo "$res" | awk '{print $1 " s (scan " $2 " s)"}'), $dcpu CPU s;" \
            "openssl $(echo "$l_ssl" | awk 'NF' | tail -1 | awk '{print $1 " s, " $2 " CPU s"}')"
    done
    d_wall[$mode]=$(echo "$l_d" | median); d_own[$mode]=$(echo "$l_own" | median); d_cpu[$mode]=$(echo "$l_cpu" | median)
    p_sum[$mode]=$(echo "$l_sum" | col 1 | median); p_sum_cpu[$mode]=$(echo "$l_sum" | col 2 | median)
    p_ssl[$mode]=$(echo "$l_ssl" | col 1 | median); p_ssl_cpu[$mode]=$(echo "$l_ssl" | col 2 | median)
    runs_d[$mode]=$(echo "$l_d" | awk 'NF' | xargs); runs_p[$mode]=$(echo "$l_sum" | col 1 | xargs)
done
rm -rf "$work/big"   # 2.5 GiB: not needed past here

echo "(g) 10,000 files of 1 KiB"
# the peer of the first scan: sha256sum of the same files, as one command
small_sum=$(timed sh -c "cd '$small' && find . -name '*.safetensors' -print0 | xargs -0 sha256sum" | col 1)
small_find=$(for r in $(seq "$runs"); do timed find "$small" -name '*.safetensors' -printf '%s %T@ %i\n'; done | col 1 | median)
start_daemon
mv "$small" "$work/root/loras"
first=$(scan)
set -- $first
[ "$3" = 10000 ] && [ "$4" = 10000 ] || { echo "the first scan found $3 files and hashed $4, not 10000" >&2; exit 1; }
small_first=$1; small_first_own=$2
l_re=""; l_re_own=""
for r in $(seq $((runs < 5 ? 5 : runs))); do
    res=$(scan)
    set -- $res
    [ "$3" = 10000 ] && [ "$4" = 0 ] || { echo "the rescan found $3 files and hashed $4, not 10000 and 0" >&2; exit 1; }
    l_re+="$1"$'\n'; l_re_own+="$2"$'\n'
done
rescan=$(echo "$l_re" | median); rescan_own=$(echo "$l_re_own" | median)
rescan_runs=$(echo "$l_re" | awk 'NF' | xargs)
rescan_cold=-; rescan_cold_own=-
if [ $can_drop = yes ]; then
    drop
    res=$(scan); set -- $res
    rescan_cold=$1; rescan_cold_own=$2
fi

echo "(h) GET /api/library?limit=100, $requests requests"
total=$(curl -s "$dbase/api/library?limit=1" | field total)
[ "$total" = 10000 ] || { echo "the index has $total files, not 10000" >&2; exit 1; }
for _ in $(seq 20); do curl -s -o /dev/null "$dbase/api/library?limit=100"; done   # the JIT's first pass
for _ in $(seq "$requests"); do
    curl -s -o /dev/null -w '%{time_total}\n' "$dbase/api/library?limit=100"
done > "$work/api.times"
api_bytes=$(curl -s "$dbase/api/library?limit=100" | wc -c)
api_med=$(median < "$work/api.times"); api_p95=$(p95 < "$work/api.times")
rss=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$dpid/status")
stop_daemon
kill "$stub_pid"; wait "$stub_pid" 2>/dev/null || true; stub_pid=""
stub_asked=$(grep -o '[0-9]*$' "$work/stub.err" || echo -)
load_end=$(load)

# The table.
ms() { if [ "$1" = - ]; then echo -; else printf '%.1f' "$(echo "$1 * 1000" | bc -l)"; fi; }
ratio() { if [ "$1" = - ] || [ "$2" = - ]; then echo -; else echo "$1 / $2" | bc -l | awk '{printf "%.2fx", $1}'; fi; }
verdict() {  # value limit
    if [ "$1" = - ]; then echo "not run"; elif [ "$(echo "${1%x} <= $2" | bc -l)" = 1 ]; then echo met; else echo "NOT MET"; fi
}
rows=()
for mode in $modes; do
    rt=$(ratio "${d_wall[$mode]}" "${p_sum[$mode]}")
    rows+=("first scan, $big_n x $big_mib MiB, $mode cache|${d_wall[$mode]} s|sha256sum ${p_sum[$mode]} s|$rt|<= 0.6x|$(verdict "$rt" 0.6)")
done
rows+=("first scan, 10,000 x 1 KiB, warm cache|$small_first s|sha256sum ${small_sum} s|$(ratio "$small_first" "$small_sum")|-|-")
rows+=("rescan, 10,000 unchanged|$rescan s|find -printf ${small_find} s|$(ratio "$rescan" "$small_find")|<= 1 s|$(verdict "$rescan" 1)")
[ $can_drop = yes ] && rows+=("rescan, 10,000 unchanged, cold cache|$rescan_cold s|-|-|-|-")
rows+=("GET /api/library?limit=100, median|$(ms "$api_med") ms|-|-|<= 50 ms|$(verdict "$api_med" 0.05)")
rows+=("GET /api/library?limit=100, p95|$(ms "$api_p95") ms|-|-|<= 50 ms|$(verdict "$api_p95" 0.05)")

jdk=$("$java" -version 2>&1 | head -1)
machine="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)$(grep -qw sha_ni /proc/cpuinfo && echo ', SHA-NI')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr), $jdk, files on $(df -T "$work" | awk 'NR==2 {print $2}')"
threads=$(( $(nproc) < 4 ? $(nproc) : 4 ))
rate() { echo "$big_n * $big_mib / $1" | bc -l | awk '{printf "%.0f MiB/s", $1}'; }
per_cpu() { echo "$big_n * $big_mib / $1" | bc -l | awk '{printf "%.0f MiB per CPU s", $1}'; }
notes=()
for mode in $modes; do
    notes+=("$big_n x $big_mib MiB, $mode: daemon $(rate "${d_wall[$mode]}"), $(per_cpu "${d_cpu[$mode]}") (the scan's own duration ${d_own[$mode]} s; ${d_cpu[$mode]} CPU s, the whole process); sha256sum $(rate "${p_sum[$mode]}"), $(per_cpu "${p_sum_cpu[$mode]}"); openssl dgst -sha256 (the CPU's SHA speed on one core) ${p_ssl[$mode]} s, $(rate "${p_ssl[$mode]}"), $(per_cpu "${p_ssl_cpu[$mode]}"); each run: daemon ${runs_d[$mode]} s, sha256sum ${runs_p[$mode]} s")
done
notes+=("10,000 x 1 KiB: the first scan's own duration $small_first_own s; rescans (request to done) $rescan_runs s, their own duration (median) $rescan_own s$([ $can_drop = yes ] && echo "; cold (dentries and inodes dropped) $rescan_cold s, own $rescan_cold_own s")")
notes+=("GET /api/library?limit=100: $requests requests one after another with curl (time_total), $api_bytes bytes each; the daemon's peak RSS after it all $rss MiB; by-hash requests answered by the stub: $stub_asked")

{
    echo "| case | daemon | peer | ratio | goal | met |"
    echo "|---|---:|---:|---:|---|---|"
    for row in "${rows[@]}"; do echo "| ${row//|/ | } |"; done
} > "$work/table.md"

echo
echo "machine: $machine"
echo "load average: $load_start at the start, $load_end at the end"
{
    echo "case|daemon|peer|ratio|goal|met"
    printf '%s\n' "${rows[@]}"
} | column -t -s '|'
printf '  %s\n' "${notes[@]}"

section="$work/section.md"
{
    echo "<!-- bench/library.sh: begin -->"
    echo "## Library index (bench/library.sh, issue 19)"
    echo
    echo "Run $(date -u +%Y-%m-%dT%H:%MZ), median of $runs runs. Machine: $machine."
    echo "Daemon JVM options: lib/jvm.options; $threads files hashed at once (Library.defaultThreads: every core, at most 4)."
    echo "Page cache: $([ $can_drop = yes ] && echo "dropped (sync; echo 3 > /proc/sys/vm/drop_caches) before each cold run of either peer; warm runs read it from memory" || echo "could not be dropped: every run reads warm")."
    echo "A scan is timed from POST /api/library/scan to GET /api/library/scan saying it is done, the"
    echo "identification after it included (Civitai's by-hash lookup answered on loopback by bench/CivitaiStub.java)."
    echo
    cat "$work/table.md"
    echo
    printf -- '- %s\n' "${notes[@]}"
    echo
    echo "Caveat: the machine may be shared with other work while the benchmark runs (load average $load_start"
    echo "at the start, $load_end at the end, on $(nproc) cores): figures vary from run to run.${NOTE:+ $NOTE}"
    echo "<!-- bench/library.sh: end -->"
} > "$section"
results=bench/RESULTS.md
[ -f "$results" ] || echo "# Benchmark results" > "$results"
if grep -q '<!-- bench/library.sh: begin -->' "$results"; then
    awk -v f="$section" '
        /<!-- bench\/library.sh: begin -->/ { while ((getline line < f) > 0) print line; skip = 1; next }
        /<!-- bench\/library.sh: end -->/ { skip = 0; next }
        !skip' "$results" > "$work/results.md"
else
    { cat "$results"; echo; cat "$section"; } > "$work/results.md"
fi
cp "$work/results.md" "$results"
echo "wrote the library section of $results"
