#!/usr/bin/env bash
# The daemon's outbound traffic through a real forward proxy: tinyproxy (Debian's package, installed
# when missing) on a loopback port, with Basic auth, in front of a storage host (nginx serving
# files over http and over https with a self-signed certificate the daemon's JVM trusts). The
# daemon, configured with "proxy" (user:password) and "no_proxy": [] (so loopback goes through it
# too), downloads one file over http (absolute-form through the proxy) and one over https (a
# CONNECT tunnel, credentials on the CONNECT) and sends a webhook notification. Passes when both
# files complete verified and the proxy's log shows every request.
source "$(dirname "$0")/common.sh"

need tinyproxy tinyproxy
need nginx nginx-light nginx
need openssl openssl
need curl curl
TINYPROXY="$(command -v tinyproxy)"; NGINX="$(command -v nginx)"
JDK="$("$ROOT/lib/find-jdk.sh")"

W="$ROOT/build/proxy-test/tinyproxy"
rm -rf "$W" && mkdir -p "$W"/{temp,logs,data,files}
chmod 0777 "$W/temp" "$W/logs"   # tinyproxy and nginx workers run as nobody when started as root
make -C "$ROOT" --no-print-directory jar >/dev/null

DAEMON_PORT=$(free_port); PROXY_PORT=$(free_port); HTTP_PORT=$(free_port); HTTPS_PORT=$(free_port)
[ "$(printf '%s\n' "$DAEMON_PORT" "$PROXY_PORT" "$HTTP_PORT" "$HTTPS_PORT" | sort -u | wc -l)" = 4 ] \
    || fail "port collision; run again"

# The storage host: two files of random bytes, over http and https.
head -c 3000000 /dev/urandom >"$W/files/plain.bin"
head -c 2000000 /dev/urandom >"$W/files/tls.bin"
chmod -R a+rX "$W/files"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null
"$JDK/bin/keytool" -importcert -noprompt -alias storage -file "$W/cert.pem" -keystore "$W/trust.p12" \
    -storetype PKCS12 -storepass changeit >/dev/null
cat >"$W/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo "user nobody nogroup;" )
worker_processes 1;
pid $W/nginx.pid;
error_log $W/logs/nginx-error.log;
events { worker_connections 64; }
http {
    access_log $W/logs/storage-access.log;
    client_body_temp_path $W/temp/body; proxy_temp_path $W/temp/proxy; fastcgi_temp_path $W/temp/fastcgi;
    uwsgi_temp_path $W/temp/uwsgi; scgi_temp_path $W/temp/scgi;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$HTTP_PORT;
        listen 127.0.0.1:$HTTPS_PORT ssl;
        ssl_certificate $W/cert.pem; ssl_certificate_key $W/key.pem;
        location /files/ { alias $W/files/; }
        location = /hook { return 204; }
    }
}
CONF
"$NGINX" -p "$W" -c "$W/nginx.conf" -g 'daemon off;' 2>>"$W/logs/nginx-error.log" &
PIDS+=("$!")

cat >"$W/tinyproxy.conf" <<CONF
$( [ "$(id -u)" = 0 ] && printf 'User nobody\nGroup nogroup\n' )
Port $PROXY_PORT
Listen 127.0.0.1
Timeout 60
LogFile "$W/logs/tinyproxy.log"
LogLevel Info
MaxClients 20
Allow 127.0.0.1
BasicAuth civitai s3cret-pass
ConnectPort $HTTPS_PORT
CONF
"$TINYPROXY" -d -c "$W/tinyproxy.conf" >"$W/logs/tinyproxy.out" 2>&1 &
PIDS+=("$!")
wait_for 20 "nginx on $HTTP_PORT" curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/files/plain.bin"
wait_for 20 "tinyproxy on $PROXY_PORT" bash -c "exec 3<>/dev/tcp/127.0.0.1/$PROXY_PORT"
code=$(curl -s -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$PROXY_PORT" "http://127.0.0.1:$HTTP_PORT/files/plain.bin")
[ "$code" = 407 ] || fail "tinyproxy should ask for credentials, answered $code"

SHA_PLAIN=$(sha256sum "$W/files/plain.bin" | cut -d' ' -f1)
SHA_TLS=$(sha256sum "$W/files/tls.bin" | cut -d' ' -f1)
cat >"$W/data/config.json" <<JSON
{"active_port": $DAEMON_PORT, "bind_address": "127.0.0.1", "download_dir": "models",
 "civitai_url": "http://127.0.0.1:9/api/v1", "update_interval_hours": 0, "throttle": 0, "retries": 2,
 "retry_base_delay": 0.5, "webhook_retry_delay": 0.5,
 "proxy": "http://civitai:s3cret-pass@127.0.0.1:$PROXY_PORT", "no_proxy": [],
 "notifications": [{"type": "webhook", "url": "http://127.0.0.1:$HTTP_PORT/hook", "events": ["download_completed"]}]}
JSON
cat >"$W/data/manifest.json" <<JSON
[{"model_type": "lora", "filename": "plain.safetensors", "url": "http://127.0.0.1:$HTTP_PORT/files/plain.bin", "sha256": "$SHA_PLAIN"},
 {"model_type": "lora", "filename": "tls.safetensors", "url": "https://127.0.0.1:$HTTPS_PORT/files/tls.bin", "sha256": "$SHA_TLS"}]
JSON
"$JDK/bin/java" @"$ROOT/lib/jvm.options" -Djavax.net.ssl.trustStore="$W/trust.p12" \
    -Djavax.net.ssl.trustStorePassword=changeit -jar "$ROOT/build/civitai-daemon.jar" \
    --config "$W/data/config.json" >"$W/data/daemon.out" 2>&1 &
PIDS+=("$!")

api() { curl -sf --max-time 10 "http://127.0.0.1:$DAEMON_PORT$1"; }
completed() { api "/api/jobs/$1" | grep -q '"state":"completed"'; }
wait_for 60 "the daemon's API" api /healthz
wait_for 120 "the http download through the proxy" completed 1
wait_for 120 "the https download through the proxy's CONNECT tunnel" completed 2
wait_for 60 "the notifications through the proxy" bash -c \
    "curl -sf http://127.0.0.1:$DAEMON_PORT/api/notifications | grep -o '\"state\":\"delivered\"' | wc -l | grep -qx 2"

[ "$(sha256sum <"$W/data/models/lora/plain.safetensors" | cut -d' ' -f1)" = "$SHA_PLAIN" ] || fail "plain file differs"
[ "$(sha256sum <"$W/data/models/lora/tls.safetensors" | cut -d' ' -f1)" = "$SHA_TLS" ] || fail "tls file differs"
LOG="$W/logs/tinyproxy.log"
for want in "CONNECT 127.0.0.1:$HTTPS_PORT" "GET http://127.0.0.1:$HTTP_PORT/files/plain.bin" \
        "POST http://127.0.0.1:$HTTP_PORT/hook"; do
    grep -q "$want" "$LOG" || { tail -n 40 "$LOG"; fail "tinyproxy's log lacks '$want'"; }
    say "ok: tinyproxy's log shows $want"
done
grep -aq "subscriber failed" "$W/data/logs/error.log" && fail "the daemon's error.log has a failed event subscriber"
grep -aq "s3cret-pass" "$W/data/logs/download.log" "$W/data/daemon.out" && fail "the proxy password reached a log"
grep -q "outbound connections: through http://127.0.0.1:$PROXY_PORT" "$W/data/logs/download.log" \
    || fail "the daemon did not log its proxy"
say "PASS: downloads (http and https via CONNECT) and notifications went through tinyproxy, files verified"
