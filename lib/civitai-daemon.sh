#!/bin/sh
# civitai-daemon: runs the daemon (`serve`, the default) or the command-line client on the Java
# runtime bundled beside this script, so the system's `java`, if any, does not matter.
# CIVITAI_DAEMON_JAVA_OPTS adds JVM options (e.g. -Xmx256m); they come after the shipped ones.
set -eu
self=$(readlink -f "$0")
home=$(cd "$(dirname "$self")/.." && pwd)
# install.sh records the data folder beside the versioned folders, so the client finds config.json.
if [ -z "${CIVITAI_DAEMON_DATA_DIR:-}" ] && [ -r "$home/../install.conf" ]; then
    CIVITAI_DAEMON_DATA_DIR=$(sed -n 's/^CIVITAI_DAEMON_DATA_DIR=//p' "$home/../install.conf")
    export CIVITAI_DAEMON_DATA_DIR
fi
# The class-data cache made at build time with this runtime: JDK 24+ AOT cache, else AppCDS.
cache=-Xshare:auto
if [ -f "$home/lib/civitai-daemon.aot" ]; then
    cache=-XX:AOTCache=$home/lib/civitai-daemon.aot
elif [ -f "$home/lib/civitai-daemon.jsa" ]; then
    cache=-XX:SharedArchiveFile=$home/lib/civitai-daemon.jsa
fi
# sqlite's native library is shipped unpacked: nothing is extracted to a temp folder at run time,
# so a read-only or noexec /tmp (ProtectSystem=strict, hardened servers) does not matter.
# The JVM's own warnings (e.g. a cache it cannot use) go to stderr, so stdout stays the command's.
# shellcheck disable=SC2086  # CIVITAI_DAEMON_JAVA_OPTS is a list of options
exec "$home/runtime/bin/java" @"$home/lib/jvm.options" -Xlog:disable -Xlog:all=warning:stderr "$cache" \
    "-Dorg.sqlite.lib.path=$home/lib/native" -Dorg.sqlite.lib.name=libsqlitejdbc.so \
    ${CIVITAI_DAEMON_JAVA_OPTS:-} -jar "$home/lib/civitai-daemon.jar" "$@"
