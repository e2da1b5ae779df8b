#!/usr/bin/env bash
# Installs, upgrades or removes civitai-daemon on Linux, from the unpacked release tarball (no JDK,
# Maven or make needed: the release carries its own Java runtime) or from a source checkout (then
# it runs `make dist` first). Run it again to upgrade: config, manifest, database, secrets and
# downloads stay; config keys new in this version get their defaults. `install.sh --help` for options.
set -euo pipefail
umask 022

usage() {
    cat <<'EOF'
usage: install.sh [OPTIONS]            install, or upgrade what is installed
       install.sh --uninstall [--purge] remove the service and the program (--purge: the data too)

  --prefix DIR        where the program goes (default /opt/civitai-daemon; --user:
                      ~/.local/lib/civitai-daemon); each version in its own folder, `current`
                      points at the one in use
  --data-dir DIR      config.json, manifest.json, completed.db, logs/, secrets.env
                      (default /var/lib/civitai-daemon; --user: ~/.local/share/civitai-daemon)
  --download-dir DIR  where models go (default DATA_DIR/models); may be a ComfyUI or A1111
                      models/ folder: then also --layout
  --layout L          flat, comfyui or a1111: the sub-folder each model type goes to
  --port N            the port to listen on (default: a free one in 8100-8200, kept once chosen)
  --api-key KEY       your Civitai API key (stored in DATA_DIR/secrets.env, mode 0600)
  --bin-dir DIR       where the `civitai-daemon` command is linked (default /usr/local/bin;
                      --user: ~/.local/bin)
  --user              install for this user only, with a user unit (systemctl --user)
  --no-systemd        do not install or start a service (containers, machines without systemd);
                      prints the command that runs the daemon
  --uninstall         stop and remove the service and the program; the data stays
  --purge             with --uninstall: delete the data folder too (never a download folder
                      outside it)
EOF
}

# ---------- output: one line per step; a failing step says what went wrong and how to fix it
step_no=0
bold= plain=
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
step() { step_no=$((step_no + 1)); current_step=$*; printf '%s==> [%d] %s%s\n' "$bold" "$step_no" "$*" "$plain"; }
info() { printf '    %s\n' "$*"; }
warn() { printf '    warning: %s\n' "$*" >&2; }
die() {  # die WHAT [FIX]
    printf '\nerror: %s\n' "$1" >&2
    [ -n "${2:-}" ] && printf '  fix: %s\n' "$2" >&2
    # Before step 6 nothing in use has changed; after it, the failure path says what it did.
    [ -n "${previous:-}" ] && [ "${switched:-0}" = 0 ] \
        && printf '  the installed version %s is untouched\n' "$previous" >&2
    exit 1
}
trap 'die "step [$step_no] ($current_step) failed at line $LINENO" "read the message above; run again with bash -x install.sh ... for details"' ERR
current_step="start"

# ---------- options
prefix= data_dir= download_dir= layout= port= api_key= bin_dir=
user_mode=0 no_systemd=0 uninstall=0 purge=0
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix|--data-dir|--download-dir|--layout|--port|--api-key|--bin-dir)
            [ $# -ge 2 ] || die "$1 needs a value" "install.sh --help"
            case "$1" in
                --prefix) prefix=$2 ;; --data-dir) data_dir=$2 ;; --download-dir) download_dir=$2 ;;
                --layout) layout=$2 ;; --port) port=$2 ;; --api-key) api_key=$2 ;; --bin-dir) bin_dir=$2 ;;
            esac
            shift 2 ;;
        --user) user_mode=1; shift ;;
        --no-systemd) no_systemd=1; shift ;;
        --uninstall) uninstall=1; shift ;;
        --purge) purge=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" "install.sh --help lists the options" ;;
    esac
done
case "$layout" in ""|flat|comfyui|a1111) ;; *) die "--layout must be flat, comfyui or a1111, not $layout" ;; esac
case "$port" in ""|[0-9]|[0-9][0-9]|[0-9][0-9][0-9]|[0-9][0-9][0-9][0-9]|[0-9][0-9][0-9][0-9][0-9]) ;;
    *) die "--port must be a number from 1 to 65535, not $port" ;; esac
[ "$purge" = 1 ] && [ "$uninstall" = 0 ] && die "--purge goes with --uninstall"

absolute() { case "$1" in /*) printf '%s' "${1%/}" ;; *) printf '%s/%s' "$PWD" "${1%/}" ;; esac; }
if [ "$user_mode" = 1 ]; then
    [ "$(id -u)" != 0 ] || warn "--user as root installs for root; without --user it is a system service"
    prefix=${prefix:-$HOME/.local/lib/civitai-daemon}
    bin_dir=${bin_dir:-$HOME/.local/bin}
    default_data=${XDG_DATA_HOME:-$HOME/.local/share}/civitai-daemon
    unit_dir=${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user
    systemctl=(systemctl --user)
else
    prefix=${prefix:-/opt/civitai-daemon}
    bin_dir=${bin_dir:-/usr/local/bin}
    default_data=/var/lib/civitai-daemon
    unit_dir=/etc/systemd/system
    systemctl=(systemctl)
fi
prefix=$(absolute "$prefix")
bin_dir=$(absolute "$bin_dir")

# What an earlier install chose (install.conf beside the versions) is the default for this run.
conf=$prefix/install.conf
saved() { [ -r "$conf" ] && sed -n "s/^$1=//p" "$conf" | tail -1; }
data_dir=$(absolute "${data_dir:-$(saved CIVITAI_DAEMON_DATA_DIR)}") ; [ "$data_dir" = "$PWD/" ] && data_dir=$default_data
[ -n "$(saved NO_SYSTEMD)" ] && [ "$no_systemd" = 0 ] && [ "$(saved NO_SYSTEMD)" = 1 ] && no_systemd=1
previous=
[ -L "$prefix/current" ] && previous=$(basename "$(readlink "$prefix/current")")

need_root() {
    [ "$user_mode" = 1 ] || [ "$no_systemd" = 1 ] || [ "$(id -u)" = 0 ] \
        || die "a system install needs root" "sudo $0 $*   (or --user for a per-user install)"
}

have_systemd() { [ "$no_systemd" = 0 ] && command -v systemctl > /dev/null && [ -d /run/systemd/system ]; }

# A user unit needs this user's own systemd manager, which only a login session (or lingering)
# starts: after `su`, or in a cron job, there is none. Say so before anything is installed.
if [ "$user_mode" = 1 ] && have_systemd && ! systemctl --user show-environment > /dev/null 2>&1; then
    die "--user needs your systemd user manager, and this session cannot reach one (no user bus at ${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/bus)" \
        "log in as $(id -un) through a real session (ssh or a desktop, not su), or run: sudo loginctl enable-linger $(id -un); then export XDG_RUNTIME_DIR=/run/user/$(id -u) and run install.sh --user again (or use --no-systemd)"
fi

# ---------- uninstall
if [ "$uninstall" = 1 ]; then
    need_root
    step "removing the service"
    if have_systemd && [ -f "$unit_dir/civitai-daemon.service" ]; then
        "${systemctl[@]}" disable --now civitai-daemon.service || warn "could not stop the service"
        rm -f "$unit_dir/civitai-daemon.service"
        "${systemctl[@]}" daemon-reload
        info "stopped, disabled and removed $unit_dir/civitai-daemon.service"
    else
        info "no systemd service to remove"
    fi
    step "removing the program from $prefix"
    if [ "$(readlink "$bin_dir/civitai-daemon" || true)" = "$prefix/current/bin/civitai-daemon" ]; then
        rm -f "$bin_dir/civitai-daemon" && info "removed $bin_dir/civitai-daemon"
    fi
    if [ -d "$prefix" ]; then
        for v in "$prefix"/*/ "$prefix"/.staging-*/ "$prefix"/.replaced-*/; do
            if [ -x "$v/bin/civitai-daemon" ]; then rm -rf "$v"; fi
        done
        rm -f "$prefix"/.unit-before-*
        rm -f "$prefix/current" "$prefix/install.conf" "$prefix/civitai-daemon.service"
        rmdir "$prefix" 2> /dev/null || info "kept $prefix (it holds files that are not ours)"
    fi
    info "removed"
    if [ "$purge" = 1 ]; then
        step "purging the data folder $data_dir"
        if [ "$data_dir" = / ] || [ ! -f "$data_dir/config.json" ]; then
            die "$data_dir does not look like civitai-daemon's data folder (no config.json): not deleting it" \
                "delete it by hand if you are sure"
        fi
        rm -rf "$data_dir"
        if [ "$user_mode" = 0 ] && [ "$no_systemd" = 0 ] && id civitai > /dev/null 2>&1; then
            userdel civitai || warn "could not remove the user civitai"
        fi
        info "deleted (a download folder outside it is kept)"
    else
        info "the data stays in $data_dir (config, manifest, database, downloads); --purge deletes it"
    fi
    exit 0
fi

need_root

# ---------- 1: the release to install
step "finding the release to install"
here=$(cd "$(dirname "$0")" && pwd)
if [ -x "$here/runtime/bin/java" ] && [ -f "$here/lib/civitai-daemon.jar" ]; then
    release=$here
elif [ -f "$here/Makefile" ] && [ -d "$here/src" ]; then
    info "this is a source checkout: building the release with make dist"
    missing=()
    command -v make > /dev/null || missing+=(make)
    command -v mvn > /dev/null || missing+=(maven)
    "$here/lib/find-jdk.sh" > /dev/null 2>&1 || missing+=(openjdk-21-jdk-headless)
    command -v unzip > /dev/null || missing+=(unzip)
    [ ${#missing[@]} -eq 0 ] || die "building needs: ${missing[*]}" \
        "apt-get install ${missing[*]}  (any JDK 21 or newer will do), or install from a release tarball"
    make -C "$here" dist
    release=$here/build/dist/civitai-daemon-$(cat "$here/VERSION")
else
    die "$here is neither an unpacked release nor a source checkout" \
        "unpack civitai-daemon-<version>-linux-<arch>.tar.gz and run the install.sh inside it"
fi
version=$(cat "$release/VERSION")
"$release/bin/civitai-daemon" version > /dev/null \
    || die "the release's own Java runtime does not run on this machine ($(uname -m))" \
           "download the release built for $(uname -m)"
info "civitai-daemon $version from $release${previous:+ (installed now: $previous)}"

download_dir=$(absolute "${download_dir:-$(saved DOWNLOAD_DIR)}"); [ "$download_dir" = "$PWD/" ] && download_dir=$data_dir/models

# ---------- 2: the program, in its own versioned folder (the one in use is not touched)
step "copying civitai-daemon $version to $prefix/$version"
mkdir -p "$prefix"
staging=$(mktemp -d "$prefix/.staging-$version.XXXXXX")
chmod 755 "$staging"   # mktemp -d makes it 0700 whatever the umask: the service user must enter it
cleanup_staging() { rm -rf "$staging"; }
trap cleanup_staging EXIT
# cp -a keeps the mtimes the class-data cache was recorded against
cp -a "$release/bin" "$release/lib" "$release/runtime" "$release/VERSION" "$release/README.md" \
    "$release/config.json" "$release/manifest.json" "$release/civitai-daemon.service" "$release/install.sh" "$staging/"
"$staging/bin/civitai-daemon" version > /dev/null || die "the copied program does not run" "check that $prefix is not mounted noexec"
if [ -d "$prefix/$version" ] && [ "$previous" = "$version" ]; then
    mv "$prefix/$version" "$prefix/.replaced-$version.$$"   # reinstalling the version in use: swap it
    mv "$staging" "$prefix/$version"
    rm -rf "$prefix/.replaced-$version.$$"
else
    rm -rf "${prefix:?}/$version"
    mv "$staging" "$prefix/$version"
fi
info "installed in $prefix/$version"

# ---------- 3: the service user
service_user=$(id -un) service_group=$(id -gn)
if [ "$user_mode" = 0 ] && [ "$no_systemd" = 0 ]; then
    step "service user civitai"
    if id civitai > /dev/null 2>&1; then
        info "exists"
    else
        useradd --system --user-group --home-dir "$data_dir" --no-create-home --shell /usr/sbin/nologin civitai \
            || die "cannot create the system user civitai" "useradd must be available (package passwd)"
        info "created (system user, no login, home $data_dir)"
    fi
    service_user=civitai service_group=civitai
fi

# ---------- 4: the data folder, its config (merged with this version's defaults) and secrets
step "data folder $data_dir"
mkdir -p "$data_dir" "$data_dir/logs" "$download_dir"
secrets=$data_dir/secrets.env
if [ ! -f "$secrets" ]; then
    ( umask 077; {
        echo "# Secrets of civitai-daemon, read by its service (EnvironmentFile) and by the civitai-daemon command."
        echo "# They override the same keys in config.json. Keep this file mode 0600."
        echo "CIVITAI_API_KEY=${api_key}"
        echo "CIVITAI_DAEMON_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
        echo "CIVITAI_DAEMON_WEBHOOK_SECRET="
        echo "# a Hugging Face token (hf_...) for gated repos; sent to hf_endpoint's host only"
        echo "HF_TOKEN="
    } > "$secrets" )
    info "created secrets.env with a new jwt_secret${api_key:+ and your Civitai API key}"
elif [ -n "$api_key" ]; then
    grep -v '^CIVITAI_API_KEY=' "$secrets" > "$secrets.new" || true
    echo "CIVITAI_API_KEY=$api_key" >> "$secrets.new"
    chmod 600 "$secrets.new" && mv "$secrets.new" "$secrets"
    info "updated the Civitai API key in secrets.env"
else
    info "kept secrets.env"
fi
chmod 600 "$secrets"
if [ -f "$data_dir/config.json" ]; then   # 0600: it may hold secrets that move to secrets.env now
    cp -p "$data_dir/config.json" "$data_dir/config.json.before-$version" && chmod 600 "$data_dir/config.json.before-$version"
fi
sets=()
[ -f "$data_dir/config.json" ] || sets+=(--set "download_dir=$download_dir")
[ -n "$(saved DOWNLOAD_DIR)" ] && [ "$(saved DOWNLOAD_DIR)" != "$download_dir" ] && sets+=(--set "download_dir=$download_dir")
[ -n "$layout" ] && sets+=(--set "layout=$layout")
"$prefix/$version/bin/civitai-daemon" config-merge --defaults "$release/config.json" "${sets[@]}" \
    --secrets-file "$secrets" "$data_dir/config.json" \
    | sed 's/^/    /' || die "cannot update $data_dir/config.json" "fix the file (it must be valid JSON), then run install.sh again"
if [ -n "$port" ]; then
    sed -i -E "s/(\"active_port\"[[:space:]]*:[[:space:]]*)(null|[0-9]+)/\1$port/" "$data_dir/config.json"
    info "port $port"
fi
[ -f "$data_dir/manifest.json" ] || { cp "$release/manifest.json" "$data_dir/manifest.json"; info "created an empty manifest.json"; }

if [ "$(id -u)" = 0 ] && [ "$service_user" != root ]; then
    chown "$service_user:$service_group" "$data_dir" "$data_dir/logs" "$secrets" "$data_dir"/*.json
    find "$data_dir" -maxdepth 1 -name 'completed.db*' -exec chown "$service_user:$service_group" {} +
    case "$download_dir" in "$data_dir"/*) chown "$service_user:$service_group" "$download_dir" ;; esac
    if command -v runuser > /dev/null && ! runuser -u "$service_user" -- test -w "$download_dir"; then
        warn "$service_user cannot write to $download_dir: e.g. setfacl -R -m u:$service_user:rwX,d:u:$service_user:rwX $download_dir"
    fi
fi
info "config.json, manifest.json, completed.db, logs/ and secrets.env (0600) in $data_dir; downloads in $download_dir"

# ---------- 5: the unit, from the template, with this install's paths
step "systemd unit"
protect_home=yes
case "$download_dir/ $data_dir/" in *"/home/"*|*"/root/"*) protect_home=no ;; esac
unit=$prefix/civitai-daemon.service
sed -e "s|@PREFIX@|$prefix|g" -e "s|@DATA_DIR@|$data_dir|g" -e "s|@DOWNLOAD_DIR@|$download_dir|g" \
    -e "s|@USER@|$service_user|g" -e "s|@GROUP@|$service_group|g" -e "s|@PROTECT_HOME@|$protect_home|g" \
    -e "s|@WANTED_BY@|$([ "$user_mode" = 1 ] && echo default.target || echo multi-user.target)|g" \
    "$release/civitai-daemon.service" > "$unit.new"
if [ "$user_mode" = 1 ]; then
    # A user manager runs as the user already and holds no capabilities: settings that drop a
    # capability or need one (the clock, kernel modules and logs, private /dev, the bounding set,
    # device policy) make the start fail there; the rest of the sandbox is applied as for the system.
    sed -i -E '/^(User|Group|ProtectClock|ProtectKernelModules|ProtectKernelLogs|PrivateDevices|CapabilityBoundingSet|AmbientCapabilities|DevicePolicy)=/d' "$unit.new"
fi
mv "$unit.new" "$unit"
info "generated $unit (ProtectHome=$protect_home)"

# ---------- 6: the switch: `current` moves to this version in one rename
step "switching $prefix/current to $version"
ln -sfn "$version" "$prefix/current.new" && mv -T "$prefix/current.new" "$prefix/current"
switched=1
{
    echo "# Written by install.sh: what this install chose (the next run of install.sh reuses it)."
    echo "CIVITAI_DAEMON_DATA_DIR=$data_dir"
    echo "DOWNLOAD_DIR=$download_dir"
    echo "NO_SYSTEMD=$no_systemd"
    echo "USER_MODE=$user_mode"
} > "$conf"
mkdir -p "$bin_dir" && ln -sfn "$prefix/current/bin/civitai-daemon" "$bin_dir/civitai-daemon"
info "current -> $version${previous:+ (was $previous; roll back with: ln -sfn $previous $prefix/current)}; command: $bin_dir/civitai-daemon"

rollback() {  # put the previous version (and its unit) back in use after a failed start
    [ -n "$previous" ] && [ "$previous" != "$version" ] && [ -d "$prefix/$previous" ] || return 1
    ln -sfn "$previous" "$prefix/current.new" && mv -T "$prefix/current.new" "$prefix/current"
    if [ -f "$prefix/.unit-before-$version" ]; then
        cp "$prefix/.unit-before-$version" "$unit_dir/civitai-daemon.service"
        "${systemctl[@]}" daemon-reload || true
    fi
    "${systemctl[@]}" reset-failed civitai-daemon.service 2> /dev/null || true
    "${systemctl[@]}" restart civitai-daemon.service || true
    printf '    rolled back: current -> %s again, and restarted it\n' "$previous" >&2
}

healthz() {  # GET /healthz with bash's /dev/tcp (a server may have no curl); 0 on a 200
    local answer
    exec 3<> "/dev/tcp/127.0.0.1/$1" || return 1
    printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
    answer=$(timeout 5 head -c 12 <&3 || true)
    exec 3<&-
    [ "$answer" = "HTTP/1.1 200" ]
}

config_port() { sed -n -E 's/.*"active_port"[[:space:]]*:[[:space:]]*([0-9]+).*/\1/p' "$data_dir/config.json" | head -1; }

restarts() { "${systemctl[@]}" show -p NRestarts --value civitai-daemon.service 2> /dev/null || echo 0; }

# 0 once /healthz answers on the config's port; 1 as soon as systemd says the start failed (the
# unit failed, or it was restarted after a crash), or after 60 s (the first start picks a port).
wait_healthy() {
    local p before
    before=$(restarts)   # a crash waits RestartSec (5 s) before its restart counts
    for _ in $(seq 1 120); do
        p=$(config_port)
        if [ -n "$p" ] && healthz "$p" 2> /dev/null; then return 0; fi
        "${systemctl[@]}" is-failed --quiet civitai-daemon.service && return 1
        [ "$(restarts)" -gt "$before" ] && return 1
        sleep 0.5
    done
    return 1
}

# ---------- 7: the service
if ! have_systemd; then
    step "no systemd service (--no-systemd, or systemd is not running here)"
    info "start the daemon with:"
    info "  cd $data_dir && $bin_dir/civitai-daemon serve --config $data_dir/config.json"
    info "(as the user who owns $data_dir; secrets: set -a; . $secrets; set +a  first, or export them)"
    info "the unit for a machine with systemd is in $unit"
    trap - EXIT; cleanup_staging
    echo
    echo "civitai-daemon $version is installed. Tokens: $bin_dir/civitai-daemon token --role admin"
    exit 0
fi
step "starting the service"
mkdir -p "$unit_dir"
[ -f "$unit_dir/civitai-daemon.service" ] && cp -p "$unit_dir/civitai-daemon.service" "$prefix/.unit-before-$version"
cp "$unit" "$unit_dir/civitai-daemon.service"
"${systemctl[@]}" daemon-reload
"${systemctl[@]}" enable civitai-daemon.service > /dev/null
# A restart that fails (the launcher cannot run, the unit is invalid) is decided below with the
# rest: under set -e it would end the script before the rollback.
"${systemctl[@]}" restart civitai-daemon.service 2> /dev/null || true
if ! wait_healthy; then
    journal=$([ "$user_mode" = 1 ] && echo "journalctl --user" || echo journalctl)
    "${systemctl[@]}" --no-pager status civitai-daemon.service >&2 || true
    fix="$journal -u civitai-daemon -n 50 says why; fix it, then run install.sh again"
    if rollback; then
        if wait_healthy; then
            die "civitai-daemon $version did not start; rolled back to $previous, which is running again" "$fix"
        fi
        die "civitai-daemon $version did not start, and neither did $previous after the rollback" "$fix"
    fi
    "${systemctl[@]}" disable --now civitai-daemon.service > /dev/null 2>&1 || true
    die "civitai-daemon $version did not start; the service is stopped and disabled (nothing to roll back to)" "$fix"
fi
p=$(config_port)
info "running; /healthz answers on port $p"
trap - EXIT; cleanup_staging
sudo=$([ "$user_mode" = 1 ] && echo "" || echo "sudo ")
cat <<EOF

civitai-daemon $version is running.
  GUI and API:   http://127.0.0.1:$p/   (from another machine: ssh -L $p:127.0.0.1:$p $(hostname),
                 or set "bind_address" in $data_dir/config.json)
  a token:       ${sudo}civitai-daemon token --role admin --ttl 30d   (viewer: read-only)
  status:        ${sudo}civitai-daemon status --watch
  add a model:   ${sudo}civitai-daemon add https://civitai.com/models/4201
  logs:          $data_dir/logs/, and $([ "$user_mode" = 1 ] && echo "journalctl --user" || echo journalctl) -u civitai-daemon
EOF
[ "$user_mode" = 1 ] && echo "  keep it running after you log out: loginctl enable-linger $(id -un)"
exit 0
