#!/usr/bin/env bash
# Starts nginx in the foreground on 127.0.0.1:PORT with bench/Servers/nginx/nginx.conf.template (and an HTTPS port
# from https.conf.template when BENCH_HTTPS_PORT is set).
# The harness runs this through `taskset`, and `exec` keeps the PID it started, so the worker nginx
# forks is that PID's child and is counted in its RSS.
set -euo pipefail
port="${1:?usage: run.sh PORT}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
nginx_bin="$(command -v nginx || true)"
[ -x "$nginx_bin" ] || nginx_bin=/usr/sbin/nginx
# The harness sets BENCH_WORK_DIR to bench/results/work so the prefix is cleaned with the results.
prefix="$(mktemp -d "${BENCH_WORK_DIR:-${TMPDIR:-/tmp}}/nginx.XXXXXX")"
mkdir -p "$prefix/body" "$prefix/proxy" "$prefix/fastcgi" "$prefix/uwsgi" "$prefix/scgi"
sed -e "s|@PORT@|$port|g" -e "s|@PREFIX@|$prefix|g" "$here/nginx.conf.template" > "$prefix/nginx.conf"
bash "$here/https-conf.sh" "$prefix/https.conf"
echo "nginx listening on http://127.0.0.1:$port/${BENCH_HTTPS_PORT:+ and https://127.0.0.1:$BENCH_HTTPS_PORT/} (prefix $prefix)"
exec "$nginx_bin" -p "$prefix" -c "$prefix/nginx.conf"
