#!/usr/bin/env bash
# The training run behind the release's class-data cache: starts `serve` on the staged runtime with
# a throwaway data folder, asks it what a user's first minutes ask (healthz, status, jobs, metrics,
# events), stops it with SIGTERM, and leaves lib/civitai-daemon.aot (JDK 24+) or
# lib/civitai-daemon.jsa (AppCDS, JDK 21-23) in the staged tree.
# Usage: lib/aot-train.sh STAGE JAVA_MAJOR. Every wait is bounded.
set -euo pipefail
stage=$(cd "$1" && pwd) major=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/civitai-daemon-train.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf '{"active_port": 0, "workers": 1, "update_interval_hours": 0, "civitai_url": "http://127.0.0.1:9/api/v1"}\n' \
    > "$work/config.json"
echo '[]' > "$work/manifest.json"

java=("$stage/runtime/bin/java" "@$stage/lib/jvm.options" "-Dorg.sqlite.lib.path=$stage/lib/native"
      -Dorg.sqlite.lib.name=libsqlitejdbc.so)
if [ "$major" -ge 25 ]; then
    record=(-XX:AOTCacheOutput="$stage/lib/civitai-daemon.aot")
elif [ "$major" -ge 24 ]; then
    record=(-XX:AOTMode=record -XX:AOTConfiguration="$work/train.aotconf")
else
    record=(-XX:ArchiveClassesAtExit="$stage/lib/civitai-daemon.jsa")
fi

"${java[@]}" "${record[@]}" -jar "$stage/lib/civitai-daemon.jar" serve --config "$work/config.json" \
    > "$work/out.txt" 2>&1 &
pid=$!
port=
for _ in $(seq 1 600); do   # up to 60 s for the first start on a loaded machine
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/out.txt")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/out.txt" >&2; echo "training run: the daemon exited" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { kill -9 "$pid"; cat "$work/out.txt" >&2; echo "training run: no port in 60 s" >&2; exit 1; }

request() {  # GET $1 over bash's /dev/tcp: the build machine need not have curl
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$1" >&3
    timeout 10 cat <&3 > /dev/null || true
    exec 3<&-
}
for path in /healthz /api/status /api/jobs /api/completed /api/metrics /metrics /api/updates /healthz; do
    request "$path"
done
"$stage/bin/civitai-daemon" status --url "http://127.0.0.1:$port" > /dev/null   # the client, too
kill -TERM "$pid"
for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; echo "training run: no exit 60 s after SIGTERM" >&2; exit 1; fi
wait "$pid" || true

if [ "$major" -eq 24 ]; then
    "${java[@]}" -XX:AOTMode=create -XX:AOTConfiguration="$work/train.aotconf" \
        -XX:AOTCache="$stage/lib/civitai-daemon.aot" -jar "$stage/lib/civitai-daemon.jar" version > /dev/null
fi
for cache in "$stage/lib/civitai-daemon.aot" "$stage/lib/civitai-daemon.jsa"; do
    if [ -s "$cache" ]; then echo "    cache: $cache ($(du -b "$cache" | cut -f1) bytes)"; exit 0; fi
done
cat "$work/out.txt" >&2
echo "training run: no cache was written" >&2
exit 1
