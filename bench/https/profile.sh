#!/usr/bin/env bash
# Where a server's CPU goes in a full TLS handshake: each server under wrk's https-close load (a new connection and a
# full TLS 1.3 handshake per request, as bench/run.sh runs it) while `perf record` samples it; then the share of its CPU
# time per library (libcrypto, libssl, the kernel, the .NET runtime, JIT-compiled code, ...) and its hottest functions.
#
#   bash bench/https/profile.sh                           TinyHttp, Kestrel and nginx, 25 s warm-up and 5 s profiled each
#                                                         (about 2 minutes plus builds)
#   options (any mix):  --seconds S  --warmup S  --servers TinyHttp,Kestrel,nginx  --output FILE (default bench/https/profile.md)
#
# Needs: perf (Debian: linux-perf), wrk, taskset, the .NET 10 SDK. The servers run pinned to CPU 0 and wrk to CPU 1, as in
# bench/run.sh, with one certificate made for the run and OPENSSL_CONF with no session tickets (bench/Harness/BenchTls.cs),
# and DOTNET_PerfMapEnabled=1 so perf can name JIT-compiled .NET code. Raw perf output goes to bench/https/results/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
original_command="bash bench/https/profile.sh${*:+ $*}"
seconds=5
warmup=25
servers="TinyHttp,Kestrel,nginx"
output="bench/https/profile.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds|--warmup|--servers|--output)
      [ $# -ge 2 ] || { echo "profile.sh: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --seconds) seconds="$2" ;;
        --warmup) warmup="$2" ;;
        --servers) servers="$2" ;;
        --output) output="$2" ;;
      esac
      shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "profile.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
say() { echo "[profile] $*"; }
for tool in perf wrk taskset dotnet; do
  command -v "$tool" >/dev/null 2>&1 || { say "$tool is required"; exit 1; }
done

results="bench/https/results"
mkdir -p "$results"
artifacts="bench/.artifacts"
for project in bench/Servers/TinyHttpBenchServer/TinyHttpBenchServer.csproj bench/Servers/KestrelBenchServer/KestrelBenchServer.csproj \
               bench/idle/IdleClient/IdleClient.csproj; do
  name="$(basename "$project" .csproj)"
  say "building $name (Release)"
  dotnet build "$project" -c Release --artifacts-path "$artifacts" -nologo -v quiet > "$results/build-$name.log" 2>&1 \
    || { say "$name did not build (see $results/build-$name.log)"; exit 1; }
done
client="$artifacts/bin/IdleClient/release/IdleClient"
tls_dir="$PWD/$results/tls"
"$client" certificate --dir "$tls_dir"

server_pid=""
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap stop_server EXIT

# The process and its children (nginx's worker), comma-separated for perf -p.
pids_of() {
  local pid="$1" children
  children="$(cat /proc/"$pid"/task/*/children 2>/dev/null | tr -s ' ' '\n' | grep . || true)"
  echo "$pid${children:+,$(echo "$children" | paste -sd,)}"
}
cpu_ticks() {
  local total=0 pid
  for pid in ${1//,/ }; do
    total=$((total + $(awk '{ print $14 + $15 }' /proc/"$pid"/stat 2>/dev/null || echo 0)))
  done
  echo "$total"
}

{
  echo "# Where a full TLS handshake's CPU goes"
  echo
  echo "Written by \`$original_command\` on $(date -u '+%Y-%m-%d %H:%M') UTC. Each server, after ${warmup} s of the same load, under wrk's https-close load (\`wrk -t1 -c50 -d${seconds}s -H 'Connection: close'\`: a new"
  echo "connection and a full TLS 1.3 handshake per request), sampled by \`perf record -F 999\` (server on CPU 0, wrk on CPU 1); $(openssl version 2>/dev/null || echo OpenSSL);"
  echo "one self-signed ECDSA P-256 certificate for the run, no session tickets. What it means: [bench/README.md](../README.md#https)."
  echo
} > "$output"

IFS=',' read -ra wanted <<< "$servers"
for name in "${wanted[@]}"; do
  port="$("$client" free-port)"
  https_port="$("$client" free-port)"
  log="$results/profile-$name.server.log"
  env_vars=(BENCH_HTTPS_PORT="$https_port" BENCH_TLS_CERT="$tls_dir/cert.pem" BENCH_TLS_KEY="$tls_dir/key.pem"
            OPENSSL_CONF="$tls_dir/openssl.cnf" DOTNET_PerfMapEnabled=1 BENCH_WORK_DIR="$PWD/$results")
  case "$name" in
    TinyHttp) command=("$artifacts/bin/TinyHttpBenchServer/release/TinyHttpBenchServer" "$port") ;;
    Kestrel) command=("$artifacts/bin/KestrelBenchServer/release/KestrelBenchServer" "$port") ;;
    nginx) command=(bash bench/Servers/nginx/run.sh "$port") ;;
    *) say "no server '$name' here (TinyHttp, Kestrel, nginx)"; continue ;;
  esac
  env "${env_vars[@]}" taskset -c 0 "${command[@]}" > "$log" 2>&1 &
  server_pid=$!
  url="https://127.0.0.1:$https_port/hello"
  for _ in $(seq 1 100); do
    taskset -c 1 wrk -t1 -c1 -d1s "$url" 2>/dev/null | grep -q "Requests/sec" && break
    sleep 0.1
  done
  # Long enough for tiered compilation to finish with the handshake path (about 20 s of this load for TinyHttp, by the
  # growth of /tmp/perf-PID.map), so the profile is the steady state rather than the JIT.
  say "$name: warm-up, $warmup s"
  taskset -c 1 wrk -t1 -c50 -d"${warmup}s" -H "Connection: close" "$url" > /dev/null
  pids="$(pids_of "$server_pid")"
  say "$name: perf record -p $pids for $seconds s under https-close"
  ticks_before="$(cpu_ticks "$pids")"
  perf record -F 999 -p "$pids" -o "$results/profile-$name.perf.data" -- sleep "$((seconds + 1))" > "$results/profile-$name.perf.log" 2>&1 &
  perf_pid=$!
  sleep 0.5
  taskset -c 1 wrk -t1 -c50 -d"${seconds}s" --timeout 5s -H "Connection: close" "$url" > "$results/profile-$name.wrk.txt"
  ticks_after="$(cpu_ticks "$pids")"
  wait "$perf_pid" || true
  requests="$(grep -oE '^ *[0-9]+ requests in' "$results/profile-$name.wrk.txt" | grep -oE '[0-9]+' | head -1)"
  rps="$(grep -oE 'Requests/sec: *[0-9.]+' "$results/profile-$name.wrk.txt" | grep -oE '[0-9.]+$')"
  stop_server
  perf report -i "$results/profile-$name.perf.data" --sort dso --stdio --percent-limit 0.5 2>/dev/null | grep -vE '^#|^$' > "$results/profile-$name.dso.txt" || true
  perf report -i "$results/profile-$name.perf.data" --sort dso,sym --stdio --percent-limit 0.7 2>/dev/null | grep -vE '^#|^$' | head -25 > "$results/profile-$name.sym.txt" || true
  # The runtime's map of JIT-compiled code (DOTNET_PerfMapEnabled) is only needed for the reports above.
  for pid in ${pids//,/ }; do rm -f "/tmp/perf-$pid.map" "/tmp/perfinfo-$pid.map"; done
  {
    echo "## $name"
    echo
    echo "$rps requests/s under perf; $(awk -v t="$((ticks_after - ticks_before))" -v r="$requests" 'BEGIN { printf "%.0f", t * 10000 / r }') µs of server CPU per request (user + system, from /proc, over $requests requests)."
    echo
    echo "Share of the server's CPU samples by library (above 0.5%):"
    echo
    echo '```'
    cat "$results/profile-$name.dso.txt"
    echo '```'
    echo
    echo "Hottest functions (above 0.7%):"
    echo
    echo '```'
    cat "$results/profile-$name.sym.txt"
    echo '```'
    echo
  } >> "$output"
  say "$name: $rps req/s; see $output"
done
say "wrote $output"
