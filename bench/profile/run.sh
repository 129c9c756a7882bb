#!/usr/bin/env bash
# Where a request's CPU goes: profiles one bench server under wrk with `perf record` and sorts the samples into the
# categories docs/performance.md uses (kernel, runtime, TinyHttp's parse, write and loop, handler).
#
#   bash bench/profile/run.sh SERVER [--connections N] [--seconds S] [--https] [--env NAME=VALUE]...
#     SERVER: TinyHttp, Kestrel, RawSocket (JIT, from bench/.artifacts/bin) or TinyHttp-AOT, Kestrel-AOT, RawSocket-AOT
#             (from bench/.artifacts/aot/publish); build them first with `bash bench/run.sh --no-load --no-double --no-micro`
#             or the dotnet build/publish lines in bench/run.sh.
#   --https loads the server's HTTPS endpoint (a throwaway self-signed certificate made with openssl).
#   Writes bench/profile/results/SERVER-cN[-https].{perf.data,report.txt,breakdown.md}; prints the breakdown.
# The server runs on CPU 0 and wrk on CPU 1, as in bench/run.sh. JIT servers run with DOTNET_PerfMapEnabled=1 so perf
# can name JIT'd frames; AOT binaries carry native symbols. Needs perf (Debian: linux-perf), wrk, taskset.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
server=${1:?usage: bash bench/profile/run.sh SERVER [--connections N] [--seconds S] [--env NAME=VALUE]...}
shift
connections=50
seconds=8
extra_env=()
https=0
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) connections=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --https) https=1; shift ;;
    --env) extra_env+=("$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "$server" in
  *-AOT) name=${server%-AOT}BenchServer; binary="bench/.artifacts/aot/publish/$name/release_linux-x64/$name" ;;
  *) name=${server}BenchServer; binary="bench/.artifacts/bin/$name/release/$name" ;;
esac
[ -x "$binary" ] || { echo "$binary is not built (see the usage above)" >&2; exit 2; }
out="bench/profile/results"
mkdir -p "$out"
env_tag=${extra_env:+-$(echo "${extra_env[*]}" | tr ' =/' '__-')}
scheme=http
tag_https=
port=$((20000 + RANDOM % 20000))
load_port=$port
if [ "$https" = 1 ]; then
  tls_dir=$(mktemp -d)
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tls_dir/key.pem" -out "$tls_dir/cert.pem" \
    -days 2 -subj /CN=localhost 2>/dev/null
  load_port=$((port + 1))
  extra_env+=("BENCH_HTTPS_PORT=$load_port" "BENCH_TLS_CERT=$tls_dir/cert.pem" "BENCH_TLS_KEY=$tls_dir/key.pem")
  scheme=https
  tag_https=-https
fi
tag="$server-c$connections$tag_https$env_tag"
env DOTNET_PerfMapEnabled=1 "${extra_env[@]}" taskset -c 0 "$binary" "$port" > "$out/$tag.server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sfk "$scheme://127.0.0.1:$load_port/hello" >/dev/null && break; sleep 0.1; done
taskset -c 1 wrk -t1 -c"$connections" -d3s "$scheme://127.0.0.1:$load_port/hello" >/dev/null
perf record -F 1999 -e cpu-clock -g -p "$pid" -o "$out/$tag.perf.data" -- sleep "$seconds" >/dev/null 2>&1 &
perf_pid=$!
cpu_before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
taskset -c 1 wrk -t1 -c"$connections" -d"${seconds}s" "$scheme://127.0.0.1:$load_port/hello" > "$out/$tag.wrk.txt"
cpu_after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
wait $perf_pid || true
requests=$(grep -oE '^ +[0-9]+ requests' "$out/$tag.wrk.txt" | grep -oE '[0-9]+')
cpu_ms=$(( (cpu_after - cpu_before) * 1000 / $(getconf CLK_TCK) ))
perf report -i "$out/$tag.perf.data" --no-children --sort dso,sym -g none --stdio 2>/dev/null > "$out/$tag.report.txt"
{
  echo "$server, $scheme, $connections connections, ${seconds} s: $requests requests, $(grep Requests/sec "$out/$tag.wrk.txt" | awk '{print $2}') req/s, server CPU $cpu_ms ms ($(uptime | sed 's/.*load/load/'))"
  echo
  echo "| where | per request | share of samples |"
  echo "|---|---:|---:|"
  python3 bench/profile/breakdown.py "$out/$tag.report.txt" "$requests" "$cpu_ms"
} | tee "$out/$tag.breakdown.md"
