#!/usr/bin/env bash
# Fetches every jar pinned in lib/jars.lock into lib/ and verifies its SHA-256.
# A jar already present with the right checksum is kept; a wrong checksum is deleted and fails.
set -euo pipefail
cd "$(dirname "$0")"
command -v mvn >/dev/null || { echo "error: Maven (mvn) is needed to fetch jars: apt-get install maven" >&2; exit 1; }
status=0
while read -r name coords sum scope; do
    case "$name" in ''|'#'*) continue ;; esac
    IFS=: read -r group artifact version <<<"$coords"
    jar="$artifact-$version.jar"
    if [ ! -f "$jar" ] || ! echo "$sum  $jar" | sha256sum --check --status; then
        rm -f "$jar"
        echo "fetching $coords" >&2
        if ! mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$coords" -DoutputDirectory=. > .mvn.log 2>&1; then
            cat .mvn.log >&2
            echo "error: mvn could not fetch $coords (Maven Central must be reachable)" >&2
            exit 1
        fi
        if ! echo "$sum  $jar" | sha256sum --check --status; then
            echo "error: CHECKSUM MISMATCH for $jar ($scope jar $name)" >&2
            echo "  expected $sum" >&2
            echo "  got      $(sha256sum "$jar" | cut -d' ' -f1)" >&2
            rm -f "$jar"
            status=1
        fi
    fi
done < jars.lock
exit $status
