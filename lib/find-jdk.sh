#!/usr/bin/env bash
# Prints the home of a JDK >= 21: $JAVA_HOME, then `javac` on PATH, then the newest under
# /usr/lib/jvm (or $JDK_SEARCH_DIR). Exits 1 with a message saying what to install when there is none.
set -uo pipefail
major() { # feature version of the JDK at $1, or 0
    [ -x "$1/bin/javac" ] || { echo 0; return; }
    "$1/bin/javac" -version 2>&1 | sed -E 's/^javac ([0-9]+).*/\1/;t;s/.*/0/'
}
candidates=()
[ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
if command -v javac >/dev/null; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
fi
best="" best_major=0
for home in "${JDK_SEARCH_DIR:-/usr/lib/jvm}"/*; do
    m=$(major "$home")
    if [ "$m" -gt "$best_major" ]; then best="$home" best_major=$m; fi
done
[ -n "$best" ] && candidates+=("$best")
for home in "${candidates[@]}"; do
    if [ "$(major "$home")" -ge 21 ]; then echo "$home"; exit 0; fi
done
echo "error: no JDK 21 or newer found (looked at JAVA_HOME, javac on PATH, /usr/lib/jvm/*)." >&2
echo "       Install one, e.g. 'apt-get install openjdk-21-jdk-headless', or set JAVA_HOME." >&2
exit 1
