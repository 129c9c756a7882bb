#!/usr/bin/env bash
# Writes nginx's HTTPS server block (https.conf.template) into the file given, from the harness's environment:
# BENCH_HTTPS_PORT, BENCH_TLS_CERT, BENCH_TLS_KEY and, optionally, BENCH_TLS_HANDSHAKE_TIMEOUT (seconds; nginx's own 60 s
# when absent). Without BENCH_HTTPS_PORT it writes nothing, and nginx.conf.template's include matches no file.
set -euo pipefail
output="${1:?usage: https-conf.sh OUTPUT}"
[ -n "${BENCH_HTTPS_PORT:-}" ] || exit 0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sed -e "s|@HTTPS_PORT@|$BENCH_HTTPS_PORT|g" -e "s|@CERT@|${BENCH_TLS_CERT:?BENCH_HTTPS_PORT needs BENCH_TLS_CERT}|g" \
    -e "s|@KEY@|${BENCH_TLS_KEY:?BENCH_HTTPS_PORT needs BENCH_TLS_KEY}|g" -e "s|@HANDSHAKE_TIMEOUT@|${BENCH_TLS_HANDSHAKE_TIMEOUT:-60}|g" \
    "$here/https.conf.template" > "$output"
