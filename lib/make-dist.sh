#!/usr/bin/env bash
# Builds the self-contained release: build/civitai-daemon-<version>-linux-<arch>.tar.gz holding a
# jlink'ed Java runtime (only the modules the daemon needs), the three jars, the launcher, an AOT
# cache (or an AppCDS archive on JDK 21–23) made by a short training run on that same runtime,
# the unit template, install.sh, README.md and example config.json/manifest.json.
# Called by `make dist` as: lib/make-dist.sh JDK VERSION DAEMON_JAR SQLITE_JAR JSON_JAR
# Reproducible enough to checksum: fixed mtimes (SOURCE_DATE_EPOCH, else the last commit's time),
# sorted entries, numeric owner 0, gzip -n. The AOT cache itself can differ between builds (it
# records the classes the training run happened to load).
set -euo pipefail
jdk=$1 version=$2 daemon_jar=$3 sqlite_jar=$4 json_jar=$5
cd "$(dirname "$0")/.."
root=$(pwd)

case "$(uname -m)" in
    x86_64|amd64) arch=amd64 native=x86_64 ;;
    aarch64|arm64) arch=arm64 native=aarch64 ;;
    *) echo "make dist: unsupported machine $(uname -m) (amd64 and arm64 are)" >&2; exit 1 ;;
esac
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 1767225600)}
name=civitai-daemon-$version
stage=build/dist/$name
out=build/$name-linux-$arch.tar.gz
major=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')

step() { printf '==> %s\n' "$*"; }

step "staging $stage (JDK $major at $jdk)"
rm -rf build/dist && mkdir -p "$stage/bin" "$stage/lib/native"
cp "$daemon_jar" "$stage/lib/civitai-daemon.jar"
cp "$json_jar" "$stage/lib/"   # where the daemon jar's Class-Path (../lib/...) finds it
# sqlite-jdbc carries its native library for 25 platforms (14 MB): ship this machine's one unpacked
# (the launcher points sqlite at it) and the jar without the rest, under its pinned name.
unzip -p "$sqlite_jar" "org/sqlite/native/Linux/$native/libsqlitejdbc.so" > "$stage/lib/native/libsqlitejdbc.so"
slim=build/dist/sqlite-jdbc
mkdir -p "$slim" && (cd "$slim" && "$jdk/bin/jar" xf "$root/$sqlite_jar") && rm -rf "$slim/org/sqlite/native"
"$jdk/bin/jar" --create --date="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)" --file "$stage/lib/$(basename "$sqlite_jar")" \
    --manifest "$slim/META-INF/MANIFEST.MF" -C "$slim" .
rm -rf "$slim"
{ grep -v '^#' lib/jvm.options | sed '/^$/d'; } > "$stage/lib/jvm.options"
cp lib/civitai-daemon.sh "$stage/bin/civitai-daemon"
cp install.sh civitai-daemon.service README.md config.json manifest.json VERSION "$stage/"
chmod 755 "$stage/bin/civitai-daemon" "$stage/install.sh"

step "jlink: a runtime with only the modules the daemon needs"
modules=$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 21 \
    --class-path "$sqlite_jar:$json_jar" "$daemon_jar" "$json_jar" 2>/dev/null)
if "$jdk/bin/java" --list-modules | grep -q '^jdk.crypto.ec@'; then
    modules="$modules,jdk.crypto.ec"   # TLS key exchange on JDK 21 (part of java.base from 22 on)
fi
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --compress=zip-6 --output "$stage/runtime"
echo "    modules: $modules"
if command -v strip > /dev/null; then   # libjvm.so's symbol table: 5 MB that only a crash report reads
    find "$stage/runtime/lib" -name '*.so' -exec strip --strip-unneeded {} +
fi

# Fixed mtimes before the training run: the cache records each jar's mtime and refuses a changed one.
find "$stage" -exec touch -h -d "@$epoch" {} +

step "class-data cache: a training run of bin/civitai-daemon serve on the bundled runtime"
lib/aot-train.sh "$stage" "$major"
touch -d "@$epoch" "$stage"/lib/civitai-daemon.* "$stage/lib"

step "packing $out"
tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=gnu \
    -C build/dist -cf - "$name" | gzip -n -9 > "$out"
(cd build && sha256sum "$(basename "$out")" > "$(basename "$out").sha256")
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
step "built $out: $(mib "$(du -b "$out" | cut -f1)") packed, $(mib "$(du -sb "$stage" | cut -f1)") unpacked" \
    "(runtime $(mib "$(du -sb "$stage/runtime" | cut -f1)"), cache $(mib "$(du -cb "$stage"/lib/civitai-daemon.{aot,jsa} 2>/dev/null | tail -1 | cut -f1)"))"
echo "sha256 $(cut -d' ' -f1 "$out.sha256")  (also in $out.sha256)"
