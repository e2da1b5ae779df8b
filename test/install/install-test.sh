#!/usr/bin/env bash
# install.sh for real (run by `make install-test`, after `make dist`): from the unpacked tarball
# with no JDK on PATH, install --no-systemd into temp folders, start the installed daemon, use the
# installed command; then build a newer version from a copy of this tree, upgrade to it and check
# that config, manifest, database, secrets and a downloaded file survived; uninstall and check the
# data stayed; and check the generated unit with systemd-analyze verify. Every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
version=$(cat VERSION)
next=$version-next
work=$(mktemp -d "${TMPDIR:-/tmp}/civitai-install-test.XXXXXX")
pid=
cleanup() {
    if [ -n "$pid" ]; then kill -9 "$pid" 2> /dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "install-test: FAILED: $*" >&2; exit 1; }
check() { local what=$1; shift; if "$@"; then echo "  ok: $what"; else fail "$what"; fi; }

# No JDK on PATH: a `java` first on PATH that records being run, then only the system folders.
mkdir -p "$work/fakebin" "$work/home"
printf '#!/bin/sh\ntouch %s/java-was-used\nexit 99\n' "$work" > "$work/fakebin/java"
chmod +x "$work/fakebin/java"
clean_env=(env -i "PATH=$work/fakebin:/usr/bin:/bin" "HOME=$work/home" "LANG=C.UTF-8")
port=$(( 20000 + RANDOM % 20000 ))
opts=(--no-systemd --prefix "$work/opt" --data-dir "$work/data" --bin-dir "$work/bin")
cli=("${clean_env[@]}" "$work/bin/civitai-daemon")

healthz() {  # 0 when /healthz answers 200
    (exec 3<> "/dev/tcp/127.0.0.1/$port" && printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3 \
        && [ "$(timeout 5 head -c 12 <&3)" = "HTTP/1.1 200" ]) 2> /dev/null
}
start_daemon() {  # the installed daemon, as its unit would run it; java.io.tmpdir unusable on purpose
    (cd "$work/data" && set -a && . ./secrets.env && set +a && exec "${clean_env[@]}" \
        "CIVITAI_API_KEY=$CIVITAI_API_KEY" "CIVITAI_DAEMON_JWT_SECRET=$CIVITAI_DAEMON_JWT_SECRET" \
        "CIVITAI_DAEMON_JAVA_OPTS=-Djava.io.tmpdir=$work/no-such-tmp" \
        "$work/opt/current/bin/civitai-daemon" serve --config "$work/data/config.json") > "$work/daemon-$1.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do
        if healthz; then echo "  ok: the installed daemon ($1) answers /healthz on port $port"; return 0; fi
        kill -0 "$pid" 2> /dev/null || { cat "$work/daemon-$1.log" >&2; fail "the daemon ($1) exited"; }
        sleep 0.2
    done
    cat "$work/daemon-$1.log" >&2
    fail "no /healthz 200 within 60 s"
}
stop_daemon() {
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2> /dev/null; then fail "the daemon did not stop within 60 s of SIGTERM"; fi
    wait "$pid" || true
    pid=
}

echo "== install $version from the tarball, no JDK on PATH"
tarball=$(ls build/civitai-daemon-"$version"-linux-*.tar.gz)
(cd build && sha256sum --check --status "$(basename "$tarball").sha256") || fail "the tarball's .sha256 does not match"
mkdir -p "$work/unpack" && tar -xzf "$tarball" -C "$work/unpack"
"${clean_env[@]}" bash "$work/unpack/civitai-daemon-$version/install.sh" "${opts[@]}" --port "$port" \
    --layout comfyui --api-key test-api-key > "$work/install-1.log" 2>&1 || { cat "$work/install-1.log"; fail "install.sh"; }
sed 's/^/    | /' "$work/install-1.log"
check "current -> $version" test "$(readlink "$work/opt/current")" = "$version"
check "config.json has the port and the layout" grep -q "\"layout\": \"comfyui\"" "$work/data/config.json"
check "secrets.env is 0600 with the API key" test "$(stat -c %a "$work/data/secrets.env")" = 600 -a \
    -n "$(grep '^CIVITAI_API_KEY=test-api-key$' "$work/data/secrets.env")"
check "the generated unit passes systemd-analyze verify" systemd-analyze verify "$work/opt/civitai-daemon.service"
cp "$work/opt/civitai-daemon.service" "$work/unit-for-report.service"
strict=-XX:AOTMode=on; [ -f "$work/opt/current/lib/civitai-daemon.aot" ] || strict=-Xshare:on
check "the installed copy can use the build's class-data cache ($strict)" \
    "${clean_env[@]}" "CIVITAI_DAEMON_JAVA_OPTS=$strict" "$work/bin/civitai-daemon" version

start_daemon "$version"
check "the installed command finds the daemon (install.conf -> data folder -> port + secret)" \
    bash -c "cd '$work/home' && $(printf '%q ' "${cli[@]}") status | grep -q 'civitai-daemon $version'"
"${cli[@]}" add "http://127.0.0.1:9/keep-this-job.safetensors" --type lora > /dev/null
mkdir -p "$work/data/models/loras" && head -c 100000 /dev/urandom > "$work/data/models/loras/downloaded.safetensors"
file_sum=$(sha256sum < "$work/data/models/loras/downloaded.safetensors")
manifest_sum=$(sha256sum < "$work/data/manifest.json")
check "the job is in the manifest" grep -q keep-this-job "$work/data/manifest.json"
stop_daemon
check "sqlite ran from the shipped native library (no temp folder needed)" test ! -e "$work/no-such-tmp"

sed -i 's/"webhook_secret": ""/"webhook_secret": "hook-secret-in-config"/' "$work/data/config.json"   # as users did before

echo "== build $next from a copy of this tree, and upgrade to it"
mkdir -p "$work/src"
cp -a Makefile src lib VERSION config.json manifest.json install.sh civitai-daemon.service README.md "$work/src/"
echo "$next" > "$work/src/VERSION"
sed -i 's/^{/{\n  "install_test_new_key": 42,/' "$work/src/config.json"   # a key new in this version
make -C "$work/src" dist > "$work/make-next.log" 2>&1 || { tail -30 "$work/make-next.log"; fail "make dist of $next"; }
mkdir -p "$work/unpack-next" && tar -xzf "$work/src"/build/civitai-daemon-"$next"-linux-*.tar.gz -C "$work/unpack-next"
"${clean_env[@]}" bash "$work/unpack-next/civitai-daemon-$next/install.sh" "${opts[@]}" > "$work/install-2.log" 2>&1 \
    || { cat "$work/install-2.log"; fail "the upgrade"; }
sed 's/^/    | /' "$work/install-2.log"
check "current -> $next, $version kept for a rollback" test "$(readlink "$work/opt/current")" = "$next" -a -d "$work/opt/$version"
check "the new command is $next" bash -c "$(printf '%q ' "${cli[@]}") version | grep -qx 'civitai-daemon $next'"
check "the user's config values stayed" grep -q "\"active_port\": $port" "$work/data/config.json"
check "  ...and the layout" grep -q "\"layout\": \"comfyui\"" "$work/data/config.json"
check "the new key got its default" grep -q '"install_test_new_key": 42' "$work/data/config.json"
check "secrets.env kept" grep -q '^CIVITAI_API_KEY=test-api-key$' "$work/data/secrets.env"
check "a secret in config.json moved to secrets.env" bash -c "grep -q '^CIVITAI_DAEMON_WEBHOOK_SECRET=hook-secret-in-config$' \
    '$work/data/secrets.env' && grep -q '\"webhook_secret\": \"\"' '$work/data/config.json'"
check "manifest.json unchanged" test "$(sha256sum < "$work/data/manifest.json")" = "$manifest_sum"
check "the downloaded file unchanged" test "$(sha256sum < "$work/data/models/loras/downloaded.safetensors")" = "$file_sum"
start_daemon "$next"
check "the database kept the job" bash -c "$(printf '%q ' "${cli[@]}") list --json | grep -q keep-this-job"
stop_daemon
check "java on PATH was never run" test ! -e "$work/java-was-used"

echo "== uninstall"
"${clean_env[@]}" bash "$work/opt/current/install.sh" --uninstall "${opts[@]}" > "$work/uninstall.log" 2>&1 \
    || { cat "$work/uninstall.log"; fail "--uninstall"; }
sed 's/^/    | /' "$work/uninstall.log"
check "the program is gone" test ! -e "$work/opt/current" -a ! -e "$work/opt/$version" -a ! -e "$work/bin/civitai-daemon"
check "the data stayed" test -f "$work/data/config.json" -a -f "$work/data/completed.db" -a -f "$work/data/secrets.env" \
    -a -f "$work/data/models/loras/downloaded.safetensors"

"${clean_env[@]}" bash "$work/unpack/civitai-daemon-$version/install.sh" --uninstall --purge "${opts[@]}" \
    > "$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "--uninstall --purge"; }
check "--purge deleted the data folder" test ! -e "$work/data"

echo "== --user (with --no-systemd here): everything under HOME"
user_env=(env -i "PATH=$work/fakebin:/usr/bin:/bin" "HOME=$work/home2" "LANG=C.UTF-8")
"${user_env[@]}" bash "$work/unpack/civitai-daemon-$version/install.sh" --user --no-systemd > "$work/user.log" 2>&1 \
    || { cat "$work/user.log"; fail "install.sh --user"; }
check "--user installs under ~/.local" test -L "$work/home2/.local/lib/civitai-daemon/current" \
    -a -L "$work/home2/.local/bin/civitai-daemon" -a -f "$work/home2/.local/share/civitai-daemon/config.json"
check "the user unit has no User= and passes systemd-analyze verify" bash -c "! grep -q '^User=' \
    '$work/home2/.local/lib/civitai-daemon/civitai-daemon.service' && systemd-analyze verify \
    '$work/home2/.local/lib/civitai-daemon/civitai-daemon.service'"
"${user_env[@]}" bash "$work/unpack/civitai-daemon-$version/install.sh" --user --uninstall --purge > /dev/null 2>&1
check "--user --uninstall --purge removes it all" test ! -e "$work/home2/.local/lib/civitai-daemon/current" \
    -a ! -e "$work/home2/.local/share/civitai-daemon"

echo "== systemd-analyze security (offline) of the generated unit"
systemd-analyze security --offline=yes "$work/unit-for-report.service" 2>&1 | tail -1 || true
echo "install-test: passed"
