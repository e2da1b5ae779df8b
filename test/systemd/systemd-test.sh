#!/usr/bin/env bash
# install.sh under a real, booted systemd (run by `make systemd-test`, after `make dist`): a
# minimal Debian 12 booted with systemd-nspawn on this machine, the release tarball installed as a
# new user would, and the unit's sandbox really applied. System install → a segmented, verified
# download under the sandbox → restart → kill -9 and resume → upgrade → a broken upgrade that rolls
# itself back → uninstall and purge; then --user under a lingering user, and the security scores.
# The Debian root is made once with debootstrap and cached under /var/tmp; each run boots a copy.
# Where systemd cannot be booted here it says SKIPPED and why. Every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(cat VERSION)
next=$version-next
port=8150 user_port=8160 storage=9000

say() { echo "systemd-test: $*"; }
skip() { say "SKIPPED: $*"; exit 0; }
nspawn= work=
fail() {
    echo "systemd-test: FAILED: $*" >&2
    if [ -n "$nspawn" ]; then
        inside journalctl --no-pager -n 40 -u civitai-daemon >&2 || true
    fi
    exit 1
}
check() { local what=$1; shift; if "$@"; then echo "  ok: $what"; else fail "$what"; fi; }

[ "$(id -u)" = 0 ] || skip "booting a container needs root"
cgroup2=/sys/fs/cgroup
[ "$(stat -fc %T "$cgroup2")" = cgroup2fs ] || cgroup2=/sys/fs/cgroup/unified
[ "$(stat -fc %T "$cgroup2" 2> /dev/null)" = cgroup2fs ] && [ -w "$cgroup2" ] \
    || skip "this machine has no writable cgroup2 mount, so systemd cannot boot in a container here"
if ! command -v systemd-nspawn > /dev/null || ! command -v debootstrap > /dev/null; then
    say "installing systemd-container and debootstrap"
    apt-get update -q > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        systemd-container debootstrap > /dev/null
fi

# ---------- the Debian 12 root, made once
packages=systemd,systemd-sysv,dbus,dbus-user-session,libpam-systemd,curl,ca-certificates,procps,python3,passwd
cache=/var/tmp/civitai-daemon-systemd-root-$(printf '%s' "bookworm $packages" | sha256sum | cut -c1-12)
if [ ! -d "$cache" ]; then
    say "making a minimal Debian 12 root in $cache (once; about a minute)"
    rm -rf "$cache.tmp"
    debootstrap --variant=minbase --include="$packages" bookworm "$cache.tmp" http://deb.debian.org/debian \
        > /var/tmp/civitai-daemon-debootstrap.log 2>&1 \
        || { tail -20 /var/tmp/civitai-daemon-debootstrap.log; fail "debootstrap"; }
    mv "$cache.tmp" "$cache"
fi

work=$(mktemp -d /var/tmp/civitai-systemd-test.XXXXXX)
cleanup() {
    if [ -n "$nspawn" ] && kill -0 "$nspawn" 2> /dev/null; then
        kill -TERM "$nspawn" 2> /dev/null || true   # nspawn powers the container off
        for _ in $(seq 1 60); do kill -0 "$nspawn" 2> /dev/null || break; sleep 0.5; done
        kill -KILL "$nspawn" 2> /dev/null || true
        wait "$nspawn" 2> /dev/null || true
    fi
    if grep -q " $work/" /proc/mounts; then
        echo "systemd-test: mounts left under $work:" >&2; grep " $work/" /proc/mounts >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
cp -a "$cache" "$work/root"

# ---------- what goes in: the release, a newer build, a broken build, the storage host, models
t=$work/root/srv/t
mkdir -p "$t/files" "$t/rel"
tarball=$(ls build/civitai-daemon-"$version"-linux-*.tar.gz)
tar -xzf "$tarball" -C "$t/rel"
say "building $next from a copy of this tree"
mkdir -p "$work/src"
cp -a Makefile src lib VERSION config.json manifest.json install.sh civitai-daemon.service README.md "$work/src/"
echo "$next" > "$work/src/VERSION"
make -C "$work/src" dist > "$work/make-next.log" 2>&1 || { tail -30 "$work/make-next.log"; fail "make dist of $next"; }
tar -xzf "$work/src"/build/civitai-daemon-"$next"-linux-*.tar.gz -C "$t/rel"
rm -rf "$work/src"
broken=$t/rel/civitai-daemon-$version-broken
cp -a "$t/rel/civitai-daemon-$next" "$broken"
echo "$version-broken" > "$broken/VERSION"
# `version` still works (install.sh runs it), `serve` exits at once: a build that cannot start
sed -i '2i [ "${1:-}" = serve ] && { echo "this build cannot start" >&2; exit 1; }' "$broken/bin/civitai-daemon"
cp test/systemd/range-server.py "$t/"
head -c $((80 << 20)) /dev/urandom > "$t/files/big.safetensors"     # >= 2 x min_segment_size: segmented
head -c $((24 << 20)) /dev/urandom > "$t/files/slow.safetensors"
head -c $((1 << 20)) /dev/urandom > "$t/files/small.safetensors"
chmod -R a+rX "$t"

# ---------- boot
# One boot: nspawn in the background, its init found, then systemd asked until it runs. Returns 1
# (and says why) when the container exits or systemd never gets there, so that a boot that died
# early — seen once in CI, with nothing in the boot log — is tried once more before failing.
inside() { nsenter -t "$init" -a env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
as_alice() { inside runuser -u alice -- env HOME=/home/alice XDG_RUNTIME_DIR=/run/user/$alice_uid "$@"; }
boot() {
    systemd-nspawn -b -D "$work/root" --register=no --keep-unit --console=pipe --private-network \
        -M "civitai-test-$$-$1" > "$work/boot.log" 2>&1 &
    nspawn=$! init= state=
    for _ in $(seq 1 100); do
        init=$(pgrep -P "$nspawn" | head -1 || true); [ -n "$init" ] && break
        kill -0 "$nspawn" 2> /dev/null || break
        sleep 0.1
    done
    if [ -z "$init" ]; then
        say "boot $1: the container did not start"; tail -30 "$work/boot.log"; return 1
    fi
    for _ in $(seq 1 240); do
        state=$(inside systemctl is-system-running 2> /dev/null || true)
        case "$state" in running|degraded) return 0 ;; esac
        kill -0 "$nspawn" 2> /dev/null || break
        sleep 0.5
    done
    local rc=alive
    if ! kill -0 "$nspawn" 2> /dev/null; then wait "$nspawn" 2> /dev/null && rc=0 || rc=$?; fi
    say "boot $1: systemd did not come up (state: ${state:-none}; nspawn: exit $rc)"
    tail -40 "$work/boot.log"
    kill -KILL "$nspawn" 2> /dev/null || true; wait "$nspawn" 2> /dev/null || true
    nspawn=
    return 1
}
say "booting Debian 12 under systemd-nspawn"
boot 1 || boot 2 || fail "systemd did not come up in the container after two boots"
say "systemd is $state in the container"
inside systemd-run -q --unit=storage python3 /srv/t/range-server.py /srv/t/files "$storage"

# ---------- helpers against the installed daemon
healthz() { inside curl -fsS -o /dev/null "http://127.0.0.1:$1/healthz" 2> /dev/null; }
await_healthz() { for _ in $(seq 1 240); do healthz "$1" && return 0; sleep 0.25; done; return 1; }
api() {  # api METHOD PATH [BODY]: as the admin of the system install
    inside curl -fsS -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        ${3:+--data "$3"} "http://127.0.0.1:$port$2"
}
field() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[int(k)] if isinstance(v,list) else v.get(k)
print("" if v is None else v)' "$1"; }
await_job() {  # await_job ID STATE [SECONDS]
    local s=
    for _ in $(seq 1 $((${3:-120} * 4))); do
        s=$(api GET "/api/jobs/$1" | field job.state)
        [ "$s" = "$2" ] && return 0
        case "$s" in failed|cancelled) api GET "/api/jobs/$1" >&2; return 1 ;; esac
        sleep 0.25
    done
    echo "job $1 is $s, not $2" >&2; return 1
}
sum() { sha256sum < "$1" | cut -d' ' -f1; }
queue() {  # queue NAME QUERY: a lora from the storage host, with its SHA-256
    api POST /api/download "{\"url\": \"http://127.0.0.1:$storage/$1$2\", \"model_type\": \"lora\",
        \"filename\": \"$1\", \"sha256\": \"$(sum "$t/files/$1")\"}" | field job.id
}
score() { sed -n -E 's/.*Overall exposure level for [^:]*: ([0-9.]+).*/\1/p' | tail -1; }
not_denied() {  # nothing the sandbox refused shows in the journal or the daemon's error log
    ! inside journalctl --no-pager -u civitai-daemon | grep -Eiq 'operation not permitted|EPERM|bad system call|SIGSYS' \
        && ! grep -Eiq 'operation not permitted|EPERM' "$work/root/var/lib/civitai-daemon/logs/error.log" 2> /dev/null
}
models=$work/root/var/lib/civitai-daemon/models
private_db() { [ "$(stat -c %a "$work/root/var/lib/civitai-daemon"/completed.db* | sort -u)" = 600 ]; }
interrupted() { api GET "/api/jobs/$1" | grep -q '"outcome":"interrupted"'; }
command_is() { inside civitai-daemon version | grep -qx "civitai-daemon $1"; }
running() { inside systemctl is-active --quiet civitai-daemon && healthz $port; }
not_running() { ! inside systemctl is-active --quiet civitai-daemon; }
purged() { [ ! -e "$work/root/var/lib/civitai-daemon" ] && ! grep -q '^civitai:' "$work/root/etc/passwd"; }
disabled_and_stopped() {
    [ "$(inside systemctl is-enabled civitai-daemon 2> /dev/null)" = disabled ] && not_running
}
start_limit_hit() {  # failed for good: with Restart=on-failure and no limit it would stay activating
    inside systemctl is-failed --quiet civitai-daemon \
        && inside journalctl --no-pager -u civitai-daemon | grep -q 'Start request repeated too quickly'
}
refused_without_manager() {
    grep -q 'loginctl enable-linger alice' "$work/nomanager.log" \
        && [ ! -e "$work/root/home/alice/.local/lib/civitai-daemon" ]
}

echo "== sudo install.sh (system, as root) from the release tarball"
inside bash /srv/t/rel/civitai-daemon-$version/install.sh --port $port > "$work/install.log" 2>&1 \
    || { cat "$work/install.log"; fail "install.sh"; }
sed 's/^/    | /' "$work/install.log"
check "the service is active" inside systemctl is-active --quiet civitai-daemon
check "/healthz answers on the config's port $port" healthz $port
check "the version folder is 0755 (the service user runs the launcher)" \
    test "$(stat -c %a "$work/root/opt/civitai-daemon/$version")" = 755
check "completed.db and its -wal/-shm are 0600" private_db
system_score=$(inside systemd-analyze security --no-pager civitai-daemon | score)
check "systemd-analyze security of the system unit: $system_score (at most 2.0)" \
    awk -v s="$system_score" 'BEGIN { exit !(s != "" && s <= 2.0) }'
token=$(inside civitai-daemon token --role admin)

echo "== a download under the unit's sandbox: segmented, verified"
big=$(queue big.safetensors "") || fail "POST /api/download"
check "job $big completed" await_job "$big" completed
check "the file is in the lora folder with its SHA-256" test "$(sum "$models/lora/big.safetensors")" = "$(sum "$t/files/big.safetensors")"
check "it came over several ranges" test "$(grep -c '^/big.safetensors bytes=[0-9]*-[0-9]' "$t/files/requests.log")" -ge 2
check "nothing was denied by the sandbox (journal, error.log)" not_denied

echo "== systemctl restart keeps jobs, files and port"
inside systemctl restart civitai-daemon
check "/healthz on $port again" await_healthz $port
check "job $big is still completed" await_job "$big" completed 5
check "the file is unchanged" test "$(sum "$models/lora/big.safetensors")" = "$(sum "$t/files/big.safetensors")"

echo "== kill -9 of the main process mid-download: systemd restarts it, the download resumes"
slow=$(queue slow.safetensors "?rate=2000000") || fail "POST /api/download"
for _ in $(seq 1 240); do
    [ "$(api GET "/api/jobs/$slow" | field job.bytes)" -gt $((2 << 20)) ] && break; sleep 0.25
done
restarts=$(inside systemctl show -p NRestarts --value civitai-daemon)
inside bash -c 'kill -9 "$(systemctl show -p MainPID --value civitai-daemon)"'
for _ in $(seq 1 120); do
    [ "$(inside systemctl show -p NRestarts --value civitai-daemon)" -gt "$restarts" ] && break; sleep 0.25
done
check "systemd restarted it" test "$(inside systemctl show -p NRestarts --value civitai-daemon)" -gt "$restarts"
check "/healthz on $port again" await_healthz $port
check "job $slow completed after the restart" await_job "$slow" completed 120
check "it resumed with a Range past the start" grep -Eq '^/slow.safetensors bytes=[1-9][0-9]*-' "$t/files/requests.log"
check "the cut attempt says interrupted" interrupted "$slow"
check "the resumed file verifies" test "$(sum "$models/lora/slow.safetensors")" = "$(sum "$t/files/slow.safetensors")"

echo "== upgrade to $next keeps the data"
inside bash /srv/t/rel/civitai-daemon-$next/install.sh > "$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log"; fail "the upgrade"; }
check "current -> $next" test "$(readlink "$work/root/opt/civitai-daemon/current")" = "$next"
check "the command is $next" command_is "$next"
check "/healthz on $port" await_healthz $port
check "the jobs stayed" await_job "$big" completed 5
check "the files stayed" test "$(sum "$models/lora/big.safetensors")" = "$(sum "$t/files/big.safetensors")"

echo "== a broken upgrade rolls itself back"
if inside bash "/srv/t/rel/civitai-daemon-$version-broken/install.sh" > "$work/broken.log" 2>&1; then
    cat "$work/broken.log"; fail "install.sh of a build that cannot start succeeded"
fi
sed 's/^/    | /' "$work/broken.log" | tail -8
check "it says it rolled back to $next, which runs" grep -q "rolled back to $next, which is running again" "$work/broken.log"
check "current -> $next again" test "$(readlink "$work/root/opt/civitai-daemon/current")" = "$next"
check "the service is active, /healthz answers" running

echo "== --uninstall, then --uninstall --purge"
inside bash /opt/civitai-daemon/current/install.sh --uninstall > "$work/uninstall.log" 2>&1 || { cat "$work/uninstall.log"; fail "--uninstall"; }
check "the unit and the program are gone" test ! -e "$work/root/etc/systemd/system/civitai-daemon.service" \
    -a ! -e "$work/root/opt/civitai-daemon/current" -a ! -e "$work/root/usr/local/bin/civitai-daemon"
check "the service is not running" not_running
check "the data stayed" test -f "$work/root/var/lib/civitai-daemon/completed.db" -a -f "$models/lora/big.safetensors"
inside bash /srv/t/rel/civitai-daemon-$version/install.sh --uninstall --purge > "$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "--purge"; }
check "--purge deleted the data and the user" purged

echo "== a first install that cannot start: left stopped and disabled, and a start limit it reaches"
if inside bash "/srv/t/rel/civitai-daemon-$version-broken/install.sh" --port $port > "$work/first-broken.log" 2>&1; then
    cat "$work/first-broken.log"; fail "install.sh of a build that cannot start succeeded"
fi
check "it says the service is stopped and disabled" grep -q "the service is stopped and disabled" "$work/first-broken.log"
check "the unit is disabled and not running" disabled_and_stopped
inside systemctl start civitai-daemon 2> /dev/null || true
for _ in $(seq 1 240); do inside systemctl is-failed --quiet civitai-daemon && break; sleep 0.25; done
check "started by hand, it fails for good after its start limit (not restarting forever)" start_limit_hit
inside bash "/srv/t/rel/civitai-daemon-$version/install.sh" --uninstall --purge > /dev/null 2>&1 || fail "--purge after the broken install"

echo "== --user"
inside useradd --create-home --shell /bin/bash alice
alice_uid=$(inside id -u alice)
if as_alice bash /srv/t/rel/civitai-daemon-$version/install.sh --user > "$work/nomanager.log" 2>&1; then
    cat "$work/nomanager.log"; fail "--user without a user manager succeeded"
fi
check "without a user manager it says what to do, before installing anything" refused_without_manager
inside loginctl enable-linger alice
for _ in $(seq 1 120); do inside systemctl is-active --quiet "user@$alice_uid.service" && break; sleep 0.25; done
as_alice bash /srv/t/rel/civitai-daemon-$version/install.sh --user --port $user_port > "$work/user.log" 2>&1 \
    || { cat "$work/user.log"; as_alice journalctl --user --no-pager -n 30 || true; fail "install.sh --user"; }
check "the user unit is active" as_alice systemctl --user is-active --quiet civitai-daemon
check "/healthz on $user_port" healthz $user_port
user_token=$(as_alice /home/alice/.local/bin/civitai-daemon token --role admin)
inside curl -fsS -H "Authorization: Bearer $user_token" -H 'Content-Type: application/json' \
    --data "{\"url\": \"http://127.0.0.1:$storage/small.safetensors\", \"model_type\": \"vae\",
        \"sha256\": \"$(sum "$t/files/small.safetensors")\"}" "http://127.0.0.1:$user_port/api/download" > /dev/null
user_file=$work/root/home/alice/.local/share/civitai-daemon/models/vae/small.safetensors
for _ in $(seq 1 240); do [ -f "$user_file" ] && break; sleep 0.25; done
check "a download under the user unit's sandbox verifies" test "$(sum "$user_file" 2> /dev/null)" = "$(sum "$t/files/small.safetensors")"
user_score=$(as_alice systemd-analyze --user security --no-pager civitai-daemon | score)
check "systemd-analyze --user security of the user unit: $user_score (at most 6.0)" \
    awk -v s="$user_score" 'BEGIN { exit !(s != "" && s <= 6.0) }'
as_alice bash /home/alice/.local/lib/civitai-daemon/current/install.sh --user --uninstall --purge > "$work/user-purge.log" 2>&1 \
    || { cat "$work/user-purge.log"; fail "--user --uninstall --purge"; }
check "--user --uninstall --purge removes it all" test ! -e "$work/root/home/alice/.local/lib/civitai-daemon/current" \
    -a ! -e "$work/root/home/alice/.local/share/civitai-daemon" -a ! -e "$work/root/home/alice/.config/systemd/user/civitai-daemon.service"

say "security scores: system $system_score, user $user_score"
say "passed"
