#!/usr/bin/env bash
# The shipped deploy/nginx/civitai-daemon.conf, for real: nginx (Debian's package, installed when
# missing) with a self-signed certificate from openssl, on loopback ports, in front of the real
# daemon. Checks over https (curl --cacert): the API, links built from X-Forwarded-*, an event
# arriving through the proxy as it happens, the GUI and its files, the same under the /civitai/
# sub-path, the http -> https redirect, and the GUI's browser tests through it (the E2E hook).
# Everything lives in build/proxy-test/nginx; nginx runs in the foreground with its own prefix, pid
# and temp paths, and is stopped by its pid on exit.
source "$(dirname "$0")/common.sh"

need nginx nginx-light nginx
need openssl openssl
need curl curl
NGINX="$(command -v nginx)"

W="$ROOT/build/proxy-test/nginx"
rm -rf "$W" && mkdir -p "$W"/{temp,logs,data}
chmod 0777 "$W/temp"   # nginx started as root runs its workers as nobody
make -C "$ROOT" --no-print-directory jar >/dev/null

DAEMON_PORT=$(free_port); TLS_PORT=$(free_port); PLAIN_PORT=$(free_port)
while [ "$TLS_PORT" = "$DAEMON_PORT" ]; do TLS_PORT=$(free_port); done
while [ "$PLAIN_PORT" = "$TLS_PORT" ] || [ "$PLAIN_PORT" = "$DAEMON_PORT" ]; do PLAIN_PORT=$(free_port); done

say "certificate for models.example.org and www.example.org"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=models.example.org" \
    -addext "subjectAltName=DNS:models.example.org,DNS:www.example.org" \
    -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null

# The daemon: loopback, nginx trusted; it never needs the network (no manifest, no update checks).
cat >"$W/data/config.json" <<JSON
{"active_port": $DAEMON_PORT, "bind_address": "127.0.0.1", "trusted_proxies": ["127.0.0.1"],
 "allowed_hosts": ["models.example.org", "www.example.org"],
 "download_dir": "models", "civitai_url": "http://127.0.0.1:9/api/v1", "update_interval_hours": 0,
 "retries": 0, "throttle": 0, "event_heartbeat": 2}
JSON
echo '[]' >"$W/data/manifest.json"
start_daemon "$W/data"
wait_for 60 "the daemon on port $DAEMON_PORT" curl -sf "http://127.0.0.1:$DAEMON_PORT/healthz"

# The shipped site config with only ports, addresses and certificate paths changed.
sed -e "s|listen 443 ssl http2;|listen 127.0.0.1:$TLS_PORT ssl http2;|" \
    -e "s|listen 80;|listen 127.0.0.1:$PLAIN_PORT;|" \
    -e "/listen \[::\]/d" \
    -e "s|server 127.0.0.1:8100;|server 127.0.0.1:$DAEMON_PORT;|" \
    -e "s|ssl_certificate .*;|ssl_certificate $W/cert.pem;|" \
    -e "s|ssl_certificate_key .*;|ssl_certificate_key $W/key.pem;|" \
    "$ROOT/deploy/nginx/civitai-daemon.conf" >"$W/site.conf"
grep -q "server 127.0.0.1:$DAEMON_PORT;" "$W/site.conf" || fail "the site config's upstream line changed; update this script"
cat >"$W/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo "user nobody nogroup;" )
worker_processes 1;
pid $W/nginx.pid;
error_log $W/logs/error.log info;
events { worker_connections 256; }
http {
    access_log $W/logs/access.log;
    client_body_temp_path $W/temp/body;
    proxy_temp_path $W/temp/proxy;
    fastcgi_temp_path $W/temp/fastcgi;
    uwsgi_temp_path $W/temp/uwsgi;
    scgi_temp_path $W/temp/scgi;
    include $W/site.conf;
}
CONF
"$NGINX" -p "$W" -c "$W/nginx.conf" -t 2>"$W/logs/config-test.log" || { cat "$W/logs/config-test.log"; fail "nginx -t"; }
"$NGINX" -p "$W" -c "$W/nginx.conf" -g 'daemon off;' 2>>"$W/logs/error.log" &
PIDS+=("$!")

ROOT_URL="https://models.example.org:$TLS_PORT"
SUB_URL="https://www.example.org:$TLS_PORT/civitai"
CURL=(curl -sS --max-time 20 --cacert "$W/cert.pem"
      --resolve "models.example.org:$TLS_PORT:127.0.0.1" --resolve "www.example.org:$TLS_PORT:127.0.0.1")
wait_for 30 "nginx on port $TLS_PORT" "${CURL[@]}" -f "$ROOT_URL/healthz"

# check_api BASE: the status, and the Location of a new job built from the public URL.
check_api() {
    local base="$1" status location
    status=$("${CURL[@]}" -f "$base/api/status") || fail "GET $base/api/status"
    grep -q '"version"' <<<"$status" || fail "$base/api/status answered $status"
    location=$("${CURL[@]}" -f -D - -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"model_type\": \"lora\", \"filename\": \"proxy-$RANDOM.safetensors\", \"url\": \"http://127.0.0.1:9/x\"}" \
        "$base/api/download" | tr -d '\r' | awk 'tolower($1) == "location:" {print $2}')
    [[ "$location" == "$base/api/jobs/"* ]] || fail "POST $base/api/download: Location is '$location', expected $base/api/jobs/..."
    say "ok: $base/api/status, and Location $location"
}

# check_events BASE: an event for a job added now arrives through the proxy while the stream is open.
check_events() {
    local base="$1" out="$W/events-$RANDOM.txt" name="live-$RANDOM.safetensors" pid
    "${CURL[@]}" -N --max-time 60 "$base/api/events" >"$out" 2>&1 &
    pid=$!; PIDS+=("$pid")
    wait_for 15 "the stream to open through $base" grep -q ': connected' "$out"
    "${CURL[@]}" -f -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"model_type\": \"lora\", \"filename\": \"$name\", \"url\": \"http://127.0.0.1:9/x\"}" "$base/api/download"
    wait_for 15 "the job's event through $base/api/events" grep -q "$name" "$out"
    kill -0 "$pid" 2>/dev/null || fail "the stream through $base closed instead of staying open"
    kill "$pid" 2>/dev/null || true
    say "ok: $base/api/events delivered the event as it happened"
}

# check_gui BASE: the page at /gui and one of its files under /static/ come through; / and /gui/
# redirect to the page with a relative Location (right under a sub-path too).
check_gui() {
    local base="$1" page
    page=$("${CURL[@]}" -f "$base/gui") || fail "GET $base/gui"
    grep -q '<title>civitai-daemon' <<<"$page" || fail "$base/gui is not the GUI's page"
    "${CURL[@]}" -f -o /dev/null "$base/static/app.css" || fail "GET $base/static/app.css"
    [ "$("${CURL[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' "$base/")" = "302 $base/gui" ] \
        || fail "$base/ does not redirect to $base/gui"
    say "ok: $base/gui served the GUI and its files"
}

for base in "$ROOT_URL" "$SUB_URL"; do
    check_api "$base"
    check_events "$base"
    check_gui "$base"
done

redirect=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: models.example.org' \
    "http://127.0.0.1:$PLAIN_PORT/api/status")
[[ "$redirect" == "301 https://models.example.org/api/status" ]] || fail "plain http answered '$redirect'"
say "ok: plain http redirects to https"
grep -q "GET /civitai/api/status" "$W/logs/access.log" || fail "nginx's access log lacks the sub-path requests"

# >>> E2E HOOK >>>
# The GUI's Playwright tests through this proxy over https: the whole suite at the root, then under
# the /civitai/ sub-path (E2E_SUBPATH_TESTS, default the whole suite again). Automatic when the
# browser tooling is there (chromium, node, test/e2e/node_modules); E2E_THROUGH_PROXY=off skips it,
# any other value is the command to run instead of `make e2e`. The fixture's daemon takes this
# daemon's port (nginx's upstream), so this one stops first. Chromium accepts only this certificate's
# key (E2E_CA_CERT) and resolves the two names to 127.0.0.1, as curl's --resolve above.
E2E_RUN="${E2E_THROUGH_PROXY:-}"
if [ -z "$E2E_RUN" ] && [ -x /usr/bin/chromium ] && command -v node >/dev/null \
        && [ -d "$ROOT/test/e2e/node_modules/playwright-core" ]; then
    E2E_RUN="make -C $ROOT --no-print-directory e2e"
fi
if [ -n "$E2E_RUN" ] && [ "$E2E_RUN" != off ]; then
    kill "$DAEMON_PID" && wait "$DAEMON_PID" || true
    kept=(); for pid in "${PIDS[@]}"; do [ "$pid" = "$DAEMON_PID" ] || kept+=("$pid"); done
    PIDS=("${kept[@]}")   # reaped: cleanup must not signal its number again
    for base in "$ROOT_URL" "$SUB_URL"; do
        tests="${E2E_TESTS:-}"
        [ "$base" = "$SUB_URL" ] && tests="${E2E_SUBPATH_TESTS:-$tests}"
        say "the browser tests through $base/ (${tests:-all of test/e2e})"
        E2E_BASE_URL="$base/" E2E_DAEMON_PORT="$DAEMON_PORT" E2E_CA_CERT="$W/cert.pem" E2E_TESTS="$tests" \
            E2E_HOST_RESOLVER_RULES="MAP models.example.org 127.0.0.1, MAP www.example.org 127.0.0.1" \
            $E2E_RUN || fail "the browser tests through $base/"
        grep -q "GET ${base#https://*:$TLS_PORT}/gui HTTP.*HeadlessChrome" "$W/logs/access.log" \
            || fail "nginx's access log lacks chromium's requests for ${base#https://*:$TLS_PORT}/gui"
        say "ok: the browser tests passed through $base/"
    done
else
    say "skipped: the browser tests through nginx (E2E_THROUGH_PROXY=off, or no chromium, node or test/e2e/node_modules: .ci/run installs them)"
fi
# <<< E2E HOOK <<<

say "PASS: nginx with TLS in front of the daemon (API, events, GUI, /civitai/ sub-path)"
